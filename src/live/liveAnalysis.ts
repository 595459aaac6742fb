import { catchError, concat, defer, EMPTY, merge, mergeMap, Observable, of, tap, type OperatorFunction } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { PairAlertOptions } from '../alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { analyzeStream } from '../operators/analyzeStream.ts';
import { analyzeSnapshots } from '../operators/analyzeSnapshots.ts';
import { analyzeTrialsLive, type LiveTrials } from '../operators/analyzeTrialsLive.ts';
import { raiseAlerts } from '../operators/raiseAlerts.ts';
import { deliverResults, type ResultSinks, type ResultSummary } from '../stream/deliverResults.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { TileSource } from '../parallel/tileSource.ts';
import { LagMonitor } from './lagMonitor.ts';

/** Where a live analysis sends what it computes (the sinks every analysis shares). */
export interface LiveSinks extends ResultSinks {
  /** `synergy serve`: a source's analysis has ended (it said `end`, or was retired), after its last update went to the sinks. */
  sourceEnded?: (source: string, updates: number) => void;
}
export type LiveSummary = ResultSummary;

/** Seconds behind the wall clock at which a live analysis raises `analysis-lag` (at least two hops). */
export const LAG_ALERT_SECONDS = 5;

/**
 * One source's live analysis: binning, labels, sliding synergy
 * (analyzeStream), pair and late-data alerts (raiseAlerts), and an
 * `analysis-lag` alert when it falls behind the wall clock (LagMonitor).
 * With `source`, every update and alert carries the source's name; with
 * `tiles`, the pairs are analyzed on worker threads or Redis workers.
 */
export function analyzeLive(
  options: AnalysisOptions,
  alertOptions: PairAlertOptions,
  source?: string,
  nowMs: () => number = () => Date.now(),
  tiles?: TileSource,
): OperatorFunction<SourceEvent, SynergyUpdate | AlertEvent> {
  return (events) =>
    new Observable<SynergyUpdate | AlertEvent>((subscriber) => {
      const lag = new LagMonitor(Math.max(LAG_ALERT_SECONDS, 2 * options.hopSeconds), options.latenessSeconds, source, nowMs);
      return events
        .pipe(
          tap((event) => lag.observe(event)),
          analyzeStream(options, undefined, tiles),
          raiseAlerts(alertOptions),
          mergeMap((item) => {
            const lagAlert = item.type === 'synergy' ? lag.check(item) : undefined;
            const items = lagAlert === undefined ? [item] : [item, lagAlert];
            return source === undefined ? items : items.map(({ type, ...rest }) => ({ type, source, ...rest }) as SynergyUpdate | AlertEvent);
          }),
        )
        .subscribe(subscriber);
    });
}

/**
 * Runs the live analysis of one source's events, merged with the source
 * alerts of its connections, and hands every update and alert to the sinks.
 * Resolves when the events complete (the source said `end`, or the command
 * was stopped), after the files are flushed.
 */
export function runLiveAnalysis(
  events: Observable<SourceEvent>,
  sourceAlerts: Observable<AlertEvent>,
  options: AnalysisOptions,
  alertOptions: PairAlertOptions,
  sinks: LiveSinks,
  tiles?: TileSource,
): Promise<LiveSummary> {
  return deliverResults(merge(events.pipe(analyzeLive(options, alertOptions, undefined, undefined, tiles)), sourceAlerts), sinks);
}

/**
 * Runs one live analysis per source (`synergy serve`): sources never share a
 * clock, window, units or labels, and every update and pair alert names its
 * source. A snapshot source's snapshots are analyzed whole, and a trial
 * source's spikes by trials (its hello says which). A source whose analysis fails on an internal error gets an
 * `analysis-failed` alert and is analyzed no further; the others go on.
 * Resolves when the sources and the source alerts complete (the server closed).
 */
export function runLiveAnalyses(
  sources: Observable<{ name: string; events: Observable<SourceEvent>; kind?: 'spikes' | 'snapshots'; trials?: LiveTrials }>,
  sourceAlerts: Observable<AlertEvent>,
  options: AnalysisOptions,
  alertOptions: PairAlertOptions,
  sinks: LiveSinks,
  tiles?: TileSource,
): Promise<LiveSummary> {
  const analyses = sources.pipe(
    mergeMap(({ name, events, kind, trials }) => {
      let updates = 0;
      const analysis = events.pipe(
        // Snapshots on a worker thread of their own (a snapshot takes seconds); trials in this thread.
        kind === 'snapshots'
          ? analyzeSnapshots(options, name)
          : trials !== undefined
            ? analyzeTrialsLive(options, trials, name)
            : analyzeLive(options, alertOptions, name, undefined, tiles),
        catchError((error: unknown) =>
          of<AlertEvent>({
            type: 'alert',
            state: 'raised',
            kind: 'analysis-failed',
            t: 0,
            source: name,
            message: `the analysis of source ${name} stopped on an internal error (${(error as Error).message}); its data are no longer analyzed until it starts afresh (end, then hello). The other sources go on`,
          }),
        ),
        tap((item) => {
          if (item.type === 'synergy') updates++;
        }),
      );
      // The end goes out after the source's last update has been delivered (deliverResults hands items on as they come).
      return concat(
        analysis,
        defer(() => {
          sinks.sourceEnded?.(name, updates);
          return EMPTY;
        }),
      );
    }),
  );
  return deliverResults(merge(analyses, sourceAlerts), sinks);
}
