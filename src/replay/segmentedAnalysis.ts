import { Observable, Subject, tap } from 'rxjs';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { attachLabels } from '../operators/attachLabels.ts';
import { binSpikes } from '../operators/binSpikes.ts';
import type { LabeledEvent, StreamCounters } from '../operators/binnedEvents.ts';
import { parallelSynergy, type TileFlow } from '../operators/parallelSynergy.ts';
import { slidingSynergy } from '../operators/slidingSynergy.ts';
import type { TileSource } from '../parallel/tileSource.ts';
import type { LabelInterval, SourceEvent, SpikeBatch } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { ReplaySegment } from './timeJumpSegments.ts';

export interface SegmentedAnalysisOptions {
  analysis: AnalysisOptions;
  /** Every label interval of the replay (already cut to its range). */
  intervals: readonly LabelInterval[];
  /** The replay's --start, if any: labels before it are not the first segment's. */
  rangeStartSeconds?: number;
  /** The time jump limit: labels cannot start the first segment more than this before its first spike. */
  maxJumpSeconds: number;
  /** Paces a segment's batches (by event time); as fast as possible when absent. */
  pace?: (batches: AsyncIterable<SpikeBatch>) => AsyncIterable<SpikeBatch>;
  /** Tiles on worker threads or Redis workers; this thread holds every pair when absent. The replay waits for them. */
  tiles?: TileSource;
  /** Sees every labeled frame and end event, with the counters summed over the segments so far. */
  onEvent?: (event: LabeledEvent, total: StreamCounters) => void;
}

const NO_COUNTS: StreamCounters = { spikes: 0, late: 0, invalidTime: 0, lateLabels: 0 };

function sum(a: StreamCounters, b: StreamCounters): StreamCounters {
  return { spikes: a.spikes + b.spikes, late: a.late + b.late, invalidTime: a.invalidTime + b.invalidTime, lateLabels: a.lateLabels + b.lateLabels };
}

/**
 * The streaming analysis of a segmented recording (see timeJumpSegments):
 * each segment runs through a fresh binSpikes → attachLabels →
 * slidingSynergy, as if it were a recording of its own, so that no update
 * covers a pause and every segment's updates equal the batch computation
 * over its bins. Emits the updates of all segments in order; `dropped.late`
 * counts the late spikes since the replay began.
 *
 * Labels: each segment gets, before its spikes and in their given order,
 * the intervals that reach into it, cut to start at the segment's first
 * spike; the first segment's may start up to the time jump limit earlier
 * (not before --start), so that labels can still open a recording as its
 * first label does, but not years before it.
 */
export function analyzeSegments(segments: AsyncIterable<ReplaySegment>, options: SegmentedAnalysisOptions): Observable<SynergyUpdate> {
  return new Observable<SynergyUpdate>((subscriber) => {
    let stopped = false;
    const { analysis } = options;
    // Intervals that may still reach into a segment; segments only move forward in time.
    let remaining: readonly LabelInterval[] = options.intervals;
    (async () => {
      let before = NO_COUNTS;
      for await (const segment of segments) {
        if (stopped) break;
        const lateBefore = before.late;
        let counters = NO_COUNTS;
        let failure: { error: unknown } | undefined;
        let gate: TileFlow | undefined;
        let segmentDone: (() => void) | undefined;
        const input = new Subject<SourceEvent>();
        const subscription = input
          .pipe(
            binSpikes({ binSeconds: analysis.binSeconds, latenessSeconds: analysis.latenessSeconds }),
            attachLabels({ binSeconds: analysis.binSeconds }),
            tap((event) => {
              counters = event.counters;
              options.onEvent?.(event, sum(before, counters));
            }),
            options.tiles === undefined ? slidingSynergy(analysis) : parallelSynergy(analysis, options.tiles, (flow) => (gate = flow)),
          )
          .subscribe({
            next: (update) => subscriber.next(lateBefore === 0 ? update : { ...update, dropped: { ...update.dropped, late: update.dropped.late + lateBefore } }),
            error: (error: unknown) => {
              failure = { error };
              segmentDone?.();
            },
            complete: () => segmentDone?.(),
          });
        const lower =
          segment.index === 0 ? Math.max(options.rangeStartSeconds ?? -Infinity, segment.earliestSeconds - options.maxJumpSeconds) : segment.earliestSeconds;
        remaining = remaining.filter((interval) => interval.end > lower);
        for (const interval of remaining) input.next(interval.start >= lower ? interval : { ...interval, start: lower });
        for await (const batch of options.pace?.(segment.batches) ?? segment.batches) {
          if (stopped || failure !== undefined) break;
          input.next(batch);
          // Tiles elsewhere: read on only when they can take more (memory stays bounded).
          if (gate !== undefined) await gate.ready();
        }
        if (failure === undefined && !stopped) {
          // With tiles elsewhere the segment's last updates come after its end: wait for them.
          const done = new Promise<void>((resolve) => {
            segmentDone = resolve;
          });
          input.complete();
          if (options.tiles !== undefined) await done;
        }
        subscription.unsubscribe();
        if (failure !== undefined) throw failure.error;
        before = sum(before, counters);
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}
