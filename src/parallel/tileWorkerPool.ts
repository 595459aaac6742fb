import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AnalysisOptions } from '../stream/options.ts';
import type { TileEmission, TileFrame, TileRows } from '../engine/tiles.ts';
import { InFlightGate } from './inFlightGate.ts';
import type { TileCommand, TileReply } from './tileMessages.ts';

/** Default worker threads: the machine's cores, less one for ingest and the coordinator (at least one). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

interface Pending {
  resolve(reply: TileReply): void;
  reject(error: Error): void;
}

/** One worker thread and the replies it owes, in the order the commands went. */
class WorkerThread {
  private readonly pending: Pending[] = [];
  private failure: Error | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on('message', (reply: TileReply) => {
      const next = this.pending.shift();
      if (next === undefined) this.fail(new Error(`tile worker ${index} answered a command it was not sent`));
      else next.resolve(reply);
    });
    worker.on('error', (error) => this.fail(new Error(`tile worker ${index} failed: ${error.message}`)));
    this.exited = new Promise((resolve) => {
      worker.on('exit', (code) => {
        this.fail(new Error(`tile worker ${index} stopped (exit code ${code})`));
        resolve();
      });
    });
  }

  /** Sends a command; the reply comes in order. An error reply rejects. */
  send(command: TileCommand): Promise<TileReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<TileReply>((resolve, reject) => {
      this.pending.push({
        resolve: (reply) => (reply.type === 'error' ? reject(new Error(`tile worker ${this.index}: ${reply.message}`)) : resolve(reply)),
        reject,
      });
      this.worker.postMessage(command);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.splice(0)) pending.reject(this.failure);
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`tile worker ${this.index} was stopped`);
    await this.worker.terminate();
    await this.exited;
  }
}

/**
 * Worker threads that hold tiles of analyses (`--workers N`): each analysis
 * opens its tiles spread over the threads (TiledSession), frames are
 * written once into shared memory that every thread reads, and each thread
 * answers in order. One pool serves every analysis of a process (`serve`
 * runs one per source).
 */
export class TileWorkerPool {
  private readonly threads: WorkerThread[];
  private nextAnalysis = 1;

  private constructor(threads: WorkerThread[]) {
    this.threads = threads;
  }

  /** Starts `size` worker threads. */
  static start(size: number = defaultWorkers()): TileWorkerPool {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${size}`);
    const entry = new URL('./tileWorkerEntry.mjs', import.meta.url);
    const threads: WorkerThread[] = [];
    for (let k = 0; k < size; k++) threads.push(new WorkerThread(k, new Worker(entry)));
    return new TileWorkerPool(threads);
  }

  get size(): number {
    return this.threads.length;
  }

  /**
   * Opens an analysis with these tiles: tile k goes to thread k mod size, so
   * a plan of `size` tiles (tiles.ts: planTiles) gives each thread a band of
   * about equal pairs.
   */
  open(options: AnalysisOptions, plan: readonly TileRows[]): TiledSession {
    const analysis = this.nextAnalysis++;
    const groups = this.threads.map((thread) => ({ thread, tiles: [] as { tile: number; rows: TileRows }[] }));
    plan.forEach((rows, tile) => groups[tile % groups.length].tiles.push({ tile, rows }));
    const used = groups.filter((group) => group.tiles.length > 0);
    const opened = Promise.all(used.map(({ thread, tiles }) => thread.send({ type: 'open', analysis, options, tiles })));
    return new TiledSession(analysis, used, plan.length, opened);
  }

  /** Stops every thread. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.terminate()));
  }
}

/**
 * One analysis's tiles on the pool's threads: every frame goes to every
 * thread holding its tiles, and the answer is every tile's emissions, in
 * the plan's order. Commands may be sent before earlier ones are answered
 * (the threads queue them); `ready()` says when fewer than `maxInFlight`
 * are outstanding, for a source that can wait.
 */
export class TiledSession {
  private readonly gate: InFlightGate;

  constructor(
    readonly analysis: number,
    private readonly groups: { thread: WorkerThread; tiles: { tile: number; rows: TileRows }[] }[],
    private readonly tileCount: number,
    private readonly opened: Promise<unknown>,
    readonly maxInFlight = 8,
  ) {
    // A failure to open surfaces with the first command's answer.
    opened.catch(() => undefined);
    this.gate = new InFlightGate(maxInFlight);
  }

  /** The next bins to every tile; resolves to each tile's emissions (index = tile). */
  push(frame: TileFrame): Promise<TileEmission[][]> {
    return this.send({ type: 'frame', analysis: this.analysis, frame: sharedFrame(frame) });
  }

  /** The end of the stream; resolves to each tile's last emissions. */
  finish(endTime: number): Promise<TileEmission[][]> {
    return this.send({ type: 'finish', analysis: this.analysis, endTime });
  }

  /** Resolves when fewer than maxInFlight commands are outstanding. */
  ready(): Promise<void> {
    return this.gate.ready();
  }

  /** Bytes each tile holds (index = tile). */
  async memoryBytes(): Promise<number[]> {
    await this.opened;
    const bytes: number[] = new Array(this.tileCount).fill(0);
    const replies = await Promise.all(this.groups.map(({ thread }) => thread.send({ type: 'stats', analysis: this.analysis })));
    replies.forEach((reply, g) => {
      if (reply.type === 'stats') this.groups[g].tiles.forEach(({ tile }, k) => (bytes[tile] = reply.memoryBytes[k]));
    });
    return bytes;
  }

  /** Drops the tiles from the threads. */
  async close(): Promise<void> {
    await Promise.allSettled(this.groups.map(({ thread }) => thread.send({ type: 'close', analysis: this.analysis })));
  }

  private send(command: TileCommand): Promise<TileEmission[][]> {
    return this.gate.run(async () => {
      await this.opened;
      const replies = await Promise.all(this.groups.map(({ thread }) => thread.send(command)));
      const emissions: TileEmission[][] = new Array(this.tileCount);
      replies.forEach((reply, g) => {
        if (reply.type !== 'emissions') throw new Error(`internal: tile worker answered ${reply.type} to ${command.type}`);
        this.groups[g].tiles.forEach(({ tile }, k) => (emissions[tile] = reply.emissions[k]));
      });
      return emissions;
    });
  }
}

/**
 * The frame in one SharedArrayBuffer (offsets, units, counts, modes): written
 * once, read by every thread without a copy each.
 */
export function sharedFrame(frame: TileFrame): TileFrame {
  const bins = frame.binCount;
  const spikes = frame.offsets[bins];
  const buffer = new SharedArrayBuffer(4 * (bins + 1 + 2 * spikes + bins));
  const offsets = new Uint32Array(buffer, 0, bins + 1);
  const unit = new Uint32Array(buffer, 4 * (bins + 1), spikes);
  const count = new Uint32Array(buffer, 4 * (bins + 1 + spikes), spikes);
  const label = new Int32Array(buffer, 4 * (bins + 1 + 2 * spikes), bins);
  offsets.set(frame.offsets.subarray(0, bins + 1));
  unit.set(frame.unit.subarray(0, spikes));
  count.set(frame.count.subarray(0, spikes));
  label.set(frame.label.subarray(0, bins));
  return { ...frame, offsets, unit, count, label };
}
