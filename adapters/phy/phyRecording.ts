import { basename } from 'node:path';
import { MAX_EVENT_SECONDS } from '../../src/stream/binIndex.ts';
import type { LabelChange, LabelInterval } from '../../src/stream/events.ts';
import { InvalidTimeTally } from '../invalidSpikeTimes.ts';
import { DEFAULT_BATCH_SPIKES } from '../mergeSortedRuns.ts';
import type { OpenRecordingOptions } from '../recording.ts';
import type { RecordedSpikeBatch, RecordingDescription, RecordingReadSummary, RecordingSource, TimeRange } from '../recording.ts';
import { isWholeRange } from '../timeRange.ts';
import { GROUP_TABLE_NAMES, PHY_GROUPS, readClusterGroups, type ClusterGroups } from './clusterGroupTable.ts';
import { InputFormatError } from '../../src/errors.ts';
import { selectClusters, type ClusterSelection } from './clusterSelection.ts';
import { readClusterColumns, type ClusterColumns } from './clusterTables.ts';
import { ClusterUnits } from './clusterUnits.ts';
import { readSampleRate } from './phyParams.ts';
import { PhySpikeArrays } from './phySpikeArrays.ts';

/** Where the current (or last) pass over the spikes stands, and what it left out. */
interface SpikePass {
  /** Spike indices [from, to) of the files this pass reads. */
  readonly from: number;
  readonly to: number;
  /** Spikes read so far (from `from`). */
  read: number;
  /** Spikes left out, per cluster slot (their group is not kept). */
  droppedPerSlot: Float64Array;
  maxBackstepSeconds: number;
  /** Spikes whose time (sample / sample_rate) is beyond 2^32 s: a corrupt sample number. */
  invalid: InvalidTimeTally;
}

/**
 * A Phy / Kilosort output folder as a RecordingSource (DESIGN §2a).
 *
 * Spikes: `spike_times.npy` (sample numbers) and `spike_clusters.npy`
 * (else `spike_templates.npy`) are read side by side in chunks (see
 * PhySpikeArrays), so memory does not grow with the recording. A spike's
 * time is its sample number / `sample_rate`, which is read from
 * `params.py` by pattern, never executed (see parseSampleRate). Its unit
 * is its cluster id, as text.
 *
 * Units: `--units` keeps only clusters of the given groups ('good',
 * 'good,mua', default all), the group of a cluster coming from
 * cluster_group.tsv (else cluster_groups.csv, cluster_info.tsv,
 * cluster_KSLabel.tsv); a cluster no table lists is 'unsorted', as in Phy.
 * `unitFilters` select by any column of the cluster tables (KSLabel, ch,
 * sh, …; see selectClusters). Spikes of clusters left out are counted by
 * group in readSummary().
 *
 * Order: Kilosort writes spike_times.npy sorted and Phy requires it
 * (phylib: "The spike times must be increasing"). Spikes are passed on in
 * file order; if they are not sorted, readSummary() says by how much
 * (maxBackstepSeconds) and the binner places them within its lateness.
 * A time range is found by binary search on spike_times.npy once the file
 * is known to be sorted (checked once, by one pass over spike_times.npy
 * alone, unless an earlier whole pass saw it); an unsorted file is read
 * whole and filtered spike by spike, so a range is right either way.
 *
 * Phy folders carry no modes: labels() is empty and the user gives
 * `--labels FILE`.
 */
export class PhyRecording implements RecordingSource {
  readonly format = 'phy' as const;
  readonly unitIds: string[] = [];
  private readonly units: ClusterUnits;
  private pass: SpikePass | undefined;
  /** Whether spike_times.npy is sorted, once known. */
  private sorted: boolean | undefined;

  private constructor(
    readonly path: string,
    /** Samples per second of spike_times.npy, from params.py. */
    readonly sampleRate: number,
    private readonly arrays: PhySpikeArrays,
    private readonly groups: ClusterGroups,
    private readonly selection: ClusterSelection | undefined,
    /** The cluster tables' columns (for inspect's notes), or why they could not be read. */
    private readonly tables: ClusterColumns | Error,
  ) {
    this.units = new ClusterUnits(groups.table?.groupOf ?? new Map(), selection?.keep, this.unitIds);
  }

