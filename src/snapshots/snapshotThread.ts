import { Worker } from 'node:worker_threads';
import type { AnalysisOptions } from '../stream/options.ts';
import type { Snapshot } from './snapshot.ts';
import type { SnapshotUpdate } from './snapshotAnalysis.ts';

type Reply = { type: 'update'; update: SnapshotUpdate } | { type: 'error'; message: string };

/**
 * One source's snapshot analysis on a worker thread of its own (`synergy
 * serve`): a snapshot of 2,048 rows × 128 neurons with 99 surrogates takes
 * seconds, which in the server's thread would hold every other source and
 * subscriber that long. Snapshots are analyzed in the order sent; each
 * promise resolves with its update (or rejects with the analysis's error).
 * The values travel as a copy (structured clone).
 */
export class SnapshotThread {
  private readonly worker: Worker;
  private readonly pending: { resolve(update: SnapshotUpdate): void; reject(error: Error): void }[] = [];
  private failure: Error | undefined;

  constructor(options: AnalysisOptions) {
    this.worker = new Worker(new URL('./snapshotWorkerEntry.mjs', import.meta.url), { workerData: options });
    this.worker.on('message', (reply: Reply) => {
      const next = this.pending.shift();
      if (next === undefined) return;
      if (reply.type === 'update') next.resolve(reply.update);
      else next.reject(new Error(reply.message));
    });
    this.worker.on('error', (error) => this.fail(new Error(`the snapshot worker failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`the snapshot worker stopped (exit code ${code})`)));
  }

  /** Snapshots sent and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  analyze(snapshot: Snapshot): Promise<SnapshotUpdate> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<SnapshotUpdate>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(snapshot);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.splice(0)) pending.reject(this.failure);
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the snapshot worker was stopped');
    await this.worker.terminate();
  }
}
