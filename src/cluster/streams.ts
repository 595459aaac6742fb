import type { Redis } from 'ioredis';
import type { Subscription } from 'rxjs';
import type { TileEmission, TileFrame } from '../engine/tiles.ts';
import { BadDataError } from '../errors.ts';
import {
  decodeDocument,
  decodeTileEmission,
  decodeTileFrame,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeDocument,
  encodeTileEmission,
  encodeTileFrame,
  MESSAGE_ERROR_CODE,
  type ExtraFields,
} from './codec.ts';
import type { RedisConnection } from './redisConnection.ts';
import { runKeys, type RunKeys } from './runKeys.ts';

/**
 * A run's streams in Redis, under `synergy:<run>:`:
 *
 * - `frames`, the frame log: the coordinator appends the analysis' frames
 *   (TileFrame, consecutive bins), every worker reads them. Each entry's ID
 *   is `<end>-0`, where end = firstBin + binCount is the bin after the
 *   frame's last, and its one field `frame` holds the frame's bytes (codec).
 *   So the entries after ID `<b>-0` are exactly the frames that hold bin b or
 *   later: reading from bin b starts with the frame that contains b, and
 *   trimming before bin b (XTRIM MINID `<b+1>-0`) removes exactly the frames
 *   that lie wholly before b.
 * - `results`: each worker publishes its tiles' emissions (TileEmission) with
 *   fields `endBin`, `tile`, `owner` (plain text, so that a script can trim
 *   by them) and `emission` (bytes); IDs are Redis' own. The coordinator
 *   reads them and trims what it has merged.
 * - `control`, a hash: the run's plan (JSON) under field `plan`.
 *
 * Readers never skip an entry silently and never throw on one: an entry
 * that does not decode comes back as an error record in its place (and is
 * counted in `decodeFailures`), the entries after it as usual.
 */

/** A frame of the log, or an entry that would not decode (`error` says why). */
export type FrameRecord = { kind: 'frame'; id: string; frame: TileFrame; extra: ExtraFields } | { kind: 'error'; id: string; error: BadDataError };

/** An emission of the results stream with who published it, or an entry that would not decode. */
export type EmissionRecord =
  | { kind: 'emission'; id: string; emission: TileEmission; owner: string; extra: ExtraFields }
  | { kind: 'error'; id: string; error: BadDataError };

/**
 * A follower's note that its connection to Redis was down from `downAt` to
 * `upAt` (ms since the epoch). Entries appended meanwhile are read as usual
 * once it is back; a Redis that restarted without persistence lost what it
 * held, and the follower goes on with what is appended after its last ID.
 */
export interface OutageRecord {
  kind: 'outage';
  downAt: number;
  upAt: number;
  gapMs: number;
}

/** Entry decode failures so far, by stream. */
export interface DecodeFailures {
  frames: number;
  emissions: number;
  plan: number;
}

/** How readFrames and readEmissions read. */
export interface ReadOptions {
  /** Wait up to this many ms for entries when there are none yet (XREAD BLOCK, on a connection of its own); absent: do not wait. */
  block?: number;
  /** At most this many entries (default 256). */
  count?: number;
}

/** How a follower reads, and what stops it. */
export interface FollowOptions {
  /** Stops the follower (as stop() does) when aborted. */
  signal?: AbortSignal;
  /** Entries per read (default 256). */
  count?: number;
  /** Longest wait of one XREAD BLOCK, ms (default 5 s): a bound on how long a silently dead TCP link can go unnoticed. Stopping does not wait for it. */
  blockMs?: number;
}

