import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeTileEmission, encodeTileFrame } from '../../src/cluster/codec.ts';
import { openRedis, type RedisConnection } from '../../src/cluster/redisConnection.ts';
import { RunStreams, type EmissionRecord, type FrameRecord, type OutageRecord, type StreamFollower } from '../../src/cluster/streams.ts';
import type { TileEmission, TileFrame } from '../../src/engine/tiles.ts';
import { BadDataError } from '../../src/errors.ts';
import { hasRedisServer, startRedis, type RedisProcess } from '../helpers/redisServer.ts';

/** `binCount` bins from `firstBin`: in bin b unit b mod 3 fires b mod 4 + 1 times, and unit 3 in every other bin; mode b mod 2. */
function frameOf(firstBin: number, binCount: number): TileFrame {
  const offsets = new Uint32Array(binCount + 1);
  const unit: number[] = [];
  const count: number[] = [];
  for (let k = 0; k < binCount; k++) {
    const b = firstBin + k;
    unit.push(b % 3);
    count.push((b % 4) + 1);
    if (b % 2 === 0) {
      unit.push(3);
      count.push(1);
    }
    offsets[k + 1] = unit.length;
  }
  const label = Int32Array.from({ length: binCount }, (_, k) => ((firstBin + k) % 2 === 0 ? 0 : 1));
  return { firstBin, binCount, offsets, unit: Uint32Array.from(unit), count: Uint32Array.from(count), label, units: 4, modes: 2, startTime: 12.5 };
}

function emissionOf(tile: number, endBin: number): TileEmission {
  return {
    tile,
    endBin,
    pairs: [
      { i: 0, j: 2, joint: 0.4, ia: 0.1, ib: 0.05, synergy: 0.25, excess: 0.2, beyond: 0 },
      { i: 1, j: 3, joint: 0.2, ia: 0.1, ib: 0.1, synergy: -0, excess: -0.01, beyond: 3 },
    ],
    significance: { available: 3, effective: 2.75, maxima: Float64Array.of(0.1, -Infinity, 0.05), beyondCounts: Uint32Array.of(1, 0, 0, 1), candidates: Float64Array.of(0.2) },
  };
}

/** The bins [first, end) of each frame record (errors as their IDs). */
const spans = (records: ReadonlyArray<FrameRecord | OutageRecord>): string[] =>
  records.map((record) => (record.kind === 'frame' ? `${record.frame.firstBin}-${record.frame.firstBin + record.frame.binCount}` : record.kind === 'error' ? `error ${record.id}` : 'outage'));

/** The next `n` records of a follower. */
async function take<T>(follower: StreamFollower<T>, n: number): Promise<Array<T | OutageRecord>> {
  const records: Array<T | OutageRecord> = [];
  while (records.length < n) {
    const next = await follower.next();
    if (next.done) throw new Error(`the follower ended after ${records.length} of ${n} records`);
    records.push(next.value);
  }
  return records;
}

