import { Observable, Subject, Subscription, tap, type OperatorFunction } from 'rxjs';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { WindowReadout } from '../engine/windowReadout.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { attachLabels } from './attachLabels.ts';
import { binSpikes } from './binSpikes.ts';
import type { TileSource } from '../parallel/tileSource.ts';
import { parallelSynergy } from './parallelSynergy.ts';
import { slidingSynergy } from './slidingSynergy.ts';

/**
 * The whole analysis: spikes and labels in, synergy updates out.
 *
 * An `AnalysisRestart` event ends the analysis so far — time is first moved
 * to the end of the last window that holds any of it, so those updates are
 * all made — and starts a fresh one (new origin, units and modes) at the
 * new time: each part equals a batch computation over its own bins, and no
 * work is done for the span between. `dropped.late` goes on counting from
 * the stream's start.
 *
 * ```ts
 * events$.pipe(analyzeStream(options)).subscribe((update) => console.log(update.t, update.pairs[0]))
 * ```
 */
export function analyzeStream(
  options: AnalysisOptions,
  readout?: (options: AnalysisOptions, windowBins: number) => WindowReadout,
  /** Tiles on worker threads or Redis workers (the same updates); this thread holds every pair when absent. */
  tiles?: TileSource,
): OperatorFunction<SourceEvent, SynergyUpdate> {
  // Each part's late spikes, as its frames are made (before the synergy step, which may answer later).
  const analyzePart = (events: Observable<SourceEvent>, late: (count: number) => void) =>
    events.pipe(
      binSpikes({ binSeconds: options.binSeconds, latenessSeconds: options.latenessSeconds }),
      attachLabels({ binSeconds: options.binSeconds }),
      tap((event) => late(event.counters.late)),
      tiles === undefined ? slidingSynergy(options, readout) : parallelSynergy(options, tiles),
    );
  return (source) =>
    new Observable<SynergyUpdate>((subscriber) => {
      const parts = new Subscription();
      // The parts' updates in order, each part's after the one before: with tiles elsewhere a part may still be
      // answering when the next starts. Only a part behind the one being delivered holds its updates, until that ends.
      const queue: { held: SynergyUpdate[]; done: boolean }[] = [];
      let sourceDone = false;
      const deliver = () => {
        while (queue.length > 0) {
          const head = queue[0];
          for (const update of head.held.splice(0)) subscriber.next(update);
          if (!head.done) return;
          queue.shift();
        }
        if (sourceDone) subscriber.complete();
      };
      let part!: Subject<SourceEvent>;
      // `dropped.late` counts since the stream began, across parts.
      let lateBefore = 0;
      let lateInPart = 0;
      const startPart = () => {
        part = new Subject<SourceEvent>();
        lateBefore += lateInPart;
        lateInPart = 0;
        const offset = lateBefore;
        const record = { held: [] as SynergyUpdate[], done: false };
        queue.push(record);
        parts.add(
          analyzePart(part, (count) => (lateInPart = count)).subscribe({
            next: (update) => {
              const shifted = offset === 0 ? update : { ...update, dropped: { ...update.dropped, late: update.dropped.late + offset } };
              if (queue[0] === record) subscriber.next(shifted);
              else record.held.push(shifted);
            },
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              record.done = true;
              deliver();
            },
          }),
        );
      };
      startPart();
      parts.add(
        source.subscribe({
          next(event) {
            if (event.kind !== 'restart') {
              part.next(event);
              return;
            }
            const lastWindowEnd = event.from + options.windowSeconds + options.latenessSeconds + options.binSeconds;
            if (Number.isFinite(event.from)) part.next({ kind: 'heartbeat', t: Math.min(event.at, lastWindowEnd) });
            part.complete();
            startPart();
          },
          error: (error: unknown) => subscriber.error(error),
          complete() {
            part.complete();
            sourceDone = true;
            deliver();
          },
        }),
      );
      return parts;
    });
}
