import { open, type FileHandle } from 'node:fs/promises';
import type { SessionToWrite } from './sampledSession.ts';

/**
 * Writes a session as a Blackrock NEV file, spec 2.3 ('NEURALEV', uint32
 * timestamps) or 3.0 ('BREVENTS', uint64 timestamps), as Central writes one:
 * a 336-byte basic header, 32-byte extended headers (NEUEVWAV, NEUEVLBL and
 * NEUEVFLT per electrode, DIGLABEL for the serial and parallel inputs), then
 * fixed-size packets in time order (layouts: adapters/nev/nevHeader.ts and
 * nevPackets.ts).
 *
 * - Timestamps are the session's sample numbers: time resolution of
 *   timestamps = time resolution of samples = the session's sample rate.
 * - Unit i of the session is the spike packet of `unitOf(i)`: by default
 *   `defaultNevUnit` (4 units per electrode: unit i is on electrode
 *   ⌊i/4⌋ + 1 with classification i mod 4 + 1), so its id when read back is
 *   `<electrode>:<unit>`. A custom `unitOf` can write unclassified (0) or
 *   noise (255) units.
 * - Modes are digital input packets (id 0, insertion reason 1): the k-th
 *   distinct label (in order of first appearance) is word k, written where
 *   its interval starts; word 0 is written where an interval ends and no
 *   other starts (a gap). The returned `ttlLabels` ("1=rest,2=go,0=") is the
 *   `--ttl-labels` map that decodes them.
 * - Every spike carries the same 16-bit waveform of `waveformSamples`
 *   samples (default 48: 104-byte packets in 2.3, 108 in 3.0).
 *
 * Spikes are written chunk by chunk as the session generates them, through
 * one reused buffer, so sessions of any length are written in flat memory.
 */
export interface NevWriteOptions {
  version: '2.3' | '3.0';
  /** Electrode (1–32767) and unit classification (0–255) of each of the session's unit indices. */
  unitOf?: (unitIndex: number) => NevUnit;
  /** Waveform samples per spike packet (16-bit each; default 48, at least 1). */
  waveformSamples?: number;
  /** Comment packets (id 0xFFFF) at these times, in seconds (a rig's operator notes). */
  comments?: ReadonlyArray<{ t: number; text: string }>;
  /** The basic header's application field (32 bytes). */
  application?: string;
}

export interface NevUnit {
  electrode: number;
  unitClass: number;
}

export interface NevWriteResult {
  /** The `--ttl-labels` map that decodes the digital input words into the session's modes. */
  ttlLabels: string;
  spikes: number;
  digitalEvents: number;
  packets: number;
  bytes: number;
}

/** Unit i on electrode ⌊i / unitsPerElectrode⌋ + 1 with classification i mod unitsPerElectrode + 1. */
export function defaultNevUnit(unitIndex: number, unitsPerElectrode = 4): NevUnit {
  return { electrode: Math.floor(unitIndex / unitsPerElectrode) + 1, unitClass: (unitIndex % unitsPerElectrode) + 1 };
}

const BASIC_HEADER_BYTES = 336;
const EXTENDED_HEADER_BYTES = 32;
const PACKETS_PER_WRITE = 8192;
const COMMENT_PACKET_ID = 0xffff;

/** A digital event or comment to interleave with the spikes, at a sample number. */
interface TimedPacket {
  sample: number;
  word?: number;
  text?: string;
}

