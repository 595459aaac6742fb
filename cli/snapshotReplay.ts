import { concatMap } from 'rxjs';
import { EmergenceAlerts } from '../src/alerts/emergenceAlerts.ts';
import { Observable } from 'rxjs';
import { readSnapshots } from '../src/snapshots/readSnapshots.ts';
import { SnapshotAnalyzer, type SnapshotUpdate } from '../src/snapshots/snapshotAnalysis.ts';
import { deliverResults } from '../src/stream/deliverResults.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';
import { processIo, type CliIo } from './cliIo.ts';
import { runHeader } from './runHeader.ts';
import { ReplayServer, type ReplayServeFlags } from './replayServer.ts';

/**
 * `synergy replay PATH --snapshots`: every snapshot in PATH (a .npz, a .npy
 * with its labels beside it, a folder of them, a CSV/TSV table with a row
 * per sample, or JSONL with a snapshot per line; docs/STREAMING.md,
 * "Snapshots") analyzed whole, in step order: each neuron quantized by its
 * own quantiles into --levels symbols, the rows the samples, their classes
 * the modes, one update per snapshot with t = its step; p from permutations
 * of the labels among the rows.
 */
export async function replaySnapshots(path: string, flags: ReplayServeFlags & { out?: string; labelColumn?: string }, options: AnalysisOptions, io: CliIo): Promise<void> {
  const analyzer = new SnapshotAnalyzer(options);
  // The header names what a snapshot analysis uses (not the bins, windows and lags it sets itself).
  const used = ['out', 'labelColumn', 'groups', 'groupUnits', 'groupDiscreteMax', 'snapshotValues', 'surrogates', 'seed', 'alpha', 'top', 'maxSurrogateCells', 'snapshots', ...(options.snapshotValues === 'gaussian-copula' ? [] : ['levels', 'estimator'])];
  const header = runHeader('replay', path, 'snapshots', Object.fromEntries(Object.entries((options.groups === undefined ? flags : { ...flags, groupUnits: options.groups }) as unknown as Record<string, unknown>).filter(([name]) => used.includes(name))), options.seed);
  const server = await ReplayServer.start(flags, options, header, io);
  try {
    await server?.waitForSubscribers();
    await analyzeSnapshotFiles(path, flags, options, analyzer, header, io, server);
  } finally {
    await server?.close();
  }
}

async function analyzeSnapshotFiles(
  path: string,
  flags: { out?: string; labelColumn?: string },
  options: AnalysisOptions,
  analyzer: SnapshotAnalyzer,
  header: object,
  io: CliIo,
  server: ReplayServer | undefined,
): Promise<void> {
  let samples = 0;
  let largest = 0;
  // On a terminal, a line of progress (snapshots take seconds each with surrogates); nothing in logs.
  const started = performance.now();
  const progress = process.stderr.isTTY === true && io === processIo ? (line: string) => process.stderr.write(`\r\x1b[2K ${line}`) : undefined;
  const updates = new Observable<SnapshotUpdate>((subscriber) => {
    let stopped = false;
    void (async () => {
      for await (const snapshot of readSnapshots(path, { labelsKey: flags.labelColumn, onWarning: (message) => io.stderr(`${message}\n`) })) {
        if (stopped) return;
        samples += snapshot.samples;
        largest = Math.max(largest, snapshot.neurons);
        subscriber.next(analyzer.analyze(snapshot));
        progress?.(`${analyzer.count} snapshots analyzed | step ${snapshot.step} | ${((performance.now() - started) / 1000 / analyzer.count).toFixed(2)} s each`);
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
  // With groups, the group and population series are watched for changes of regime, snapshot by snapshot (tumbling windows).
  const emergence = options.groups === undefined || options.groups.length === 0 ? undefined : new EmergenceAlerts({ hopSeconds: 1, windowHops: 1 });
  const withAlerts = emergence === undefined ? updates : updates.pipe(concatMap((update) => [update, ...emergence.next(update)]));
  const delivered = await deliverResults(withAlerts, {
    header,
    updatesFile: flags.out,
    updatesText: io.stdout,
    alertLine: (line) => io.stderr(`${line}\n`),
    publish: server === undefined ? undefined : (item) => server.server.publish(item),
  });
  await server?.finish(delivered.updates, `the snapshot replay of ${path} ended after ${delivered.updates} snapshot${delivered.updates === 1 ? '' : 's'}`);
  if (progress !== undefined) process.stderr.write('\r\x1b[2K');
  io.stderr(`synergy replay ${path} (snapshots): ${delivered.updates} snapshots analyzed (${samples} samples, up to ${largest} neurons), one update each\n`);
}
