import { createWriteStream, type WriteStream } from 'node:fs';
import { merge, type Observable } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import { alertLine } from '../alerts/alertEvent.ts';
import type { PairAlertOptions } from '../alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { analyzeStream } from '../operators/analyzeStream.ts';
import { raiseAlerts } from '../operators/raiseAlerts.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';

/** Where a live analysis sends what it computes. */
export interface LiveSinks {
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

/**
 * Runs the streaming analysis on live events: binning, labels, sliding
 * synergy (analyzeStream), pair and late-data alerts (raiseAlerts), merged
 * with the source alerts of the connections, and hands every update and
 * alert to the sinks. Resolves when the events complete (the source said
 * `end`, or the command was stopped), after the files are flushed.
 */
export async function runLiveAnalysis(
  events: Observable<SourceEvent>,
  sourceAlerts: Observable<AlertEvent>,
  options: AnalysisOptions,
  alertOptions: PairAlertOptions,
  sinks: LiveSinks,
): Promise<LiveSummary> {
  const updatesOut = sinks.updatesFile === undefined ? undefined : createWriteStream(sinks.updatesFile);
  const alertsOut = sinks.alertsFile === undefined ? undefined : createWriteStream(sinks.alertsFile);
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
      // Completes when the events and the source alerts have both completed (the connection or server closed).
      merge(events.pipe(analyzeStream(options), raiseAlerts(alertOptions)), sourceAlerts).subscribe({ next: handle, error: reject, complete: resolve });
    });
  } finally {
    await Promise.all([closeStream(updatesOut), closeStream(alertsOut)]);
  }
  return summary;
}

function closeStream(stream: WriteStream | undefined): Promise<void> {
  return stream === undefined ? Promise.resolve() : new Promise((resolve) => stream.end(resolve));
}
