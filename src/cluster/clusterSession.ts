import { randomBytes } from 'node:crypto';
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import { LabelHistory } from '../engine/labelHistory.ts';
import { firstEmissionBin, labelHistoryBins, type TileResume } from '../engine/tileAnalyzer.ts';
import { planTiles, type TileEmission, type TileFrame, type TileRows } from '../engine/tiles.ts';
import type { TileSessionLike } from '../parallel/parallelAnalyzer.ts';
import type { TileSource } from '../parallel/tileSource.ts';
import { binOf, wholeBins } from '../stream/binIndex.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { countLiveWorkers, DEFAULT_LEASE_MS, RunControl, RUNS_KEY, workerKey, type ClusterPlan } from './clusterRun.ts';
import { InFlightGate } from '../parallel/inFlightGate.ts';
import { ClusterWorker } from './clusterWorker.ts';
import { TileLeases } from './leases.ts';
import { openRedis, type RedisConnection } from './redisConnection.ts';
import { RunStreams, type EmissionRecord, type StreamFollower } from './streams.ts';

export interface ClusterOptions {
  /** Lease time, ms (default DEFAULT_LEASE_MS). */
  leaseMs?: number;
  /** Tiles per analysis (default: the live workers when it opens, at least 1). */
  tiles?: number;
  /** Units the source announces, for the plan. */
  expectedUnits?: number;
  /** A prefix of the runs' names (default "run"); each analysis is a run of its own. */
  runPrefix?: string;
  /** Status lines (waiting for workers, tiles resumed, outages). */
  log?: (line: string) => void;
}

/**
 * Tiles on Redis workers (`--cluster redis://HOST:PORT`): each analysis is a
 * run with its own keys; `alerts` carries `worker-lost` and `cluster-gap`.
 * Open with ClusterTiles.connect; close when the command ends.
 */
export class ClusterTiles implements TileSource {
  readonly description: string;
  private readonly alertSubject = new Subject<AlertEvent>();
  /** worker-lost and cluster-gap alerts of every analysis. */
  readonly alerts: Observable<AlertEvent> = this.alertSubject.asObservable();
  private readonly sessions = new Set<ClusterSession>();
  private next = 1;
  private readonly prefix: string;

  private constructor(
    private readonly connection: RedisConnection,
    private readonly options: ClusterOptions,
    /** The URL as given (credentials included), for a fallback worker's connection. */
    private readonly url: string,
  ) {
    this.description = `Redis workers at ${connection.url}`;
    this.prefix = `${options.runPrefix ?? 'run'}-${randomBytes(3).toString('hex')}`;
  }

  static async connect(url: string, options: ClusterOptions = {}): Promise<ClusterTiles> {
    return new ClusterTiles(await openRedis(url, { name: 'synergy-coordinator' }), options, url);
  }

  open(options: AnalysisOptions, unitsAtFirstFrame: number): TileSessionLike {
    const session = new ClusterSession(this.connection, `${this.prefix}-${this.next++}`, options, Math.max(this.options.expectedUnits ?? 0, unitsAtFirstFrame), this.options, (alert) =>
      this.alertSubject.next(alert),
      this.url,
    );
    this.sessions.add(session);
    void session.closed.then(() => this.sessions.delete(session));
    return session;
  }

  /** Closes every run still open, then the connection; `alerts` completes. */
  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()));
    this.alertSubject.complete();
    await this.connection.close();
  }
}

interface Pending {
  endBin: number;
  parts: (TileEmission | undefined)[];
  missing: number;
  stepBins: number | undefined;
  resolve: () => void;
  done: Promise<void>;
}

/**
 * One analysis's run on Redis workers, the coordinator's side: it writes the
 * plan, appends every frame to the run's log, and collects each hop's tile
 * emissions from the results stream (the first of each tile counts: a tile
 * recomputed after a takeover gives the same one). It keeps the frames from
 * the window of the oldest hop not yet complete, and the label history as it
 * was just before that window: the resume record a worker taking a lost
 * tile rebuilds from. A watchdog reads the leases: a tile whose owner's
 * lease lapsed raises `worker-lost` (once per worker) and is taken by
 * another worker. After a Redis outage it says how long (`cluster-gap`),
 * writes the run again (a restarted Redis may have lost it) and appends
 * again the frames the log may have lost.
 */
