import type { FileHandle } from 'node:fs/promises';
import { InputFormatError } from '../../src/errors.ts';
import { checkedSpikeClock } from '../spikeClock.ts';

/**
 * The headers of a Blackrock NEV file (spec 2.1, 2.2, 2.3 and 3.0), read and
 * checked against the file's size before any packet is read.
 *
 * Layout (little-endian; Blackrock's NEV specification as Blackrock's own
 * readers implement it: NPMK `openNEV.m` and brpylib `brpylib.py`
 * (BlackrockNeurotech/NPMK, BlackrockNeurotech/Python-Utilities), python-neo
 * `neo/rawio/blackrockrawio.py`, readNSx `inst/specifications/blackrock-nev-*.json`):
 *
 * Basic header, 336 bytes, the same in every version:
 * | byte | bytes | field |
 * |---|---|---|
 * | 0 | 8 | file type id: 'NEURALEV' (2.x) or 'BREVENTS' (3.0) |
 * | 8 | 1+1 | file spec major, minor |
 * | 10 | 2 | additional flags (bit 0: every waveform is 16-bit) |
 * | 12 | 4 | bytes in headers (basic + extended): where the data packets start |
 * | 16 | 4 | bytes per data packet (every packet has this size) |
 * | 20 | 4 | time resolution of timestamps, ticks per second |
 * | 24 | 4 | time resolution of samples (waveforms), per second |
 * | 28 | 16 | time origin: Windows SYSTEMTIME, 8 × uint16 |
 * | 44 | 32 | application that created the file |
 * | 76 | 256 | comment |
 * | 332 | 4 | number of extended headers |
 *
 * Extended headers, 32 bytes each from byte 336: an 8-character id, then
 * 24 bytes by id. The ones read here:
 * - NEUEVWAV: electrode id uint16 @8, physical connector uint8 @10, connector pin uint8 @11,
 *   digitization factor uint16 @12, energy threshold uint16 @14, high / low threshold int16 @16 / @18,
 *   number of sorted units uint8 @20, bytes per waveform sample uint8 @21, spike width (samples) uint16 @22 (2.2+).
 * - NEUEVLBL: electrode id uint16 @8, label char[16] @10.
 * - DIGLABEL: label char[16] @8, mode uint8 @24 (0 serial, 1 parallel).
 * Others (ARRAYNME, ECOMMENT, CCOMMENT, MAPFILE, NEUEVFLT, NSASEXEV, VIDEOSYN, TRACKOBJ, …) are counted only.
 *
 * The NEV 3.0 basic header has the same fields as 2.x (no processor timestamp
 * there: 3.0 widens the packets' timestamps to uint64 instead, see nevPackets.ts).
 */

export const BASIC_HEADER_BYTES = 336;
export const EXTENDED_HEADER_BYTES = 32;
/** Packet sizes above this are not NEV packets (Central writes 104 or 108 bytes): a garbage header, not a file to read. */
export const MAX_PACKET_BYTES = 65536;

export type NevVersion = '2.1' | '2.2' | '2.3' | '3.0';

export interface NevElectrode {
  id: number;
  /** From NEUEVLBL, if the file has one for this electrode. */
  label?: string;
  /** From NEUEVWAV. */
  connector?: number;
  pin?: number;
  sortedUnits?: number;
}

export interface NevHeader {
  fileType: 'NEURALEV' | 'BREVENTS';
  version: NevVersion;
  additionalFlags: number;
  bytesInHeaders: number;
  bytesPerPacket: number;
  /** Ticks per second of packet timestamps: time in seconds = timestamp / timestampResolution. */
  timestampResolution: number;
  /** Samples per second of the spike waveforms. */
  sampleResolution: number;
  /** The time origin as written (year, month, day of week, day, hour, minute, second, millisecond). */
  timeOrigin: number[];
  application: string;
  comment: string;
  extendedHeaderCount: number;
  /** Bytes of a packet's timestamp: 4 (uint32) in 2.x, 8 (uint64) in 3.0. */
  timestampBytes: 4 | 8;
  /** Electrodes described by NEUEVWAV / NEUEVLBL, by id. */
  electrodes: Map<number, NevElectrode>;
  /** DIGLABEL entries: the names of the digital inputs. */
  digitalLabels: Array<{ label: string; mode: 'serial' | 'parallel' }>;
  /** Extended headers by id, counted (all of them, known or not). */
  extendedHeaderIds: Map<string, number>;
  fileBytes: number;
  /** Whole packets in the data section. */
  packetCount: number;
}