  static async open(path: string, options: OpenRecordingOptions = {}): Promise<PhyRecording> {
    const arrays = await PhySpikeArrays.open(path);
    try {
      const sampleRate = await readSampleRate(path);
      const groups = await readClusterGroups(path);
      // A malformed table stops a replay only when a filter needs its columns.
      const tables = await readClusterColumns(path, groups.table).catch((error: unknown) => (error instanceof InputFormatError ? error : Promise.reject(error)));
      const selection = selectClusters(path, options, groups, tables);
      return new PhyRecording(path, sampleRate, arrays, groups, selection, tables);
    } catch (error) {
      await arrays.close();
      throw error;
    }
  }

  async labels(): Promise<Array<LabelInterval | LabelChange>> {
    return [];
  }

  /**
   * Spikes of kept clusters with start ≤ t < end, in file order, in batches
   * of `batchSize` (the last one shorter), each owning its typed arrays.
   */
  async *spikes(range: TimeRange = {}, batchSize = DEFAULT_BATCH_SPIKES): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
    const start = range.start ?? -Infinity;
    const end = range.end ?? Infinity;
    const whole = isWholeRange(range);
    this.pass = undefined;
    let from = 0;
    let to = this.arrays.length;
    if (!whole) {
      this.sorted ??= await this.arrays.isSorted();
      if (this.sorted) {
        if (start > -Infinity) from = await this.arrays.firstIndexAtOrAfter(start, this.sampleRate);
        if (end < Infinity) to = Math.max(from, await this.arrays.firstIndexAtOrAfter(end, this.sampleRate));
      }
    }
    const pass: SpikePass = { from, to, read: 0, droppedPerSlot: new Float64Array(64), maxBackstepSeconds: 0, invalid: new InvalidTimeTally() };
    this.pass = pass;
    const units = this.units;
    const rate = this.sampleRate;
    let t = new Float64Array(batchSize);
    let unit = new Uint32Array(batchSize);
    let position = new Float64Array(batchSize);
    let filled = 0;
    let latestTime = -Infinity;
    let previousSample = -Infinity;
    let fileSorted = true;
    for await (const chunk of this.arrays.chunks(from, to)) {
      const { samples, clusters } = chunk;
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        if (sample < previousSample) fileSorted = false;
        previousSample = sample;
        const time = sample / rate;
        // Only an unsorted file is read beyond the range: a sorted one is cut to it by binary search.
        if (time < start || time >= end) continue;
        // Sample numbers are checked whole and ≥ 0 when read; a huge one is a corrupt value.
        if (time > MAX_EVENT_SECONDS && !pass.invalid.check(time, () => this.describePosition(chunk.from + i, clusters[i]))) continue;
        const slot = units.slotOf(clusters[i]);
        const unitIndex = units.unitOfSlot[slot];
        if (unitIndex < 0) {
          if (slot >= pass.droppedPerSlot.length) pass.droppedPerSlot = grown(pass.droppedPerSlot, slot);
          pass.droppedPerSlot[slot]++;
          continue;
        }
        if (time < latestTime) {
          if (latestTime - time > pass.maxBackstepSeconds) pass.maxBackstepSeconds = latestTime - time;
        } else {
          latestTime = time;
        }
        t[filled] = time;
        unit[filled] = unitIndex;
        position[filled] = chunk.from + i;
        if (++filled === batchSize) {
          pass.read = chunk.from + i + 1 - from;
          yield { kind: 'spikes', t, unit, unitIds: this.unitIds, position };
          t = new Float64Array(batchSize);
          unit = new Uint32Array(batchSize);
          position = new Float64Array(batchSize);
          filled = 0;
        }
      }
      pass.read = chunk.from + samples.length - from;
    }
    if (whole) this.sorted = fileSorted;
    if (filled > 0) yield { kind: 'spikes', t: t.slice(0, filled), unit: unit.slice(0, filled), unitIds: this.unitIds, position: position.slice(0, filled) };
  }

  describeSpike(batch: RecordedSpikeBatch, index: number): string {
    const position = batch.position?.[index];
    const cluster = batch.unitIds[batch.unit[index]];
    return position === undefined ? `${this.arrays.timesFile} (cluster ${cluster})` : this.describePosition(position, cluster);
  }

  private describePosition(index: number, cluster: number | string): string {
    return `${this.arrays.timesFile}, index ${index} (cluster ${cluster})`;
  }

  progress(): number {
    const pass = this.pass;
    if (pass === undefined) return 0;
    return pass.to === pass.from ? 1 : pass.read / (pass.to - pass.from);
  }

  readSummary(): RecordingReadSummary {
    const pass = this.pass;
    if (pass === undefined) return { dropped: {}, maxBackstepSeconds: 0 };
    return { ...pass.invalid.summaryFields(this.droppedByGroup(pass.droppedPerSlot)), maxBackstepSeconds: pass.maxBackstepSeconds };
  }

  /** Spikes left out by group (Phy's groups first), as the summary names them: `{ 'spikes of mua clusters (not kept)': 120 }`. */
  private droppedByGroup(perSlot: Float64Array): Record<string, number> {
    const perGroup = new Map<string, number>();
    for (let slot = 0; slot < Math.min(perSlot.length, this.units.slots); slot++) {
      if (perSlot[slot] === 0 || this.units.unitOfSlot[slot] >= 0) continue;
      const group = this.units.groups[this.units.groupOfSlot[slot]];
      perGroup.set(group, (perGroup.get(group) ?? 0) + perSlot[slot]);
    }
    const dropped: Record<string, number> = {};
    for (const [group, spikes] of [...perGroup].sort(([a], [b]) => compareGroups(a, b))) dropped[`spikes of ${group} clusters (not kept)`] = spikes;
    return dropped;
  }

  /** One pass over both arrays, counting spikes per cluster. */
  async describe(): Promise<RecordingDescription> {
    const units = this.units;
    let perSlot: Float64Array = new Float64Array(64);
    let firstSpike = Infinity;
    let lastSpike = -Infinity;
    let latestKept = -Infinity;
    let maxBackstepSeconds = 0;
    let previousSample = -Infinity;
    let fileSorted = true;
    let beyondMax = 0;
    for await (const { samples, clusters } of this.arrays.chunks(0, this.arrays.length)) {
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        if (sample < previousSample) fileSorted = false;
        previousSample = sample;
        const slot = units.slotOf(clusters[i]);
        if (slot >= perSlot.length) perSlot = grown(perSlot, slot);
        perSlot[slot]++;
        if (units.unitOfSlot[slot] < 0) continue;
        const time = sample / this.sampleRate;
        if (time > MAX_EVENT_SECONDS) {
          beyondMax++;
          continue;
        }
        if (time < firstSpike) firstSpike = time;
        if (time > lastSpike) lastSpike = time;
        if (time < latestKept) maxBackstepSeconds = Math.max(maxBackstepSeconds, latestKept - time);
        else latestKept = time;
      }
    }
    this.sorted = fileSorted;

    const slotOfUnit = new Int32Array(this.unitIds.length).fill(-1);
    for (let slot = 0; slot < units.slots; slot++) if (units.unitOfSlot[slot] >= 0) slotOfUnit[units.unitOfSlot[slot]] = slot;
    const described: RecordingDescription['units'] = [];
    slotOfUnit.forEach((slot, unitIndex) => {
      if (slot >= 0) described.push({ id: this.unitIds[unitIndex], spikes: perSlot[slot], group: units.groups[units.groupOfSlot[slot]] });
    });

    return {
      format: this.format,
      path: this.path,
      units: described,
      firstSpike: firstSpike === Infinity ? null : firstSpike,
      lastSpike: lastSpike === -Infinity ? null : lastSpike,
      sampleRate: this.sampleRate,
      labelSources: [],
      notes: [
        ...this.notes(perSlot, fileSorted, maxBackstepSeconds),
        ...(beyondMax > 0 ? [`${beyondMax} spikes of kept clusters lie beyond 2^32 s (corrupt sample numbers): a replay leaves them out, counts them and names the first few`] : []),
      ],
    };
  }

  private notes(perSlot: Float64Array, fileSorted: boolean, maxBackstepSeconds: number): string[] {
    const units = this.units;
    const notes = [`spike times are spike_times.npy sample numbers / sample_rate ${this.sampleRate} (params.py)`];
    if (this.arrays.clustersFromTemplates) {
      notes.push("spike_clusters.npy absent: using spike_templates.npy (Kilosort's template of each spike, before any curation in Phy)");
    }
    const table = this.groups.table;
    const clustersPerGroup = new Map<string, number>();
    let unlisted = 0;
    for (let slot = 0; slot < units.slots; slot++) {
      const group = units.groups[units.groupOfSlot[slot]];
      clustersPerGroup.set(group, (clustersPerGroup.get(group) ?? 0) + 1);
      if (table !== undefined && !table.groupOf.has(units.clusterIdOfSlot[slot])) unlisted++;
    }
    const tally = [...clustersPerGroup]
      .sort(([a], [b]) => compareGroups(a, b))
      .map(([group, clusters]) => `${group} ${clusters}`).join(', ');
    if (table === undefined) {
      notes.push(`no cluster group table (${GROUP_TABLE_NAMES.join(', ')}): every cluster counts as unsorted`);
    } else {
      notes.push(`cluster groups from ${basename(table.file)} (column ${table.column}); clusters with spikes: ${tally === '' ? 'none' : tally}`);
      if (unlisted > 0) notes.push(`${unlisted} cluster${unlisted === 1 ? '' : 's'} with spikes not listed in ${basename(table.file)}: counted as unsorted (Phy's default)`);
    }
    notes.push(...this.groups.notes);
    if (this.tables instanceof Error) notes.push(`cluster tables cannot be read for --unit-filter: ${this.tables.message}`);
    else notes.push(`columns for --unit-filter: ${['group', ...this.tables.columns.filter((column) => column !== 'group')].join(', ')}`);
    if (this.selection !== undefined) {
      const dropped = Object.entries(this.droppedByGroup(perSlot));
      notes.push(`${this.selection.text}: ${dropped.length === 0 ? 'no cluster left out' : `left out ${dropped.map(([cause, count]) => `${count} ${cause}`).join(', ')}`}`);
    }
    if (!fileSorted) {
      notes.push(
        `spike_times.npy is not sorted (Phy requires sorted spike times): kept spikes lie up to ${maxBackstepSeconds.toFixed(3)} s before a spike above them; replay with --lateness of at least that`,
      );
    }
    return notes;
  }

  /**
   * Every column of the cluster tables a unit can be grouped by
   * (`--group-by`: ch, sh, depth, KSLabel, group, …), with each listed
   * cluster's value as text by cluster id; a cluster a table does not list
   * has no value there. A malformed cluster table is its InputFormatError.
   */
  async unitProperties(): Promise<{ columns: string[]; values(column: string): Map<string, string> }> {
    const tables = this.tables;
    if (tables instanceof Error) throw tables;
    return {
      columns: [...tables.columns],
      values: (column) => new Map([...(tables.valuesOf.get(column) ?? [])].map(([cluster, value]) => [String(cluster), value])),
    };
  }

  async close(): Promise<void> {
    await this.arrays.close();
  }
}

/** Phy's groups first, in Phy's order (good, mua, noise, unsorted), then any other by name. */
function compareGroups(a: string, b: string): number {
  const rank = (group: string) => (PHY_GROUPS.includes(group) ? PHY_GROUPS.indexOf(group) : PHY_GROUPS.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A copy of `counts` long enough to hold index `index`. */
function grown(counts: Float64Array, index: number): Float64Array<ArrayBuffer> {
  let length = counts.length;
  while (length <= index) length *= 2;
  const copy = new Float64Array(length);
  copy.set(counts);
  return copy;
}