describe.skipIf(!hasRedisServer)('run streams against a real redis-server', () => {
  let server: RedisProcess;
  let connection: RedisConnection;
  let runs = 0;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    server = await startRedis();
    connection = await openRedis(server.url);
  });
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** The streams of a fresh run, closed after the test. */
  function streams(on: RedisConnection = connection): RunStreams {
    const run = new RunStreams(on, `run-${++runs}`);
    cleanup.push(() => run.close());
    return run;
  }

  function follow<T>(follower: StreamFollower<T>): StreamFollower<T> {
    cleanup.push(() => follower.stop());
    return follower;
  }

  describe('frame log', () => {
    it('appends frames under IDs of their end bin and reads them back bit for bit, from the frame holding any bin', async () => {
      const run = streams();
      expect(await run.appendFrame(frameOf(0, 4), { source: 'rig-1' })).toBe('4-0');
      expect(await run.appendFrame(frameOf(4, 3))).toBe('7-0');
      expect(await run.appendFrame(frameOf(7, 3))).toBe('10-0');
      const all = await run.readFrames(0);
      expect(spans(all)).toEqual(['0-4', '4-7', '7-10']);
      expect(all[0]).toEqual({ kind: 'frame', id: '4-0', frame: frameOf(0, 4), extra: { source: 'rig-1' } });
      expect(spans(await run.readFrames(3))).toEqual(['0-4', '4-7', '7-10']);
      expect(spans(await run.readFrames(4))).toEqual(['4-7', '7-10']);
      expect(spans(await run.readFrames(6))).toEqual(['4-7', '7-10']);
      expect(spans(await run.readFrames(9))).toEqual(['7-10']);
      expect(await run.readFrames(10)).toEqual([]);
      expect(spans(await run.readFrames(0, { count: 2 }))).toEqual(['0-4', '4-7']);
      expect(await connection.client.exists(`synergy:${run.keys.run}:frames`)).toBe(1);
    });

    it('takes only the next frame: not a gap, not an overlap, not an empty frame; the same frame resent is answered with its ID', async () => {
      const run = streams();
      await run.appendFrame(frameOf(10, 5));
      for (const frame of [frameOf(16, 2), frameOf(14, 2), frameOf(0, 3)]) {
        const error = await run.appendFrame(frame).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(BadDataError);
        expect((error as BadDataError).code).toBe('FRAME_ORDER');
        expect((error as Error).message).toMatch(/the log ends at bin 15, not at bin \d+ where the frame starts/);
      }
      await expect(run.appendFrame({ ...frameOf(15, 0) })).rejects.toThrow(RangeError);
      // A command resent after its reply was lost: the very same frame again.
      expect(await run.appendFrame(frameOf(10, 5))).toBe('15-0');
      expect(await run.appendFrame(frameOf(15, 1))).toBe('16-0');
      expect(spans(await run.readFrames(0))).toEqual(['10-15', '15-16']);
    });

    it('keeps exactly the frames holding bins from trimBefore(bin) on', async () => {
      const run = streams();
      for (const [first, count] of [
        [0, 4],
        [4, 3],
        [7, 3],
        [10, 1],
      ]) {
        await run.appendFrame(frameOf(first, count));
      }
      expect(await run.trimBefore(3)).toBe(0); // bin 3 is in the first frame
      expect(await run.trimBefore(4)).toBe(1);
      expect(spans(await run.readFrames(0))).toEqual(['4-7', '7-10', '10-11']);
      expect(await run.trimBefore(9)).toBe(1);
      expect(await run.trimBefore(9)).toBe(0);
      expect(spans(await run.readFrames(0))).toEqual(['7-10', '10-11']);
      expect(await connection.client.xlen(run.keys.frames)).toBe(2);
      expect(await run.trimBefore(11)).toBe(2);
      expect(await run.readFrames(0)).toEqual([]);
      // Empty, the log takes the next frame, never one from before what it held.
      await expect(run.appendFrame(frameOf(3, 2))).rejects.toThrow(/not past the log's last entry/);
      expect(await run.appendFrame(frameOf(11, 2))).toBe('13-0');
    });

    it('reports each entry that does not decode as an error record in its place, counted, and reads on', async () => {
      const run = streams();
      await run.appendFrame(frameOf(0, 2));
      const key = run.keys.frames;
      const garbled = encodeTileFrame(frameOf(2, 1));
      garbled[20] ^= 0xff;
      await connection.client.xadd(key, '3-0', 'frame', garbled);
      await connection.client.xadd(key, '4-0', 'other', 'field');
      await connection.client.xadd(key, '6-0', 'frame', encodeTileFrame(frameOf(4, 1))); // the bytes say it ends at 5
      await connection.client.xadd(key, '7-0', 'frame', Buffer.alloc(0));
      await run.appendFrame(frameOf(7, 2));
      const records = await run.readFrames(0);
      expect(spans(records)).toEqual(['0-2', 'error 3-0', 'error 4-0', 'error 6-0', 'error 7-0', '7-9']);
      const messages = records.flatMap((record) => (record.kind === 'error' ? [record.error.message] : []));
      expect(messages[0]).toMatch(new RegExp(`^${key} entry 3-0: tile frame: `));
      expect(messages[1]).toMatch(/entry 4-0: no frame field \(fields: other\)/);
      expect(messages[2]).toMatch(/entry 6-0: the frame holds bins 4 to 4, so its ID should be 5-0/);
      expect(messages[3]).toMatch(/entry 7-0: tile frame: 0 bytes/);
      for (const record of records) if (record.kind === 'error') expect(record.error).toBeInstanceOf(BadDataError);
      expect(run.decodeFailures).toEqual({ frames: 4, emissions: 0, plan: 0 });
    });

    it('refuses a frame over maxFrameBytes as an error record', async () => {
      const run = new RunStreams(connection, `run-${++runs}`, { maxFrameBytes: 64 });
      await run.appendFrame(frameOf(0, 30));
      const [record] = await run.readFrames(0);
      expect(record.kind).toBe('error');
      expect(record.kind === 'error' && record.error.message).toMatch(/over the 64 allowed/);
    });

    it('waits for a frame with block, on a connection of its own', async () => {
      const run = streams();
      await run.appendFrame(frameOf(0, 2));
      expect(await run.readFrames(2, { block: 50 })).toEqual([]);
      const waiting = run.readFrames(2, { block: 10_000 });
      // The shared connection is not held by the blocked read.
      expect(await connection.client.ping()).toBe('PONG');
      await run.appendFrame(frameOf(2, 3));
      expect(spans(await waiting)).toEqual(['2-5']);
    });

    it('follows the log: what is there, then each frame as it comes, then stops at once mid-wait', async () => {
      const run = streams();
      await run.appendFrame(frameOf(0, 2));
      await run.appendFrame(frameOf(2, 2));
      const follower = follow(run.followFrames(3));
      expect(spans(await take(follower, 1))).toEqual(['2-4']);
      const pending = follower.next();
      await run.appendFrame(frameOf(4, 1));
      expect(spans([(await pending).value as FrameRecord])).toEqual(['4-5']);
      expect(follower.position).toBe('5-0');
      const waiting = follower.next();
      const started = Date.now();
      await follower.stop();
      expect(await waiting).toEqual({ done: true, value: undefined });
      expect(Date.now() - started).toBeLessThan(4_000); // not the 5 s of a BLOCK running out
      expect(await follower.next()).toEqual({ done: true, value: undefined });
    });

    it('stops a follower by its AbortSignal, and when a for-await loop leaves', async () => {
      const run = streams();
      await run.appendFrame(frameOf(0, 1));
      const controller = new AbortController();
      const follower = follow(run.followFrames(0, { signal: controller.signal, blockMs: 60_000 }));
      expect(spans(await take(follower, 1))).toEqual(['0-1']);
      const waiting = follower.next();
      controller.abort();
      expect(await waiting).toEqual({ done: true, value: undefined });

      const seen: string[] = [];
      for await (const record of follow(run.followFrames(0))) {
        seen.push(...spans([record as FrameRecord]));
        break;
      }
      expect(seen).toEqual(['0-1']);
      const aborted = new AbortController();
      aborted.abort();
      expect(await run.followFrames(0, { signal: aborted.signal }).next()).toEqual({ done: true, value: undefined });
    });

    it('follows past entries that do not decode, reporting each', async () => {
      const run = streams();
      const follower = follow(run.followFrames(0, { count: 1 }));
      const first = follower.next();
      await connection.client.xadd(run.keys.frames, '2-0', 'frame', 'not a frame');
      await run.appendFrame(frameOf(2, 2));
      expect(spans([(await first).value as FrameRecord, ...((await take(follower, 1)) as FrameRecord[])])).toEqual(['error 2-0', '2-4']);
      expect(run.decodeFailures.frames).toBe(1);
    });
  });

  describe('results', () => {
    it('are published only to a results stream the coordinator made: a closed run gets no key back', async () => {
      const run = streams();
      expect(await run.publishEmission(emissionOf(0, 100), 'late-worker')).toBeUndefined();
      expect(await connection.client.exists(run.keys.results)).toBe(0);
      await run.createResults();
      expect(await connection.client.xlen(run.keys.results)).toBe(0);
      expect(await run.publishEmission(emissionOf(0, 100), 'worker')).toMatch(/^\d+-\d+$/);
    });

    it('publishes emissions with their owner and reads them back bit for bit, after any ID', async () => {
      const run = streams();
      await run.createResults();
      const first = (await run.publishEmission(emissionOf(0, 100), 'worker-a', { hop: 1 }))!;
      const second = (await run.publishEmission(emissionOf(1, 100), 'worker-b'))!;
      const records = await run.readEmissions('0');
      expect(records.map((record) => record.id)).toEqual([first, second]);
      const [a, b] = records as Array<Extract<EmissionRecord, { kind: 'emission' }>>;
      expect(a).toEqual({ kind: 'emission', id: first, emission: emissionOf(0, 100), owner: 'worker-a', extra: { hop: 1 } });
      expect(Object.is(a.emission.pairs[1].synergy, -0)).toBe(true);
      expect(a.emission.significance!.maxima[1]).toBe(-Infinity);
      expect(b.owner).toBe('worker-b');
      expect((await run.readEmissions(first)).map((record) => record.id)).toEqual([second]);
      expect(await run.readEmissions(second)).toEqual([]);
      const entry = await connection.client.xrange(run.keys.results, first, first);
      expect(entry[0][1].slice(0, 6)).toEqual(['endBin', '100', 'tile', '0', 'owner', 'worker-a']);
    });

    it('follows the results as they come, for the coordinator', async () => {
      const run = streams();
      await run.createResults();
      const follower = follow(run.followEmissions('0-0'));
      const pending = follower.next();
      const id = (await run.publishEmission(emissionOf(2, 50), 'worker-c'))!;
      expect((await pending).value).toMatchObject({ kind: 'emission', id, owner: 'worker-c', emission: { tile: 2, endBin: 50 } });
      const later = run.readEmissions(id, { block: 10_000 });
      await run.publishEmission(emissionOf(2, 60), 'worker-c');
      expect((await later).map((record) => record.kind === 'emission' && record.emission.endBin)).toEqual([60]);
    });

    it('reports malformed results as error records, counted', async () => {
      const run = streams();
      await run.createResults();
      const key = run.keys.results;
      const bytes = encodeTileEmission(emissionOf(4, 30));
      const ids = [
        await connection.client.xadd(key, '*', 'endBin', '30', 'tile', '4', 'emission', bytes),
        await connection.client.xadd(key, '*', 'endBin', '31', 'tile', '4', 'owner', 'w', 'emission', bytes),
        await connection.client.xadd(key, '*', 'endBin', '30', 'tile', '4', 'owner', 'w', 'emission', bytes.subarray(0, 40)),
        await run.publishEmission(emissionOf(4, 40), 'w'),
      ];
      const records = await run.readEmissions('0');
      expect(records.map((record) => record.kind)).toEqual(['error', 'error', 'error', 'emission']);
      expect(records.map((record) => record.id)).toEqual(ids);
      const messages = records.flatMap((record) => (record.kind === 'error' ? [record.error.message] : []));
      expect(messages[0]).toMatch(/no owner field/);
      expect(messages[1]).toMatch(/fields say tile 4 at bin 31, the bytes tile 4 at bin 30/);
      expect(messages[2]).toMatch(/tile emission: /);
      expect(run.decodeFailures).toEqual({ frames: 0, emissions: 3, plan: 0 });
    });

    it('trims the results before an end bin, whichever order they came in; entries without an end bin only once read through', async () => {
      const run = streams();
      await run.createResults();
      await run.publishEmission(emissionOf(0, 20), 'a');
      await run.publishEmission(emissionOf(1, 10), 'b'); // a late tile
      const junk = await connection.client.xadd(run.keys.results, '*', 'nonsense', '1');
      await run.publishEmission(emissionOf(0, 30), 'a');
      await run.publishEmission(emissionOf(1, 20), 'b');
      const endBins = async () => (await run.readEmissions('0')).map((record) => (record.kind === 'emission' ? record.emission.endBin : 'error'));
      expect(await endBins()).toEqual([20, 10, 'error', 30, 20]);
      expect(await run.trimResults(20)).toBe(1);
      expect(await endBins()).toEqual([20, 'error', 30, 20]);
      expect(await run.trimResults(30, junk!)).toBe(3);
      expect(await endBins()).toEqual([30]);
      expect(await run.trimResults(30)).toBe(0);
      await expect(run.trimResults(30, 'latest')).rejects.toThrow(/readThrough/);
    });

    it('trims a results stream longer than one batch of the script', async () => {
      const run = streams();
      await run.createResults();
      const pipeline = connection.client.pipeline();
      for (let k = 0; k < 1_300; k++) pipeline.xadd(run.keys.results, '*', 'endBin', String(k % 2 === 0 ? 5 : 50), 'tile', '0', 'owner', 'w', 'emission', 'x');
      await pipeline.exec();
      expect(await run.trimResults(10)).toBe(650);
      expect(await connection.client.xlen(run.keys.results)).toBe(650);
    });
  });

  describe('plan', () => {
    it('writes and reads the plan as JSON, open-ended tiles included', async () => {
      const run = streams();
      expect(await run.readPlan()).toBeUndefined();
      const plan = { tiles: [{ first: 0, end: 30 }, { first: 30, end: Infinity }], windowBins: 200, estimator: 'plugin' };
      await run.writePlan(plan);
      expect(await run.readPlan()).toEqual(plan);
      expect(await connection.client.hget(run.keys.control, 'plan')).toContain('{"$number":"Infinity"}');
    });

    it('throws BadDataError, counted, for a plan that is not a plan document', async () => {
      const run = streams();
      await connection.client.hset(run.keys.control, 'plan', '{"tiles": [');
      await expect(run.readPlan()).rejects.toThrow(BadDataError);
      await expect(run.readPlan()).rejects.toThrow(new RegExp(`plan in ${run.keys.control}: not JSON`));
      expect(run.decodeFailures.plan).toBe(2);
    });
  });

  describe('authentication', () => {
    const servers: RedisProcess[] = [];
    afterAll(async () => {
      await Promise.all(servers.map((each) => each.stop()));
    });

    it.each([
      ['a password', { password: 'pass word' }],
      ['an ACL user', { user: { name: 'tile-worker', password: 'secret!' } }],
    ])('appends, follows and publishes with %s', async (_, options) => {
      const secured = await startRedis(options);
      servers.push(secured);
      const link = await openRedis(secured.url);
      cleanup.push(() => link.close());
      const run = streams(link);
      await run.createResults();
      const follower = follow(run.followFrames(0));
      await run.appendFrame(frameOf(0, 3));
      expect(spans(await take(follower, 1))).toEqual(['0-3']);
      await run.publishEmission(emissionOf(0, 3), 'worker');
      expect((await run.readEmissions('0', { block: 1_000 })).map((record) => record.kind)).toEqual(['emission']);
    });
  });

  describe('a Redis restart mid-follow', () => {
    let own: RedisProcess;
    beforeAll(async () => {
      own = await startRedis();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('the follower rides it out: reports the outage with its gap, then reads what is appended after', async () => {
      const writer = await openRedis(own.url, { reconnect: { initialMs: 10, maxMs: 100, maxAttempts: Infinity } });
      cleanup.push(() => writer.close());
      const run = streams(writer);
      await run.appendFrame(frameOf(0, 2));
      await run.appendFrame(frameOf(2, 2));
      const follower = follow(run.followFrames(0, { blockMs: 60_000 }));
      expect(spans(await take(follower, 2))).toEqual(['0-2', '2-4']);
      const waiting = follower.next(); // blocked in XREAD when Redis goes away

      await own.restart(); // empty again: the log's frames are gone
      const outage = (await waiting).value as OutageRecord;
      expect(outage.kind).toBe('outage');
      expect(outage.gapMs).toBe(outage.upAt - outage.downAt);
      expect(outage.gapMs).toBeGreaterThanOrEqual(0);

      // The writer goes on from where it was (its command waits until Redis is back).
      await run.appendFrame(frameOf(4, 3));
      await run.appendFrame(frameOf(7, 1));
      expect(spans(await take(follower, 2))).toEqual(['4-7', '7-8']);
      expect(follower.position).toBe('8-0');
      expect(await run.readFrames(0)).toHaveLength(2);
    });
  });
});
