import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputFormatError, UsageError } from '../../src/errors.ts';
import type { LabelChange, LabelInterval } from '../../src/stream/events.ts';
import { InvalidTimeTally } from '../invalidSpikeTimes.ts';
import { DEFAULT_BATCH_SPIKES, mergeSortedRuns } from '../mergeSortedRuns.ts';
import type { OpenRecordingOptions } from '../recording.ts';
import type { RecordedSpikeBatch, RecordingDescription, RecordingReadSummary, RecordingSource, TimeRange } from '../recording.ts';
import { clipToRange } from '../timeRange.ts';
import { parseTtlLabels } from '../ttlLabels.ts';
import { fileExists } from './folderFiles.ts';
import { readOebinStructure, type OebinStructure } from './oebinStructure.ts';
import { locateRecording } from './recordingLocation.ts';
import { SpikeFolder, spikeChunks, type SpikeFolderSpec } from './spikeFolder.ts';
import { countStates, TtlFolder, ttlModeChanges, type TtlEvents } from './ttlFolder.ts';
import { IdTable } from '../../src/stream/idTable.ts';

/** Which of the format's two clocks the times come from. */
export type OpenEphysClock = 'timestamps' | 'sample-numbers';

/** A reader's causes of left-out data, as printed in the replay summary. */
const UNSORTED = 'unsorted spikes (cluster 0)';
const UNMAPPED = 'TTL events of unmapped states';
const OTHER_TTL = 'TTL events of other TTL folders';
const INVALID_TTL = 'TTL events with a time that is not valid (not a number, negative or beyond 2^32 s)';

/** Spikes read per electrode and step: bounded in total, so that hundreds of electrodes stay within memory. */
function chunkSpikesFor(folders: number): number {
  return Math.max(4096, Math.min(65536, Math.floor((1 << 22) / Math.max(1, folders))));
}

interface Layout {
  /** The recording folder (undefined when a lone spike folder was given). */
  recordingFolder: string | undefined;
  guiVersion: string | undefined;
  spikeFolders: SpikeFolder[];
  ttlFolders: TtlFolder[];
  /** Event folders that are not TTL channels (MessageCenter, binary groups). */
  otherEventFolders: string[];
  /** Spike folders on disk that structure.oebin does not list. */
  unlistedSpikeFolders: string[];
  /** Electrode names that repeat across streams (their units are named by folder instead). */
  repeatedNames: string[];
}

/** What the current (or last) spikes() pass has read and left out. */
interface PassTally {
  /** Spikes read from the files (kept or not) and to be read in the range. */
  read: number;
  total: number;
  /** Cluster-0 spikes left out. */
  unsorted: number;
  /** Spikes left out for an invalid time. */
  invalid: InvalidTimeTally;
  maxBackstepSeconds: number;
  done: boolean;
}

interface Clock {
  kind: OpenEphysClock;
  /** Folders without timestamps.npy, when they forced the sample-number clock. */
  missingTimestamps: string[];
}

/**
 * An Open Ephys GUI (≥ 0.6) binary recording as a RecordingSource: the
 * spikes of every electrode folder under `spikes/`, merged into time order
 * while they are read in chunks, and modes from TTL events through
 * `--ttl-labels`.
 *
 * - Units are `<electrode>:<sorted id>` ('Stereotrode 1:3'), the electrode
 *   named as structure.oebin names it (its folder name otherwise; by folder
 *   path when two streams have electrodes of one name). Cluster 0 (unsorted)
 *   spikes are dropped and counted (`unsorted: 'drop'`, the default) or
 *   kept as one multi-unit `<electrode>:0` (`unsorted: 'channel'`).
 * - Times come from `timestamps.npy` (seconds on the Record Node's
 *   synchronized clock, which all streams share whatever their sample rate)
 *   when every folder read has it; otherwise every folder's
 *   `sample_numbers.npy` is divided by its stream's `sample_rate`, so that
 *   spikes and TTL events never mix clocks.
 * - Modes: `--ttl-labels` maps TTL states (+line high, −line low) to modes;
 *   each event of a mapped state changes the mode, others leave it and are
 *   counted. With several TTL folders (streams), modes come from the first,
 *   in structure.oebin order, that holds a mapped state; the events of the
 *   others are counted as left out. At one instant, lines going low take
 *   effect before lines going high, so that a hand-over from one line to
 *   another yields the new mode, not a gap.
 *
 * Layout sources: gui-docs "Binary format" (open-ephys/gui-docs,
 * source/User-Manual/Recording-data/Binary-format.rst), the GUI's writer
 * (open-ephys/plugin-GUI, Source/Processors/RecordNode/BinaryFormat/BinaryRecording.cpp)
 * and open-ephys/open-ephys-python-tools (src/open_ephys/analysis/formats/BinaryRecording.py).
 */
