/**
 * The byte stream of the Intan RHX TCP spike port, cut into records.
 *
 * RHX (Intan-Technologies/Intan-RHX, Engine/Threads/tcpdataoutputthread.cpp)
 * writes one 14-byte record per detected spike, little-endian, back to back
 * with no other framing:
 *
 *     offset  size  field
 *     0       4     magic number 0x3AE2710F (uint32)
 *     4       5     native channel name, ASCII, e.g. "A-000" (no terminator)
 *     9       4     timestamp: the sample index of the spike (uint32)
 *     13      1     spike id (uint8), a bit field (Engine/Processing/waveformfifo.h):
 *                   1, 2, 4, 8 = spike types 1–4, 64 = unclassified threshold
 *                   crossing, 128 = likely artifact (the spike exceeded the
 *                   "spike max" amplitude). RHX 3.x marks every detection 1,
 *                   or 128 for an artifact (cpuinterface.cpp).
 *
 * TCP delivers those bytes in pieces that need not fall on record edges, and
 * a stream joined mid-record (or corrupted) holds bytes that are no record.
 * `push` takes each piece as it comes, returns the whole records completed
 * so far, and keeps the rest for the next piece, so the same stream split
 * anywhere gives the same records.
 *
 * A position starts a record when its 14 bytes are: the magic, a name of the
 * form [A-H]-ddd (ports A–H, three digits, as RHX names amplifier channels),
 * and an id RHX can send (1, 2, 4, 8, 64 or 128). Anything else is garbage:
 * it is skipped one byte at a time up to the next position that starts a
 * record, and counted (`skippedBytes`; each run of garbage between two
 * records is one `resyncs`). Checking the name and id as well as the magic
 * means that a stray magic inside garbage does not pass for a record unless
 * the 10 bytes after it also look like one (about 1 in 6·10^9 for random
 * bytes), and that a record cut short and followed by a whole one is always
 * seen as garbage: where the short record's 14 bytes run into the next
 * record, a field falls on a byte of that record's magic (0x0F 0x71 0xE2
 * 0x3A) or, in the id's place, its port letter (0x41–0x48), and none of
 * those is a valid magic continuation, name character or id. A fake record
 * that does pass is read as a spike; the real record it overlaps is then
 * garbage and skipped.
 *
 * Channel names are interned: `channel[i]` indexes `channelNames`, a table
 * that only grows, so no string is made per record.
 */

/** The magic number of a spike record, as RHX writes it (uint32, little-endian on the wire). */
export const RHX_SPIKE_MAGIC = 0x3ae2710f;
/** Bytes per spike record: magic 4, name 5, timestamp 4, id 1. */
export const RHX_SPIKE_RECORD_BYTES = 14;
/** The spike ids RHX writes (Engine/Processing/waveformfifo.h: SpikeIdSpikeType1–4, SpikeIdUnclassifiedSpike, SpikeIdLikelyArtifact). */
export const RHX_SPIKE_IDS: readonly number[] = [1, 2, 4, 8, 64, 128];
/** The id of a spike RHX flags as a likely artifact (it exceeded the "spike max" amplitude). */
export const RHX_ARTIFACT_ID = 128;

const MAGIC_0 = 0x0f;
const MAGIC_1 = 0x71;
const MAGIC_2 = 0xe2;
const MAGIC_3 = 0x3a;
const PORT_LETTERS = 'ABCDEFGH';
const VALID_ID = new Uint8Array(256);
for (const id of RHX_SPIKE_IDS) VALID_ID[id] = 1;

/** The records found in one `push`, columnar. Arrays are views of `count` entries. */
export interface RhxSpikeRecords {
  count: number;
  /** Index of each record's channel into the parser's `channelNames`. */
  channel: Uint32Array;
  /** The sample index (RHX timestamp) of each spike. */
  sample: Uint32Array;
  /** The spike id byte of each record. */
  id: Uint8Array;
}

export class RhxSpikeParser {
  /** Channel names met so far ("A-000" …), indexed by `RhxSpikeRecords.channel`. */
  readonly channelNames: string[] = [];
  /** Records read. */
  records = 0;
  /** Bytes skipped because they did not start a record. */
  skippedBytes = 0;
  /** Runs of skipped bytes (each a loss of sync then a record found again). */
  resyncs = 0;
  /** Channel index by port·1000 + channel number, −1 when not met yet. */
  private readonly channelIndex = new Int32Array(PORT_LETTERS.length * 1000).fill(-1);
  /** Bytes of the stream not decided yet (a possible record start with fewer than 14 bytes after it). */
  private pending: Uint8Array = new Uint8Array(0);
  /** The last byte decided was garbage (the next garbage byte continues the same run). */
  private inGarbage = false;

