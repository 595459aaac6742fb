import { BadDataError } from '../errors.ts';
import type { LabelHistorySnapshot } from '../engine/labelHistory.ts';
import type { TileResume } from '../engine/tileAnalyzer.ts';
import type { TileRows } from '../engine/tiles.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { decodeDocument, encodeDocument } from './codec.ts';
import type { RedisConnection } from './redisConnection.ts';
import { runKeys } from './runKeys.ts';

/**
 * What a coordinator and its Redis workers share beyond the streams
 * (docs/SCALING.md, "The protocol"):
 * - `synergy:runs`, a set: the runs open now (workers look for tiles there);
 * - `synergy:worker:<id>`, one key per live worker, kept alive while it
 *   runs (PX the lease time): how many share the tiles;
 * - in the run's control hash: `plan` (options, tiles, lease time),
 *   `resume` (where a tile taken over starts: TileResume, rewritten as the
 *   hops complete), `end` (the stream ended: end time and last bin);
 * - the frame log, the results, the leases (streams.ts, leases.ts).
 */
export const RUNS_KEY = 'synergy:runs';

/** A live worker's key. */
export function workerKey(id: string): string {
  return `synergy:worker:${id}`;
}

/** Workers alive now: their keys (SCAN, so that Redis is never held for long). */
export async function countLiveWorkers(connection: RedisConnection): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await connection.client.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 100);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/** The run's plan: the analysis and its tiles. */
export interface ClusterPlan {
  options: AnalysisOptions;
  tiles: TileRows[];
  /** Lease time, ms: a worker renews at a third of it, a lost worker's tiles are free after it. */
  leaseMs: number;
}

/** The end of a run's stream: the end time, and the end bin of the last frame in the log. */
export interface EndMarker {
  endTime: number;
  lastBin: number;
}

/** Default lease time, ms: a killed worker's tiles are taken over within about this (the fault test asks 5 s). */
export const DEFAULT_LEASE_MS = 2_000;

function snapshotToDocument(history: LabelHistorySnapshot): Record<string, unknown> {
  return { ...history, labels: Array.from(history.labels) };
}

function snapshotFromDocument(value: unknown): LabelHistorySnapshot {
  const v = value as Record<string, unknown>;
  const numbers = ['last', 'labeled', 'runs', 'previousLabel', 'from'] as const;
  for (const name of numbers) if (typeof v?.[name] !== 'number') throw new BadDataError(`resume record: history.${name} is not a number`, 'CLUSTER_MESSAGE');
  if (!(v.first === null || typeof v.first === 'number') || !Array.isArray(v.labels) || !v.labels.every((x) => Number.isInteger(x))) {
    throw new BadDataError('resume record: history is malformed', 'CLUSTER_MESSAGE');
  }
  return {
    first: v.first as number | null,
    last: v.last as number,
    labeled: v.labeled as number,
    runs: v.runs as number,
    previousLabel: v.previousLabel as number,
    from: v.from as number,
    labels: Int32Array.from(v.labels as number[]),
  };
}

/** The run's control fields, on one connection. */
export class RunControl {
  readonly keys: ReturnType<typeof runKeys>;

  constructor(
    private readonly connection: RedisConnection,
    readonly run: string,
  ) {
    this.keys = runKeys(run);
  }

  /** Where a tile taken over now starts (undefined: from the stream's start). */
  async writeResume(resume: TileResume | undefined): Promise<void> {
    const document = resume === undefined ? { start: true } : { ...resume, history: resume.history === undefined ? null : snapshotToDocument(resume.history) };
    await this.connection.client.hset(this.keys.control, 'resume', encodeDocument(document));
  }

  async readResume(): Promise<TileResume | undefined | null> {
    const text = await this.connection.client.hget(this.keys.control, 'resume');
    if (text === null) return null;
    const value = decodeDocument(text, `resume in ${this.keys.control}`) as Record<string, unknown>;
    if (value.start === true) return undefined;
    if (typeof value.fromBin !== 'number' || typeof value.nextEmissionBin !== 'number') throw new BadDataError('resume record: fromBin and nextEmissionBin must be numbers', 'CLUSTER_MESSAGE');
    return {
      fromBin: value.fromBin,
      nextEmissionBin: value.nextEmissionBin,
      ...(value.history === null || value.history === undefined ? {} : { history: snapshotFromDocument(value.history) }),
      ...(typeof value.stepBins === 'number' ? { stepBins: value.stepBins } : {}),
    };
  }

  async writeEnd(end: EndMarker): Promise<void> {
    await this.connection.client.hset(this.keys.control, 'end', encodeDocument(end));
  }

  async readEnd(): Promise<EndMarker | undefined> {
    const text = await this.connection.client.hget(this.keys.control, 'end');
    if (text === null) return undefined;
    const value = decodeDocument(text, `end in ${this.keys.control}`) as Partial<EndMarker>;
    if (typeof value.endTime !== 'number' || typeof value.lastBin !== 'number') throw new BadDataError('end marker: endTime and lastBin must be numbers', 'CLUSTER_MESSAGE');
    return { endTime: value.endTime, lastBin: value.lastBin };
  }

  /** Removes everything of the run (its streams, control and leases) and its entry in the runs set. */
  async remove(tiles: number): Promise<void> {
    const keys = [this.keys.frames, this.keys.results, this.keys.control];
    for (let tile = 0; tile < tiles; tile++) keys.push(this.keys.lease(tile));
    await this.connection.client.del(...keys);
    await this.connection.client.srem(RUNS_KEY, this.run);
  }
}