export class OpenEphysRecording implements RecordingSource {
  readonly format = 'openephys' as const;
  private readonly units = new IdTable();
  readonly unitIds: string[] = this.units.ids;
  private pass: PassTally = { read: 0, unsorted: 0, total: 0, maxBackstepSeconds: 0, done: false, invalid: new InvalidTimeTally() };
  /** The spike folder of each unit (by unit index), to name where a spike is. */
  private readonly folderOfUnit: SpikeFolder[] = [];
  private labelDrops: Record<string, number> = {};
  private ttlEvents: Promise<TtlEvents[]> | undefined;

  private constructor(
    readonly path: string,
    private readonly layout: Layout,
    readonly clock: Clock,
    private readonly unsorted: 'drop' | 'channel',
    private readonly ttlMap: ReadonlyMap<number, string | null> | undefined,
  ) {}

  /**
   * Opens a recording folder, an experiment / Record Node folder holding one
   * recording, or a single electrode's spike folder, and checks every
   * folder it will read (arrays present, readable and of one length).
   */
  static async open(path: string, options: OpenRecordingOptions = {}): Promise<OpenEphysRecording> {
    const ttlMap = options.ttlLabels === undefined ? undefined : parseTtlLabels(options.ttlLabels);
    const unsorted = options.unsorted ?? 'drop';
    const location = await locateRecording(path);
    if (location.kind === 'spike-folder') {
      if (ttlMap !== undefined) {
        throw new UsageError('--ttl-labels needs the recording folder: TTL events are in its events/ folder, not in a spike folder');
      }
      const { folder, clock } = await openLoneSpikeFolder(location.folder, location.recordingFolder);
      const layout: Layout = {
        recordingFolder: undefined,
        guiVersion: undefined,
        spikeFolders: [folder],
        ttlFolders: [],
        otherEventFolders: [],
        unlistedSpikeFolders: [],
        repeatedNames: [],
      };
      return new OpenEphysRecording(path, layout, clock, unsorted, undefined);
    }
    const layout = await openRecordingFolder(location.folder);
    const timed = [...layout.spikeFolders, ...(ttlMap === undefined ? [] : layout.ttlFolders)];
    const missingTimestamps = timed.filter((folder) => !folder.hasTimestamps).map((folder) => folder.spec.label);
    const clock: Clock = { kind: missingTimestamps.length === 0 ? 'timestamps' : 'sample-numbers', missingTimestamps };
    if (clock.kind === 'sample-numbers') {
      const rateless = [...layout.spikeFolders, ...(ttlMap === undefined ? [] : layout.ttlFolders)].find((folder) => folder.spec.sampleRate === undefined);
      if (rateless !== undefined) {
        throw new InputFormatError(
          `structure.oebin gives no sample_rate for this folder, and timestamps.npy is missing in ${missingTimestamps.join(', ')}: its sample_numbers.npy cannot be turned into seconds`,
          rateless.spec.path,
        );
      }
    }
    for (const folder of layout.spikeFolders) folder.useClock(clock.kind);
    return new OpenEphysRecording(path, layout, clock, unsorted, ttlMap);
  }

  async labels(range: TimeRange = {}): Promise<Array<LabelInterval | LabelChange>> {
    this.labelDrops = {};
    if (this.ttlMap === undefined) return [];
    const all = await this.readTtlEvents();
    const used = this.modeFolderIndex(all);
    if (used < 0) return [];
    const { changes, unmapped } = ttlModeChanges(all[used], this.ttlMap, range);
    if (unmapped > 0) this.labelDrops[UNMAPPED] = unmapped;
    if (all[used].invalidTimes > 0) this.labelDrops[INVALID_TTL] = all[used].invalidTimes;
    let others = 0;
    all.forEach((events, k) => {
      if (k !== used) for (const t of events.t) if (!(t < (range.start ?? -Infinity) || t >= (range.end ?? Infinity))) others++;
    });
    if (others > 0) this.labelDrops[OTHER_TTL] = others;
    return changes;
  }