  /** Bytes held back for the next push (the start of a record not complete yet). */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Takes the next piece of the stream; returns the records it completed (in stream order). */
  push(chunk: Uint8Array): RhxSpikeRecords {
    let data: Uint8Array;
    if (this.pending.length === 0) data = chunk;
    else {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending, 0);
      data.set(chunk, this.pending.length);
    }
    const n = data.length;
    const capacity = Math.floor(n / RHX_SPIKE_RECORD_BYTES);
    const channel = new Uint32Array(capacity);
    const sample = new Uint32Array(capacity);
    const id = new Uint8Array(capacity);
    let count = 0;
    let p = 0;
    while (p + RHX_SPIKE_RECORD_BYTES <= n) {
      if (isRecordAt(data, p)) {
        channel[count] = this.internChannel(data, p + 4);
        sample[count] = (data[p + 9] | (data[p + 10] << 8) | (data[p + 11] << 16) | (data[p + 12] << 24)) >>> 0;
        id[count] = data[p + 13];
        count++;
        this.inGarbage = false;
        p += RHX_SPIKE_RECORD_BYTES;
        continue;
      }
      // Not a record: skip to the next magic, or to where a magic could still begin.
      let next = p + 1;
      while (next + 4 <= n && !(data[next] === MAGIC_0 && data[next + 1] === MAGIC_1 && data[next + 2] === MAGIC_2 && data[next + 3] === MAGIC_3)) next++;
      if (next + 4 > n) next = firstPossibleMagicStart(data, next);
      this.skip(next - p);
      p = next;
    }
    // Fewer than 14 bytes left: keep them from the first position that could still start a record.
    const keepFrom = p < n && !couldStartRecord(data, p) ? firstPossibleMagicStart(data, p + 1) : p;
    if (keepFrom > p) this.skip(keepFrom - p);
    this.pending = data.slice(keepFrom);
    this.records += count;
    return { count, channel: channel.subarray(0, count), sample: sample.subarray(0, count), id: id.subarray(0, count) };
  }

  /**
   * Forgets the undecided bytes (the connection they came on is gone: the next
   * bytes, on a new connection, do not continue them). Returns how many.
   */
  reset(): number {
    const dropped = this.pending.length;
    this.pending = new Uint8Array(0);
    this.inGarbage = false;
    return dropped;
  }

  private skip(bytes: number): void {
    if (bytes <= 0) return;
    this.skippedBytes += bytes;
    if (!this.inGarbage) this.resyncs++;
    this.inGarbage = true;
  }

  private internChannel(data: Uint8Array, at: number): number {
    const key = (data[at] - 0x41) * 1000 + (data[at + 2] - 0x30) * 100 + (data[at + 3] - 0x30) * 10 + (data[at + 4] - 0x30);
    let index = this.channelIndex[key];
    if (index < 0) {
      index = this.channelNames.length;
      this.channelNames.push(String.fromCharCode(data[at], data[at + 1], data[at + 2], data[at + 3], data[at + 4]));
      this.channelIndex[key] = index;
    }
    return index;
  }
}

/** Whether the 14 bytes at `p` are a record RHX could have written. */
function isRecordAt(data: Uint8Array, p: number): boolean {
  return (
    data[p] === MAGIC_0 &&
    data[p + 1] === MAGIC_1 &&
    data[p + 2] === MAGIC_2 &&
    data[p + 3] === MAGIC_3 &&
    data[p + 4] >= 0x41 &&
    data[p + 4] <= 0x48 &&
    data[p + 5] === 0x2d &&
    isDigit(data[p + 6]) &&
    isDigit(data[p + 7]) &&
    isDigit(data[p + 8]) &&
    VALID_ID[data[p + 13]] === 1
  );
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** Whether the bytes from `p` to the end (fewer than 14) agree with the start of a record. */
function couldStartRecord(data: Uint8Array, p: number): boolean {
  const n = data.length;
  const expect = (offset: number, ok: (byte: number) => boolean) => p + offset >= n || ok(data[p + offset]);
  return (
    expect(0, (b) => b === MAGIC_0) &&
    expect(1, (b) => b === MAGIC_1) &&
    expect(2, (b) => b === MAGIC_2) &&
    expect(3, (b) => b === MAGIC_3) &&
    expect(4, (b) => b >= 0x41 && b <= 0x48) &&
    expect(5, (b) => b === 0x2d) &&
    expect(6, isDigit) &&
    expect(7, isDigit) &&
    expect(8, isDigit) &&
    expect(13, (b) => VALID_ID[b] === 1)
  );
}

/** The first position from `from` on whose bytes (to the end) could still start a record; `data.length` if none. */
function firstPossibleMagicStart(data: Uint8Array, from: number): number {
  for (let q = from; q < data.length; q++) {
    if (data.length - q >= RHX_SPIKE_RECORD_BYTES) {
      if (isRecordAt(data, q)) return q;
    } else if (couldStartRecord(data, q)) return q;
  }
  return data.length;
}
