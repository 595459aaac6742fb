import { Command, InvalidArgumentError, Option } from 'commander';
import { TextRecording } from '../adapters/files/textRecording.ts';
import { overlapNote, readLabelIntervals, type LabelOverlap } from '../adapters/files/labelIntervalReader.ts';
import { changesToIntervals, openRecording, type OpenRecordingOptions } from '../adapters/openRecording.ts';
import { RECORDING_FORMATS, type RecordingFormat, type RecordingSource, type TimeRange } from '../adapters/recording.ts';
import { MULTI_TAG_POLICIES } from '../adapters/nwb/intervalTables.ts';
import { parseUnitFilter as parseUnitFilterText, type UnitFilter } from '../adapters/unitFilter.ts';
import { UsageError } from '../src/errors.ts';
import type { StreamCounters } from '../src/operators/binnedEvents.ts';
import { paceByEventTime } from '../src/replay/paceByEventTime.ts';
import { ReplayProgress } from '../src/replay/replayProgress.ts';
import { analyzeSegments } from '../src/replay/segmentedAnalysis.ts';
import { TimeJumpSegmenter, timeJumpSegments, type TimeJumpReport } from '../src/replay/timeJumpSegments.ts';
import type { LabelInterval, SpikeBatch } from '../src/stream/events.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';
import { deliverResults } from '../src/stream/deliverResults.ts';
import { raiseAlerts } from '../src/operators/raiseAlerts.ts';
import { addReplayServeOptions, ReplayServer, type ReplayServeFlags } from './replayServer.ts';
import { addAlertOptions, alertOptionsFrom, type AlertFlags } from './liveOptions.ts';
import { parseInteger } from './parseOptions.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import { addGroupOptions, groupAnalysisOptions, resolveGroups, type GroupFlags } from './groupOptions.ts';
import { replaySnapshots } from './snapshotReplay.ts';
import { replayTrials, type TrialFlags } from './trialReplay.ts';
import { addParallelOptions, openTiles, withTileAlerts, type OpenTiles, type ParallelFlags } from './parallelOptions.ts';
import { emptySelectionError, type TimeSpan } from './emptySelection.ts';
import type { CliIo } from './cliIo.ts';
import { runHeader } from './runHeader.ts';

/** Options that say how to read a recording (shared by replay and inspect). */
export interface RecordingFlags extends Omit<OpenRecordingOptions, 'unitFilters'> {
  /** Mode intervals from a text file instead of the recording's own. */
  labels?: string;
  /** Each --unit-filter, in the order given. */
  unitFilter?: UnitFilter[];
}

interface ReplayFlags extends AnalysisFlags, RecordingFlags, AlertFlags, ParallelFlags, TrialFlags, GroupFlags, ReplayServeFlags {
  out?: string;
  start?: number;
  end?: number;
  speed: number;
  maxTimeJump: number;
  snapshots?: boolean;
  snapshotValues: 'quantiles' | 'gaussian-copula';
  trialSurrogates: 'permutation' | 'lag';
}

/** Seconds after the latest spike beyond which a spike is held back as an outlier or the start of a pause. */
export const DEFAULT_MAX_TIME_JUMP_SECONDS = 600;

/** What a replay saw, for the summary line. */
export interface ReplaySummary {
  format: RecordingFormat;
  units: number;
  counters: StreamCounters;
  bins: number;
  labeledBins: number;
  unlabeledBins: number;
  updates: number;
  /** Alerts raised or cleared, by kind. */
  alerts: Record<string, number>;
  skippedRows: number;
  /** What the reader left out, by cause (units filtered out, unsorted spikes, unmapped events). */
  readerDrops: Record<string, number>;
  ignoredFields: string[];
  maxBackstepSeconds: number;
  hasLabels: boolean;
  /** Outliers left out and pauses where a new segment started. */
  timeJumps: TimeJumpReport;
  /** Label intervals of the --labels file that overlap another, and the first few by line. */
  overlappingLabels: number;
  labelOverlaps: readonly LabelOverlap[];
}

function parseSpeed(value: string): number {
  if (value === 'max') return Infinity;
  const speed = Number(value);
  if (!(speed > 0) || !Number.isFinite(speed)) throw new InvalidArgumentError(`--speed takes 'max' or a positive number, got '${value}'`);
  return speed;
}

