import { Observable, type OperatorFunction } from 'rxjs';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { SlidingWindowAnalyzer } from '../engine/slidingWindowAnalyzer.ts';
import { ParallelAnalyzer } from '../parallel/parallelAnalyzer.ts';
import type { TileSource } from '../parallel/tileSource.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { LabeledEvent } from './binnedEvents.ts';

/** Lets a source that can wait (a replay) wait until the tiles can take more. */
export interface TileFlow {
  /** Resolves when fewer than the session's limit of frames are outstanding. */
  ready(): Promise<void>;
}

/**
 * slidingSynergy with its tiles elsewhere (worker threads or Redis workers,
 * `tiles`): the same updates, in the same order, as the analysis in this
 * thread. Frames go to the tiles as they come; updates are emitted in order
 * as the tiles answer, and the output completes after the last. An error of
 * a tile ends the stream with it. `flow` receives the gate a replay waits on.
 * At the first frame the source may decline (too few units to gain from
 * threads: TileSource.open): then the analysis runs in this thread, as
 * slidingSynergy, answering at once.
 */
export function parallelSynergy(options: AnalysisOptions, tiles: TileSource, flow?: (gate: TileFlow) => void): OperatorFunction<LabeledEvent, SynergyUpdate> {
  return (source) =>
    new Observable<SynergyUpdate>((subscriber) => {
      // Decided at the first frame: tiles elsewhere, or every pair here.
      let remote: ParallelAnalyzer | undefined;
      let local: SlidingWindowAnalyzer | undefined;
      flow?.({ ready: () => remote?.ready() ?? Promise.resolve() });
      let chain: Promise<void> = Promise.resolve();
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        subscriber.error(error);
      };
      const deliver = (answer: Promise<SynergyUpdate[]>) => {
        // Handled here and in order below: never an unhandled rejection.
        answer.catch(() => undefined);
        chain = chain
          .then(() => answer)
          .then((updates) => {
            if (!failed) for (const update of updates) subscriber.next(update);
          })
          .catch(fail);
      };
      const subscription = source.subscribe({
        next(event) {
          if (failed) return;
          try {
            if (event.kind === 'labeled-frame' && remote === undefined && local === undefined) {
              const session = tiles.open(options, event.frame.unitIds.length);
              if (session === undefined) local = new SlidingWindowAnalyzer(options);
              else remote = new ParallelAnalyzer(options, session);
            }
            if (local !== undefined) {
              const updates = event.kind === 'labeled-frame' ? local.push(event.frame, event.startTime, event.counters.late) : event.endTime === undefined ? [] : local.finish(event.endTime, event.counters.late);
              for (const update of updates) subscriber.next(update);
            } else if (remote !== undefined) {
              if (event.kind === 'labeled-frame') deliver(remote.push(event.frame, event.startTime, event.counters.late));
              else if (event.endTime !== undefined) deliver(remote.finish(event.endTime, event.counters.late));
            }
          } catch (error) {
            fail(error);
          }
        },
        error: fail,
        complete() {
          void chain.then(() => {
            if (!failed) subscriber.complete();
          });
        },
      });
      return () => {
        subscription.unsubscribe();
        void remote?.close().catch(() => undefined);
      };
    });
}
