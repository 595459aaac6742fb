import { Observable } from 'rxjs';
import { openRecording } from '../adapters/openRecording.ts';
import { readLabelIntervals } from '../adapters/files/labelIntervalReader.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import { UsageError } from '../src/errors.ts';
import { deliverResults } from '../src/stream/deliverResults.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';
import { TrialAnalyzer } from '../src/trials/trialAnalysis.ts';
import type { TrialOnset, TrialWindow } from '../src/trials/trialBinner.ts';
import type { CliIo } from './cliIo.ts';
import { runHeader } from './runHeader.ts';

/** The trial flags of `synergy replay` (docs/STREAMING.md, "Trials"). */
export interface TrialFlags {
  trials?: string;
  trialWindow?: string;
  trialCount: string;
  trialHop: number;
}

/** `A:B` seconds relative to each onset, A < B. */
export function parseTrialWindow(text: string): TrialWindow {
  const match = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*(-?[\d.]+(?:e-?\d+)?)\s*$/i.exec(text);
  const from = match === null ? Number.NaN : Number(match[1]);
  const to = match === null ? Number.NaN : Number(match[2]);
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(to > from)) {
    throw new UsageError(`--trial-window takes A:B, seconds relative to each trial's onset with A < B (e.g. 0:0.05), got '${text}'`);
  }
  return { from, to };
}

/**
 * `synergy replay RECORDING --trials FILE --trial-window A:B`: each trial
 * one sample (each unit's spike count in [onset + A, onset + B)), its
 * condition the mode; the last `--trial-count` trials (or all so far) every
 * `--trial-hop` trials. Trials are read like mode intervals (CSV/TSV/JSONL,
 * the onset from start|start_s|start_time, the condition from label or
 * --label-column); the recording's own labels are not used.
 */
export async function replayTrials(
  path: string,
  flags: TrialFlags & { out?: string; labelColumn?: string; start?: number; end?: number },
  options: AnalysisOptions,
  openOptions: Parameters<typeof openRecording>[1],
  io: CliIo,
): Promise<void> {
  if (flags.trialWindow === undefined) throw new UsageError('--trials needs --trial-window A:B (seconds around each onset, e.g. 0:0.05)');
  const window = parseTrialWindow(flags.trialWindow);
  const file = await readLabelIntervals(flags.trials!, { labelColumn: flags.labelColumn });
  const trials: TrialOnset[] = file.intervals.map((interval) => ({ onset: interval.start, label: interval.label }));
  if (trials.length === 0) throw new UsageError(`${flags.trials} holds no trial`);
  const count = flags.trialCount === 'all' ? trials.length : Number(flags.trialCount);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--trial-count takes a whole number ≥ 1 or 'all', got '${flags.trialCount}'`);
  const analyzer = new TrialAnalyzer(trials, window, options, { count, hop: flags.trialHop });
  const recording = await openRecording(path, openOptions);
  const header = runHeader('replay', path, recording.format, flags, options.seed);
  try {
    const updates = new Observable<SynergyUpdate>((subscriber) => {
      let stopped = false;
      void (async () => {
        for await (const batch of recording.spikes({ start: flags.start, end: flags.end })) {
          if (stopped) return;
          for (const update of analyzer.push(batch)) subscriber.next(update);
        }
        for (const update of analyzer.finish()) subscriber.next(update);
        subscriber.complete();
      })().catch((error: unknown) => subscriber.error(error));
      return () => {
        stopped = true;
      };
    });
    const delivered = await deliverResults(updates, { header, updatesFile: flags.out, updatesText: io.stdout });
    io.stderr(
      `synergy replay ${path} (${recording.format}, trials): ${trials.length} trials of [onset${window.from >= 0 ? '+' : ''}${window.from}, onset+${window.to}) s, ${delivered.updates} updates over the last ${count} trials every ${flags.trialHop}; ${analyzer.lateSpikes} late spikes dropped\n`,
    );
  } finally {
    await recording.close();
  }
}