export async function writeNev(path: string, session: SessionToWrite, options: NevWriteOptions): Promise<NevWriteResult> {
  const { version } = options;
  const unitOf = options.unitOf ?? ((index: number) => defaultNevUnit(index));
  const waveformSamples = options.waveformSamples ?? 48;
  if (!Number.isInteger(waveformSamples) || waveformSamples < 1) throw new RangeError(`waveformSamples must be a whole number ≥ 1, got ${waveformSamples}`);
  const rate = session.sampleRate;
  if (!Number.isInteger(rate) || rate < 1 || rate > 0xffffffff) throw new RangeError(`NEV time resolutions are whole numbers per second (uint32), got ${rate}`);
  const timestampBytes = version === '3.0' ? 8 : 4;
  const bytesPerPacket = timestampBytes + 4 + 2 * waveformSamples;
  const maxTimestamp = version === '3.0' ? 2 ** 53 - 1 : 0xffffffff;

  // Units → (electrode, classification), per unit index.
  const electrodeOfUnit = new Uint16Array(session.unitIds.length);
  const classOfUnit = new Uint8Array(session.unitIds.length);
  const electrodes = new Map<number, Set<number>>();
  session.unitIds.forEach((_, index) => {
    const { electrode, unitClass } = unitOf(index);
    if (!Number.isInteger(electrode) || electrode < 1 || electrode > 32767) throw new RangeError(`unit ${index}: NEV electrode ids are 1–32767, got ${electrode}`);
    if (!Number.isInteger(unitClass) || unitClass < 0 || unitClass > 255) throw new RangeError(`unit ${index}: NEV unit classifications are 0–255, got ${unitClass}`);
    electrodeOfUnit[index] = electrode;
    classOfUnit[index] = unitClass;
    if (!electrodes.has(electrode)) electrodes.set(electrode, new Set());
    if (unitClass >= 1 && unitClass <= 16) electrodes.get(electrode)!.add(unitClass);
  });

  // Modes → digital input words; comments; both in time order.
  const { events, ttlLabels } = digitalEvents(session);
  const timed: TimedPacket[] = [...events];
  for (const comment of options.comments ?? []) timed.push({ sample: Math.round(comment.t * rate), text: comment.text });
  timed.sort((a, b) => a.sample - b.sample);

  const headers = headerBytes(version, session, bytesPerPacket, electrodes, waveformSamples, options.application ?? 'synergy-stream writeNev');
  const waveform = waveformBytes(waveformSamples);
  const file = await open(path, 'w');
  const result: NevWriteResult = { ttlLabels, spikes: 0, digitalEvents: 0, packets: 0, bytes: 0 };
  try {
    await writeAll(file, headers);
    result.bytes += headers.length;
    const chunk = Buffer.alloc(PACKETS_PER_WRITE * bytesPerPacket);
    let used = 0;
    const flush = async () => {
      await writeAll(file, chunk.subarray(0, used));
      result.bytes += used;
      used = 0;
    };
    /** Starts a packet in the buffer (the caller flushes a full buffer first); returns its offset. */
    const startPacket = (sample: number, packetId: number): number => {
      if (!(sample >= 0 && sample <= maxTimestamp)) {
        throw new RangeError(`sample ${sample} (${(sample / rate).toFixed(3)} s) does not fit NEV ${version}'s ${timestampBytes * 8}-bit timestamps${version === '2.3' ? ': write version 3.0' : ''}`);
      }
      const at = used;
      chunk.fill(0, at, at + bytesPerPacket);
      chunk.writeUInt32LE(sample % 4294967296, at);
      if (timestampBytes === 8) chunk.writeUInt32LE(Math.floor(sample / 4294967296), at + 4);
      chunk.writeUInt16LE(packetId, at + timestampBytes);
      used += bytesPerPacket;
      result.packets++;
      return at;
    };
    const writeTimed = async (packet: TimedPacket) => {
      if (used === chunk.length) await flush();
      if (packet.word !== undefined) {
        const at = startPacket(packet.sample, 0);
        chunk[at + timestampBytes + 2] = 1; // insertion reason: digital input changed
        chunk.writeUInt16LE(packet.word, at + timestampBytes + 4);
        result.digitalEvents++;
      } else {
        const at = startPacket(packet.sample, COMMENT_PACKET_ID);
        // char set 0 (ANSI), flag 0 (the next 4 bytes are an RGBA color), color 0, then the text, NUL-padded.
        const textStart = at + timestampBytes + 8;
        chunk.write(packet.text ?? '', textStart, Math.max(0, at + bytesPerPacket - textStart - 1), 'latin1');
      }
    };

    let next = 0;
    for (const { samples, unit } of session.chunks()) {
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i];
        while (next < timed.length && timed[next].sample <= sample) await writeTimed(timed[next++]);
        if (used === chunk.length) await flush();
        const at = startPacket(sample, electrodeOfUnit[unit[i]]);
        chunk[at + timestampBytes + 2] = classOfUnit[unit[i]];
        chunk.set(waveform, at + timestampBytes + 4);
        result.spikes++;
      }
    }
    while (next < timed.length) await writeTimed(timed[next++]);
    await flush();
  } finally {
    await file.close();
  }
  return result;
}

/** The session's modes as digital input events (word per label, 0 for a gap) and the map that decodes them. */
function digitalEvents(session: SessionToWrite): { events: TimedPacket[]; ttlLabels: string } {
  const words = new Map<string, number>();
  const events: TimedPacket[] = [];
  const rate = session.sampleRate;
  session.labels.forEach((interval, k) => {
    if (/[,=]/.test(interval.label)) throw new RangeError(`label '${interval.label}' cannot be named in --ttl-labels (it holds ',' or '=')`);
    if (!words.has(interval.label)) {
      if (words.size === 0xffff) throw new RangeError('more distinct labels than 16-bit digital words');
      words.set(interval.label, words.size + 1);
    }
    events.push({ sample: Math.round(interval.start * rate), word: words.get(interval.label)! });
    const following = session.labels[k + 1];
    if (following === undefined || following.start !== interval.end) events.push({ sample: Math.round(interval.end * rate), word: 0 });
  });
  const entries = [...words].map(([label, word]) => `${word}=${label}`);
  return { events, ttlLabels: [...entries, '0='].join(',') };
}

