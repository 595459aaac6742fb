import { open, type FileHandle } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { InputFormatError } from '../errors.ts';

/**
 * A zip archive on disk, read through its central directory: what an `.npz`
 * is (NumPy's `savez` writes stored entries, `savez_compressed` deflated
 * ones, both with zip64 extra fields). Only the directory is read on
 * opening; a member is read, inflated and checked (size, CRC-32) when asked
 * for, so that taking one small member (a snapshot's `step`) out of a large
 * archive costs little.
 *
 * Read: stored (method 0) and deflated (8) entries, zip64 sizes and offsets,
 * the zip64 end record. Not read (an InputFormatError naming the file and
 * the member): encrypted entries, other compression methods, archives split
 * over several disks.
 */
export interface ZipEntry {
  /** The member's name as the archive spells it (`values.npy`). */
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly flags: number;
  /** Offset of the member's local header. */
  readonly headerOffset: number;
}

const END_SIGNATURE = 0x06054b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** The end record (22 bytes) plus the longest comment (65,535). */
const MAX_END_SEARCH = 22 + 0xffff;
/** A member larger than this is not read into memory (a typed array cannot hold it anyway). */
const MAX_MEMBER_BYTES = 2 ** 31;

export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly size: number,
    /** The members by name, in the directory's order. */
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Opens `path` and reads its central directory; InputFormatError if it is not a zip archive this reader takes. */
  static async open(path: string): Promise<ZipArchive> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new InputFormatError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, path);
    }
    try {
      const size = (await handle.stat()).size;
      const entries = await readDirectory(path, handle, size);
      return new ZipArchive(path, handle, size, entries);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The bytes of member `name`, inflated and checked against the directory's size and CRC-32. */
  async read(name: string): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    const where = `member '${name}'`;
    if (entry === undefined) throw new InputFormatError(`has no ${where}`, this.path);
    if ((entry.flags & 1) !== 0) throw new InputFormatError(`${where} is encrypted`, this.path);
    if (entry.method !== 0 && entry.method !== 8) {
      throw new InputFormatError(`${where} uses compression method ${entry.method}; only stored (0) and deflated (8) members are read`, this.path);
    }
    if (entry.size > MAX_MEMBER_BYTES || entry.compressedSize > MAX_MEMBER_BYTES) {
      throw new InputFormatError(`${where} holds ${entry.size} bytes, more than this reader takes (2 GiB)`, this.path);
    }
    const local = await this.bytes(entry.headerOffset, 30, where);
    const view = new DataView(local.buffer, local.byteOffset, local.byteLength);
    if (view.getUint32(0, true) !== LOCAL_SIGNATURE) throw new InputFormatError(`${where}: no local header at byte ${entry.headerOffset} (a damaged archive)`, this.path);
    const dataOffset = entry.headerOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
    const stored = await this.bytes(dataOffset, entry.compressedSize, where);
    let data: Uint8Array;
    if (entry.method === 0) data = stored;
    else {
      try {
        data = inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) });
      } catch (error) {
        throw new InputFormatError(`${where} cannot be inflated (${(error as Error).message}): a damaged archive`, this.path);
      }
    }
    if (data.length !== entry.size) throw new InputFormatError(`${where} holds ${data.length} bytes, the directory says ${entry.size}: a damaged archive`, this.path);
    if (crc32(data) !== entry.crc) throw new InputFormatError(`${where} fails its CRC-32 check: a damaged archive`, this.path);
    return data;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private bytes(offset: number, length: number, what: string): Promise<Uint8Array> {
    return readExactly(this.path, this.handle, this.size, offset, length, what);
  }
}

async function readExactly(path: string, handle: FileHandle, size: number, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (offset < 0 || offset + length > size) {
    throw new InputFormatError(`${what} lies at bytes ${offset}–${offset + length}, past the end of the file (${size} bytes): a truncated archive`, path);
  }
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, offset + done);
    if (bytesRead === 0) throw new InputFormatError(`truncated while reading ${what} (the file shrank?)`, path);
    done += bytesRead;
  }
  return out;
}

async function readDirectory(path: string, handle: FileHandle, size: number): Promise<Map<string, ZipEntry>> {
  const notZip = (why: string) => new InputFormatError(`not a zip archive (an .npz is one): ${why}`, path);
  const tailLength = Math.min(size, MAX_END_SEARCH);
  const tail = await readExactly(path, handle, size, size - tailLength, tailLength, 'the end record');
  const tailView = new DataView(tail.buffer);
  let end = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === END_SIGNATURE) {
      end = i;
      break;
    }
  }
  if (end < 0) throw notZip(size < 22 ? `${size} bytes is too short` : 'no end-of-central-directory record');
  let count = tailView.getUint16(end + 10, true);
  let directorySize = tailView.getUint32(end + 12, true);
  let directoryOffset = tailView.getUint32(end + 16, true);
  if (tailView.getUint16(end + 4, true) !== 0 || tailView.getUint16(end + 6, true) !== 0) throw notZip('an archive split over several disks');
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    // Zip64: a locator just before the end record gives the zip64 end record's offset.
    const locatorAt = size - tailLength + end - 20;
    const locator = await readExactly(path, handle, size, locatorAt, 20, 'the zip64 locator');
    const locatorView = new DataView(locator.buffer);
    if (locatorView.getUint32(0, true) !== ZIP64_LOCATOR_SIGNATURE) throw notZip('the end record asks for zip64, but there is no zip64 locator');
    const record = await readExactly(path, handle, size, Number(locatorView.getBigUint64(8, true)), 56, 'the zip64 end record');
    const recordView = new DataView(record.buffer);
    if (recordView.getUint32(0, true) !== ZIP64_END_SIGNATURE) throw notZip('no zip64 end record where the locator points');
    count = Number(recordView.getBigUint64(32, true));
    directorySize = Number(recordView.getBigUint64(40, true));
    directoryOffset = Number(recordView.getBigUint64(48, true));
  }
  const directory = await readExactly(path, handle, size, directoryOffset, directorySize, 'the central directory');
  const view = new DataView(directory.buffer);
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > directorySize || view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw notZip(`central directory entry ${k} is damaged`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let entrySize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let headerOffset = view.getUint32(at + 42, true);
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extra field (id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 1) {
        let field = extra + 4;
        const next = (): number => {
          const value = Number(view.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (entrySize === 0xffffffff) entrySize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (headerOffset === 0xffffffff) headerOffset = next();
      }
      extra += 4 + length;
    }
    entries.set(name, { name, method, compressedSize, size: entrySize, crc, flags, headerOffset });
    at = extraEnd + commentLength;
  }
  return entries;
}
