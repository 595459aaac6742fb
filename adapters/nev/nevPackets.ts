import type { NevVersion } from './nevHeader.ts';

/**
 * The data packets of a NEV file: all of one size ('bytes per data packet'),
 * from byte 'bytes in headers' to the end, in time order (Blackrock's NEV
 * specification; layouts as NPMK `openNEV.m`, brpylib `brpylib.py`,
 * python-neo `blackrockrawio.py` and readNSx's spec files read them).
 *
 * Every packet starts with its timestamp (uint32 in 2.x, uint64 in 3.0:
 * T = 4 or 8 bytes) and a uint16 packet id at byte T:
 *
 * | packet id | packet | bytes after the id |
 * |---|---|---|
 * | 0 | digital / serial input event | insertion reason uint8 @T+2, reserved @T+3, digital input uint16 @T+4 (2.1/2.2: then 5 × int16 analog inputs) |
 * | 1–32767 | spike on electrode `id` | unit classification uint8 @T+2 (0 unclassified, 1–16 units, 255 noise), reserved @T+3, waveform @T+4 |
 * | 0xFFFF | comment | char set, flag, color or start timestamp, text |
 * | 0xFFFE | video sync | file, frame, elapsed time, source |
 * | 0xFFFD | tracking (NeuroMotive) | parent, node, counts, points |
 * | 0xFFFC | button (patient) trigger | trigger type |
 * | 0xFFFB | configuration change (2.3) / log event (3.0) | |
 * | 0xFFFA | configuration change (3.0) | |
 * | 0xFFF9 | recording event (3.0) | |
 *
 * The electrode range: the 2.3 specification names ids 1–2048 (2.1/2.2 up
 * to 255), 3.0 ids below 32768; NPMK and brpylib take 1–16384 in every
 * version. Ids 1–32767 are read as spikes in every version: no version
 * gives them another meaning.
 *
 * Insertion reason of id-0 packets (bit 0 = LSB): bit 0 the digital input
 * changed (parallel port), with bit 7 the word came from the serial port
 * (reason 129); in 2.1/2.2, bits 1–5 an analog input crossed its threshold
 * and bit 6 a periodic sample (python-neo, brpylib PARALLEL_REASON 1,
 * SERIAL_REASON 129, PERIODIC_REASON 64).
 */

export const DIGITAL_PACKET_ID = 0;
export const MAX_ELECTRODE_ID = 32767;
export const UNCLASSIFIED_UNIT = 0;
export const NOISE_UNIT = 255;
/** Highest unit classification the specification assigns to a sorted unit. */
export const MAX_SORTED_UNIT = 16;

export const REASON_DIGITAL_INPUT_CHANGED = 0x01;
export const REASON_SERIAL_INPUT = 0x80;

/** Kinds of packets that are neither spikes nor digital input events, counted by index (see `otherPacketKind`). */
export const OTHER_PACKET_KINDS = 8;

/**
 * The index of a non-spike, non-digital packet's kind (0 = 0xFFFF comment … 6 = 0xFFF9, 7 = unknown),
 * so that a scan counts them in a typed array and names them once at the end.
 */
export function otherPacketKind(packetId: number): number {
  return packetId >= 0xfff9 ? 0xffff - packetId : 7;
}

/** Names of the kinds of `otherPacketKind`, for summaries ('comment packets'). */
export function otherPacketKindName(kind: number, version: NevVersion): string {
  switch (kind) {
    case 0:
      return 'comment packets';
    case 1:
      return 'video sync packets';
    case 2:
      return 'tracking packets';
    case 3:
      return 'button trigger packets';
    case 4:
      return version === '3.0' ? 'log packets' : 'configuration packets';
    case 5:
      return 'configuration packets (id 0xFFFA)';
    case 6:
      return 'recording event packets';
    default:
      return 'packets of unknown id';
  }
}