/** Caps on what the readers accept. */
export interface RunStreamsOptions {
  /** Largest frame entry accepted, bytes (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxFrameBytes?: number;
  /** Largest emission entry accepted, bytes (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxEmissionBytes?: number;
}

const DEFAULT_COUNT = 256;
const DEFAULT_BLOCK_MS = 5_000;

/** A stream entry as ioredis' Buffer commands return it: [id, [field, value, …]]. */
export type RawEntry = [Buffer, Buffer[]];

/**
 * Appends a frame only if it starts where the log ends (or the log is empty),
 * so that the log's bins stay consecutive; the very same frame sent again (a
 * command resent after a lost reply) is answered with its ID.
 */
const APPEND_FRAME = `local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then
  local id = last[1][1]
  if id == ARGV[2] and last[1][2][1] == 'frame' and last[1][2][2] == ARGV[3] then return id end
  local lastEnd = string.match(id, '^(%d+)%-')
  if lastEnd ~= ARGV[1] then
    return redis.error_reply('FRAMEORDER the log ends at bin ' .. tostring(lastEnd) .. ', not at bin ' .. ARGV[1] .. ' where the frame starts')
  end
end
return redis.call('XADD', KEYS[1], ARGV[2], 'frame', ARGV[3])`;

/**
 * Deletes the results whose endBin field is below ARGV[1]; entries without
 * a whole-number endBin (which no reader could use) only at or before ID
 * ARGV[2] (the last the caller has read, so it has reported them), none if
 * ARGV[2] is ''. Walks the stream in batches: the coordinator keeps it short.
 */
const TRIM_RESULTS = `local before = tonumber(ARGV[1])
local function parts(id)
  local ms, seq = string.match(id, '^(%d+)%-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local throughMs, throughSeq
if ARGV[2] ~= '' then throughMs, throughSeq = parts(ARGV[2]) end
local removed = 0
local cursor = '-'
while true do
  local batch = redis.call('XRANGE', KEYS[1], cursor, '+', 'COUNT', 512)
  for _, entry in ipairs(batch) do
    local id, fields = entry[1], entry[2]
    local endBin
    for k = 1, #fields - 1, 2 do
      if fields[k] == 'endBin' then endBin = fields[k + 1] end
    end
    local drop
    if endBin ~= nil and string.match(endBin, '^%d+$') then
      drop = tonumber(endBin) < before
    elseif throughMs ~= nil then
      local ms, seq = parts(id)
      drop = ms < throughMs or (ms == throughMs and seq <= throughSeq)
    end
    if drop then removed = removed + redis.call('XDEL', KEYS[1], id) end
  end
  if #batch < 512 then break end
  cursor = '(' .. batch[#batch][1]
end
return removed`;

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

function checkBin(bin: number, what: string): number {
  if (!Number.isSafeInteger(bin) || bin < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${bin}`);
  return bin;
}

function checkCount(count: number | undefined): number {
  const value = count ?? DEFAULT_COUNT;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`count must be a whole number ≥ 1, got ${count}`);
  return value;
}

function checkBlock(block: number, what: string): number {
  if (!Number.isSafeInteger(block) || block < 0) throw new RangeError(`${what} must be a whole number of ms ≥ 0, got ${block}`);
  return block;
}

/** The entries of an XREAD reply on one stream (null: none before the timeout). */
function xreadEntries(reply: unknown): RawEntry[] {
  if (reply === null || reply === undefined) return [];
  const streams = reply as Array<[Buffer, RawEntry[]]>;
  return streams.length === 0 ? [] : streams[0][1];
}

/** An entry's fields as a map (the last value of a field given twice wins, as in a hash). */
function fieldsOf(raw: Buffer[]): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  for (let k = 0; k + 1 < raw.length; k += 2) fields.set(raw[k].toString('utf8'), raw[k + 1]);
  return fields;
}

/** A stream's reader in one place: what to read after an ID, and how to turn an entry into a record (RunStreams makes them). */
export interface StreamSource<T> {
  read(client: Redis, after: string, count: number, blockMs: number | undefined): Promise<RawEntry[]>;
  decode(id: string, raw: Buffer[]): T;
}

/**
 * Follows a stream with XREAD BLOCK on a connection of its own, as an async
 * iterator: each entry after the start as a record, in order, and an
 * OutageRecord whenever its connection was down and is back (reported as
 * soon as it is back, not only with the next entry). stop() (or the signal,
 * or leaving a for-await loop) ends it at once, even mid-wait: the
 * connection is closed and the iterator is done. An error it cannot ride out
 * (the connection gave up, refused credentials) rejects next().
 * RunStreams.followFrames and followEmissions make them.
 */
export class StreamFollower<T> implements AsyncIterableIterator<T | OutageRecord> {
  private after: string;
  private readonly queue: Array<T | OutageRecord> = [];
  private link: Promise<RedisConnection> | undefined;
  private subscription: Subscription | undefined;
  private inFlight: Promise<RawEntry[]> | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private failure: Error | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly count: number;
  private readonly blockMs: number;

  constructor(
    private readonly open: () => Promise<RedisConnection>,
    private readonly source: StreamSource<T>,
    after: string,
    private readonly options: FollowOptions = {},
  ) {
    this.after = after;
    this.count = checkCount(options.count);
    this.blockMs = checkBlock(options.blockMs ?? DEFAULT_BLOCK_MS, 'blockMs');
    if (options.signal?.aborted) this.stopped = true;
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The ID of the last entry read (the start until one is). */
  get position(): string {
    return this.after;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next record; calls are served one at a time, in order. */
  next(): Promise<IteratorResult<T | OutageRecord>> {
    const result = this.turn.then(() => this.take());
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Stops following (for-await calls it on break). */
  async return(): Promise<IteratorResult<T | OutageRecord>> {
    await this.stop();
    return { done: true, value: undefined };
  }

  /** Stops at once: a pending next() resolves done, the connection is closed. */
  async stop(): Promise<void> {
    if (this.stopped && this.link === undefined) return;
    this.stopped = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.wake?.();
    const link = this.link;
    this.link = undefined;
    this.subscription?.unsubscribe();
    if (link !== undefined) await link.then((connection) => connection.close(), () => undefined);
  }

  private readonly onAbort = (): void => {
    void this.stop();
  };

  private async connection(): Promise<RedisConnection> {
    if (this.link !== undefined) return this.link;
    const link = this.open();
    this.link = link;
    const connection = await link;
    // Stopped while it opened: stop() closes it; nothing to watch.
    if (this.link === link) {
      this.subscription = connection.links.subscribe((event) => {
        if (event.kind === 'up') this.queue.push({ kind: 'outage', downAt: event.downAt, upAt: event.at, gapMs: event.gapMs });
        else if (event.kind === 'gave-up') this.failure = event.error;
        this.wake?.();
      });
    }
    return connection;
  }

  private async take(): Promise<IteratorResult<T | OutageRecord>> {
    for (;;) {
      if (this.stopped) return { done: true, value: undefined };
      if (this.queue.length > 0) return { done: false, value: this.queue.shift()! };
      if (this.failure !== undefined) throw this.failure;
      const connection = await this.connection();
      if (this.stopped) return { done: true, value: undefined };
      if (this.inFlight === undefined) {
        this.inFlight = this.source.read(connection.client, this.after, this.count, this.blockMs);
        // Rejected when stop() closes the connection mid-read, maybe after nobody awaits it any more.
        this.inFlight.catch(() => undefined);
      }
      const read = this.inFlight;
      const woken = new Promise<'woken'>((resolve) => (this.wake = () => resolve('woken')));
      let outcome: RawEntry[] | 'woken';
      try {
        outcome = await Promise.race([read, woken]);
      } catch (error) {
        this.inFlight = undefined;
        if (this.stopped) return { done: true, value: undefined };
        throw this.failure ?? error;
      } finally {
        this.wake = undefined;
      }
      if (outcome === 'woken') continue; // an outage to report, a failure, or stop: the read stays in flight
      this.inFlight = undefined;
      for (const [id, raw] of outcome) {
        this.after = id.toString('latin1');
        this.queue.push(this.source.decode(this.after, raw));
      }
    }
  }
}

/** The streams of one run, on one connection (blocking reads open connections of their own). */
export class RunStreams {
  /** The run's keys (frames, results, control). */
  readonly keys: RunKeys;
  private readonly failures: DecodeFailures = { frames: 0, emissions: 0, plan: 0 };
  private readonly maxFrameBytes: number;
  private readonly maxEmissionBytes: number;
  private blocking: Promise<RedisConnection> | undefined;
  private readonly frameSource: StreamSource<FrameRecord>;
  private readonly emissionSource: StreamSource<EmissionRecord>;

  constructor(
    private readonly connection: RedisConnection,
    run: string,
    options: RunStreamsOptions = {},
  ) {
    this.keys = runKeys(run);
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxEmissionBytes = options.maxEmissionBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const read = (key: string) => async (client: Redis, after: string, count: number, blockMs: number | undefined) =>
      xreadEntries(
        blockMs === undefined
          ? await client.xreadBuffer('COUNT', count, 'STREAMS', key, after)
          : await client.xreadBuffer('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, after),
      );
    this.frameSource = { read: read(this.keys.frames), decode: (id, raw) => this.decodeFrame(id, raw) };
    this.emissionSource = { read: read(this.keys.results), decode: (id, raw) => this.decodeEmission(id, raw) };
  }

  /** Entries that would not decode so far (each was returned as an error record). */
  get decodeFailures(): Readonly<DecodeFailures> {
    return { ...this.failures };
  }

  /**
   * Appends a frame to the log (ID `<firstBin + binCount>-0`), with `extra`
   * scalars in its header; resolves to the entry's ID. The frame must start
   * where the log ends (an empty log takes any frame whose end is past
   * every ID the log ever had): otherwise BadDataError (code FRAME_ORDER).
   * A frame of no bins has no place in the log (RangeError).
   */
  async appendFrame(frame: TileFrame, extra: ExtraFields = {}): Promise<string> {
    checkBin(frame.firstBin, 'firstBin');
    if (!Number.isSafeInteger(frame.binCount) || frame.binCount < 1) throw new RangeError(`a frame in the log holds at least one bin, got binCount ${frame.binCount}`);
    const id = `${frame.firstBin + frame.binCount}-0`;
    try {
      return String(await this.connection.client.eval(APPEND_FRAME, 1, this.keys.frames, String(frame.firstBin), id, encodeTileFrame(frame, extra)));
    } catch (error) {
      const message = (error as Error).message ?? '';
      if (message.startsWith('FRAMEORDER ')) throw new BadDataError(`frame log ${this.keys.frames}: ${message.slice('FRAMEORDER '.length)}`, 'FRAME_ORDER');
      if (/equal or smaller than the target stream top item/.test(message)) {
        throw new BadDataError(`frame log ${this.keys.frames}: a frame ending at bin ${frame.firstBin + frame.binCount} is not past the log's last entry`, 'FRAME_ORDER');
      }
      throw error;
    }
  }

  /** Removes exactly the frames that lie wholly before `bin` (XTRIM MINID); a frame holding `bin` stays. Resolves to how many were removed. */
  async trimBefore(bin: number): Promise<number> {
    return Number(await this.connection.client.xtrim(this.keys.frames, 'MINID', '=', `${checkBin(bin, 'bin') + 1}-0`));
  }

  /**
   * Up to `count` frames of the log from the one holding bin `fromBin`
   * (entries after ID `<fromBin>-0`: every frame whose end is past fromBin),
   * in order, as records. With `block`, waits up to that many ms for one
   * when there is none yet (on this instance's blocking connection).
   */
  async readFrames(fromBin: number, options: ReadOptions = {}): Promise<FrameRecord[]> {
    return this.readRecords(this.frameSource, `${checkBin(fromBin, 'fromBin')}-0`, options);
  }

  /** Follows the log from the frame holding `fromBin` (see StreamFollower): a worker's frames, with outages noted. */
  followFrames(fromBin: number, options: FollowOptions = {}): StreamFollower<FrameRecord> {
    return new StreamFollower(() => this.connection.duplicate(), this.frameSource, `${checkBin(fromBin, 'fromBin')}-0`, options);
  }

  /**
   * Makes the results stream (empty) if it is not there: the coordinator,
   * when it opens the run. Workers never make it (publishEmission), so that
   * a run removed while they still publish leaves no key behind.
   */
  async createResults(): Promise<void> {
    const client = this.connection.client;
    if ((await client.exists(this.keys.results)) === 1) return;
    await client.xgroup('CREATE', this.keys.results, 'synergy-create', '$', 'MKSTREAM');
    await client.xgroup('DESTROY', this.keys.results, 'synergy-create');
  }

  /**
   * Publishes a tile's emission for the coordinator, with who computed it;
   * resolves to the entry's ID, or undefined when the results stream is gone
   * (the run was closed, or a restarted Redis lost it: NOMKSTREAM).
   */
  async publishEmission(emission: TileEmission, owner: string, extra: ExtraFields = {}): Promise<string | undefined> {
    if (typeof owner !== 'string' || owner === '') throw new RangeError(`an emission's owner must be a non-empty string, got ${JSON.stringify(owner)}`);
    const bytes = encodeTileEmission(emission, extra);
    const id = await this.connection.client.xadd(this.keys.results, 'NOMKSTREAM', '*', 'endBin', String(emission.endBin), 'tile', String(emission.tile), 'owner', owner, 'emission', bytes);
    return id === null ? undefined : String(id);
  }

  /** Up to `count` emissions after ID `after` ('0' for the start), in order, as records; with `block`, waits up to that many ms for one. */
  async readEmissions(after: string, options: ReadOptions = {}): Promise<EmissionRecord[]> {
    return this.readRecords(this.emissionSource, checkId(after), options);
  }

  /** Follows the results after ID `after` ('0' for the start): the coordinator's input. */
  followEmissions(after: string, options: FollowOptions = {}): StreamFollower<EmissionRecord> {
    return new StreamFollower(() => this.connection.duplicate(), this.emissionSource, checkId(after), options);
  }

  /**
   * Deletes the results of emissions before `beforeEndBin` (endBin field
   * below it), and, when `readThrough` (an ID) is given, the entries at or
   * before it that carry no usable endBin (already reported to the caller
   * as error records). Resolves to how many were deleted. Runs in one
   * script: it holds Redis for a walk of the whole stream.
   */
  async trimResults(beforeEndBin: number, readThrough?: string): Promise<number> {
    checkBin(beforeEndBin, 'beforeEndBin');
    if (readThrough !== undefined && !STREAM_ID.test(readThrough)) throw new RangeError(`readThrough must be an entry's ID (ms-seq), got ${JSON.stringify(readThrough)}`);
    const through = readThrough ?? '';
    return Number(await this.connection.client.eval(TRIM_RESULTS, 1, this.keys.results, String(beforeEndBin), through));
  }

  /** Writes the run's plan (any JSON value; ±Infinity, NaN and −0 kept: see encodeDocument) to the control hash. */
  async writePlan(plan: unknown): Promise<void> {
    await this.connection.client.hset(this.keys.control, 'plan', encodeDocument(plan));
  }

  /** The run's plan, or undefined if none was written; BadDataError (counted) if what is there is not a plan document. */
  async readPlan(): Promise<unknown> {
    const text = await this.connection.client.hget(this.keys.control, 'plan');
    if (text === null) return undefined;
    try {
      return decodeDocument(text, `plan in ${this.keys.control}`);
    } catch (error) {
      this.failures.plan++;
      throw error;
    }
  }

  /** Closes the blocking connection of readFrames/readEmissions, if one was opened (not the connection given, nor followers'). */
  async close(): Promise<void> {
    const blocking = this.blocking;
    this.blocking = undefined;
    if (blocking !== undefined) await blocking.then((connection) => connection.close(), () => undefined);
  }

  private async readRecords<T>(source: StreamSource<T>, after: string, options: ReadOptions): Promise<T[]> {
    const count = checkCount(options.count);
    let client = this.connection.client;
    let block: number | undefined;
    if (options.block !== undefined) {
      block = checkBlock(options.block, 'block');
      this.blocking ??= this.connection.duplicate();
      client = (await this.blocking).client;
    }
    const entries = await source.read(client, after, count, block);
    return entries.map(([id, raw]) => source.decode(id.toString('latin1'), raw));
  }

  private decodeFrame(id: string, raw: Buffer[]): FrameRecord {
    try {
      const fields = fieldsOf(raw);
      const bytes = fields.get('frame');
      if (bytes === undefined) throw new BadDataError(`no frame field (fields: ${[...fields.keys()].join(', ') || 'none'})`, MESSAGE_ERROR_CODE);
      const { frame, extra } = decodeTileFrame(bytes, this.maxFrameBytes);
      const end = frame.firstBin + frame.binCount;
      if (id !== `${end}-0`) throw new BadDataError(`the frame holds bins ${frame.firstBin} to ${end - 1}, so its ID should be ${end}-0`, MESSAGE_ERROR_CODE);
      return { kind: 'frame', id, frame, extra };
    } catch (error) {
      return { kind: 'error', id, error: this.failed('frames', id, error) };
    }
  }

  private decodeEmission(id: string, raw: Buffer[]): EmissionRecord {
    try {
      const fields = fieldsOf(raw);
      const text = (name: string): string => {
        const value = fields.get(name);
        if (value === undefined) throw new BadDataError(`no ${name} field (fields: ${[...fields.keys()].join(', ') || 'none'})`, MESSAGE_ERROR_CODE);
        return value.toString('utf8');
      };
      const owner = text('owner');
      const endBin = text('endBin');
      const tile = text('tile');
      const bytes = fields.get('emission');
      if (bytes === undefined) throw new BadDataError(`no emission field (fields: ${[...fields.keys()].join(', ')})`, MESSAGE_ERROR_CODE);
      const { emission, extra } = decodeTileEmission(bytes, this.maxEmissionBytes);
      if (endBin !== String(emission.endBin) || tile !== String(emission.tile)) {
        throw new BadDataError(`fields say tile ${tile} at bin ${endBin}, the bytes tile ${emission.tile} at bin ${emission.endBin}`, MESSAGE_ERROR_CODE);
      }
      if (owner === '') throw new BadDataError('empty owner field', MESSAGE_ERROR_CODE);
      return { kind: 'emission', id, emission, owner, extra };
    } catch (error) {
      return { kind: 'error', id, error: this.failed('emissions', id, error) };
    }
  }

  /** Counts a failed entry and names it in the error; anything but bad data is a bug and goes on up. */
  private failed(stream: 'frames' | 'emissions', id: string, error: unknown): BadDataError {
    if (!(error instanceof BadDataError)) throw error;
    this.failures[stream]++;
    const key = stream === 'frames' ? this.keys.frames : this.keys.results;
    return new BadDataError(`${key} entry ${id}: ${error.message}`, error.code);
  }
}

/** A stream ID as XREAD takes it: `ms-seq`, or `ms` alone (seq 0), or '0'. */
function checkId(id: string): string {
  if (typeof id !== 'string' || !(STREAM_ID.test(id) || /^\d{1,20}$/.test(id))) throw new RangeError(`not a stream ID (ms-seq): ${JSON.stringify(id)}`);
  return id;
}
