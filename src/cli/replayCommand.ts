import { createWriteStream, type WriteStream } from 'node:fs';
import { Command, Option } from 'commander';
import { Observable, lastValueFrom, tap } from 'rxjs';
import { readLabelIntervals, type LabelReadSummary } from '../../adapters/files/labelIntervalReader.ts';
import { readSpikeText, type SpikeReadSummary } from '../../adapters/files/spikeTextReader.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { attachLabels } from '../operators/attachLabels.ts';
import { binSpikes } from '../operators/binSpikes.ts';
import type { StreamCounters } from '../operators/binnedEvents.ts';
import { slidingSynergy } from '../operators/slidingSynergy.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import type { CliIo } from './main.ts';

interface ReplayFlags extends AnalysisFlags {
  labels?: string;
  out?: string;
  skipBad?: boolean;
  format?: 'csv' | 'tsv' | 'jsonl';
}

/** What a replay saw, for the summary line. */
export interface ReplaySummary {
  spikes: SpikeReadSummary;
  labels?: LabelReadSummary;
  counters: StreamCounters;
  bins: number;
  labeledBins: number;
  unlabeledBins: number;
  updates: number;
}

export function replayCommand(io: CliIo): Command {
  const command = new Command('replay')
    .summary('replay a recorded session through the streaming analysis')
    .description(
      `Reads spikes from a CSV, TSV or JSONL file (columns unit and t|time|time_s|timestamp,
seconds) and mode intervals from --labels (columns start|start_s, end|end_s,
label), bins them on event time and runs the sliding-window analysis exactly as
on a live stream. Writes one JSON object per update (JSONL) to stdout or --out:
{"type":"synergy","t","window","samples","labels","estimator","levels",
 "dropped":{"unlabeled","late"},"units","pairsComputed","pairs":[{"a","b",
 "joint","ia","ib","synergy","normalized","p"}]}  (bits; p with --surrogates)
and a summary line on stderr at the end (spikes, units, labeled and unlabeled
bins, drops by cause).

Spikes may be out of time order by up to --lateness; later ones are counted as
late, never mixed into a later bin (sort the file by time, or raise --lateness).
A malformed row stops the replay with an error naming file and line; with
--skip-bad it is counted and reported instead.

Examples:
  synergy replay session/spikes.csv --labels session/labels.csv
  synergy replay spikes.jsonl --labels labels.csv --bin 0.05 --window 30 --surrogates 99 --out updates.jsonl`,
    )
    .argument('<spikes>', 'spike file: .csv, .tsv or .jsonl')
    .option('--labels <file>', 'mode intervals: .csv, .tsv or .jsonl with start, end, label')
    .option('--out <file>', 'write updates to this file instead of stdout')
    .option('--skip-bad', 'count and report malformed rows instead of stopping')
    .addOption(new Option('--format <format>', 'spike file format (default: from the extension)').choices(['csv', 'tsv', 'jsonl']));
  addAnalysisOptions(command);
  return command.action(async (spikesFile: string, flags: ReplayFlags) => {
    const options = analysisOptionsFrom(flags);
    const summary = await replayFiles(spikesFile, flags, options, io);
    io.stderr(`${summaryLine(spikesFile, summary, options)}\n`);
  });
}

async function replayFiles(spikesFile: string, flags: ReplayFlags, options: AnalysisOptions, io: CliIo): Promise<ReplaySummary> {
  const labelFile = flags.labels === undefined ? undefined : await readLabelIntervals(flags.labels, { skipBad: flags.skipBad });
  const spikes = readSpikeText(spikesFile, { skipBad: flags.skipBad, format: flags.format });
  const events = new Observable<SourceEvent>((subscriber) => {
    let stopped = false;
    (async () => {
      for (const interval of labelFile?.intervals ?? []) subscriber.next(interval);
      for await (const batch of spikes) {
        if (stopped) break;
        subscriber.next(batch);
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
  const out: WriteStream | undefined = flags.out === undefined ? undefined : createWriteStream(flags.out);
  const write = (text: string) => (out === undefined ? io.stdout(text) : out.write(text));
  const tally = { bins: 0, labeledBins: 0, unlabeledBins: 0, updates: 0 };
  let counters: StreamCounters = { spikes: 0, late: 0, invalidTime: 0, lateLabels: 0 };
  try {
    await lastValueFrom(
      events.pipe(
        binSpikes({ binSeconds: options.binSeconds, latenessSeconds: options.latenessSeconds }),
        attachLabels({ binSeconds: options.binSeconds }),
        tap((event) => {
          counters = event.counters;
          if (event.kind !== 'labeled-frame') return;
          tally.bins += event.frame.binCount;
          for (const label of event.frame.label) {
            if (label >= 0) tally.labeledBins++;
            else tally.unlabeledBins++;
          }
        }),
        slidingSynergy(options),
        tap((update: SynergyUpdate) => {
          tally.updates++;
          write(`${JSON.stringify(update)}\n`);
        }),
      ),
      { defaultValue: undefined },
    );
  } finally {
    // Whatever was computed before an error is kept.
    if (out !== undefined) await new Promise<void>((resolve) => out.end(resolve));
  }
  return { spikes: spikes.summary, labels: labelFile?.summary, counters, ...tally };
}

/** The one-line summary on stderr at the end of a replay. */
export function summaryLine(file: string, s: ReplaySummary, options: AnalysisOptions): string {
  const parts = [
    `synergy replay ${file}: ${s.counters.spikes} spikes of ${s.spikes.units} units`,
    `${s.bins} bins of ${options.binSeconds} s (${s.labeledBins} labeled, ${s.unlabeledBins} unlabeled)`,
    `${s.updates} updates`,
  ];
  const drops = [
    `${s.counters.late} late`,
    `${s.counters.invalidTime} with invalid time`,
    `${s.counters.lateLabels} late labels`,
    `${s.spikes.skipped + (s.labels?.skipped ?? 0)} bad rows skipped`,
  ];
  let line = `${parts.join('; ')}; dropped: ${drops.join(', ')}`;
  const ignored = [...s.spikes.ignoredFields, ...(s.labels?.ignoredFields ?? [])];
  if (ignored.length > 0) line += `; ignored columns: ${ignored.join(', ')}`;
  if (s.counters.late > 0 && s.spikes.maxBackstepSeconds > options.latenessSeconds) {
    line += `; the file is not sorted by time (a spike lies up to ${s.spikes.maxBackstepSeconds.toFixed(3)} s before an earlier row): sort it or raise --lateness`;
  }
  if (s.labels === undefined) line += '; no --labels: every bin is unlabeled, so no pair was measured';
  return line;
}
