import type { FileHandle } from 'node:fs/promises';
import { InputFormatError } from '../../src/errors.ts';
import type { NevHeader } from './nevHeader.ts';

/** Bytes read per chunk (whole packets): large enough to amortize the read, small enough to keep memory flat. */
export const CHUNK_BYTES = 1 << 20;

/**
 * One chunk of packets decoded into columns (see nevPackets.ts for the
 * layout): packet k of the chunk is packet `firstPacket + k` of the file.
 * The arrays are reused for the next chunk: read them before asking for it.
 */
export interface PacketColumns {
  firstPacket: number;
  count: number;
  /** Timestamps in ticks (uint32, or uint64 converted to float64: exact below 2^53). */
  readonly ticks: Float64Array;
  readonly packetId: Uint16Array;
  /** Unit classification of a spike packet, insertion reason of a digital one. */
  readonly unitOrReason: Uint8Array;
  /** The digital input word of a digital packet (meaningless for other packets). */
  readonly digitalWord: Uint16Array;
}

/**
 * Reads a NEV file's data packets in chunks of whole packets (about 1 MiB),
 * decoding the fields every packet kind needs into typed columns: no object
 * per packet, and memory that does not grow with the file.
 *
 * Packets are in time order per the specification, so a time can be found by
 * binary search over packet timestamps (`firstPacketAtOrAfter`); a search
 * that meets timestamps out of order says so, and the caller reads from the
 * first packet instead.
 */
export class NevPacketReader {
  private readonly chunkPackets: number;
  private readonly columns: PacketColumns;
  private readonly chunk: Buffer;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly header: NevHeader,
  ) {
    this.chunkPackets = Math.max(1, Math.floor(CHUNK_BYTES / header.bytesPerPacket));
    this.chunk = Buffer.alloc(this.chunkPackets * header.bytesPerPacket);
    this.columns = {
      firstPacket: 0,
      count: 0,
      ticks: new Float64Array(this.chunkPackets),
      packetId: new Uint16Array(this.chunkPackets),
      unitOrReason: new Uint8Array(this.chunkPackets),
      digitalWord: new Uint16Array(this.chunkPackets),
    };
  }

  get packetCount(): number {
    return this.header.packetCount;
  }

  /** Packets [from, to) chunk by chunk, as reused columns. */
  async *chunks(from = 0, to = this.header.packetCount): AsyncGenerator<PacketColumns, void, undefined> {
    const { bytesPerPacket, bytesInHeaders, timestampBytes } = this.header;
    const columns = this.columns;
    const bytes = this.chunk;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const idOffset = timestampBytes;
    for (let first = Math.max(0, from); first < to; first += this.chunkPackets) {
      const count = Math.min(this.chunkPackets, to - first);
      await this.readInto(bytes, count * bytesPerPacket, bytesInHeaders + first * bytesPerPacket);
      const { ticks, packetId, unitOrReason, digitalWord } = columns;
      if (timestampBytes === 8) {
        for (let k = 0, at = 0; k < count; k++, at += bytesPerPacket) {
          ticks[k] = view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
          packetId[k] = view.getUint16(at + idOffset, true);
          unitOrReason[k] = bytes[at + idOffset + 2];
          digitalWord[k] = view.getUint16(at + idOffset + 4, true);
        }
      } else {
        for (let k = 0, at = 0; k < count; k++, at += bytesPerPacket) {
          ticks[k] = view.getUint32(at, true);
          packetId[k] = view.getUint16(at + idOffset, true);
          unitOrReason[k] = bytes[at + idOffset + 2];
          digitalWord[k] = view.getUint16(at + idOffset + 4, true);
        }
      }
      columns.firstPacket = first;
      columns.count = count;
      yield columns;
    }
  }

  /** The timestamp (ticks) of one packet. */
  async ticksAt(packet: number): Promise<number> {
    const bytes = Buffer.alloc(this.header.timestampBytes);
    await this.readInto(bytes, bytes.length, this.header.bytesInHeaders + packet * this.header.bytesPerPacket);
    return this.header.timestampBytes === 8 ? bytes.readUInt32LE(0) + bytes.readUInt32LE(4) * 4294967296 : bytes.readUInt32LE(0);
  }

  /**
   * The first packet whose time (ticks / resolution, as the scan computes it)
   * is at or after `seconds`, by binary search over the packets' timestamps;
   * `packetCount` if none is. `sorted` is false when the timestamps probed
   * were out of order (a file whose clock was reset): the index is then
   * meaningless and the caller reads from the first packet.
   */
  async firstPacketAtOrAfter(seconds: number): Promise<{ packet: number; sorted: boolean }> {
    const resolution = this.header.timestampResolution;
    const probes: Array<[packet: number, ticks: number]> = [];
    const timeAt = async (packet: number) => {
      const ticks = await this.ticksAt(packet);
      probes.push([packet, ticks]);
      return ticks / resolution;
    };
    let low = 0;
    let high = this.header.packetCount;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if ((await timeAt(middle)) < seconds) low = middle + 1;
      else high = middle;
    }
    if (this.header.packetCount > 0) {
      await timeAt(0);
      await timeAt(this.header.packetCount - 1);
    }
    probes.sort((a, b) => a[0] - b[0]);
    const sorted = probes.every((probe, k) => k === 0 || probe[1] >= probes[k - 1][1]);
    return { packet: low, sorted };
  }

  private async readInto(bytes: Buffer, length: number, position: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(bytes, done, length - done, position + done);
      if (bytesRead === 0) {
        throw new InputFormatError(`truncated while reading the packet at byte ${position + done - ((position + done - this.header.bytesInHeaders) % this.header.bytesPerPacket)} (the file shrank while being read?)`, this.path);
      }
      done += bytesRead;
    }
  }
}
