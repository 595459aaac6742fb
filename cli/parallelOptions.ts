import { Command, InvalidArgumentError } from 'commander';
import type { TileSource } from '../src/parallel/tileSource.ts';
import { threadTiles } from '../src/parallel/tileSource.ts';
import { defaultWorkers, TileWorkerPool } from '../src/parallel/tileWorkerPool.ts';

/** The scale-out flags of the analyzing commands (docs/SCALING.md). */
export interface ParallelFlags {
  /** Worker threads holding the tiles: a number (0: the analysis runs in the main thread). */
  workers: number;
}

function parseWorkers(value: string): number {
  if (value === 'auto') return defaultWorkers();
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`--workers takes a whole number or 'auto', got '${value}'`);
  return Number.parseInt(value, 10);
}

/** Adds --workers to an analyzing command. */
export function addParallelOptions(command: Command): Command {
  return command.option(
    '--workers <n|auto>',
    "worker threads that hold the pair tiles (0: analyze in the main thread; 'auto': the cores less one for ingest). The updates are the same whatever the number",
    parseWorkers,
    defaultWorkers(),
  );
}

/** The tiles of a command's analyses, and how to stop them. */
export interface OpenTiles {
  /** Undefined: every pair in the main thread. */
  source: TileSource | undefined;
  close(): Promise<void>;
  /** Where the pairs were analyzed, once the run is over (a line for stderr), when worker threads ran. */
  report(): string | undefined;
}

/** Starts what the flags ask for; `expectedUnits` is what the source announces (a recording's units), for the tile plan. */
export function openTiles(flags: ParallelFlags, expectedUnits?: number): OpenTiles {
  if (flags.workers === 0) return { source: undefined, close: async () => {}, report: () => undefined };
  // Started by the first analysis large enough to gain from threads (MIN_THREADED_UNITS).
  let pool: TileWorkerPool | undefined;
  return {
    source: threadTiles(() => (pool ??= TileWorkerPool.start(flags.workers)), { expectedUnits }),
    close: async () => {
      await pool?.close();
    },
    // Said only when threads ran: an analysis of fewer than MIN_THREADED_UNITS units stays in the main thread.
    report: () => (pool === undefined ? undefined : `the pairs were analyzed in tiles on ${pool.size} worker thread${pool.size === 1 ? '' : 's'}`),
  };
}
