import { createWriteStream, type WriteStream } from 'node:fs';
import type { Observable } from 'rxjs';
import { alertLine, type AlertEvent } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { OutputError } from '../errors.ts';

/** Where an analysis (`replay`, `serve`, `connect`, `demo`) sends what it computes. */
export interface ResultSinks {
  /** Written first to each JSONL output (the run header, DESIGN §7). */
  header?: object;
  /** To subscribers (the server's publish). */
  publish?: (item: SynergyUpdate | AlertEvent) => void;
  /** Updates as JSONL to this file; */
  updatesFile?: string;
  /** or, without a file, as JSONL through this (replay's and connect's stdout). */
  updatesText?: (text: string) => void;
  /** Alerts as JSONL. */
  alertsFile?: string;
  /** A readable line per alert (stderr). */
  alertLine?: (line: string) => void;
  /** Every item, for a terminal view, progress or a test. */
  observe?: (item: SynergyUpdate | AlertEvent) => void;
}

export interface ResultSummary {
  updates: number;
  alerts: number;
  alertsByKind: Record<string, number>;
}

/**
 * Hands every update and alert of an analysis to the sinks, the one place
 * where results are written: the header first to each JSONL output, then
 * updates and alerts as they come. Resolves with the counts when the items
 * complete; on an error, rejects after the files are flushed too (whatever
 * was computed before the error is kept). An output file that cannot be
 * opened is an OutputError before anything is analyzed; one that fails
 * later (a full disk) is an OutputError at the end.
 */
export async function deliverResults(items: Observable<SynergyUpdate | AlertEvent>, sinks: ResultSinks): Promise<ResultSummary> {
  // Subscribed at once (a live source's events are not replayed to a late subscriber); the files open meanwhile.
  let failed: (error: OutputError) => void = () => {};
  const fail = (error: OutputError) => failed(error);
  const updatesOut = sinks.updatesFile === undefined ? undefined : openOutput(sinks.updatesFile, 'the updates (--out)', fail);
  const alertsOut = sinks.alertsFile === undefined ? undefined : openOutput(sinks.alertsFile, 'the alerts (--alerts-out)', fail);
  const writeUpdate = updatesOut !== undefined ? (text: string) => updatesOut.write(text) : sinks.updatesText;
  if (sinks.header !== undefined) {
    const header = `${JSON.stringify(sinks.header)}\n`;
    writeUpdate?.(header);
    alertsOut?.write(header);
  }
  const summary: ResultSummary = { updates: 0, alerts: 0, alertsByKind: {} };
  const handle = (item: SynergyUpdate | AlertEvent) => {
    if (item.type === 'synergy') {
      summary.updates++;
      writeUpdate?.(`${JSON.stringify(item)}\n`);
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
      let failure: OutputError | undefined;
      const subscription = items.subscribe({ next: handle, error: reject, complete: () => (failure === undefined ? resolve() : reject(failure)) });
      // An output that cannot be written stops the analysis: nothing would be kept of it.
      failed = (error) => {
        if (failure !== undefined) return;
        failure = error;
        subscription.unsubscribe();
        reject(error);
      };
    });
  } finally {
    await Promise.all([closeStream(updatesOut), closeStream(alertsOut)]);
  }
  return summary;
}

/** Opens an output file for writing; a failure to open or write it goes to `fail` as an OutputError. */
function openOutput(file: string, what: string, fail: (error: OutputError) => void): WriteStream {
  const stream = createWriteStream(file);
  stream.on('error', (error) => fail(new OutputError(`cannot write ${what}: ${error.message}`, file)));
  return stream;
}

function closeStream(stream: WriteStream | undefined): Promise<void> {
  if (stream === undefined || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('error', () => resolve());
    stream.end(() => resolve());
  });
}
