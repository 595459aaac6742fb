import type { FileHandle } from 'node:fs/promises';
import { UsageError } from '../../src/errors.ts';
import type { LabelChange, LabelInterval } from '../../src/stream/events.ts';
import { DEFAULT_BATCH_SPIKES } from '../mergeSortedRuns.ts';
import type { OpenRecordingOptions } from '../recording.ts';
import type { RecordedSpikeBatch, RecordingDescription, RecordingReadSummary, RecordingSource, TimeRange } from '../recording.ts';
import { clipToRange } from '../timeRange.ts';
import { parseTtlLabels } from '../ttlLabels.ts';
import { DigitalInputModes, scanDigitalInput } from './nevDigitalModes.ts';
import { readNevHeader, type NevHeader } from './nevHeader.ts';
import { NevPacketReader } from './nevPacketReader.ts';
import { OTHER_PACKET_KINDS, otherPacketKindName } from './nevPackets.ts';
import { describePacket, scanSpikes, SpikeScanTally } from './nevSpikeScan.ts';
import { NevUnitTable } from './nevUnitTable.ts';
import { openReadable } from '../files/openReadable.ts';

/** Timestamps up to this many ticks convert to float64 exactly. */
const EXACT_TICKS = 2 ** 53;

/**
 * A Blackrock NEV file (spec 2.1, 2.2, 2.3 'NEURALEV' and 3.0 'BREVENTS') as
 * a RecordingSource: spike packets become spikes of unit
 * `<electrode>:<unit classification>` at timestamp / time resolution of
 * timestamps (seconds on the file's own clock), and digital input words
 * become modes through `--ttl-labels`.
 *
 * - The headers are checked when the file is opened; a data section that is
 *   not a whole number of packets (a file cut short) is refused then, before
 *   any spike is replayed: a replay that ran to a truncation error at the end
 *   would have emitted results of a recording whose end is missing. The
 *   message names the byte where the partial packet starts.
 * - Packets are read in chunks of about 1 MiB and decoded into typed columns,
 *   so memory does not grow with the file; a time range is found by binary
 *   search over packet timestamps (packets are in time order per the
 *   specification), and falls back to reading from the first packet when the
 *   timestamps probed are out of order.
 * - Unclassified spikes (unit 0) are left out and counted unless
 *   `unsorted: 'channel'` (then `<electrode>:0`, one multi-unit per
 *   electrode); noise (unit 255) is always left out and counted; comments,
 *   video sync, tracking and other non-spike packets are skipped and counted
 *   by kind. Timestamps that go back are passed through in file order, and
 *   the largest step back is reported.
 */
