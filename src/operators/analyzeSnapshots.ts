import { concatMap, from, Observable, type OperatorFunction } from 'rxjs';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { SnapshotAnalyzer, type SnapshotUpdate } from '../snapshots/snapshotAnalysis.ts';

/**
 * A snapshot source's analysis (docs/STREAMING.md, "Snapshots"): each
 * snapshot event analyzed whole by a SnapshotAnalyzer, one update each, in
 * the order they came; other events are ignored (a snapshot source sends
 * none). With `source`, updates carry its name.
 */
export function analyzeSnapshots(options: AnalysisOptions, source?: string): OperatorFunction<SourceEvent, SnapshotUpdate> {
  return (events) =>
    new Observable<SnapshotUpdate>((subscriber) => {
      const analyzer = new SnapshotAnalyzer(options);
      return events
        .pipe(
          concatMap((event) => {
            if (event.kind !== 'snapshot') return from([]);
            const update = analyzer.analyze(event.snapshot);
            return from([source === undefined ? update : { ...update, source }]);
          }),
        )
        .subscribe(subscriber);
    });
}