export class ClusterSession implements TileSessionLike {
  readonly closed: Promise<void>;
  private markClosed!: () => void;
  private readonly windowBins: number;
  private readonly hopBins: number;
  private readonly plan: ClusterPlan;
  private readonly streams: RunStreams;
  private readonly leases: TileLeases;
  private readonly control: RunControl;
  private readonly setupDone: Promise<void>;
  /** Frames from the window of the oldest incomplete hop on, in order. */
  private readonly frames: TileFrame[] = [];
  /** Frames of `frames` known to be in the log (from the start of the array). */
  private appended = 0;
  private appending: Promise<void> = Promise.resolve();
  private nextEmissionBin: number | undefined;
  private readonly pending = new Map<number, Pending>();
  /** The oldest hop not complete (the next to be): its window's frames are kept. */
  private oldest: number | undefined;
  /** The label history just before the oldest hop's window (null without surrogates). */
  private readonly history: LabelHistory | null;
  /** Bins recorded into `history` end here. */
  private historyEnd: number | undefined;
  private stepBins: number | undefined;
  private results: StreamFollower<EmissionRecord> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly owners = new Map<number, string>();
  private readonly lost = new Set<string>();
  /** Workers whose lease lapsed or passed on, since when (ms): lost once their own key is gone too. */
  private readonly suspects = new Map<string, { since: number; tiles: Set<number> }>();
  /** No worker is taken for lost before this (ms): right after an outage keys are written again. */
  private quietUntil = 0;
  private lastTime = 0;
  private end: { endTime: number; lastBin: number } | undefined;
  private stopped = false;
  private failure: Error | undefined;
  /** Rejects the answers still awaited (a failure of the run). */
  private readonly rejects = new Set<(error: Error) => void>();
  /** The first bin of the stream. */
  private firstBin: number | undefined;
  private readonly gate: InFlightGate;
  private readonly links: Subscription;

  constructor(
    private readonly connection: RedisConnection,
    readonly run: string,
    readonly options: AnalysisOptions,
    expectedUnits: number,
    private readonly clusterOptions: ClusterOptions,
    private readonly alert: (alert: AlertEvent) => void,
    /** The Redis URL as given, for the fallback worker. */
    private readonly url: string,
    readonly maxInFlight = 8,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.gate = new InFlightGate(maxInFlight);
    this.windowBins = wholeBins(options.windowSeconds, options.binSeconds, 'window');
    this.hopBins = wholeBins(options.hopSeconds, options.binSeconds, 'hop');
    this.streams = new RunStreams(connection, run);
    this.leases = new TileLeases(connection, run);
    this.control = new RunControl(connection, run);
    const capacity = labelHistoryBins(options);
    this.history = capacity === undefined ? null : new LabelHistory(capacity + this.windowBins);
    const leaseMs = clusterOptions.leaseMs ?? DEFAULT_LEASE_MS;
    this.plan = { options, tiles: [], leaseMs };
    this.setupDone = this.setup(expectedUnits);
    this.setupDone.catch(() => undefined);
    // The connection is the cluster's (shared by its runs): this run listens until it closes.
    this.links = connection.links.subscribe((event) => {
      if (event.kind === 'up') void this.afterOutage(event.gapMs);
    });
  }

  private log(line: string): void {
    this.clusterOptions.log?.(`run ${this.run}: ${line}`);
  }

  private async setup(expectedUnits: number): Promise<void> {
    const client = this.connection.client;
    let tiles = this.clusterOptions.tiles;
    if (tiles === undefined) {
      let workers = await countLiveWorkers(this.connection);
      if (workers === 0) this.log('waiting for a worker: start one with `synergy worker --redis URL`');
      while (workers === 0 && !this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        workers = await countLiveWorkers(this.connection);
      }
      tiles = Math.max(1, workers);
    }
    (this.plan as { tiles: TileRows[] }).tiles = planTiles(tiles, expectedUnits);
    await this.writeRun();
    this.results = this.streams.followEmissions('0', { blockMs: 1_000 });
    void this.collect(this.results);
    this.watchdog = setInterval(() => void this.watch().catch((error: unknown) => this.log(`watchdog: ${(error as Error).message}`)), Math.max(100, this.plan.leaseMs / 4));
    await client.ping();
  }

  /** The run's keys: the plan, the resume record, the end marker if any, and its name in the runs set last (workers look there). */
  private async writeRun(): Promise<void> {
    await this.streams.createResults();
    await this.streams.writePlan(this.plan);
    await this.control.writeResume(this.resumeRecord());
    if (this.end !== undefined) await this.control.writeEnd(this.end);
    await this.connection.client.sadd(RUNS_KEY, this.run);
  }


