import type { OperatorFunction } from 'rxjs';
import { LabelTimeline } from '../engine/labelTimeline.ts';
import type { BinnedEvent, LabeledEvent } from './binnedEvents.ts';
import { statefulOperator } from './statefulOperator.ts';

/**
 * Gives every bin of the count frames its mode: the label whose change points
 * or intervals cover the whole bin, or −1 for a bin that straddles a change
 * or lies in a gap (unlabeled: excluded from the statistics and counted).
 * A DataGap event (a source was away) makes every bin it touches unlabeled.
 *
 * ```ts
 * events$.pipe(binSpikes(…), attachLabels({ binSeconds: 0.02 }))
 * ```
 */
export function attachLabels(options: { binSeconds: number }): OperatorFunction<BinnedEvent, LabeledEvent> {
  return statefulOperator<BinnedEvent, LabeledEvent>((subscriber) => {
    const timeline = new LabelTimeline(options.binSeconds);
    return {
      next(event) {
        switch (event.kind) {
          case 'label':
            timeline.addChange(event.t, event.label);
            break;
          case 'interval':
            timeline.addInterval(event.start, event.end, event.label);
            break;
          case 'gap':
            timeline.addGap(event.start, event.end);
            break;
          case 'frame': {
            const { frame } = event;
            const label = new Int32Array(frame.binCount);
            for (let b = 0; b < frame.binCount; b++) label[b] = timeline.labelOfBin(frame.firstBin + b);
            subscriber.next({
              kind: 'labeled-frame',
              frame: { ...frame, label, labelNames: timeline.labelNames },
              startTime: event.startTime,
              counters: event.counters,
            });
            break;
          }
          case 'end':
            subscriber.next(event);
            break;
        }
      },
    };
  });
}
