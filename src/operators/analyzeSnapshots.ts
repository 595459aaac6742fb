import { Observable, type OperatorFunction } from 'rxjs';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { Snapshot } from '../snapshots/snapshot.ts';
import type { SnapshotUpdate } from '../snapshots/snapshotAnalysis.ts';
import { SnapshotThread } from '../snapshots/snapshotThread.ts';

/** Snapshots a source may have waiting for its worker thread; past it the oldest waiting is dropped and counted. */
export const MAX_WAITING_SNAPSHOTS = 4;

/**
 * A snapshot source's analysis in `synergy serve` (docs/STREAMING.md,
 * "Snapshots"): each snapshot event analyzed whole by a SnapshotAnalyzer,
 * one update each, in the order they came; other events are ignored (a
 * snapshot source sends none). With `source`, updates carry its name.
 *
 * The analysis runs on a worker thread of its own (SnapshotThread), one
 * snapshot at a time, so that a long snapshot never holds the server's
 * thread. Snapshots that come faster than they are
 * analyzed wait, at most MAX_WAITING_SNAPSHOTS of them (a few MiB each);
 * past that the oldest waiting is dropped, so that the analysis follows the
 * newest, and every update says how many were dropped so far
 * (`snapshots_dropped`).
 */
export function analyzeSnapshots(options: AnalysisOptions, source?: string): OperatorFunction<SourceEvent, SnapshotUpdate> {
  const named = (update: SnapshotUpdate): SnapshotUpdate => (source === undefined ? update : { ...update, source });
  return (events) =>
    new Observable<SnapshotUpdate>((subscriber) => {
      const worker = new SnapshotThread(options);
      const waiting: Snapshot[] = [];
      let dropped = 0;
      let busy = false;
      let ended = false;
      const pump = (): void => {
        if (busy) return;
        const snapshot = waiting.shift();
        if (snapshot === undefined) {
          if (ended) {
            void worker.close();
            subscriber.complete();
          }
          return;
        }
        busy = true;
        worker.analyze(snapshot).then(
          (update) => {
            busy = false;
            subscriber.next(named(dropped === 0 ? update : { ...update, snapshots_dropped: dropped }));
            pump();
          },
          (error: unknown) => subscriber.error(error),
        );
      };
      const subscription = events.subscribe({
        next: (event) => {
          if (event.kind !== 'snapshot') return;
          if (waiting.length >= MAX_WAITING_SNAPSHOTS) {
            waiting.shift();
            dropped++;
          }
          waiting.push(event.snapshot);
          pump();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          ended = true;
          pump();
        },
      });
      return () => {
        subscription.unsubscribe();
        void worker.close();
      };
    });
}