  async *spikes(range: TimeRange = {}, batchSize: number = DEFAULT_BATCH_SPIKES): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
    const folders = this.layout.spikeFolders;
    const pass: PassTally = (this.pass = { read: 0, unsorted: 0, total: 0, maxBackstepSeconds: 0, done: false, invalid: new InvalidTimeTally() });
    const ranges: Array<[number, number]> = [];
    for (const folder of folders) ranges.push(await folder.indexRange(range));
    pass.total = ranges.reduce((sum, [first, end]) => sum + (end - first), 0);
    const chunkSpikes = chunkSpikesFor(folders.length);
    const runs = folders.map((folder, k) => spikeChunks(folder, ranges[k], chunkSpikes, (cluster) => this.unitOf(folder, cluster), pass));
    let latest = -Infinity;
    for await (const batch of clipToRange(mergeSortedRuns(runs, this.unitIds, batchSize), range)) {
      const t = batch.t;
      for (let i = 0; i < t.length; i++) {
        if (t[i] < latest) pass.maxBackstepSeconds = Math.max(pass.maxBackstepSeconds, latest - t[i]);
        else latest = t[i];
      }
      yield batch;
    }
    pass.done = true;
  }

  progress(): number {
    if (this.pass.done) return 1;
    return this.pass.total === 0 ? 0 : Math.min(1, this.pass.read / this.pass.total);
  }

  readSummary(): RecordingReadSummary {
    const dropped: Record<string, number> = { ...this.labelDrops };
    if (this.pass.unsorted > 0) dropped[UNSORTED] = this.pass.unsorted;
    return { ...this.pass.invalid.summaryFields(dropped), maxBackstepSeconds: this.pass.maxBackstepSeconds };
  }

  describeSpike(batch: RecordedSpikeBatch, index: number): string {
    const unit = batch.unit[index];
    const folder = this.folderOfUnit[unit];
    const position = batch.position?.[index];
    const id = `unit ${batch.unitIds[unit]}`;
    return folder === undefined || position === undefined ? `${this.path} (${id})` : `${folder.timesFile}, index ${position} (${id})`;
  }

  async describe(): Promise<RecordingDescription> {
    const { spikeFolders, ttlFolders } = this.layout;
    const units: RecordingDescription['units'] = [];
    let firstSpike: number | null = null;
    let lastSpike: number | null = null;
    let unsortedSpikes = 0;
    const unsortedElectrodes: string[] = [];
    for (const folder of spikeFolders) {
      const census = await clusterCensus(folder, chunkSpikesFor(1), this.unsorted === 'drop');
      for (const [cluster, spikes] of [...census.counts].sort((a, b) => a[0] - b[0])) {
        if (cluster === 0) {
          unsortedSpikes += spikes;
          unsortedElectrodes.push(folder.spec.electrode);
          if (this.unsorted === 'drop') continue;
        }
        const unit: RecordingDescription['units'][number] = { id: `${folder.spec.electrode}:${cluster}`, spikes, electrode: folder.spec.electrode, cluster };
        if (folder.spec.streamName !== undefined) unit.stream = folder.spec.streamName;
        units.push(unit);
      }
      if (census.firstKept >= 0) {
        const first = (await folder.readTimes(census.firstKept, census.firstKept + 1))[0];
        const last = (await folder.readTimes(census.lastKept, census.lastKept + 1))[0];
        firstSpike = firstSpike === null ? first : Math.min(firstSpike, first);
        lastSpike = lastSpike === null ? last : Math.max(lastSpike, last);
      }
    }

    const notes: string[] = [];
    if (this.layout.guiVersion !== undefined) notes.push(`written by Open Ephys GUI ${this.layout.guiVersion}`);
    notes.push(this.clockNote());
    if (unsortedSpikes > 0) {
      notes.push(
        this.unsorted === 'drop'
          ? `${unsortedSpikes} spikes of cluster 0 (unsorted) on ${unsortedElectrodes.join(', ')} are dropped; --unsorted channel counts them as one multi-unit per electrode (<electrode>:0)`
          : `${unsortedSpikes} spikes of cluster 0 (unsorted) are counted as one multi-unit per electrode (${unsortedElectrodes.map((name) => `${name}:0`).join(', ')})`,
      );
    }
    if (this.layout.repeatedNames.length > 0) {
      notes.push(`electrode names repeat across streams (${this.layout.repeatedNames.join(', ')}): their units are named by folder, e.g. '${spikeFolders.find((f) => f.spec.electrode.includes('/'))?.spec.electrode}:1'`);
    }
    if (this.layout.recordingFolder === undefined) notes.push('a single spike folder was given: no TTL events are read (give --labels FILE, or the recording folder)');
    if (this.layout.unlistedSpikeFolders.length > 0) notes.push(`spike folders not listed in structure.oebin, not read: ${this.layout.unlistedSpikeFolders.join(', ')}`);
    if (this.layout.otherEventFolders.length > 0) notes.push(`event folders that are not TTL channels, not read: ${this.layout.otherEventFolders.join(', ')}`);

    const labelSources: RecordingDescription['labelSources'] = [];
    const statesSeen = new Map<number, number>();
    const folderStates: Array<Map<number, number>> = [];
    for (const folder of ttlFolders) {
      const counts = countStates(await folder.readStates());
      folderStates.push(counts);
      for (const [state, count] of counts) statesSeen.set(state, (statesSeen.get(state) ?? 0) + count);
      const values = [...counts]
        .sort((a, b) => Math.abs(a[0]) - Math.abs(b[0]) || b[0] - a[0])
        .map(([state, count]) => ({ label: stateName(state, this.ttlMap), count }));
      labelSources.push({ name: `TTL states in ${folder.spec.label}`, values });
      const word = folder.spec.initialState ?? 0;
      if (word !== 0) {
        notes.push(`${folder.spec.label}: TTL word 0x${word.toString(16)} when recording started (initial_state): a line already high has no rising event, so its mode starts only at its next event`);
      }
    }
    if (ttlFolders.length > 0 && this.ttlMap === undefined) {
      const lines = [...new Set([...statesSeen.keys()].map(Math.abs))].sort((a, b) => a - b);
      notes.push(
        lines.length === 0
          ? 'the TTL folders hold no events'
          : `TTL lines seen: ${lines.join(', ')}; give --ttl-labels to read modes from them, e.g. "${lines[0]}=<mode while high>,-${lines[0]}=<mode while low, empty for a gap>"`,
      );
    }
    if (this.ttlMap !== undefined) {
      const unseen = [...this.ttlMap.keys()].filter((state) => !statesSeen.has(state));
      if (unseen.length > 0) {
        const seen = [...statesSeen.keys()].sort((a, b) => Math.abs(a) - Math.abs(b) || b - a);
        notes.push(
          `warning: --ttl-labels names ${unseen.map((state) => stateName(state, undefined)).join(', ')}, which no TTL event has (states seen: ${seen.length === 0 ? 'none' : seen.map(signed).join(', ')})`,
        );
      }
      const all = await this.readTtlEvents();
      const used = this.modeFolderIndex(all);
      if (used < 0) {
        notes.push('--ttl-labels matches no TTL event: the recording gives no modes');
      } else {
        const ttlEnd = Math.max(lastSpike ?? -Infinity, all[used].t.length > 0 ? all[used].t[all[used].t.length - 1] : -Infinity);
        const { changes, unmapped } = ttlModeChanges(all[used], this.ttlMap);
        labelSources.push({ name: `--ttl-labels on ${ttlFolders[used].spec.label}`, values: modeTallies(changes, ttlEnd) });
        if (unmapped > 0) notes.push(`${unmapped} TTL events of states not in --ttl-labels leave the mode as it is`);
        const others = ttlFolders.filter((_, k) => k !== used).map((folder) => folder.spec.label);
        if (others.length > 0) notes.push(`modes come from ${ttlFolders[used].spec.label} (the first TTL folder with a mapped state); not used: ${others.join(', ')}`);
      }
    }

    const rates = new Set(spikeFolders.map((folder) => folder.spec.sampleRate).filter((rate) => rate !== undefined));
    const description: RecordingDescription = { format: 'openephys', path: this.path, units, firstSpike, lastSpike, labelSources, notes };
    if (rates.size === 1) description.sampleRate = [...rates][0];
    return description;
  }

  async close(): Promise<void> {}

  /** Unit index of an electrode's cluster (−1: left out), registering new units as they appear. */
  private unitOf(folder: SpikeFolder, cluster: number): number {
    if (cluster === 0 && this.unsorted === 'drop') return -1;
    const unit = this.units.indexOf(`${folder.spec.electrode}:${cluster}`);
    this.folderOfUnit[unit] ??= folder;
    return unit;
  }

  private readTtlEvents(): Promise<TtlEvents[]> {
    this.ttlEvents ??= (async () => {
      const all: TtlEvents[] = [];
      for (const folder of this.layout.ttlFolders) all.push(await folder.readEvents(this.clock.kind));
      return all;
    })();
    return this.ttlEvents;
  }

  /** The TTL folder modes come from: the first with an event of a mapped state (−1: none). */
  private modeFolderIndex(all: readonly TtlEvents[]): number {
    const map = this.ttlMap!;
    return all.findIndex((events) => events.states.some((state) => map.has(state)));
  }

  private clockNote(): string {
    const streams = new Map<string, number | undefined>();
    for (const folder of [...this.layout.spikeFolders, ...this.layout.ttlFolders]) {
      streams.set(folder.spec.streamName ?? folder.spec.label, folder.spec.sampleRate);
    }
    const rates = [...streams].map(([stream, rate]) => `${stream} ${rate ?? '?'} Hz`).join(', ');
    const severalRates = new Set(streams.values()).size > 1;
    if (this.clock.kind === 'timestamps') {
      return `clock: timestamps.npy, seconds on the Record Node's synchronized clock, which streams of different sample rates share${severalRates ? ` (${rates})` : ''}`;
    }
    const why = this.clock.missingTimestamps.length > 0 ? ` because timestamps.npy is missing in ${this.clock.missingTimestamps.join(', ')}` : '';
    return `clock: sample_numbers.npy ÷ sample_rate of each stream${why}; sample numbers of different streams are not synchronized${severalRates ? ` (${rates})` : ''}`;
  }
}