  /**
   * Where a tile taken over starts now: the window of the oldest hop not yet
   * complete (from the stream's first bin while that window reaches before
   * it), with the history just before; undefined before the first frame
   * (from the start).
   */
  private resumeRecord(): TileResume | undefined {
    if (this.oldest === undefined || this.firstBin === undefined) return undefined;
    return {
      fromBin: Math.max(this.firstBin, this.oldest - this.windowBins),
      nextEmissionBin: this.oldest,
      ...(this.history === null ? {} : { history: this.history.snapshot() }),
      ...(this.stepBins === undefined ? {} : { stepBins: this.stepBins }),
    };
  }

  push(frame: TileFrame): Promise<TileEmission[][]> {
    if (this.nextEmissionBin === undefined) {
      this.nextEmissionBin = firstEmissionBin(frame.startTime, this.options.hopSeconds, this.hopBins);
      this.oldest = this.nextEmissionBin;
      this.historyEnd = frame.firstBin;
      this.firstBin = frame.firstBin;
    }
    const due: number[] = [];
    for (let bin = frame.firstBin; bin < frame.firstBin + frame.binCount; bin++) {
      while (this.nextEmissionBin <= bin) {
        due.push(this.nextEmissionBin);
        this.nextEmissionBin += this.hopBins;
      }
    }
    this.lastTime = (frame.firstBin + frame.binCount) * this.options.binSeconds;
    // Kept as it is: a frame's arrays are never written after it is made.
    this.frames.push(frame);
    // The hops' slots before the frame goes out: no result can come before its slot.
    const answers = this.answers(due);
    this.pumpAppends();
    return answers;
  }

  finish(endTime: number): Promise<TileEmission[][]> {
    const due: number[] = [];
    if (this.nextEmissionBin !== undefined) {
      const lastBin = binOf(endTime, this.options.hopSeconds) * this.hopBins;
      while (this.nextEmissionBin <= lastBin) {
        due.push(this.nextEmissionBin);
        this.nextEmissionBin += this.hopBins;
      }
    }
    const last = this.frames.at(-1);
    this.end = { endTime, lastBin: last === undefined ? -1 : last.firstBin + last.binCount };
    const answers = this.answers(due);
    // After the last frame is in the log: a worker finishes once it has taken it.
    this.appending.then(() => this.control.writeEnd(this.end!)).catch((error: unknown) => this.fail(error as Error));
    return answers;
  }

  /** Resolves when fewer than maxInFlight pushes are outstanding. */
  ready(): Promise<void> {
    return this.gate.ready();
  }

  /** Every tile's emissions at these hops, once all are in (the slots are made now, before any wait). */
  private answers(due: number[]): Promise<TileEmission[][]> {
    const slots = due.map((endBin) => this.slot(endBin));
    return this.gate.run(() => this.whenIn(slots));
  }

  private async whenIn(slots: Pending[]): Promise<TileEmission[][]> {
    let reject: ((error: Error) => void) | undefined;
    try {
      await this.setupDone;
      if (this.failure !== undefined) throw this.failure;
      await Promise.race([
        Promise.all(slots.map((slot) => slot.done)),
        new Promise<never>((_, rejectWith) => {
          reject = rejectWith;
          this.rejects.add(rejectWith);
        }),
      ]);
      const tiles = this.plan.tiles.length;
      return Array.from({ length: tiles }, (_, tile) => slots.map((slot) => slot.parts[tile]!));
    } finally {
      if (reject !== undefined) this.rejects.delete(reject);
    }
  }

