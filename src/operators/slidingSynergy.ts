import type { OperatorFunction } from 'rxjs';
import { SlidingWindowAnalyzer } from '../engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { WindowReadout } from '../engine/windowReadout.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { LabeledEvent } from './binnedEvents.ts';
import { statefulOperator } from './statefulOperator.ts';

/**
 * The sliding-window synergy analysis: emits one SynergyUpdate (DESIGN §4)
 * every `hop`, at T = m·hop from the first T later than the stream's start,
 * covering the labeled bins of [T − window, T). Count tables are updated
 * incrementally as bins enter and leave the window (`readout` swaps in another
 * WindowReadout, e.g. the batch one). When the source ends,
 * the emissions up to the last full hop are made and the stream completes.
 *
 * ```ts
 * events$.pipe(binSpikes(o), attachLabels(o), slidingSynergy(o)).subscribe(console.log)
 * ```
 */
export function slidingSynergy(
  options: AnalysisOptions,
  readout?: (options: AnalysisOptions, windowBins: number) => WindowReadout,
): OperatorFunction<LabeledEvent, SynergyUpdate> {
  return statefulOperator<LabeledEvent, SynergyUpdate>((subscriber) => {
    const analyzer = new SlidingWindowAnalyzer(options, readout);
    return {
      next(event) {
        const updates =
          event.kind === 'labeled-frame'
            ? analyzer.push(event.frame, event.startTime, event.counters.late)
            : event.endTime === undefined
              ? []
              : analyzer.finish(event.endTime, event.counters.late);
        for (const update of updates) subscriber.next(update);
      },
    };
  });
}