/** Reads structure.oebin and opens (checks) every spike and TTL folder it lists. */
async function openRecordingFolder(folder: string): Promise<Layout> {
  const oebinPath = join(folder, 'structure.oebin');
  const structure: OebinStructure = await readOebinStructure(oebinPath);
  if (structure.spikes.length === 0) {
    throw new InputFormatError('lists no spike folders ("spikes" is empty): this recording holds no spikes (record a Spike Detector, or sort the continuous data and read the sorter\'s output)', oebinPath);
  }
  const names = structure.spikes.map((entry) => entry.name ?? basename(entry.folder));
  const repeated = names.filter((name, k) => names.indexOf(name) !== k);
  const spikeFolders: SpikeFolder[] = [];
  for (const [k, entry] of structure.spikes.entries()) {
    const path = join(folder, 'spikes', entry.folder);
    if (!(await isFolder(path))) throw new InputFormatError(`missing: structure.oebin lists this spike folder (spikes[${k}].folder '${entry.folder}')`, path);
    const spec: SpikeFolderSpec = {
      path,
      electrode: repeated.includes(names[k]) ? entry.folder : names[k],
      label: `spikes/${entry.folder}`,
      streamName: entry.streamName,
      sampleRate: entry.sampleRate,
    };
    spikeFolders.push(await SpikeFolder.open(spec));
  }
  const ttlFolders: TtlFolder[] = [];
  const otherEventFolders: string[] = [];
  for (const [k, entry] of structure.events.entries()) {
    if (!/^TTL(_\d+)?$/.test(basename(entry.folder))) {
      otherEventFolders.push(entry.folder);
      continue;
    }
    const path = join(folder, 'events', entry.folder);
    if (!(await isFolder(path))) throw new InputFormatError(`missing: structure.oebin lists this TTL folder (events[${k}].folder_name '${entry.folder}')`, path);
    ttlFolders.push(
      await TtlFolder.open({ path, label: `events/${entry.folder}`, streamName: entry.streamName, sampleRate: entry.sampleRate, initialState: entry.initialState }),
    );
  }
  const listed = new Set(spikeFolders.map((f) => resolve(f.spec.path)));
  const unlistedSpikeFolders = (await spikeFoldersOnDisk(join(folder, 'spikes'))).filter((path) => !listed.has(resolve(folder, 'spikes', path)));
  return {
    recordingFolder: folder,
    guiVersion: structure.guiVersion,
    spikeFolders,
    ttlFolders,
    otherEventFolders,
    unlistedSpikeFolders,
    repeatedNames: [...new Set(repeated)],
  };
}