export class NevRecording implements RecordingSource {
  readonly format = 'nev' as const;
  readonly unitIds: string[] = [];
  private readonly units = new NevUnitTable(this.unitIds);
  private current: SpikeScanTally | undefined;
  private labelPass: DigitalInputModes | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly header: NevHeader,
    private readonly keepUnclassified: boolean,
    private readonly modeOfWord: Map<number, string | null> | undefined,
  ) {}

  static async open(path: string, options: OpenRecordingOptions = {}): Promise<RecordingSource> {
    const unsorted = options.unsorted ?? 'drop';
    if (unsorted !== 'drop' && unsorted !== 'channel') throw new UsageError(`--unsorted takes 'drop' or 'channel', got '${String(unsorted)}'`);
    const modeOfWord = options.ttlLabels === undefined ? undefined : parseTtlLabels(options.ttlLabels);
    if (modeOfWord !== undefined) {
      for (const word of modeOfWord.keys()) {
        if (word < 0 || word > 0xffff) throw new UsageError(`--ttl-labels: NEV digital input words are 0–65535 (16 bits), got ${word}`);
      }
    }
    const handle = await openReadable(path);
    try {
      const header = await readNevHeader(path, handle);
      return new NevRecording(path, handle, header, unsorted === 'channel', modeOfWord);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * The modes from the digital input words (as change points), or [] without
   * `--ttl-labels`. Reads the digital packets from the first packet (the mode
   * at the range's start comes from the last event before it) up to the
   * range's end; the last change before the start is kept, earlier ones are
   * not needed.
   */
  async labels(range: TimeRange = {}): Promise<Array<LabelInterval | LabelChange>> {
    if (this.modeOfWord === undefined) return [];
    const reader = this.reader();
    const to = range.end === undefined || range.end === Infinity ? reader.packetCount : await this.packetAtOrAfter(reader, range.end, reader.packetCount);
    const modes = new DigitalInputModes(this.modeOfWord);
    await scanDigitalInput(reader, 0, to, (timeSeconds, word) => modes.add(timeSeconds, word));
    this.labelPass = modes;
    const start = range.start ?? -Infinity;
    const end = range.end ?? Infinity;
    let first = 0;
    while (first + 1 < modes.changes.length && modes.changes[first + 1].t <= start) first++;
    return modes.changes.slice(first).filter((change) => change.t < end);
  }

  spikes(range: TimeRange = {}, batchSize = DEFAULT_BATCH_SPIKES): AsyncIterable<RecordedSpikeBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
    const tally = new SpikeScanTally();
    this.current = tally;
    return clipToRange(this.spikesOfRange(range, batchSize, tally), range);
  }

  /** The spikes of the packets that hold the range (found by binary search), into `tally`. */
  private async *spikesOfRange(range: TimeRange, batchSize: number, tally: SpikeScanTally): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
    const reader = this.reader();
    const [from, to] = await this.packetRange(reader, range);
    yield* scanSpikes(reader, this.units, from, to, { keepUnclassified: this.keepUnclassified, batchSize }, tally);
  }

  progress(): number {
    const tally = this.current;
    if (tally === undefined) return 0;
    if (tally.finished) return 1;
    return tally.packetsInPass === 0 ? 0 : Math.min(1, tally.packetsRead / tally.packetsInPass);
  }

  readSummary(): RecordingReadSummary {
    const tally = this.current ?? new SpikeScanTally();
    return { ...tally.invalid.summaryFields(this.droppedOf(tally, this.labelPass)), maxBackstepSeconds: tally.maxBackstepSeconds };
  }

  describeSpike(batch: RecordedSpikeBatch, index: number): string {
    const packet = batch.position?.[index];
    const unit = `unit ${batch.unitIds[batch.unit[index]]}`;
    return packet === undefined ? `${this.path} (${unit})` : `${describePacket(this.path, this.header, packet)} (${unit})`;
  }

  async describe(): Promise<RecordingDescription> {
    const header = this.header;
    const tally = new SpikeScanTally();
    const words = new Map<number, number>();
    const modes = this.modeOfWord === undefined ? undefined : new DigitalInputModes(this.modeOfWord);
    const counts: number[] = [];
    const reader = this.reader();
    let lastPacketSeconds = 0;
    const onDigitalInput = (timeSeconds: number, word: number) => {
      words.set(word, (words.get(word) ?? 0) + 1);
      modes?.add(timeSeconds, word);
    };
    for await (const batch of scanSpikes(reader, this.units, 0, reader.packetCount, { keepUnclassified: this.keepUnclassified, batchSize: 65536, onDigitalInput }, tally)) {
      for (let i = 0; i < batch.unit.length; i++) counts[batch.unit[i]] = (counts[batch.unit[i]] ?? 0) + 1;
    }
    if (reader.packetCount > 0) lastPacketSeconds = (await reader.ticksAt(reader.packetCount - 1)) / header.timestampResolution;

    const units: RecordingDescription['units'] = [];
    for (let index = 0; index < this.unitIds.length; index++) {
      const spikes = counts[index] ?? 0;
      if (spikes === 0) continue;
      const electrode = this.units.electrodeOfUnit[index];
      const label = header.electrodes.get(electrode)?.label;
      units.push({ id: this.unitIds[index], spikes, electrode, ...(label === undefined ? {} : { label }), unit: this.units.classOfUnit[index] });
    }

    const parallelLabel = header.digitalLabels.find((entry) => entry.mode === 'parallel')?.label;
    const sourceName = `digital input words (packet id 0${parallelLabel === undefined || parallelLabel === '' ? '' : `, '${parallelLabel}'`})`;
    const labelSources: RecordingDescription['labelSources'] = [];
    if (modes !== undefined) {
      labelSources.push({ name: `${sourceName} via --ttl-labels`, values: modeTallies(modes.changes, Math.max(lastPacketSeconds, tally.lastSpikeSeconds)) });
    } else if (words.size > 0) {
      labelSources.push({
        name: sourceName,
        values: [...words].sort((a, b) => a[0] - b[0]).map(([word, count]) => ({ label: `word ${word}`, count })),
      });
    }

    const notes: string[] = [];
    notes.push(
      `NEV ${header.version} ('${header.fileType}')${header.application === '' ? '' : ` written by ${header.application}`}; ` +
        `time = timestamp / ${header.timestampResolution} (time resolution of timestamps), seconds on the file's clock`,
    );
    if (header.sampleResolution !== header.timestampResolution && header.sampleResolution > 0) notes.push(`waveforms sampled at ${header.sampleResolution} Hz`);
    if (header.timestampBytes === 8 && lastPacketSeconds * header.timestampResolution > EXACT_TICKS) {
      notes.push(`timestamps beyond 2^53 ticks (a PTP clock?) are converted to seconds to within ${(2 ** 11 / header.timestampResolution).toExponential(1)} s`);
    }
    if (tally.unclassifiedDropped > 0) {
      notes.push(`${tally.unclassifiedDropped} unsorted spikes (unit 0) left out: --unsorted channel counts them as one multi-unit per electrode (<electrode>:0)`);
    }
    if (tally.unclassifiedKept > 0) notes.push(`${tally.unclassifiedKept} unsorted spikes (unit 0) counted as one multi-unit per electrode (<electrode>:0)`);
    if (tally.noise > 0) notes.push(`${tally.noise} noise spikes (unit 255) left out`);
    if (tally.reservedClasses > 0) notes.push(`${tally.reservedClasses} spikes have unit classifications above 16 (reserved by the specification); kept as their own units`);
    for (let kind = 0; kind < OTHER_PACKET_KINDS; kind++) {
      if (tally.otherPackets[kind] > 0) notes.push(`${tally.otherPackets[kind]} ${otherPacketKindName(kind, header.version)} skipped`);
    }
    if (tally.serialInputEvents > 0) notes.push(`${tally.serialInputEvents} serial input events skipped (modes come from the parallel digital input)`);
    if (tally.otherInputPackets > 0) notes.push(`${tally.otherInputPackets} analog or periodic input packets skipped`);
    if (modes === undefined && words.size > 0) {
      let named = 0;
      const example = [...words.keys()].sort((a, b) => a - b).slice(0, 3).map((word) => `${word}=${word === 0 ? '' : `mode${++named}`}`);
      notes.push(`${tally.digitalInputEvents} digital input events: give modes to their words with --ttl-labels, e.g. --ttl-labels "${example.join(',')}"`);
    }
    if (modes !== undefined && modes.unmappedEvents > 0) {
      const unmapped = [...modes.unmappedWords].sort((a, b) => a[0] - b[0]).slice(0, 10).map(([word, count]) => `${word} (${count}×)`);
      notes.push(`${modes.unmappedEvents} digital input events of words not in --ttl-labels leave the mode unchanged: ${unmapped.join(', ')}`);
    }
    if (tally.backsteps > 0) {
      notes.push(
        `${tally.backsteps} spikes are earlier than a spike before them (up to ${tally.maxBackstepSeconds.toFixed(3)} s; a clock reset?): replay with --lateness of at least that, and --start/--end read from the first packet`,
      );
    }
    return {
      format: 'nev',
      path: this.path,
      units,
      firstSpike: tally.spikesKept > 0 ? tally.firstSpikeSeconds : null,
      lastSpike: tally.spikesKept > 0 ? tally.lastSpikeSeconds : null,
      sampleRate: header.timestampResolution,
      labelSources,
      notes,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  /** A packet reader of its own for each pass, so that passes never share a chunk buffer. */
  private reader(): NevPacketReader {
    return new NevPacketReader(this.path, this.handle, this.header);
  }

  /** Packets [from, to) that hold the range, or every packet when the timestamps are not in order. */
  private async packetRange(reader: NevPacketReader, range: TimeRange): Promise<[number, number]> {
    const all: [number, number] = [0, reader.packetCount];
    const hasStart = range.start !== undefined && range.start !== -Infinity;
    const hasEnd = range.end !== undefined && range.end !== Infinity;
    let from = 0;
    let to = reader.packetCount;
    if (hasStart) {
      const found = await reader.firstPacketAtOrAfter(range.start!);
      if (!found.sorted) return all;
      from = found.packet;
    }
    if (hasEnd) {
      const found = await reader.firstPacketAtOrAfter(range.end!);
      if (!found.sorted) return all;
      to = found.packet;
    }
    return [from, Math.max(from, to)];
  }

  private async packetAtOrAfter(reader: NevPacketReader, seconds: number, fallback: number): Promise<number> {
    const found = await reader.firstPacketAtOrAfter(seconds);
    return found.sorted ? found.packet : fallback;
  }

  private droppedOf(tally: SpikeScanTally, modes: DigitalInputModes | undefined): Record<string, number> {
    const dropped: Record<string, number> = {};
    const add = (cause: string, count: number) => {
      if (count > 0) dropped[cause] = count;
    };
    add('unsorted spikes (unit 0)', tally.unclassifiedDropped);
    add('noise spikes (unit 255)', tally.noise);
    for (let kind = 0; kind < OTHER_PACKET_KINDS; kind++) add(otherPacketKindName(kind, this.header.version), tally.otherPackets[kind]);
    add('serial input events', tally.serialInputEvents);
    add('analog or periodic input packets', tally.otherInputPackets);
    if (this.modeOfWord === undefined) add('digital input events (no --ttl-labels)', tally.digitalInputEvents);
    add('digital input events of unmapped words', modes?.unmappedEvents ?? 0);
    return dropped;
  }
}

/** Per mode: how many intervals and how many seconds, from change points (the last holds until `endSeconds`). */
function modeTallies(changes: readonly LabelChange[], endSeconds: number): Array<{ label: string; count: number; seconds: number }> {
  const tallies = new Map<string, { label: string; count: number; seconds: number }>();
  changes.forEach((change, k) => {
    if (change.label === null) return;
    const end = k + 1 < changes.length ? changes[k + 1].t : Math.max(endSeconds, change.t);
    let tally = tallies.get(change.label);
    if (tally === undefined) {
      tally = { label: change.label, count: 0, seconds: 0 };
      tallies.set(change.label, tally);
    }
    tally.count++;
    tally.seconds += end - change.t;
  });
  return [...tallies.values()];
}
