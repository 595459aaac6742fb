import { Observable } from 'rxjs';
import { openRecording } from '../adapters/openRecording.ts';
import { readTrials } from '../adapters/trials/readTrials.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import { UsageError } from '../src/errors.ts';
import { deliverResults } from '../src/stream/deliverResults.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';
import { TrialAnalyzer } from '../src/trials/trialAnalysis.ts';
import type { TrialWindow } from '../src/trials/trialBinner.ts';
import type { CliIo } from './cliIo.ts';
import { runHeader } from './runHeader.ts';
import { ReplayServer, type ReplayServeFlags } from './replayServer.ts';

/** The trial flags of `synergy replay` (docs/STREAMING.md, "Trials"). */
export interface TrialFlags {
  trials?: string;
  /** The column of the trials file holding each trial's onset (default start_time in NWB; start|start_s|start_time|onset|onset_s in text). */
  trialOnsetColumn?: string;
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
 * `--trial-hop` trials. Trials come from an NWB file's /intervals/trials
 * (possibly the recording's own) or a CSV/TSV/JSONL table (readTrials):
 * the onset from --trial-onset-column (default start_time, or in text
 * start|start_s|start_time|onset|onset_s), the condition from
 * --label-column (default label). --label-column names the trials'
 * condition here, so it is not passed on to the recording, whose own labels
 * are not used. Trials without an onset (NaN) are skipped and counted.
 */
export async function replayTrials(
  path: string,
  flags: TrialFlags & ReplayServeFlags & { out?: string; labelColumn?: string; start?: number; end?: number },
  options: AnalysisOptions,
  openOptions: Parameters<typeof openRecording>[1],
  io: CliIo,
): Promise<void> {
  if (flags.trialWindow === undefined) throw new UsageError('--trials needs --trial-window A:B (seconds around each onset, e.g. 0:0.05)');
  const window = parseTrialWindow(flags.trialWindow);
  const file = await readTrials(flags.trials!, { onsetColumn: flags.trialOnsetColumn, labelColumn: flags.labelColumn });
  const trials = file.trials;
  const count = flags.trialCount === 'all' ? trials.length : Number(flags.trialCount);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--trial-count takes a whole number ≥ 1 or 'all', got '${flags.trialCount}'`);
  const analyzer = new TrialAnalyzer(trials, window, options, { count, hop: flags.trialHop });
  const recording = await openRecording(path, { ...openOptions, labelColumn: undefined });
  const header = runHeader('replay', path, recording.format, options.groups === undefined ? flags : { ...flags, groupUnits: options.groups }, options.seed);
  let server: ReplayServer | undefined;
  try {
    server = await ReplayServer.start(flags, options, header, io);
    await server?.waitForSubscribers();
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
    const delivered = await deliverResults(updates, { header, updatesFile: flags.out, updatesText: io.stdout, publish: server === undefined ? undefined : (item) => server!.server.publish(item) });
    await server?.finish(delivered.updates, `the trial replay of ${path} ended after ${delivered.updates} update${delivered.updates === 1 ? '' : 's'}`);
    const unlabeled = trials.filter((trial) => trial.label === null).length;
    const notes = [
      file.skipped > 0 ? `${file.skipped} trials without an onset in '${file.onsetColumn}' skipped` : '',
      unlabeled > 0 ? `${unlabeled} trials without a condition in '${file.labelColumn}' (unlabeled)` : '',
    ].filter((note) => note !== '');
    io.stderr(
      `synergy replay ${path} (${recording.format}, trials): ${trials.length} trials of [onset${window.from >= 0 ? '+' : ''}${window.from}, onset+${window.to}) s, ${delivered.updates} updates over the last ${count} trials every ${flags.trialHop}; onsets from '${file.onsetColumn}', conditions from '${file.labelColumn}'; ${analyzer.lateSpikes} late spikes dropped${notes.map((note) => `; ${note}`).join('')}\n`,
    );
  } finally {
    await recording.close();
    await server?.close();
  }
}
