import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { TileAnalyzer, type TileResume } from '../engine/tileAnalyzer.ts';
import type { TileEmission, TileFrame } from '../engine/tiles.ts';
import { countLiveWorkers, RunControl, RUNS_KEY, workerKey, type ClusterPlan, type EndMarker } from './clusterRun.ts';
import { TileLeases } from './leases.ts';
import { openRedis, type RedisConnection } from './redisConnection.ts';
import { RunStreams, type StreamFollower, type FrameRecord } from './streams.ts';

export interface ClusterWorkerOptions {
  /** The worker's name in leases, results and alerts (default host-pid-random). */
  name?: string;
  /** Status lines (tiles taken and lost, outages, bad entries). */
  log?: (line: string) => void;
  /** Serve only these runs (a coordinator's own fallback); default: every open run. */
  runs?: ReadonlySet<string>;
  /** Say it is alive in synergy:worker:<id>, counted by others when they share tiles (default true; a coordinator's fallback does not). */
  register?: boolean;
}

/** One tile this worker holds: its analyzer and the frames it follows. */
interface HeldTile {
  tile: number;
  analyzer: TileAnalyzer;
  follower: StreamFollower<FrameRecord>;
  /** End bin of the last frame taken (frames re-sent after a Redis restart are skipped up to it). */
  lastBin: number;
  finished: boolean;
  stopped: boolean;
}

/** A run this worker takes tiles of. */
interface RunState {
  run: string;
  plan: ClusterPlan;
  /** The end marker once a round has read it. */
  end?: EndMarker;
  streams: RunStreams;
  leases: TileLeases;
  control: RunControl;
  held: Map<number, HeldTile>;
}

/**
 * A Redis worker (`synergy worker --redis URL`): it takes tiles of the open
 * runs through leases, as many as its share (the tiles over the live
 * workers), follows each run's frame log and publishes its tiles'
 * emissions. A tile whose lease it cannot renew (it expired: the worker
 * paused, or Redis lost it) is dropped; a free tile is taken and resumed
 * from the run's resume record (the last window of frames and the label
 * history before it), so a worker that dies costs a rebuild, never an
 * update. docs/SCALING.md.
 */
