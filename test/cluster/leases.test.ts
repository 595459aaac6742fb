import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TileLeases } from '../../src/cluster/leases.ts';
import { openRedis, type RedisConnection } from '../../src/cluster/redisConnection.ts';
import { UsageError } from '../../src/errors.ts';
import { hasRedisServer, startRedis, type RedisProcess } from '../helpers/redisServer.ts';

/** Polls an async condition until it holds; the deadline only guards against a hang. */
async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!hasRedisServer)('tile leases', () => {
  let server: RedisProcess;
  let connection: RedisConnection;
  let otherConnection: RedisConnection;
  let runs = 0;
  /** Leases of a run of their own for each test, as two workers see them (two connections). */
  const leases = async (): Promise<[TileLeases, TileLeases]> => {
    const run = `leases-${++runs}`;
    const pair: [TileLeases, TileLeases] = [new TileLeases(connection, run), new TileLeases(otherConnection, run)];
    // An open run: its control hash exists.
    await connection.client.hset(pair[0].keys.control, 'plan', '{}');
    return pair;
  };

  beforeAll(async () => {
    server = await startRedis();
    [connection, otherConnection] = await Promise.all([openRedis(server.url), openRedis(server.url)]);
  });
  afterAll(async () => {
    await Promise.all([connection?.close(), otherConnection?.close()]);
    await server?.stop();
  });

  it('takes no tile of a run that is gone (no control hash): a late worker leaves no key behind', async () => {
    const [a] = await leases();
    await connection.client.del(a.keys.control);
    expect(await a.acquire(0, 'worker-a', 10_000)).toBe(false);
    expect(await connection.client.exists(a.keys.lease(0))).toBe(0);
  });

  it('keeps a lease under synergy:<run>:lease:<tile>, holding its owner', async () => {
    const [a] = await leases();
    expect(await a.acquire(7, 'worker-a', 10_000)).toBe(true);
    expect(a.keys.lease(7)).toBe(`synergy:${a.keys.run}:lease:7`);
    expect(await connection.client.get(a.keys.lease(7))).toBe('worker-a');
    const ttl = await connection.client.pttl(a.keys.lease(7));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('is exclusive: once taken, nobody else takes it, nor its owner again', async () => {
    const [a, b] = await leases();
    const outcomes = await Promise.all([a.acquire(0, 'worker-a', 10_000), b.acquire(0, 'worker-b', 10_000)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const holder = outcomes[0] ? 'worker-a' : 'worker-b';
    expect(await a.owner(0)).toBe(holder);
    expect(await b.acquire(0, 'worker-c', 10_000)).toBe(false);
    expect(await a.acquire(0, holder, 10_000)).toBe(false);
    expect(await a.acquire(1, 'worker-c', 10_000)).toBe(true);
  });

  it('renews only for its owner', async () => {
    const [a, b] = await leases();
    expect(await a.renew(3, 'worker-a', 10_000)).toBe(false); // no lease yet
    await a.acquire(3, 'worker-a', 1_000);
    expect(await b.renew(3, 'worker-b', 60_000)).toBe(false);
    expect(await connection.client.pttl(a.keys.lease(3))).toBeLessThanOrEqual(1_000);
    expect(await a.renew(3, 'worker-a', 60_000)).toBe(true);
    expect(await connection.client.pttl(a.keys.lease(3))).toBeGreaterThan(1_000);
    expect(await b.owner(3)).toBe('worker-a');
  });

  it('expires when not renewed, and another owner then takes the tile; the old owner can no longer renew', async () => {
    const [a, b] = await leases();
    expect(await a.acquire(5, 'worker-a', 200)).toBe(true);
    expect(await b.acquire(5, 'worker-b', 200)).toBe(false);
    await eventually(async () => (await b.owner(5)) === undefined, 'the lease to expire');
    expect(await b.acquire(5, 'worker-b', 10_000)).toBe(true);
    expect(await a.renew(5, 'worker-a', 10_000)).toBe(false);
    expect(await a.owner(5)).toBe('worker-b');
  });

  it('releases only for its owner', async () => {
    const [a, b] = await leases();
    await a.acquire(2, 'worker-a', 10_000);
    expect(await b.release(2, 'worker-b')).toBe(false);
    expect(await b.owner(2)).toBe('worker-a');
    expect(await a.release(2, 'worker-a')).toBe(true);
    expect(await a.owner(2)).toBeUndefined();
    expect(await a.release(2, 'worker-a')).toBe(false);
    expect(await b.acquire(2, 'worker-b', 10_000)).toBe(true);
  });

  it('refuses arguments that would make a wrong key or lease', async () => {
    expect(() => new TileLeases(connection, 'a:b')).toThrow(UsageError);
    expect(() => new TileLeases(connection, '')).toThrow(/run name ""/);
    const [a] = await leases();
    await expect(a.acquire(-1, 'w', 100)).rejects.toThrow(/tile must be a whole number/);
    await expect(a.acquire(1.5, 'w', 100)).rejects.toThrow(RangeError);
    await expect(a.acquire(1, '', 100)).rejects.toThrow(/owner/);
    await expect(a.renew(1, 'w', 0)).rejects.toThrow(/ttlMs/);
    await expect(a.acquire(1, 'w', 2.5)).rejects.toThrow(/ttlMs/);
  });
});
