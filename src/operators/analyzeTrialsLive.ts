import { Observable, type OperatorFunction } from 'rxjs';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { TrialAnalyzer, type TrialUpdate } from '../trials/trialAnalysis.ts';

/** How a live trial source's analysis runs: the counting window after each onset and the sliding over trials. */
export interface LiveTrials {
  window: [number, number];
  count: number;
  hop: number;
}

/**
 * A live trial source's analysis (docs/STREAMING.md, "Trials"): spikes
 * counted in [onset + from, onset + to) of each trial announced by a `trial`
 * event, the last `count` trials analyzed every `hop` trials, each update
 * emitted as soon as the trial completing it has closed (its window's end
 * plus the lateness, as time passes by spikes or heartbeats). Updates carry
 * `trials` and, with `source`, its name.
 */
export function analyzeTrialsLive(options: AnalysisOptions, trials: LiveTrials, source?: string): OperatorFunction<SourceEvent, TrialUpdate> {
  return (events) =>
    new Observable<TrialUpdate>((subscriber) => {
      const analyzer = new TrialAnalyzer([], { from: trials.window[0], to: trials.window[1] }, options, { count: trials.count, hop: trials.hop });
      const deliver = (updates: TrialUpdate[]): void => {
        for (const update of updates) subscriber.next(source === undefined ? update : { ...update, source });
      };
      return events.subscribe({
        next: (event) => {
          try {
            if (event.kind === 'spikes') deliver(analyzer.push(event));
            else if (event.kind === 'trial') analyzer.addTrial(event.t, event.label);
            else if (event.kind === 'heartbeat') deliver(analyzer.advance(event.t));
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          deliver(analyzer.finish());
          subscriber.complete();
        },
      });
    });
}
