import { parentPort, workerData } from 'node:worker_threads';
import type { AnalysisOptions } from '../stream/options.ts';
import type { Snapshot } from './snapshot.ts';
import { SnapshotAnalyzer } from './snapshotAnalysis.ts';

/**
 * A snapshot worker thread (SnapshotThread): one source's SnapshotAnalyzer,
 * its snapshots analyzed in the order they come, each answered with its
 * update or the error it raised.
 */
if (parentPort === null) throw new Error('snapshotWorker.ts runs in a worker thread (SnapshotThread starts it)');
const port = parentPort;
const analyzer = new SnapshotAnalyzer(workerData as AnalysisOptions);
port.on('message', (snapshot: Snapshot) => {
  try {
    port.postMessage({ type: 'update', update: analyzer.analyze(snapshot) });
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).message });
  }
});
