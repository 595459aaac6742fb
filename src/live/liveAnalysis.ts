import { createWriteStream, type WriteStream } from 'node:fs';
import { catchError, merge, mergeMap, Observable, of, tap, type OperatorFunction } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import { alertLine } from '../alerts/alertEvent.ts';
import type { PairAlertOptions } from '../alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { analyzeStream } from '../operators/analyzeStream.ts';
import { raiseAlerts } from '../operators/raiseAlerts.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { LagMonitor } from './lagMonitor.ts';

/** Where a live analysis sends what it computes. */
export interface LiveSinks {
  /** Written first to each JSONL file (the run header, DESIGN §7). */
  header?: object;
  /** To subscribers (the server's publish). */
  publish?: (item: SynergyUpdate | AlertEvent) => void;
  /** Updates as JSONL. */
  updatesFile?: string;
  /** Alerts as JSONL. */
  alertsFile?: string;
  /** A readable line per alert (stderr). */
  alertLine?: (line: string) => void;
  /** Every item, for a terminal view or a test. */
  observe?: (item: SynergyUpdate | AlertEvent) => void;
}

export interface LiveSummary {
  updates: number;
  alerts: number;
  alertsByKind: Record<string, number>;
}

/** Seconds behind the wall clock at which a live analysis raises `analysis-lag` (at least two hops). */
export const LAG_ALERT_SECONDS = 5;

/**
 * One source's live analysis: binning, labels, sliding synergy
 * (analyzeStream), pair and late-data alerts (raiseAlerts), and an
 * `analysis-lag` alert when it falls behind the wall clock (LagMonitor).
 * With `source`, every update and alert carries the source's name.
 */
export function analyzeLive(
  options: AnalysisOptions,
  alertOptions: PairAlertOptions,
  source?: string,
  nowMs: () => number = () => Date.now(),
): OperatorFunction<SourceEvent, SynergyUpdate | AlertEvent> {
  return (events) =>
    new Observable<SynergyUpdate | AlertEvent>((subscriber) => {
      const lag = new LagMonitor(Math.max(LAG_ALERT_SECONDS, 2 * options.hopSeconds), options.latenessSeconds, source, nowMs);
      return events
        .pipe(
          tap((event) => lag.observe(event)),
          analyzeStream(options),
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
): Promise<LiveSummary> {
  return drain(merge(events.pipe(analyzeLive(options, alertOptions)), sourceAlerts), sinks);
}

/**
 * Runs one live analysis per source (`synergy serve`): sources never share a
 * clock, window, units or labels, and every update and pair alert names its
 * source. A source whose analysis fails on an internal error gets an
 * `analysis-failed` alert and is analyzed no further; the others go on.
 * Resolves when the sources and the source alerts complete (the server closed).
 */
export function runLiveAnalyses(
  sources: Observable<{ name: string; events: Observable<SourceEvent> }>,
  sourceAlerts: Observable<AlertEvent>,
  options: AnalysisOptions,
  alertOptions: PairAlertOptions,
  sinks: LiveSinks,
): Promise<LiveSummary> {
  const analyses = sources.pipe(
    mergeMap(({ name, events }) =>
      events.pipe(
        analyzeLive(options, alertOptions, name),
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
      ),
    ),
  );
  return drain(merge(analyses, sourceAlerts), sinks);
}

/** Hands every item to the sinks; resolves with the counts when the items complete, after the files are flushed. */
async function drain(items: Observable<SynergyUpdate | AlertEvent>, sinks: LiveSinks): Promise<LiveSummary> {
  const updatesOut = sinks.updatesFile === undefined ? undefined : createWriteStream(sinks.updatesFile);
  const alertsOut = sinks.alertsFile === undefined ? undefined : createWriteStream(sinks.alertsFile);
  if (sinks.header !== undefined) for (const out of [updatesOut, alertsOut]) out?.write(`${JSON.stringify(sinks.header)}\n`);
  const summary: LiveSummary = { updates: 0, alerts: 0, alertsByKind: {} };
  const handle = (item: SynergyUpdate | AlertEvent) => {
    if (item.type === 'synergy') {
      summary.updates++;
      updatesOut?.write(`${JSON.stringify(item)}\n`);
    } else {
      summary.alerts++;
      summary.alertsByKind[item.kind] = (summary.alertsByKind[item.kind] ?? 0) + 1;
      alertsOut?.write(`${JSON.stringify(item)}\n`);
      sinks.alertLine?.(alertLine(item));
    }
    sinks.publish?.(item);
    sinks.observe?.(item);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      items.subscribe({ next: handle, error: reject, complete: resolve });
    });
  } finally {
    await Promise.all([closeStream(updatesOut), closeStream(alertsOut)]);
  }
  return summary;
}

function closeStream(stream: WriteStream | undefined): Promise<void> {
  return stream === undefined ? Promise.resolve() : new Promise((resolve) => stream.end(resolve));
}