  private slot(endBin: number): Pending {
    let slot = this.pending.get(endBin);
    if (slot === undefined) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      slot = { endBin, parts: new Array(this.plan.tiles.length).fill(undefined), missing: this.plan.tiles.length, stepBins: undefined, resolve, done };
      this.pending.set(endBin, slot);
    }
    return slot;
  }

  /** Appends the frames not yet in the log, one at a time, in order. */
  private pumpAppends(): void {
    this.appending = this.appending.then(async () => {
      await this.setupDone;
      while (this.appended < this.frames.length && !this.stopped) {
        const frame = this.frames[this.appended];
        try {
          await this.streams.appendFrame(frame);
        } catch (error) {
          // The log was lost and refilled out of order (a restart): afterOutage appends again from the window.
          if ((error as { code?: string }).code !== 'FRAME_ORDER') throw error;
        }
        this.appended++;
      }
    });
    this.appending.catch((error: unknown) => this.fail(error as Error));
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const reject of this.rejects) reject(error);
  }

  /** Takes the results as they come: each hop completes when every tile's emission is in. */
  private async collect(follower: StreamFollower<EmissionRecord>): Promise<void> {
    try {
      for await (const record of follower) {
        if (record.kind === 'outage') continue;
        if (record.kind === 'error') {
          this.log(`result ${record.id} does not decode (${record.error.message}); a tile will send it again if it was needed`);
          continue;
        }
        const { emission, extra } = record;
        if (this.oldest !== undefined && emission.endBin < this.oldest) continue;
        if (!(emission.tile >= 0 && emission.tile < this.plan.tiles.length)) continue;
        const slot = this.slot(emission.endBin);
        if (slot.parts[emission.tile] !== undefined) continue;
        slot.parts[emission.tile] = emission;
        if (typeof extra.stepBins === 'number') slot.stepBins = extra.stepBins;
        if (--slot.missing === 0) this.complete();
      }
    } catch (error) {
      if (!this.stopped) this.fail(error as Error);
    }
  }

  /** Hops complete in order from the oldest: resolve them, move the kept window and the history, trim the streams. */
  private complete(): void {
    let moved = false;
    while (this.oldest !== undefined) {
      const slot = this.pending.get(this.oldest);
      if (slot === undefined || slot.missing > 0) break;
      slot.resolve();
      this.pending.delete(this.oldest);
      if (slot.stepBins !== undefined) this.stepBins = slot.stepBins;
      this.oldest += this.hopBins;
      moved = true;
    }
    if (!moved || this.oldest === undefined) return;
    // The history up to the new window's start (every bin before it, whether its frame is in the log yet or not:
    // the resume record must be the history just before that bin), then the frames wholly before it dropped
    // (those in the log: the appender counts the others).
    const fromBin = this.oldest - this.windowBins;
    for (const frame of this.frames) {
      if (frame.firstBin >= fromBin) break;
      this.record(frame, fromBin);
    }
    while (this.frames.length > 0 && this.appended > 0 && this.frames[0].firstBin + this.frames[0].binCount <= fromBin) {
      this.frames.shift();
      this.appended--;
    }
    void this.control.writeResume(this.resumeRecord()).catch(() => undefined);
    // Trimmed a few hops behind the record: a worker that read an older record still finds its window.
    const keep = fromBin - 8 * this.hopBins;
    if (keep > 0) void this.streams.trimBefore(keep).catch(() => undefined);
    void this.streams.trimResults(Math.max(0, this.oldest - 8 * this.hopBins)).catch(() => undefined);
  }

  /** Records a frame's modes before `until` into the history (those not yet recorded). */
  private record(frame: TileFrame, until: number): void {
    const start = Math.max(frame.firstBin, this.historyEnd ?? frame.firstBin);
    const stop = Math.min(frame.firstBin + frame.binCount, until);
    for (let bin = start; bin < stop; bin++) this.history?.record(bin, frame.label[bin - frame.firstBin]);
    if (stop > (this.historyEnd ?? -Infinity)) this.historyEnd = stop;
  }

  /**
   * Reads the leases: a tile whose holder's lease lapsed (no holder now, or
   * another already) is a lost worker, its tiles taken over by others as
   * their leases allow. Right after a Redis outage the leases may be gone
   * with it: holders are learned afresh then, not counted as lost.
   */
  private async watch(): Promise<void> {
    if (this.stopped) return;
    await this.fallBackIfAlone();
    const outages = this.connection.outages;
    for (let tile = 0; tile < this.plan.tiles.length; tile++) {
      const owner = await this.leases.owner(tile);
      if (this.connection.outages !== outages || !this.connection.up) return;
      const before = this.owners.get(tile);
      if (owner !== undefined) this.owners.set(tile, owner);
      else this.owners.delete(tile);
      if (before !== undefined && before !== owner && !this.lost.has(before)) {
        const suspect = this.suspects.get(before) ?? { since: Date.now(), tiles: new Set<number>() };
        suspect.tiles.add(tile);
        this.suspects.set(before, suspect);
      }
    }
    // A suspect whose worker key lapsed too is lost (a worker that gave a tile back, or renewed late, is still there).
    for (const [worker, { since, tiles: moved }] of this.suspects) {
      if (Date.now() < this.quietUntil) {
        this.suspects.delete(worker);
        continue;
      }
      const alive = (await this.connection.client.exists(workerKey(worker))) === 1;
      if (this.connection.outages !== outages) return;
      if (alive) {
        if (Date.now() - since > 2 * this.plan.leaseMs) this.suspects.delete(worker);
        continue;
      }
      this.suspects.delete(worker);
      this.lost.add(worker);
      const before = worker;
      const tiles = [...moved].sort((a, b) => a - b);
      this.log(`worker ${before} is gone (its key and its lease on tile${tiles.length === 1 ? '' : 's'} ${tiles.join(', ')} lapsed); its tiles resume on other workers`);
      this.alert({
        type: 'alert',
        state: 'raised',
        kind: 'worker-lost',
        t: this.lastTime,
        message: `worker ${before} stopped answering (its lease on tile${tiles.length === 1 ? '' : 's'} ${tiles.join(', ')} lapsed): ${tiles.length === 1 ? 'it resumes' : 'they resume'} on another worker from the window of the oldest update not yet made; the updates stay complete and equal`,
      });
    }
  }

  /** Since when no worker has been alive while hops wait (ms), and this process's own worker for then. */
  private aloneSince: number | undefined;
  private fallback: Promise<ClusterWorker> | undefined;

  /**
   * The coordinator never waits for ever: when no worker has been alive for
   * two lease times while hops wait, it takes the run's tiles itself (a
   * worker of its own, for this run only, that others do not count), until
   * the run ends. They resume from the resume record like any takeover.
   */
  private async fallBackIfAlone(): Promise<void> {
    if (this.fallback !== undefined || this.pending.size === 0) {
      this.aloneSince = undefined;
      return;
    }
    if ((await countLiveWorkers(this.connection)) > 0) {
      this.aloneSince = undefined;
      return;
    }
    this.aloneSince ??= Date.now();
    if (Date.now() - this.aloneSince < 2 * this.plan.leaseMs) return;
    this.log('no worker is alive: this process takes the tiles itself until the run ends');
    this.fallback = ClusterWorker.start(this.url, { name: `coordinator-${process.pid}`, runs: new Set([this.run]), register: false, log: (line) => this.log(`own worker: ${line}`) });
    this.fallback.catch((error: unknown) => this.fail(error as Error));
  }

  /** Redis was away: say so, write the run again and append again the frames of the kept window (a restart may have lost them). */
  private async afterOutage(gapMs: number): Promise<void> {
    if (this.stopped) return;
    this.alert({
      type: 'alert',
      state: 'raised',
      kind: 'cluster-gap',
      t: this.lastTime,
      value: gapMs / 1000,
      message: `Redis at ${this.connection.url} was unreachable for ${(gapMs / 1000).toFixed(1)} s; reconnected, the run goes on (updates are late by that much, not lost)`,
    });
    // The leases and the workers' keys may be gone with a restarted Redis: their holders are not lost workers.
    this.owners.clear();
    this.suspects.clear();
    this.quietUntil = Date.now() + 2 * this.plan.leaseMs;
    try {
      await this.setupDone;
      await this.writeRun();
      // After the append in flight: if the log lost the kept window's first frame, it is written again whole.
      this.appending = this.appending.then(async () => {
        const first = this.frames[0];
        if (first === undefined || this.appended === 0) return;
        const id = `${first.firstBin + first.binCount}-0`;
        const held = await this.connection.client.xrange(this.streams.keys.frames, id, id);
        if (held.length > 0) return;
        this.log('the frame log was lost with Redis: the kept window is appended again');
        await this.connection.client.del(this.streams.keys.frames);
        this.appended = 0;
      });
      this.pumpAppends();
    } catch (error) {
      this.log(`after the outage: ${(error as Error).message}`);
    }
  }

  private closing: Promise<void> | undefined;

  /** Ends the run: stops collecting and removes its keys (every call waits for the same end). */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    this.links.unsubscribe();
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    await this.fallback?.then((worker) => worker.stop()).catch(() => undefined);
    await this.setupDone.catch(() => undefined);
    await this.appending.catch(() => undefined);
    await this.results?.stop();
    await this.streams.close();
    await this.control.remove(this.plan.tiles.length).catch(() => undefined);
    this.markClosed();
  }
}
