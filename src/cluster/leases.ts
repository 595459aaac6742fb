import type { RedisConnection } from './redisConnection.ts';
import { runKeys, type RunKeys } from './runKeys.ts';

/**
 * Leases on a run's tiles: a worker holds a tile while its lease lives, a
 * key `synergy:<run>:lease:<tile>` holding the owner's name with a time to
 * live. The owner renews it well within the TTL; a worker that dies or loses
 * Redis stops renewing, the key expires, and another worker may take the
 * tile. Only the owner renews or releases (compare-then-act in one Lua
 * script, so that a worker whose lease expired and was taken cannot extend
 * or delete the new owner's).
 *
 * The TTL runs on Redis' clock, not the owner's: an owner must count its
 * lease lost once `ttlMs` has passed on its own clock since the last renew
 * that succeeded (a renew waiting out an outage has not succeeded). A Redis
 * restart without persistence forgets every lease: renew then answers false.
 */

// Renew and release compare the owner and act in one step (Redis runs a script atomically).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// A tile of a run that is gone (its control hash removed) is not taken: a late worker cannot leave a key behind.
const ACQUIRE = `if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  return 1
end
return 0`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

function checkOwner(owner: string): string {
  if (typeof owner !== 'string' || owner === '') throw new RangeError(`a lease owner must be a non-empty string, got ${JSON.stringify(owner)}`);
  return owner;
}

function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new RangeError(`a lease's ttlMs must be a whole number ≥ 1, got ${ttlMs}`);
  return ttlMs;
}

/** The tile leases of one run, on one connection. */
export class TileLeases {
  /** The run's keys; a tile's lease is keys.lease(tile). */
  readonly keys: RunKeys;

  constructor(
    private readonly connection: RedisConnection,
    run: string,
  ) {
    this.keys = runKeys(run);
  }

  /**
   * Takes the tile for `owner` for `ttlMs` if nobody holds it (SET NX PX)
   * and the run is open (its control hash exists): true if taken, false if
   * held (by anyone, `owner` included) or the run is gone.
   */
  async acquire(tile: number, owner: string, ttlMs: number): Promise<boolean> {
    const reply = await this.connection.client.eval(ACQUIRE, 2, this.keys.lease(tile), this.keys.control, checkOwner(owner), checkTtl(ttlMs));
    return reply === 1;
  }

  /** Extends the lease to `ttlMs` from now if `owner` holds it; false if the lease expired or another holds it. */
  async renew(tile: number, owner: string, ttlMs: number): Promise<boolean> {
    const reply = await this.connection.client.eval(RENEW, 1, this.keys.lease(tile), checkOwner(owner), checkTtl(ttlMs));
    return reply === 1;
  }

  /** Gives the tile up if `owner` holds it (compare and delete); false if it did not. */
  async release(tile: number, owner: string): Promise<boolean> {
    const reply = await this.connection.client.eval(RELEASE, 1, this.keys.lease(tile), checkOwner(owner));
    return reply === 1;
  }

  /** Who holds the tile now, or undefined. */
  async owner(tile: number): Promise<string | undefined> {
    return (await this.connection.client.get(this.keys.lease(tile))) ?? undefined;
  }
}
