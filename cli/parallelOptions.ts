import { Command, InvalidArgumentError } from 'commander';
import { Observable } from 'rxjs';
import type { AlertEvent } from '../src/alerts/alertEvent.ts';
import { ClusterTiles } from '../src/cluster/clusterSession.ts';
import { threadTiles, type TileSource } from '../src/parallel/tileSource.ts';
import { defaultWorkers, TileWorkerPool } from '../src/parallel/tileWorkerPool.ts';

/** The scale-out flags of the analyzing commands (docs/SCALING.md). */
export interface ParallelFlags {
  /** Worker threads holding the tiles: a number (0: the analysis runs in the main thread). */
  workers: number;
  /** Redis URL: the tiles go to `synergy worker` processes there instead. */
  cluster?: string;
  /** Tiles per analysis on Redis workers (default: the live workers when it opens). */
  tiles?: number;
}

function parseWorkers(value: string): number {
  if (value === 'auto') return defaultWorkers();
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`--workers takes a whole number or 'auto', got '${value}'`);
  return Number.parseInt(value, 10);
}

function parseTiles(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number.parseInt(value, 10) < 1) throw new InvalidArgumentError(`--tiles takes a whole number ≥ 1, got '${value}'`);
  return Number.parseInt(value, 10);
}

/** Adds --workers, --cluster and --tiles to an analyzing command. */
export function addParallelOptions(command: Command): Command {
  return command
    .option(
      '--workers <n|auto>',
      "worker threads that hold the pair tiles (0: analyze in the main thread; 'auto': the cores less one for ingest). The updates are the same whatever the number",
      parseWorkers,
      defaultWorkers(),
    )
    .option('--cluster <redis-url>', "put the pair tiles on 'synergy worker' processes coordinated through this Redis (redis://[user:password@]host[:port][/db]); the updates are the same")
    .option('--tiles <n>', 'with --cluster: tiles per analysis (default: the live workers when it starts)', parseTiles);
}

/** The tiles of a command's analyses, and how to stop them. */
export interface OpenTiles {
  /** Undefined: every pair in the main thread. */
  source: TileSource | undefined;
  /** worker-lost and cluster-gap alerts (with --cluster). */
  alerts: Observable<AlertEvent> | undefined;
  close(): Promise<void>;
  /** Where the pairs were analyzed, once the run is over (a line for stderr), when worker threads or Redis workers ran. */
  report(): string | undefined;
}

/**
 * Starts what the flags ask for; `expectedUnits` is what the source
 * announces (a recording's units), for the tile plan; `log` takes status
 * lines of the cluster (waiting for workers, outages).
 */
export async function openTiles(flags: ParallelFlags, expectedUnits?: number, log?: (line: string) => void): Promise<OpenTiles> {
  if (flags.cluster !== undefined) {
    const cluster = await ClusterTiles.connect(flags.cluster, { expectedUnits, tiles: flags.tiles, log });
    return { source: cluster, alerts: cluster.alerts, close: () => cluster.close(), report: () => `the pairs were analyzed in tiles on ${cluster.description}` };
  }
  if (flags.workers === 0) return { source: undefined, alerts: undefined, close: async () => {}, report: () => undefined };
  // Started by the first analysis large enough to gain from threads (MIN_THREADED_UNITS).
  let pool: TileWorkerPool | undefined;
  return {
    source: threadTiles(() => (pool ??= TileWorkerPool.start(flags.workers)), { expectedUnits }),
    alerts: undefined,
    close: async () => {
      await pool?.close();
    },
    // Said only when threads ran: an analysis of fewer than MIN_THREADED_UNITS units stays in the main thread.
    report: () => (pool === undefined ? undefined : `the pairs were analyzed in tiles on ${pool.size} worker thread${pool.size === 1 ? '' : 's'}`),
  };
}

/** `items`, with `alerts` interleaved as they come, completing when `items` does. */
export function withTileAlerts<T>(items: Observable<T>, alerts: Observable<AlertEvent> | undefined): Observable<T | AlertEvent> {
  if (alerts === undefined) return items;
  return new Observable<T | AlertEvent>((subscriber) => {
    const side = alerts.subscribe({ next: (alert) => subscriber.next(alert) });
    const main = items.subscribe(subscriber);
    return () => {
      side.unsubscribe();
      main.unsubscribe();
    };
  });
}