function parseTime(option: string): (value: string) => number {
  return (value: string) => {
    const t = Number(value);
    if (value.trim() === '' || !Number.isFinite(t) || t < 0) throw new InvalidArgumentError(`${option} takes seconds ≥ 0, got '${value}'`);
    return t;
  };
}

/** Collects each --unit-filter COLUMN=VALUE[,VALUE…] (the option repeats: all must hold). */
function collectUnitFilter(value: string, previous: UnitFilter[] | undefined): UnitFilter[] {
  try {
    return [...(previous ?? []), parseUnitFilterText(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Adds the options that say how to read a recording. */
export function addRecordingOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'recording format (default: detected from content and name)').choices(RECORDING_FORMATS))
    .option('--labels <file>', 'mode intervals from a .csv/.tsv/.jsonl file (start|start_time, end|stop_time, label), instead of the recording’s own')
    .option(
      '--label-column <name>',
      "the column holding the mode: of the --labels file (default 'label'), or of an NWB file's /intervals/trials or /intervals/epochs ('tags' for the tags)",
    )
    .addOption(new Option('--label-table <table>', 'NWB: take --label-column from this interval table').choices(['trials', 'epochs']))
    .addOption(
      new Option('--multi-tag <policy>', "NWB: an interval with several tags is one mode 'a+b' (join, default), its first tag (first) or unlabeled (drop)").choices(
        MULTI_TAG_POLICIES,
      ),
    )
    .option('--units-table <path>', 'NWB: the Units table to read (default /units), e.g. processing/ecephys/units')
    .option(
      '--unit-filter <column=values>',
      'NWB and Phy: keep units whose COLUMN is one of VALUES (comma-separated, exact text), e.g. quality=good; repeat it and all must hold. NWB: /units columns and, through its electrodes, location and group_name; Phy: cluster table columns (group, KSLabel, ch, sh, …)',
      collectUnitFilter,
    )
    .option('--units <groups>', "Phy/Kilosort: --unit-filter group=GROUPS in any case: 'all' (default), 'good' or a list such as good,mua; unlisted clusters are 'unsorted'")
    .option('--ttl-labels <map>', 'Open Ephys TTL states (+line high, -line low) / NEV digital input words (0-65535) to modes, e.g. "1=go,-1=rest" (empty = gap)')
    .addOption(
      new Option('--unsorted <policy>', "Open Ephys cluster 0 / NEV unit 0 (unsorted) spikes: drop them (default) or count them per electrode ('channel')").choices([
        'drop',
        'channel',
      ]),
    )
    .option('--skip-bad', 'text files: count and report malformed rows instead of stopping');
}

/**
 * The reader's options among the command's flags. With --labels FILE,
 * --label-column names a column of that file (see labelFileOptionsFrom),
 * and the options about the recording's own interval tables do not apply.
 */
export function recordingOptionsFrom({ labels, labelColumn, unitFilter, ...options }: RecordingFlags): OpenRecordingOptions {
  if (labels !== undefined) {
    const own = [options.labelTable === undefined ? '' : '--label-table', options.multiTag === undefined ? '' : '--multi-tag'].filter((name) => name !== '');
    if (own.length > 0) throw new UsageError(`${own.join(' and ')} choose among the recording's own interval tables, which --labels FILE replaces`);
    return { ...options, unitFilters: unitFilter };
  }
  return { ...options, labelColumn, unitFilters: unitFilter };
}

/** How to read the --labels file. */
export function labelFileOptionsFrom(flags: RecordingFlags): { skipBad?: boolean; labelColumn?: string } {
  return { skipBad: flags.skipBad, labelColumn: flags.labelColumn };
}

/** Where the modes come from, for messages ('labels.csv', '--label-column condition'); undefined when none were asked for. */
function modesSource(flags: RecordingFlags): string | undefined {
  if (flags.labels !== undefined) return flags.labels;
  if (flags.labelColumn !== undefined) return `--label-column ${flags.labelColumn}`;
  if (flags.ttlLabels !== undefined) return `--ttl-labels ${flags.ttlLabels}`;
  return undefined;
}

export function replayCommand(io: CliIo): Command {
  const command = new Command('replay')
    .summary('replay a recorded session through the streaming analysis')
    .description(
      `Replays a recorded session through the same streaming analysis a live rig
feeds: spikes are binned on event time and a sliding-window update is
written every --hop seconds, one JSON object per line (JSONL) to stdout or
--out:
{"type":"synergy","t","window","samples","labels","estimator","levels",
 "dropped":{"unlabeled","late"},"units","pairsComputed","surrogates",
 "effective_surrogates","min_p","alpha","significant","discoveries",
 "pairs":[{"a","b","joint","ia","ib","synergy","normalized","excess","p",
 "p_fwer","p_fwer_tail","q"}]}  (bits; p, p_fwer and q from label-lag
 surrogates; normalized = synergy/joint, null when joint is below the
 floor; docs/MEASURES.md)
At the end a summary line goes to stderr: spikes, units, labeled and
unlabeled bins, drops by cause, alerts. On a terminal a progress bar shows
the share read, recording time, spikes/s and ETA (nothing off a terminal).
Pair alerts (--alert-alpha, --alert-effect, --alert-for; see 'synergy serve
--help') are printed on stderr, one line each (--quiet-alerts: not), and
go to --alerts-out; with --serve PORT, updates and alerts are also
published to subscribers at ws://127.0.0.1:PORT/subscribe as the replay
runs (docs/PROTOCOL.md), and a page shows them at http://127.0.0.1:PORT/
(docs/PAGE.md); --wait-subscribers N holds the replay until N subscribers
(pages count) are there, and --linger SECONDS keeps serving after the
end-of-stream message. With --speed 1 a page watches the recording as it
was recorded:
  synergy replay session.nwb --serve 7700 --speed 1 \\
      --wait-subscribers 1 --linger 600

A selection that leaves nothing to measure stops with exit 1 and says why:
a --start/--end without spikes (with the recording's span), a unit filter
no unit passes (with the values present), modes that never meet the
spikes (with both spans).

Formats (detected, or --format; docs/FORMATS.md):
  csv, tsv, jsonl  spike files: unit and t|time|time_s|timestamp (seconds);
                   modes from --labels FILE: start|start_s|start_time,
                   end|end_s|stop_time and label (or --label-column NAME)
  nwb              /units (id, spike_times, spike_times_index), or
                   --units-table PATH (e.g. processing/ecephys/units);
                   modes from --label-column of /intervals/trials or
                   /intervals/epochs (or 'tags': --multi-tag join|first|drop
                   for intervals with several); /intervals/invalid_times
                   are unlabeled; --unit-filter keeps units by a /units
                   column or an electrode column (location, group_name)
  phy              Phy/Kilosort output folder: spike_times.npy (samples) and
                   spike_clusters.npy (else spike_templates.npy); units are
                   cluster ids; --unit-filter by cluster table columns
                   (group, KSLabel, ch, sh, …; --units GROUPS for group);
                   groups from cluster_group.tsv (else cluster_info.tsv,
                   cluster_KSLabel.tsv); sample_rate from params.py (read,
                   never executed); modes from --labels
  openephys        Open Ephys GUI >= 0.6 binary recording: a recordingN
                   folder (structure.oebin), a Record Node or experiment
                   folder holding one, or one electrode's spike folder.
                   Units <electrode>:<cluster> (--unsorted drop|channel for
                   cluster 0); times from timestamps.npy, else
                   sample_numbers / sample_rate; modes from TTL lines via
                   --ttl-labels ("1=go,-1=": +line high, -line low, empty =
                   gap)
  nev              Blackrock NEV 2.x/3.0: spike packets (unit =
                   electrode:unit; unit 0 left out unless --unsorted
                   channel, noise 255 always left out); digital input words
                   as modes via --ttl-labels ("1=left,2=right,0=")
Use 'synergy inspect' first to see units, duration and label columns.

Spikes may be out of time order by up to --lateness; later ones are counted
as late, never mixed into a later bin. A malformed text row stops the replay
with an error naming file and line (--skip-bad counts it instead); a time
must lie in 0 s to 2^32 s. A spike more than --max-time-jump (600 s) after
the latest is held back: if the next spikes come back, it was an outlier
(left out, counted, named by file and line); if 100 more follow it, the
recording paused there and a new segment starts, analyzed afresh, so that
no update covers the pause. stderr names each (docs/STREAMING.md).

--trials FILE analyzes trials instead of bins: each trial one sample (each
unit's spikes in --trial-window A:B around its onset), its condition the
mode, the last --trial-count trials every --trial-hop (docs/STREAMING.md,
"Trials"). FILE is an NWB file's /intervals/trials (.nwb, the recording
itself or another) or a .csv/.tsv/.jsonl table with a row per trial (no end
column needed). --trial-onset-column names the onset (default start_time;
in text start|start_s|start_time|onset|onset_s; an event time such as
cue_time works), --label-column the condition (default label); trials with
a NaN onset are skipped and counted.

--snapshots: PATH holds snapshots of a network's activations (samples ×
neurons, a class per sample, a training step): a .npz (values|activations|x,
labels|y, step), a .npy with labels.npy beside it, a folder of them, a
.csv/.tsv (step,label,neurons...) or .jsonl. Each is analyzed whole, each
neuron quantized by its own quantiles into --levels symbols; one update per
snapshot, t = its step; p from permutations of the labels among the rows.

Examples:
  synergy replay session/spikes.csv --labels session/labels.csv
  synergy replay session.nwb --label-column condition --unit-filter quality=good
  synergy replay session.nwb --units-table processing/ecephys/units \\
      --label-column tags --unit-filter location=CA1,CA3
  synergy replay kilosort/ --units good --labels modes.csv --speed 1
  synergy replay kilosort/ --unit-filter KSLabel=good --unit-filter sh=0 \\
      --labels trials.csv --label-column condition
  synergy replay spikes.csv --trials trials.csv --trial-window 0:0.05 \\
      --trial-count 200 --trial-hop 20     # each trial one sample
  synergy replay session.nwb --trials session.nwb --label-column condition \\
      --trial-onset-column cue_time --trial-window 0:0.2
  synergy replay checkpoints/ --snapshots --levels 3 --out synergy.jsonl
  synergy replay "Record Node 101" --ttl-labels "1=go,-1=,2=rest,-2="
  synergy replay session.nev --ttl-labels "1=left,2=right,0=" --start 600
  synergy replay spikes.jsonl --labels labels.csv --alert-alpha 0.01 \\
      --out updates.jsonl --alerts-out alerts.jsonl --serve 7700`,
    )
    .argument('<recording>', 'a spike file (.csv, .tsv, .jsonl), an NWB or NEV file, or a Phy / Open Ephys folder')
    .option('--out <file>', 'write updates to this file instead of stdout')
    .option('--start <seconds>', 'replay from this recording time', parseTime('--start'))
    .option('--end <seconds>', 'replay up to this recording time', parseTime('--end'))
    .addOption(new Option('--speed <speed>', "pace by event time: 'max' (as fast as possible), 1 (real time) or N times real time").argParser(parseSpeed).default(Infinity, 'max'))
    .option(
      '--max-time-jump <seconds>',
      'a spike more than this after the latest is held: an outlier if the next come back, a new segment if 100 follow it (at least --window)',
      parseTime('--max-time-jump'),
      DEFAULT_MAX_TIME_JUMP_SECONDS,
    );
  addReplayServeOptions(command);
  addRecordingOptions(command);
  command
    .option(
      '--trials <file>',
      'trial onsets and conditions: an NWB file\'s /intervals/trials (.nwb) or a CSV/TSV/JSONL table; the condition from label or --label-column: each trial one sample (docs/STREAMING.md, "Trials")',
    )
    .option('--trial-onset-column <name>', 'with --trials: the column holding each trial\'s onset, its start or an event time (default start_time; in text start|start_s|start_time|onset|onset_s)')
    .option('--trial-window <A:B>', 'with --trials: count each unit\'s spikes in [onset+A, onset+B) seconds, e.g. 0:0.05')
    .option('--trial-count <n|all>', "with --trials: analyze the last n trials ('all': every trial so far)", 'all')
    .option('--trial-hop <k>', 'with --trials: an update every k trials', parseInteger('--trial-hop', 1), 100)
    .addOption(
      new Option('--trial-surrogates <scheme>', "with --trials: 'permutation' (conditions permuted among the window's trials: exact when they are randomized) or 'lag' (conditions shifted along the trials: keeps blocks)")
        .choices(['permutation', 'lag'])
        .default('permutation'),
    )
    .addOption(
      new Option('--snapshot-values <how>', "with --snapshots: 'quantiles' (each neuron quantized by its own quantiles into --levels symbols) or 'gaussian-copula' (normal scores of the ranks, Gaussian entropies per class, bias-corrected)")
        .choices(['quantiles', 'gaussian-copula'])
        .default('quantiles'),
    )
    .option('--snapshots', 'the path holds snapshots of activations (.npz, .npy, a folder of them, .csv/.tsv, .jsonl): each analyzed whole, one update per snapshot (docs/STREAMING.md, "Snapshots")');
  addAnalysisOptions(command);
  addGroupOptions(command, { groupBy: true });
  addParallelOptions(command);
  addAlertOptions(command);
  return command.action(async (path: string, flags: ReplayFlags) => {
    const options: AnalysisOptions = analysisOptionsFrom(flags);
    if (flags.start !== undefined && flags.end !== undefined && flags.end <= flags.start) {
      throw new UsageError(`--end (${flags.end}) must be later than --start (${flags.start})`);
    }
    if (flags.snapshots === true) {
      if (flags.trials !== undefined) throw new UsageError('--snapshots and --trials do not go together: snapshots have no spikes to count in trials');
      if (flags.groupBy !== undefined) throw new UsageError('--group-by reads a recording\'s unit metadata; snapshots have none: name the groups with --groups FILE');
      const groups = await resolveGroups(flags);
      if (groups !== undefined && flags.snapshotValues === 'gaussian-copula') {
        throw new UsageError('--groups on snapshots needs --snapshot-values quantiles: groups are measured on the quantile symbols');
      }
      await replaySnapshots(path, flags, { ...options, snapshotValues: flags.snapshotValues, ...groupAnalysisOptions(flags, groups) }, io);
      return;
    }
    if (flags.trials !== undefined) {
      // Groups by the recording's metadata need it opened here too (the trial replay opens its own).
      const groups = await resolveGroups(flags, flags.groupBy === undefined ? undefined : await openRecording(path, recordingOptionsFrom(flags)), (line) => io.stderr(`synergy replay: ${line}\n`));
      await replayTrials(path, flags, { ...options, surrogateScheme: flags.trialSurrogates, ...groupAnalysisOptions(flags, groups) }, recordingOptionsFrom(flags), io);
      return;
    }
    if (!(flags.maxTimeJump >= options.windowSeconds)) {
      throw new UsageError(`--max-time-jump (${flags.maxTimeJump} s) must be at least --window (${options.windowSeconds} s)`);
    }
    const { summary, emptySelection } = await replay(path, flags, options, io);
    io.stderr(`${summaryLine(path, summary, options)}\n`);
    // What was computed is written and summarized first; then why it measured nothing.
    if (emptySelection !== undefined) throw emptySelection;
  });
}

async function replay(path: string, flags: ReplayFlags, options: AnalysisOptions, io: CliIo): Promise<{ summary: ReplaySummary; emptySelection?: Error }> {
  const range: TimeRange = { start: flags.start, end: flags.end };
  const openOptions = recordingOptionsFrom(flags);
  const labelFile = flags.labels === undefined ? undefined : await readLabelIntervals(flags.labels, labelFileOptionsFrom(flags));
  const recording = await openRecording(path, openOptions);
  const groups = await resolveGroups(flags, recording, (line) => io.stderr(`synergy replay: ${line}\n`));
  options = { ...options, ...groupAnalysisOptions(flags, groups) };
  const header = runHeader('replay', path, recording.format, groups === undefined ? flags : { ...flags, groupUnits: groups }, options.seed);
  // Every pair's synergy rides with each update for the page's matrix (docs/PAGE.md).
  if (flags.serve !== undefined) options = { ...options, pairMatrix: true };
  const server = await ReplayServer.start(flags, options, header, io);
  const progress = new ReplayProgress();
  const tally = { bins: 0, labeledBins: 0, unlabeledBins: 0, updates: 0 };
  let alerts: Record<string, number> = {};
  let counters: StreamCounters = { spikes: 0, late: 0, invalidTime: 0, lateLabels: 0 };
  let latestBinEnd = 0;
  const segmenter = new TimeJumpSegmenter({ maxJumpSeconds: flags.maxTimeJump, describe: (batch, index) => recording.describeSpike(batch, index) });
  const spikeSpan: TimeSpan = { first: Infinity, last: -Infinity };
  let emptySelection: Error | undefined;
  let tiles: OpenTiles | undefined;
  server?.reportStatus(() => [
    {
      name: path,
      connected: true,
      lost: false,
      ended: tally.updates > 0,
      messages: tally.bins,
      spikes: counters.spikes,
      missing: 0,
      rejected: counters.late + counters.invalidTime,
      latestTime: latestBinEnd,
      progress: recording.progress(),
    },
  ]);
  try {
    await server?.waitForSubscribers();
    // The recording's units plan the tiles (worker threads with --workers, Redis workers with --cluster).
    tiles = await openTiles(flags, recording.unitIds.length, (line) => io.stderr(`synergy replay: ${line}\n`));
    const intervals = clipIntervals(changesToIntervals(labelFile?.intervals ?? (await recording.labels(range))), range);
    const updates = analyzeSegments(timeJumpSegments(recording.spikes(range), segmenter), {
      analysis: options,
      intervals,
      rangeStartSeconds: range.start,
      maxJumpSeconds: flags.maxTimeJump,
      tiles: tiles.source,
      pace: (batches) => paceByEventTime(widenSpan(batches, spikeSpan), flags.speed),
      onEvent: (event, total) => {
        counters = total;
        if (event.kind !== 'labeled-frame') return;
        tally.bins += event.frame.binCount;
        for (const label of event.frame.label) {
          if (label >= 0) tally.labeledBins++;
          else tally.unlabeledBins++;
        }
        latestBinEnd = (event.frame.firstBin + event.frame.binCount) * options.binSeconds;
        progress.update(recording.progress(), latestBinEnd, counters.spikes);
      },
    });
    const delivered = await deliverResults(withTileAlerts(updates.pipe(raiseAlerts(alertOptionsFrom(flags, options))), tiles.alerts), {
      header,
      updatesFile: flags.out,
      updatesText: io.stdout,
      alertsFile: flags.alertsOut,
      alertLine: flags.quietAlerts
        ? undefined
        : (line) => {
            progress.clearLine();
            io.stderr(`${line}\n`);
          },
      publish: server === undefined ? undefined : (item) => server.server.publish(item),
    });
    tally.updates = delivered.updates;
    await server?.finish(delivered.updates, `the replay of ${path} ended after ${delivered.updates} update${delivered.updates === 1 ? '' : 's'}`);
    alerts = delivered.alertsByKind;
    emptySelection = await emptySelectionError(
      {
        path,
        range,
        binSeconds: options.binSeconds,
        spikes: counters.spikes,
        spikeSpan: spikeSpan.first <= spikeSpan.last ? spikeSpan : null,
        modes: modesSource(flags),
        clippedIntervals: intervals,
        labeledBins: tally.labeledBins,
        readerDrops: recording.readSummary().dropped,
      },
      {
        // The whole recording's spans come from a fresh reader: the replay's one has read only the range (and keeps its counts).
        describe: () => withRecording(path, openOptions, (whole) => whole.describe()),
        allModes: async () => changesToIntervals(labelFile?.intervals ?? (await withRecording(path, openOptions, (whole) => whole.labels()))),
      },
    );
  } finally {
    progress.stop();
    await tiles?.close();
    const where = tiles?.report();
    if (where !== undefined) io.stderr(`synergy replay: ${where}\n`);
    await recording.close();
    await server?.close();
    // What was left out or split is said even when the replay stops on an error.
    for (const line of warningLines(recording.readSummary().droppedExamples ?? [], segmenter.report, labelFile === undefined ? undefined : overlapNote(labelFile.summary))) {
      io.stderr(`synergy replay: ${line}\n`);
    }
  }
  const text = recording instanceof TextRecording ? recording.summary : undefined;
  const summary: ReplaySummary = {
    format: recording.format,
    units: recording.unitIds.length,
    counters,
    ...tally,
    alerts,
    skippedRows: (text?.skipped ?? 0) + (labelFile?.summary.skipped ?? 0),
    readerDrops: recording.readSummary().dropped,
    ignoredFields: [...(text?.ignoredFields ?? []), ...(labelFile?.summary.ignoredFields ?? [])],
    maxBackstepSeconds: recording.readSummary().maxBackstepSeconds,
    hasLabels: modesSource(flags) !== undefined || tally.labeledBins > 0,
    timeJumps: segmenter.report,
    overlappingLabels: labelFile?.summary.overlapping ?? 0,
    labelOverlaps: labelFile?.summary.overlapExamples ?? [],
  };
  return { summary, emptySelection };
}

/** Runs `read` on a recording opened for it, and closes it. */
async function withRecording<T>(path: string, options: OpenRecordingOptions, read: (recording: RecordingSource) => Promise<T>): Promise<T> {
  const recording = await openRecording(path, options);
  try {
    return await read(recording);
  } finally {
    await recording.close();
  }
}

/** Intervals cut to the replayed range (the stream starts at the range, not at the first label). */
function clipIntervals(intervals: readonly LabelInterval[], range: TimeRange): LabelInterval[] {
  const start = range.start ?? -Infinity;
  const end = range.end ?? Infinity;
  return intervals
    .map((interval) => ({ ...interval, start: Math.max(interval.start, start), end: Math.min(interval.end, end) }))
    .filter((interval) => interval.end > interval.start);
}

/** The spikes a segment hands on, widening `span` to their times (for the message of a replay that measured nothing). */
async function* widenSpan(batches: AsyncIterable<SpikeBatch>, span: TimeSpan): AsyncIterable<SpikeBatch> {
  for await (const batch of batches) {
    const t = batch.t;
    for (let i = 0; i < t.length; i++) {
      if (t[i] < span.first) span.first = t[i];
      if (t[i] > span.last) span.last = t[i];
    }
    yield batch;
  }
}

/** One line each: spikes a reader left out for an invalid time, outliers, pauses (new segments), overlapping labels. */
export function warningLines(readerExamples: readonly string[], jumps: TimeJumpReport, labelOverlaps: string | undefined): string[] {
  const lines = readerExamples.map((example) => `warning: ${example}`);
  for (const example of jumps.outlierExamples) lines.push(`warning: ${example}`);
  if (jumps.outliers > jumps.outlierExamples.length) lines.push(`warning: … ${jumps.outliers - jumps.outlierExamples.length} more outliers left out`);
  for (const pause of jumps.pauseExamples) {
    lines.push(
      `warning: the recording pauses from ${pause.fromSeconds} s to ${pause.toSeconds} s (${pause.where}): a new segment starts there; no update covers the pause`,
    );
  }
  if (jumps.pauses > jumps.pauseExamples.length) lines.push(`warning: … ${jumps.pauses - jumps.pauseExamples.length} more pauses, each starting a new segment`);
  if (labelOverlaps !== undefined) lines.push(`warning: ${labelOverlaps}`);
  return lines;
}

/** The one-line summary on stderr at the end of a replay. */
export function summaryLine(path: string, s: ReplaySummary, options: AnalysisOptions): string {
  const parts = [
    `synergy replay ${path} (${s.format}): ${s.counters.spikes} spikes of ${s.units} units`,
    `${s.bins} bins of ${options.binSeconds} s (${s.labeledBins} labeled, ${s.unlabeledBins} unlabeled)`,
    `${s.updates} updates`,
  ];

  const drops = [
    `${s.counters.late} late`,
    `${s.counters.invalidTime} with invalid time`,
    `${s.counters.lateLabels} late labels`,
    `${s.skippedRows} bad rows skipped`,
    ...(s.timeJumps.outliers > 0 ? [`${s.timeJumps.outliers} with outlier time`] : []),
    ...Object.entries(s.readerDrops).map(([cause, count]) => `${count} ${cause}`),
  ];
  let line = `${parts.join('; ')}; dropped: ${drops.join(', ')}`;
  const alerts = Object.entries(s.alerts).map(([kind, count]) => `${count} ${kind}`);
  if (alerts.length > 0) line += `; alerts: ${alerts.join(', ')}`;
  if (s.timeJumps.pauses > 0) {
    line += `; ${s.timeJumps.pauses + 1} segments (the recording pauses ${s.timeJumps.pauses === 1 ? 'once' : `${s.timeJumps.pauses} times`} for more than --max-time-jump)`;
  }
  if (s.overlappingLabels > 0) {
    const lines = s.labelOverlaps.map((overlap) => `line ${overlap.line} overlaps line ${overlap.otherLine}`);
    line += `; ${s.overlappingLabels} overlapping label intervals (${lines.join(', ')}${s.overlappingLabels > lines.length ? ', …' : ''})`;
  }
  if (s.ignoredFields.length > 0) line += `; ignored columns: ${s.ignoredFields.join(', ')}`;
  if (s.counters.late > 0 && s.maxBackstepSeconds > options.latenessSeconds) {
    line += `; the file is not sorted by time (a spike lies up to ${s.maxBackstepSeconds.toFixed(3)} s before an earlier row): sort it or raise --lateness`;
  }
  if (!s.hasLabels) line += '; no modes (give --labels, or the recording’s label option): every bin is unlabeled, so no pair was measured';
  return line;
}