/** A spike folder given alone: its clock is timestamps.npy, or sample numbers at the rate the recording's structure.oebin gives it. */
async function openLoneSpikeFolder(path: string, recordingFolder: string | undefined): Promise<{ folder: SpikeFolder; clock: Clock }> {
  let spec: SpikeFolderSpec = { path, electrode: basename(resolve(path)), label: path };
  if (recordingFolder !== undefined) {
    const structure = await readOebinStructure(join(recordingFolder, 'structure.oebin')).catch(() => undefined);
    const entry = structure?.spikes.find((candidate) => resolve(recordingFolder, 'spikes', candidate.folder) === resolve(path));
    if (entry !== undefined) spec = { ...spec, electrode: entry.name ?? spec.electrode, streamName: entry.streamName, sampleRate: entry.sampleRate };
  }
  const folder = await SpikeFolder.open(spec);
  if (!folder.hasTimestamps && spec.sampleRate === undefined) {
    throw new InputFormatError(
      'no timestamps.npy, and no structure.oebin above this folder gives its sample_rate: sample_numbers.npy cannot be turned into seconds (give the recording folder, or keep timestamps.npy)',
      path,
    );
  }
  const clock: Clock = folder.hasTimestamps ? { kind: 'timestamps', missingTimestamps: [] } : { kind: 'sample-numbers', missingTimestamps: [path] };
  folder.useClock(clock.kind);
  return { folder, clock };
}