export class ClusterWorker {
  readonly id: string;
  private readonly runs = new Map<string, RunState>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopping = false;
  private leaseMs = 2_000;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly connection: RedisConnection,
    private readonly options: ClusterWorkerOptions,
  ) {
    this.id = options.name ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.log = options.log ?? (() => {});
    connection.links.subscribe((event) => {
      if (event.kind === 'down') this.log(`Redis at ${connection.url} is down (${event.reason ?? 'connection closed'}); reconnecting`);
      else if (event.kind === 'up') this.log(`Redis is back after ${(event.gapMs / 1000).toFixed(1)} s`);
      else this.log(`gave up on Redis: ${event.error.message}`);
    });
  }

  /** Connects and starts taking tiles. */
  static async start(url: string, options: ClusterWorkerOptions = {}): Promise<ClusterWorker> {
    const connection = await openRedis(url, { name: 'synergy-worker' });
    const worker = new ClusterWorker(connection, options);
    worker.schedule(0);
    return worker;
  }

  /** Tiles held now, by run. */
  heldTiles(): Record<string, number[]> {
    return Object.fromEntries([...this.runs].map(([run, state]) => [run, [...state.held.keys()].sort((a, b) => a - b)]));
  }

  /** Stops: gives its tiles up (another worker resumes them) and closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.ticking;
    for (const state of this.runs.values()) {
      for (const held of state.held.values()) await this.dropTile(state, held, true);
      await state.streams.close();
    }
    this.runs.clear();
    await this.connection.client.del(workerKey(this.id)).catch(() => undefined);
    await this.connection.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((error: unknown) => this.log(`worker round failed: ${(error as Error).message}`))
        .finally(() => this.schedule(this.leaseMs / 3));
    }, delayMs);
  }

  /** One round: say it is alive, renew its leases, take its share of free tiles, finish tiles whose stream ended. */
  private async tick(): Promise<void> {
    const client = this.connection.client;
    if (this.options.register !== false) await client.set(workerKey(this.id), '1', 'PX', this.leaseMs);
    const only = this.options.runs;
    const open = new Set((await client.smembers(RUNS_KEY)).filter((run) => only === undefined || only.has(run)));
    for (const [run, state] of this.runs) {
      if (open.has(run)) continue;
      for (const held of state.held.values()) await this.dropTile(state, held, false);
      await state.streams.close();
      this.runs.delete(run);
    }
    const workers = Math.max(1, await countLiveWorkers(this.connection));
    for (const run of open) {
      if (this.stopping) return;
      let state = this.runs.get(run);
      if (state === undefined) {
        const streams = new RunStreams(this.connection, run);
        let plan: ClusterPlan | undefined;
        try {
          plan = (await streams.readPlan()) as ClusterPlan | undefined;
        } catch (error) {
          this.log(`run ${run}: its plan does not read (${(error as Error).message}); left alone`);
        }
        if (plan === undefined) {
          await streams.close();
          continue;
        }
        state = { run, plan, streams, leases: new TileLeases(this.connection, run), control: new RunControl(this.connection, run), held: new Map() };
        this.runs.set(run, state);
      }
      this.leaseMs = state.plan.leaseMs;
      await this.tickRun(state, workers);
    }
  }


  private async tickRun(state: RunState, workers: number): Promise<void> {
    const { plan, leases } = state;
    for (const held of [...state.held.values()]) {
      if (!(await leases.renew(held.tile, this.id, plan.leaseMs))) {
        this.log(`run ${state.run}: lost the lease of tile ${held.tile}; dropping it`);
        await this.dropTile(state, held, false);
      }
    }
    const share = Math.ceil(plan.tiles.length / workers);
    for (let tile = 0; tile < plan.tiles.length && state.held.size < share; tile++) {
      if (state.held.has(tile)) continue;
      if (!(await leases.acquire(tile, this.id, plan.leaseMs))) continue;
      await this.takeTile(state, tile);
    }
    // Read once a round (not per frame): a tile that has taken the last frame finishes here or as it takes it.
    state.end ??= await state.control.readEnd();
    const end = state.end;
    if (end !== undefined) for (const held of state.held.values()) await this.maybeFinish(state, held, end.endTime, end.lastBin);
  }

  /** Takes a tile just leased: resumes it where the run's resume record says, and follows the frame log from there. */
  private async takeTile(state: RunState, tile: number): Promise<void> {
    const resume: TileResume | undefined | null = await state.control.readResume();
    if (resume === null) {
      // No record yet (a run being opened, or Redis lost it): leave the tile for a later round.
      await state.leases.release(tile, this.id);
      return;
    }
    let analyzer: TileAnalyzer;
    try {
      analyzer = new TileAnalyzer(state.plan.options, state.plan.tiles[tile], tile, undefined, resume);
    } catch (error) {
      // A record that does not fit (it cannot come from a coordinator of this version): the tile is left for a newer one.
      this.log(`run ${state.run}: tile ${tile} cannot resume from the record (${(error as Error).message}); given back`);
      await state.leases.release(tile, this.id);
      return;
    }
    const fromBin = Math.max(0, resume?.fromBin ?? 0);
    const held: HeldTile = { tile, analyzer, follower: state.streams.followFrames(fromBin), lastBin: -Infinity, finished: false, stopped: false };
    state.held.set(tile, held);
    this.log(`run ${state.run}: took tile ${tile}${resume === undefined ? '' : ` from bin ${resume.fromBin}`}`);
    void this.follow(state, held, resume?.fromBin);
  }

  private async follow(state: RunState, held: HeldTile, fromBin: number | undefined): Promise<void> {
    try {
      for await (const record of held.follower) {
        if (held.stopped) break;
        if ('kind' in record && record.kind === 'outage') continue;
        const entry = record as FrameRecord;
        if (entry.kind === 'error') {
          this.log(`run ${state.run}: frame ${entry.id} does not decode (${entry.error.message}); tile ${held.tile} cannot go on`);
          await this.dropTile(state, held, true);
          return;
        }
        const frame = entry.frame;
        const end = frame.firstBin + frame.binCount;
        if (fromBin !== undefined && held.lastBin === -Infinity && frame.firstBin > fromBin) {
          // The log no longer holds the start of the window this tile must rebuild: give it back, to be retaken from a newer record.
          this.log(`run ${state.run}: the frame log starts after bin ${fromBin}; tile ${held.tile} given back`);
          await this.dropTile(state, held, true);
          return;
        }
        if (end <= held.lastBin) continue;
        if (held.lastBin !== -Infinity && frame.firstBin > held.lastBin) {
          // Frames are missing between the last taken and this one (a restarted Redis lost them): the tile cannot go on
          // without them; it is given back and taken again from the resume record once the log holds its window again.
          this.log(`run ${state.run}: frames from bin ${held.lastBin} to ${frame.firstBin} are missing from the log; tile ${held.tile} given back`);
          await this.dropTile(state, held, true);
          return;
        }
        await this.pushFrame(state, held, held.lastBin > frame.firstBin ? cutFrame(frame, held.lastBin) : frame);
        held.lastBin = end;
        if (state.end !== undefined) await this.maybeFinish(state, held, state.end.endTime, state.end.lastBin);
      }
    } catch (error) {
      if (!held.stopped) {
        this.log(`run ${state.run}: tile ${held.tile} stopped (${(error as Error).message})`);
        await this.dropTile(state, held, true);
      }
    }
  }

  private async pushFrame(state: RunState, held: HeldTile, frame: TileFrame): Promise<void> {
    await this.publish(state, held, held.analyzer.push(frame));
  }

  private async maybeFinish(state: RunState, held: HeldTile, endTime: number, lastBin: number): Promise<void> {
    if (held.finished || held.stopped || held.lastBin !== lastBin) return;
    held.finished = true;
    await this.publish(state, held, held.analyzer.finish(endTime));
  }

  /**
   * Sends the tile's emissions. A results stream that is gone means the run
   * was closed (or a restarted Redis lost it, and the leases with it): the
   * tile is dropped, to be taken again from the resume record if the run
   * goes on.
   */
  private async publish(state: RunState, held: HeldTile, emissions: readonly TileEmission[]): Promise<void> {
    for (const emission of emissions) {
      if ((await state.streams.publishEmission(emission, this.id, { stepBins: held.analyzer.stepBins ?? null })) === undefined) {
        this.log(`run ${state.run}: its results stream is gone; tile ${held.tile} dropped`);
        await this.dropTile(state, held, true);
        return;
      }
    }
  }

  private async dropTile(state: RunState, held: HeldTile, release: boolean): Promise<void> {
    if (held.stopped) return;
    held.stopped = true;
    state.held.delete(held.tile);
    await held.follower.stop().catch(() => undefined);
    if (release) await state.leases.release(held.tile, this.id).catch(() => undefined);
  }
}

/** The part of a frame from bin `from` on (bins before it were taken already). */
function cutFrame(frame: TileFrame, from: number): TileFrame {
  const skip = from - frame.firstBin;
  const base = frame.offsets[skip];
  const offsets = new Uint32Array(frame.binCount - skip + 1);
  for (let b = 0; b < offsets.length; b++) offsets[b] = frame.offsets[skip + b] - base;
  return {
    ...frame,
    firstBin: from,
    binCount: frame.binCount - skip,
    offsets,
    unit: frame.unit.subarray(base, frame.offsets[frame.binCount]),
    count: frame.count.subarray(base, frame.offsets[frame.binCount]),
    label: frame.label.subarray(skip),
  };
}