/** Smallest packet of each version: timestamp, packet id (2), unit or reason (1), reserved (1), digital input word (2); 2.1/2.2 digital packets also hold 5 analog values. */
export function minimumPacketBytes(version: NevVersion): number {
  if (version === '3.0') return 14;
  if (version === '2.3') return 10;
  return 20;
}

/** Text of a fixed-size char field: up to the first NUL, latin1, trimmed. */
function fixedText(bytes: Buffer, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('latin1', 0, end < 0 ? field.length : end).trim();
}

/** Bytes as a user can read them in a message: printable ASCII as is, the rest as \xNN. */
function printable(bytes: Buffer): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f && b !== 0x27 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const bytes = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return bytes.subarray(0, done);
}

/**
 * Reads and checks the headers. Every inconsistency is an InputFormatError
 * naming the byte offset: bad magic at byte 0, an unknown version at byte 8,
 * a header shorter than 336 bytes or than 'bytes in headers', a packet size
 * too small for the version, more extended headers than the header holds, and
 * a data section that is not a whole number of packets (`truncated packet at
 * byte N`, found here, before any packet is read: see NevRecording).
 */
export async function readNevHeader(path: string, handle: FileHandle): Promise<NevHeader> {
  const fileBytes = (await handle.stat()).size;
  const basic = await readExactly(handle, BASIC_HEADER_BYTES, 0);
  const magic = basic.toString('latin1', 0, Math.min(8, basic.length));
  if (magic !== 'NEURALEV' && magic !== 'BREVENTS') {
    throw new InputFormatError(
      `bad magic at byte 0: expected 'NEURALEV' (NEV 2.x) or 'BREVENTS' (NEV 3.0), found '${printable(basic.subarray(0, 8))}'`,
      path,
    );
  }
  if (basic.length < BASIC_HEADER_BYTES) {
    throw new InputFormatError(`truncated basic header: NEV files start with a ${BASIC_HEADER_BYTES}-byte basic header, the file has ${fileBytes} bytes`, path);
  }
  const fileType = magic;
  const major = basic[8];
  const minor = basic[9];
  let version: NevVersion;
  if (fileType === 'BREVENTS') {
    if (major !== 3 || minor !== 0) {
      throw new InputFormatError(`unsupported NEV spec ${major}.${minor} at byte 8 of a 'BREVENTS' file: expected 3.0`, path);
    }
    version = '3.0';
  } else if (major === 2 && (minor === 1 || minor === 2 || minor === 3)) {
    version = `2.${minor}` as NevVersion;
  } else if (major === 3) {
    throw new InputFormatError(`spec ${major}.${minor} at byte 8 does not match file type 'NEURALEV' at byte 0 (NEV 3.0 files start with 'BREVENTS')`, path);
  } else {
    throw new InputFormatError(`unsupported NEV spec ${major}.${minor} at byte 8: expected 2.1, 2.2, 2.3 ('NEURALEV') or 3.0 ('BREVENTS')`, path);
  }
  const bytesInHeaders = basic.readUInt32LE(12);
  const bytesPerPacket = basic.readUInt32LE(16);
  const timestampResolution = basic.readUInt32LE(20);
  const sampleResolution = basic.readUInt32LE(24);
  const extendedHeaderCount = basic.readUInt32LE(332);
  if (bytesInHeaders < BASIC_HEADER_BYTES) {
    throw new InputFormatError(`'bytes in headers' at byte 12 is ${bytesInHeaders}, less than the ${BASIC_HEADER_BYTES}-byte basic header`, path);
  }
  const extendedBytes = extendedHeaderCount * EXTENDED_HEADER_BYTES;
  if (BASIC_HEADER_BYTES + extendedBytes > bytesInHeaders) {
    throw new InputFormatError(
      `${extendedHeaderCount} extended headers (byte 332) need ${BASIC_HEADER_BYTES} + ${EXTENDED_HEADER_BYTES}·${extendedHeaderCount} = ${BASIC_HEADER_BYTES + extendedBytes} bytes of headers, but 'bytes in headers' (byte 12) is ${bytesInHeaders}`,
      path,
    );
  }
  if (bytesInHeaders > fileBytes) {
    throw new InputFormatError(`truncated headers: 'bytes in headers' (byte 12) says the headers end at byte ${bytesInHeaders}, the file has ${fileBytes} bytes`, path);
  }
  const minimum = minimumPacketBytes(version);
  if (bytesPerPacket < minimum || bytesPerPacket > MAX_PACKET_BYTES) {
    throw new InputFormatError(
      `'bytes per data packet' at byte 16 is ${bytesPerPacket}: NEV ${version} packets hold ${minimum} to ${MAX_PACKET_BYTES} bytes (timestamp, packet id, unit or reason, digital word, waveform)`,
      path,
    );
  }
  // A garbage resolution would put spikes years apart or all into one bin: refused before any packet is read.
  checkedSpikeClock(timestampResolution, "'time resolution of timestamps' at byte 20:", path);
  const dataBytes = fileBytes - bytesInHeaders;
  const packetCount = Math.floor(dataBytes / bytesPerPacket);
  const extraBytes = dataBytes - packetCount * bytesPerPacket;
  if (extraBytes !== 0) {
    throw new InputFormatError(
      `truncated packet at byte ${bytesInHeaders + packetCount * bytesPerPacket}: the data from byte ${bytesInHeaders} hold ${packetCount} whole packets of ${bytesPerPacket} bytes and ${extraBytes} bytes more`,
      path,
    );
  }
  const timeOrigin = Array.from({ length: 8 }, (_, k) => basic.readUInt16LE(28 + 2 * k));

  const header: NevHeader = {
    fileType,
    version,
    additionalFlags: basic.readUInt16LE(10),
    bytesInHeaders,
    bytesPerPacket,
    timestampResolution,
    sampleResolution,
    timeOrigin,
    application: fixedText(basic, 44, 32),
    comment: fixedText(basic, 76, 256),
    extendedHeaderCount,
    timestampBytes: version === '3.0' ? 8 : 4,
    electrodes: new Map(),
    digitalLabels: [],
    extendedHeaderIds: new Map(),
    fileBytes,
    packetCount,
  };
  const extended = await readExactly(handle, extendedBytes, BASIC_HEADER_BYTES);
  for (let k = 0; k < extendedHeaderCount; k++) readExtendedHeader(header, extended.subarray(k * EXTENDED_HEADER_BYTES, (k + 1) * EXTENDED_HEADER_BYTES));
  return header;
}

function electrodeOf(header: NevHeader, id: number): NevElectrode {
  let electrode = header.electrodes.get(id);
  if (electrode === undefined) {
    electrode = { id };
    header.electrodes.set(id, electrode);
  }
  return electrode;
}

function readExtendedHeader(header: NevHeader, entry: Buffer): void {
  const id = fixedText(entry, 0, 8);
  header.extendedHeaderIds.set(id, (header.extendedHeaderIds.get(id) ?? 0) + 1);
  switch (id) {
    case 'NEUEVWAV': {
      const electrode = electrodeOf(header, entry.readUInt16LE(8));
      electrode.connector = entry[10];
      electrode.pin = entry[11];
      electrode.sortedUnits = entry[20];
      break;
    }
    case 'NEUEVLBL': {
      const label = fixedText(entry, 10, 16);
      if (label !== '') electrodeOf(header, entry.readUInt16LE(8)).label = label;
      break;
    }
    case 'DIGLABEL':
      header.digitalLabels.push({ label: fixedText(entry, 8, 16), mode: entry[24] === 0 ? 'serial' : 'parallel' });
      break;
  }
}