/** Spike counts per cluster of one folder, and the first and last spike that is kept. */
async function clusterCensus(folder: SpikeFolder, chunkSpikes: number, dropUnsorted: boolean): Promise<{ counts: Map<number, number>; firstKept: number; lastKept: number }> {
  const counts = new Map<number, number>();
  const small = new Float64Array(65536);
  let firstKept = -1;
  let lastKept = -1;
  for (let first = 0; first < folder.spikeCount; first += chunkSpikes) {
    const clusters = await folder.readClusters(first, Math.min(folder.spikeCount, first + chunkSpikes));
    for (let i = 0; i < clusters.length; i++) {
      const cluster = clusters[i];
      if (cluster >= 0 && cluster < 65536 && Number.isInteger(cluster)) small[cluster]++;
      else counts.set(cluster, (counts.get(cluster) ?? 0) + 1);
      if (cluster !== 0 || !dropUnsorted) {
        if (firstKept < 0) firstKept = first + i;
        lastKept = first + i;
      }
    }
  }
  for (let cluster = 0; cluster < small.length; cluster++) if (small[cluster] > 0) counts.set(cluster, small[cluster]);
  return { counts, firstKept, lastKept };
}

/** Intervals and seconds per mode of a series of changes, the last one holding until `end`. */
function modeTallies(changes: readonly LabelChange[], end: number): Array<{ label: string; count: number; seconds: number }> {
  const tallies = new Map<string, { label: string; count: number; seconds: number }>();
  changes.forEach((change, k) => {
    if (change.label === null) return;
    const until = k + 1 < changes.length ? changes[k + 1].t : end;
    if (!(until > change.t)) return;
    const tally = tallies.get(change.label) ?? { label: change.label, count: 0, seconds: 0 };
    tally.count++;
    tally.seconds += until - change.t;
    tallies.set(change.label, tally);
  });
  return [...tallies.values()];
}

function signed(state: number): string {
  return `${state > 0 ? '+' : ''}${state}`;
}

/** '+1 (line 1 high)', '-2 (line 2 low) → rest' as `synergy inspect` lists TTL states. */
function stateName(state: number, map: ReadonlyMap<number, string | null> | undefined): string {
  const name = `${signed(state)} (line ${Math.abs(state)} ${state > 0 ? 'high' : 'low'})`;
  if (map === undefined || !map.has(state)) return name;
  const mode = map.get(state);
  return `${name} → ${mode === null ? 'gap' : mode}`;
}

/** Folders below spikes/ (one or two levels) holding sample_numbers.npy, relative to spikes/. */
async function spikeFoldersOnDisk(spikesFolder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string, depth: number) => {
    const entries = await readdir(join(spikesFolder, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (await fileExists(join(spikesFolder, child, 'sample_numbers.npy'))) found.push(child);
      else if (depth > 1) await walk(child, depth - 1);
    }
  };
  await walk('', 2);
  return found.sort();
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
