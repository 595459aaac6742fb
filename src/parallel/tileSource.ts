import { planTiles } from '../engine/tiles.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { TileSessionLike } from './parallelAnalyzer.ts';
import type { TileWorkerPool } from './tileWorkerPool.ts';

/**
 * Where an analysis puts its tiles: `open` is called at the analysis's first
 * frame with the units known then, and makes the plan (tiles.ts) for the
 * larger of those and `expectedUnits` (what the source announces, e.g. a
 * recording's units): units beyond the plan land in the last tile.
 */
export interface TileSource {
  /** The session of the analysis's tiles, or undefined: too few units to gain from threads, analyze in this thread. */
  open(options: AnalysisOptions, unitsAtFirstFrame: number): TileSessionLike | undefined;
  /** What the source is, for messages and headers (e.g. "2 worker threads"). */
  readonly description: string;
}

export interface TilePlanOptions {
  /** Tiles per analysis (default: one per worker). */
  tiles?: number;
  /** Units the source announces (a recording's), for the plan. */
  expectedUnits?: number;
  /**
   * Fewer units than this (announced or at the first frame) are analyzed in
   * the calling thread: one core keeps far ahead of real time there, and
   * handing frames over would cost more than it saves. Default
   * MIN_THREADED_UNITS.
   */
  minUnits?: number;
}

/** Below this many units an analysis stays in its thread (`--workers auto`): docs/SCALING.md. */
export const MIN_THREADED_UNITS = 128;

/**
 * Tiles on the worker threads of a pool: `pool` itself, or how to start it
 * (called at the first analysis that takes threads, so a command whose
 * analyses all stay in their thread starts none).
 */
export function threadTiles(pool: TileWorkerPool | (() => TileWorkerPool), plan: TilePlanOptions = {}): TileSource {
  const get = typeof pool === 'function' ? pool : () => pool;
  return {
    description: 'worker threads',
    open(options, unitsAtFirstFrame) {
      const units = Math.max(plan.expectedUnits ?? 0, unitsAtFirstFrame);
      if (units < (plan.minUnits ?? MIN_THREADED_UNITS)) return undefined;
      const started = get();
      return started.open(options, planTiles(plan.tiles ?? started.size, units));
    },
  };
}