function fixedText(target: Buffer, text: string, at: number, length: number): void {
  target.write(text.slice(0, length - 1), at, length - 1, 'latin1');
}

function headerBytes(
  version: '2.3' | '3.0',
  session: SessionToWrite,
  bytesPerPacket: number,
  electrodes: ReadonlyMap<number, ReadonlySet<number>>,
  waveformSamples: number,
  application: string,
): Buffer {
  const sortedElectrodes = [...electrodes.keys()].sort((a, b) => a - b);
  const extendedCount = 3 * sortedElectrodes.length + 2;
  const bytesInHeaders = BASIC_HEADER_BYTES + EXTENDED_HEADER_BYTES * extendedCount;
  const header = Buffer.alloc(bytesInHeaders);
  header.write(version === '3.0' ? 'BREVENTS' : 'NEURALEV', 0, 'latin1');
  header[8] = version === '3.0' ? 3 : 2;
  header[9] = version === '3.0' ? 0 : 3;
  header.writeUInt16LE(1, 10); // additional flags: bit 0, every waveform is 16-bit
  header.writeUInt32LE(bytesInHeaders, 12);
  header.writeUInt32LE(bytesPerPacket, 16);
  header.writeUInt32LE(session.sampleRate, 20);
  header.writeUInt32LE(session.sampleRate, 24);
  // Time origin (SYSTEMTIME): 2024-01-01 (a Monday, day of week 1) 00:00:00.000.
  [2024, 1, 1, 1, 0, 0, 0, 0].forEach((value, k) => header.writeUInt16LE(value, 28 + 2 * k));
  fixedText(header, application, 44, 32);
  fixedText(header, `simulated session, ${session.unitIds.length} units`, 76, 256);
  header.writeUInt32LE(extendedCount, 332);
  let at = BASIC_HEADER_BYTES;
  const entry = (id: string) => {
    header.write(id, at, 'latin1');
    const start = at;
    at += EXTENDED_HEADER_BYTES;
    return start;
  };
  for (const electrode of sortedElectrodes) {
    let e = entry('NEUEVWAV');
    header.writeUInt16LE(electrode, e + 8);
    header[e + 10] = 1 + Math.floor((electrode - 1) / 32); // physical connector (bank)
    header[e + 11] = 1 + ((electrode - 1) % 32); // connector pin
    header.writeUInt16LE(250, e + 12); // digitization factor, nV per bit
    header.writeUInt16LE(0, e + 14); // energy threshold
    header.writeInt16LE(0, e + 16); // high threshold
    header.writeInt16LE(-65, e + 18); // low threshold, µV
    header[e + 20] = electrodes.get(electrode)!.size; // number of sorted units
    header[e + 21] = 2; // bytes per waveform sample
    header.writeUInt16LE(waveformSamples, e + 22); // spike width, samples
    e = entry('NEUEVLBL');
    header.writeUInt16LE(electrode, e + 8);
    fixedText(header, `elec${electrode}`, e + 10, 16);
    e = entry('NEUEVFLT');
    header.writeUInt16LE(electrode, e + 8);
    header.writeUInt32LE(250_000, e + 10); // high-pass corner, mHz
    header.writeUInt32LE(4, e + 14);
    header.writeUInt16LE(1, e + 18); // Butterworth
    header.writeUInt32LE(7_500_000, e + 20); // low-pass corner, mHz
    header.writeUInt32LE(3, e + 24);
    header.writeUInt16LE(1, e + 28);
  }
  let e = entry('DIGLABEL');
  fixedText(header, 'serial', e + 8, 16);
  header[e + 24] = 0;
  e = entry('DIGLABEL');
  fixedText(header, 'digin', e + 8, 16);
  header[e + 24] = 1;
  return header;
}

/** A spike-like 16-bit waveform (a trough then a smaller peak), the same for every spike. */
function waveformBytes(samples: number): Buffer {
  const bytes = Buffer.alloc(2 * samples);
  for (let k = 0; k < samples; k++) {
    const x = (k - samples / 4) / Math.max(1, samples / 12);
    const value = Math.round(-400 * Math.exp(-x * x) + 120 * Math.exp(-((x - 3) * (x - 3)) / 4));
    bytes.writeInt16LE(value, 2 * k);
  }
  return bytes;
}

async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}
