import { MAX_EVENT_SECONDS } from '../../src/stream/binIndex.ts';
import { InvalidTimeTally } from '../invalidSpikeTimes.ts';
import type { RecordedSpikeBatch } from '../recording.ts';
import { isDigitalInputChange } from './nevDigitalModes.ts';
import type { NevHeader } from './nevHeader.ts';
import type { NevPacketReader } from './nevPacketReader.ts';
import { DIGITAL_PACKET_ID, MAX_ELECTRODE_ID, MAX_SORTED_UNIT, NOISE_UNIT, OTHER_PACKET_KINDS, REASON_SERIAL_INPUT, UNCLASSIFIED_UNIT, otherPacketKind } from './nevPackets.ts';
import type { NevUnitTable } from './nevUnitTable.ts';

/** What one scan over packets read, kept and left out. */
export class SpikeScanTally {
  packetsInPass = 0;
  packetsRead = 0;
  /** The scan has read its last packet. */
  finished = false;
  spikesKept = 0;
  /** Unit-0 spikes left out (with unsorted 'drop'). */
  unclassifiedDropped = 0;
  /** Unit-0 spikes kept as `<electrode>:0` (with unsorted 'channel'). */
  unclassifiedKept = 0;
  noise = 0;
  /** Spikes kept whose classification is neither 0, 1–16 nor 255 (reserved by the specification). */
  reservedClasses = 0;
  digitalInputEvents = 0;
  serialInputEvents = 0;
  /** Id-0 packets that are neither: 2.1/2.2 analog threshold crossings and periodic samples. */
  otherInputPackets = 0;
  /** Packets with ids ≥ 32768, by `otherPacketKind`. */
  readonly otherPackets = new Float64Array(OTHER_PACKET_KINDS);
  /** Kept spikes earlier than a kept spike before them: how many, and by how much at most. */
  backsteps = 0;
  maxBackstepSeconds = 0;
  firstSpikeSeconds = Infinity;
  lastSpikeSeconds = -Infinity;
  /** Spikes left out because their time is beyond 2^32 s (a corrupt 64-bit timestamp). */
  readonly invalid = new InvalidTimeTally();
}

export interface SpikeScanOptions {
  /** Count unit-0 (unclassified) spikes as `<electrode>:0` instead of leaving them out. */
  keepUnclassified: boolean;
  batchSize: number;
  /** Called for each digital input event (rare next to spikes), e.g. to tally words. */
  onDigitalInput?: (timeSeconds: number, word: number) => void;
}

/**
 * The spikes of packets [from, to) as batches in file order (time order in a
 * NEV file; a spike earlier than one before it is passed through and
 * counted), each of at most `batchSize` spikes with its own typed arrays:
 * time = timestamp / time resolution of timestamps, unit = index into the
 * table's `unitIds` of `<electrode>:<unit>`. Noise (unit 255) is left out,
 * unclassified (unit 0) spikes too unless `keepUnclassified`; a spike whose
 * time is beyond 2^32 s (only a 64-bit NEV 3.0 timestamp can be) is left out
 * and named; every packet that is not a kept spike is counted in `tally` by
 * cause. `position[i]` is the packet index of spike i in the file.
 */
export async function* scanSpikes(
  reader: NevPacketReader,
  units: NevUnitTable,
  from: number,
  to: number,
  options: SpikeScanOptions,
  tally: SpikeScanTally,
): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
  const { batchSize, keepUnclassified, onDigitalInput } = options;
  const resolution = reader.header.timestampResolution;
  const unitIds = units.unitIds;
  tally.packetsInPass = Math.max(0, to - from);
  let t = new Float64Array(batchSize);
  let unit = new Uint32Array(batchSize);
  let position = new Float64Array(batchSize);
  let filled = 0;
  let latest = -Infinity;
  for await (const columns of reader.chunks(from, to)) {
    const { packetId, unitOrReason, ticks, digitalWord, count } = columns;
    for (let k = 0; k < count; k++) {
      const id = packetId[k];
      if (id === DIGITAL_PACKET_ID) {
        const reason = unitOrReason[k];
        if (isDigitalInputChange(reason)) {
          tally.digitalInputEvents++;
          if (onDigitalInput !== undefined) onDigitalInput(ticks[k] / resolution, digitalWord[k]);
        } else if ((reason & REASON_SERIAL_INPUT) !== 0) tally.serialInputEvents++;
        else tally.otherInputPackets++;
        continue;
      }
      if (id > MAX_ELECTRODE_ID) {
        tally.otherPackets[otherPacketKind(id)]++;
        continue;
      }
      const unitClass = unitOrReason[k];
      if (unitClass === NOISE_UNIT) {
        tally.noise++;
        continue;
      }
      if (unitClass === UNCLASSIFIED_UNIT) {
        if (!keepUnclassified) {
          tally.unclassifiedDropped++;
          continue;
        }
        tally.unclassifiedKept++;
      } else if (unitClass > MAX_SORTED_UNIT) tally.reservedClasses++;
      const time = ticks[k] / resolution;
      if (time > MAX_EVENT_SECONDS && !tally.invalid.check(time, () => describePacket(reader.path, reader.header, columns.firstPacket + k))) continue;
      if (time < latest) {
        tally.backsteps++;
        if (latest - time > tally.maxBackstepSeconds) tally.maxBackstepSeconds = latest - time;
      } else latest = time;
      if (time < tally.firstSpikeSeconds) tally.firstSpikeSeconds = time;
      if (time > tally.lastSpikeSeconds) tally.lastSpikeSeconds = time;
      t[filled] = time;
      unit[filled] = units.indexOf(id, unitClass);
      position[filled] = columns.firstPacket + k;
      filled++;
      tally.spikesKept++;
      if (filled === batchSize) {
        tally.packetsRead = columns.firstPacket + k + 1 - from;
        yield { kind: 'spikes', t, unit, unitIds, position };
        t = new Float64Array(batchSize);
        unit = new Uint32Array(batchSize);
        position = new Float64Array(batchSize);
        filled = 0;
      }
    }
    tally.packetsRead = columns.firstPacket + count - from;
  }
  tally.finished = true;
  if (filled > 0) yield { kind: 'spikes', t: t.slice(0, filled), unit: unit.slice(0, filled), unitIds, position: position.slice(0, filled) };
}

/** "session.nev, packet 812 (byte 84760)": where a packet is, for a message. */
export function describePacket(path: string, header: NevHeader, packet: number): string {
  return `${path}, packet ${packet} (byte ${header.bytesInHeaders + packet * header.bytesPerPacket})`;
}
