import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, parseRedisUrl, redactRedisUrl, type RedisConnection, type RedisLinkEvent } from '../../src/cluster/redisConnection.ts';
import { ConnectionError, UsageError } from '../../src/errors.ts';
import { hasRedisServer, startRedis, type RedisProcess } from '../helpers/redisServer.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const until = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, 15_000, 5);

/** What a promise rejected with (failing the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolved, expected a rejection');
}

describe('parseRedisUrl', () => {
  it('takes host, port, ACL user, password and database as the URL gives them, percent-decoded', () => {
    expect(parseRedisUrl('redis://127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000, db: 0, tls: false });
    expect(parseRedisUrl('redis://cache.example')).toEqual({ host: 'cache.example', port: 6379, db: 0, tls: false });
    expect(parseRedisUrl('rediss://worker:p%40ss%3Aword@redis.example:6380/4')).toEqual({ host: 'redis.example', port: 6380, username: 'worker', password: 'p@ss:word', db: 4, tls: true });
    expect(parseRedisUrl('redis://:secret@[::1]:6379/')).toEqual({ host: '::1', port: 6379, password: 'secret', db: 0, tls: false });
  });

  it('refuses what it cannot use with UsageError REDIS_URL, never showing the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['localhost:6379', /scheme localhost: is not redis: or rediss:/],
      ['not a url', /not a URL/],
      ['http://u:hunter2@host:6379', /scheme http:/],
      ['redis://u:hunter2@host:99999', /not a URL|port/],
      ['redis://u:hunter2@host/db1', /database db1 is not a whole number/],
      ['redis://u:hunter2@host/1/2', /database 1\/2/],
      ['redis://u:hunter2@host?db=2', /query string/],
      ['redis://u:%E0%A4%A@host', /password is not percent-encoded correctly/],
      ['redis://', /no host/],
    ];
    for (const [url, message] of cases) {
      let error: unknown;
      try {
        parseRedisUrl(url);
      } catch (caught) {
        error = caught;
      }
      expect(error, url).toBeInstanceOf(UsageError);
      expect((error as UsageError).code, url).toBe('REDIS_URL');
      expect((error as Error).message, url).toMatch(message);
      expect((error as Error).message, url).not.toContain('hunter2');
    }
    expect(redactRedisUrl('redis://u:hunter2@host:1/2')).toBe('redis://u:***@host:1/2');
    expect(redactRedisUrl('redis://host:1')).toBe('redis://host:1');
  });
});

describe.skipIf(!hasRedisServer)('openRedis against a real redis-server', () => {
  let plain: RedisProcess;
  let secured: RedisProcess;
  let acl: RedisProcess;
  const servers: RedisProcess[] = [];
  const connections: RedisConnection[] = [];

  beforeAll(async () => {
    [plain, secured, acl] = await Promise.all([startRedis(), startRedis({ password: 'p@ss word' }), startRedis({ user: { name: 'worker', password: 's3cret' } })]);
  });
  afterAll(async () => {
    await Promise.all([plain, secured, acl].map((server) => server?.stop()));
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  async function open(url: string, options?: Parameters<typeof openRedis>[1]): Promise<RedisConnection> {
    const connection = await openRedis(url, options);
    connections.push(connection);
    return connection;
  }

  async function ownServer(): Promise<RedisProcess> {
    const server = await startRedis();
    servers.push(server);
    return server;
  }

  it('connects from a redis:// URL, resolved once ready', async () => {
    const connection = await open(plain.url);
    expect(connection.up).toBe(true);
    expect(await connection.client.ping()).toBe('PONG');
  });

  it('authenticates with a password and with an ACL user, as the URL gives them', async () => {
    expect(secured.url).toContain(':p%40ss%20word@');
    const withPassword = await open(secured.url);
    expect(await withPassword.client.ping()).toBe('PONG');
    const asUser = await open(acl.url);
    expect(await asUser.client.call('ACL', 'WHOAMI')).toBe('worker');
  });

  it('surfaces refused credentials at once as UsageError REDIS_AUTH, not as a retry that never ends', async () => {
    // connectTimeoutMs far beyond the test's own limit: only a refusal, not the timeout, can end these.
    const slow = { connectTimeoutMs: 120_000 };
    const cases = [
      secured.url.replace('p%40ss%20word', 'wrong'),
      plain.url.replace('redis://', 'redis://nobody:wrong@'),
      acl.url.replace('s3cret', 'wrong'),
      `redis://127.0.0.1:${acl.port}`, // the default user is off: NOAUTH
      `redis://:wrong@127.0.0.1:${secured.port}`,
    ];
    for (const url of cases) {
      const error = await rejection(openRedis(url, slow));
      expect(error, url).toBeInstanceOf(UsageError);
      expect((error as UsageError).code, url).toBe('REDIS_AUTH');
      expect(error.message, url).toMatch(/WRONGPASS|NOAUTH/);
      expect(error.message, url).not.toContain('wrong@');
    }
  }, 20_000);

  it('selects the database of the URL, and refuses one that does not exist', async () => {
    const db3 = await open(`${plain.url}/3`);
    const db0 = await open(plain.url);
    await db3.client.set('where', 'three');
    expect(await db0.client.get('where')).toBeNull();
    await db0.client.select(3);
    expect(await db0.client.get('where')).toBe('three');
    const error = await rejection(openRedis(`${plain.url}/99`, { connectTimeoutMs: 120_000 }));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('REDIS_URL');
    expect(error.message).toMatch(/has no database 99/);
  }, 20_000);

  it('rejects with ConnectionError when nothing answers within connectTimeoutMs', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await rejection(openRedis(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 300 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(new RegExp(`Redis at redis://127.0.0.1:${port} did not answer within 0.3 s \\(last error: .*ECONNREFUSED`));
  });

  it('reports an outage as down, then up with the gap, and commands issued meanwhile complete once it is back', async () => {
    const server = await ownServer();
    let clock = 1_000;
    const connection = await open(server.url, { now: () => clock, reconnect: { initialMs: 20, maxMs: 100, maxAttempts: Infinity } });
    const events: RedisLinkEvent[] = [];
    connection.links.subscribe((event) => events.push(event));
    await server.kill();
    await until(() => events.length === 1, 'the down event');
    expect(events[0]).toMatchObject({ kind: 'down', at: 1_000 });
    expect(connection.up).toBe(false);
    const written = connection.client.set('during', 'outage');
    clock = 1_750;
    await server.restart();
    await until(() => events.length === 2, 'the up event');
    expect(events[1]).toEqual({ kind: 'up', at: 1_750, downAt: 1_000, gapMs: 750 });
    expect(await written).toBe('OK');
    expect(await connection.client.get('during')).toBe('outage');
    expect(connection.outages).toBe(1);
  });

  it('reports a real gap on the wall clock across a restart', async () => {
    const server = await ownServer();
    const connection = await open(server.url, { reconnect: { initialMs: 20, maxMs: 100, maxAttempts: Infinity } });
    const events: RedisLinkEvent[] = [];
    connection.links.subscribe((event) => events.push(event));
    await server.restart();
    await until(() => events.some((event) => event.kind === 'up'), 'the up event');
    const down = events.find((event) => event.kind === 'down')!;
    const up = events.find((event) => event.kind === 'up')!;
    expect(up.kind === 'up' && up.downAt === down.at && up.gapMs === up.at - down.at && up.gapMs >= 0).toBe(true);
  });

  it('gives up after maxAttempts failed reconnects, saying so on links', async () => {
    const server = await ownServer();
    const connection = await open(server.url, { reconnect: { initialMs: 5, maxMs: 10, maxAttempts: 3 } });
    const events: RedisLinkEvent[] = [];
    let completed = false;
    connection.links.subscribe({ next: (event) => events.push(event), complete: () => (completed = true) });
    await server.stop();
    await until(() => completed, 'links to complete');
    expect(events.map((event) => event.kind)).toEqual(['down', 'gave-up']);
    const last = events[1];
    expect(last.kind === 'gave-up' && last.error instanceof ConnectionError).toBe(true);
    expect(String(last.kind === 'gave-up' && last.error.message)).toMatch(/gave up reconnecting to Redis at redis:\/\/127.0.0.1:\d+/);
    await expect(connection.client.ping()).rejects.toThrow();
  });

  it('completes links on close, reporting no outage', async () => {
    const connection = await open(plain.url);
    const events: RedisLinkEvent[] = [];
    let completed = false;
    connection.links.subscribe({ next: (event) => events.push(event), complete: () => (completed = true) });
    await connection.close();
    expect(completed).toBe(true);
    expect(events).toEqual([]);
    await connection.close();
  });

  it('closes at once during an outage, rejecting the commands that wait', async () => {
    const server = await ownServer();
    const connection = await open(server.url, { reconnect: { initialMs: 20, maxMs: 100, maxAttempts: Infinity } });
    const events: RedisLinkEvent[] = [];
    let completed = false;
    connection.links.subscribe({ next: (event) => events.push(event), complete: () => (completed = true) });
    await server.kill();
    await until(() => events.length === 1, 'the down event');
    const waiting = connection.client.get('anything');
    await connection.close();
    await expect(waiting).rejects.toThrow(/Connection is closed/);
    expect(completed).toBe(true);
    expect(events.map((event) => event.kind)).toEqual(['down']);
  });

  it('duplicates a connection to the same database with the same credentials', async () => {
    const first = await open(`${acl.url}/2`);
    const second = await first.duplicate();
    connections.push(second);
    await first.client.set('shared', 'yes');
    expect(await second.client.get('shared')).toBe('yes');
    expect(await second.client.call('ACL', 'WHOAMI')).toBe('worker');
  });
});
