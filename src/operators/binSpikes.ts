import type { OperatorFunction } from 'rxjs';
import type { CountFrame } from '../engine/countFrame.ts';
import { SpikeBinner } from '../engine/spikeBinner.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { BinnedEvent, StreamCounters } from './binnedEvents.ts';
import { statefulOperator } from './statefulOperator.ts';

export interface BinSpikesOptions {
  binSeconds: number;
  latenessSeconds: number;
}

/**
 * Bins columnar spike batches into count frames on event time.
 *
 * Emits a FrameEvent whenever the watermark (latest time − lateness) completes
 * bins; spikes out of order by up to `lateness` land in their own bin, later
 * ones are counted (`counters.late`) and dropped, never mixed in. Label and
 * gap events pass through as they arrive (label changes and heartbeats also advance
 * time). When the source completes, the remaining bins are flushed and an
 * EndEvent closes the stream.
 *
 * ```ts
 * spikes$.pipe(binSpikes({ binSeconds: 0.02, latenessSeconds: 0.1 }))
 * ```
 */
export function binSpikes(options: BinSpikesOptions): OperatorFunction<SourceEvent, BinnedEvent> {
  return statefulOperator<SourceEvent, BinnedEvent>((subscriber) => {
    const binner = new SpikeBinner(options.binSeconds, options.latenessSeconds);
    let lateLabels = 0;
    const counters = (): StreamCounters => ({
      spikes: binner.spikes,
      late: binner.drops.late,
      invalidTime: binner.drops.invalidTime,
      lateLabels,
    });
    // A jump in time completes many bins at once: they come as several frames of bounded size.
    const emitComplete = (take: () => CountFrame | undefined = () => binner.takeComplete()) => {
      for (let frame = take(); frame !== undefined; frame = take()) {
        subscriber.next({ kind: 'frame', frame, startTime: binner.startTime!, counters: counters() });
      }
    };
    return {
      next(event) {
        switch (event.kind) {
          case 'spikes':
            binner.addSpikes(event);
            break;
          case 'label':
          case 'heartbeat':
            if (!binner.observeTime(event.t)) lateLabels++;
            if (event.kind === 'label') subscriber.next(event);
            break;
          case 'interval':
            binner.observeStart(event.start);
            subscriber.next(event);
            break;
          case 'gap':
            // Announced before the data after it, so its bins are still open.
            subscriber.next(event);
            break;
        }
        emitComplete();
      },
      complete() {
        emitComplete(() => binner.flush());
        const latest = binner.latestTime;
        subscriber.next({ kind: 'end', endTime: latest === -Infinity ? undefined : latest, counters: counters() });
      },
    };
  });
}
