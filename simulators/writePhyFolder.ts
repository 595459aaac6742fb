import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionToWrite } from './sampledSession.ts';

/** Integer dtypes the writer can give an .npy column, as NumPy names them in the header ('descr'). */
export type NpyIntegerDtype = 'int32' | 'uint32' | 'int64' | 'uint64';

const DESCR: Record<NpyIntegerDtype, string> = { int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8' };
const ITEM_BYTES: Record<NpyIntegerDtype, number> = { int32: 4, uint32: 4, int64: 8, uint64: 8 };

/** The cluster tables a writer can add (see adapters/phy/clusterGroupTable.ts for how each is read). */
export type ClusterTableName = 'cluster_group.tsv' | 'cluster_KSLabel.tsv' | 'cluster_info.tsv';

export interface PhyFolderOptions {
  /** Cluster id of each unit, by unit index (default: the unit id when it is a whole number, else the index). */
  clusterIds?: readonly number[];
  /** Group of each unit, by unit index: 'good', 'mua', 'noise', … (default: every unit 'good'). */
  groups?: readonly string[];
  /** Cluster tables to write (default: cluster_group.tsv and cluster_KSLabel.tsv, as Kilosort 4 leaves a folder). */
  tables?: readonly ClusterTableName[];
  /** Write spike_clusters.npy (default true; false leaves a Kilosort folder Phy has never opened, with only spike_templates.npy). */
  spikeClusters?: boolean;
  /** Write spike_templates.npy (default true). */
  spikeTemplates?: boolean;
  /** dtype of spike_times.npy: 'int64' as Kilosort 4 writes it (default), 'uint64' as Kilosort 2/3. */
  timesDtype?: 'int64' | 'uint64';
  /** dtype of spike_clusters.npy and spike_templates.npy (default 'int32'). */
  clustersDtype?: NpyIntegerDtype;
  /** Write the per-spike arrays with shape (n, 1), as Kilosort 2 and SpikeInterface's export do (default (n,)). */
  columnShape?: boolean;
  /** The right-hand side of `sample_rate = …` in params.py (default: the session's rate as Python prints a float, e.g. 30000.0). */
  sampleRateText?: string;
  /** Bytes buffered per array before a write (default 1 MiB). */
  bufferBytes?: number;
}

/** What was written. */
export interface PhyFolderWritten {
  folder: string;
  spikes: number;
  /** Cluster id of each unit, by unit index. */
  clusterIds: number[];
  /** Spikes of each unit, by unit index. */
  spikesPerUnit: number[];
}

/**
 * Writes a session as a Kilosort / Phy output folder, the way Kilosort 4
 * (`kilosort/io.py` `save_to_phy`) leaves one:
 *
 * - `spike_times.npy`: sample number of each spike (int64, or uint64), in time order;
 * - `spike_clusters.npy` and `spike_templates.npy`: cluster id of each spike;
 * - `params.py`: `dat_path`, `n_channels_dat`, `dtype`, `offset`, `sample_rate`, `hp_filtered`;
 * - `cluster_group.tsv` / `cluster_KSLabel.tsv` / `cluster_info.tsv`:
 *   tab-separated, header `cluster_id<TAB>group` (resp. `KSLabel`; cluster_info
 *   with more columns), one row per cluster, as phylib `_write_tsv_simple` writes them.
 *
 * The .npy files are written in one pass over the session's chunks, with
 * bounded memory: each header is written first with room for the final
 * length and rewritten in place at the end, as NumPy itself does for
 * arrays that grow (numpy/lib/format.py: the header is padded with
 * GROWTH_AXIS_MAX_DIGITS − digits spaces, then to a multiple of
 * ARRAY_ALIGN = 64 bytes, ending in '\n'), so the files are byte for byte
 * what `numpy.save` writes for the same arrays.
 */
export async function writePhyFolder(folder: string, session: SessionToWrite, options: PhyFolderOptions = {}): Promise<PhyFolderWritten> {
  const units = session.unitIds.length;
  const clusterIds = options.clusterIds ? [...options.clusterIds] : session.unitIds.map((id, index) => (/^\d+$/.test(id) ? Number(id) : index));
  if (clusterIds.length !== units) throw new RangeError(`clusterIds has ${clusterIds.length} entries for ${units} units`);
  if (new Set(clusterIds).size !== units) throw new RangeError('clusterIds must be distinct');
  const groups = options.groups ?? session.unitIds.map(() => 'good');
  if (groups.length !== units) throw new RangeError(`groups has ${groups.length} entries for ${units} units`);
  const timesDtype = options.timesDtype ?? 'int64';
  const clustersDtype = options.clustersDtype ?? 'int32';
  const columnShape = options.columnShape ?? false;
  const bufferBytes = options.bufferBytes ?? 1 << 20;

  await mkdir(folder, { recursive: true });
  const columns: Array<{ writer: NpyColumnWriter; clusters: boolean }> = [];
  try {
    columns.push({ writer: await NpyColumnWriter.create(join(folder, 'spike_times.npy'), timesDtype, columnShape, bufferBytes), clusters: false });
    if (options.spikeClusters ?? true) {
      columns.push({ writer: await NpyColumnWriter.create(join(folder, 'spike_clusters.npy'), clustersDtype, columnShape, bufferBytes), clusters: true });
    }
    if (options.spikeTemplates ?? true) {
      // Before curation in Phy, a spike's cluster is the template it was matched to.
      columns.push({ writer: await NpyColumnWriter.create(join(folder, 'spike_templates.npy'), clustersDtype, columnShape, bufferBytes), clusters: true });
    }
    const spikesPerUnit = new Array<number>(units).fill(0);
    for (const chunk of session.chunks()) {
      const clusters = new Float64Array(chunk.unit.length);
      for (let i = 0; i < clusters.length; i++) {
        clusters[i] = clusterIds[chunk.unit[i]];
        spikesPerUnit[chunk.unit[i]]++;
      }
      for (const column of columns) await column.writer.append(column.clusters ? clusters : chunk.samples);
    }
    for (const column of columns) await column.writer.close();
    const spikes = spikesPerUnit.reduce((sum, n) => sum + n, 0);

    await writeFile(join(folder, 'params.py'), paramsPy(options.sampleRateText ?? pythonFloat(session.sampleRate)));
    const rows = clusterIds.map((id, index) => ({ id, group: groups[index], spikes: spikesPerUnit[index] })).sort((a, b) => a.id - b.id);
    for (const table of options.tables ?? ['cluster_group.tsv', 'cluster_KSLabel.tsv']) {
      await writeFile(join(folder, table), clusterTable(table, rows, session.seconds));
    }
    return { folder, spikes, clusterIds, spikesPerUnit };
  } catch (error) {
    await Promise.all(columns.map((column) => column.writer.abandon()));
    throw error;
  }
}

/** A Python float literal as `repr` prints it (30000 → 30000.0). */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

function paramsPy(sampleRateText: string): string {
  return [
    "dat_path = 'continuous.dat'",
    'n_channels_dat = 385',
    "dtype = 'int16'",
    'offset = 0',
    `sample_rate = ${sampleRateText}`,
    'hp_filtered = False',
    '',
  ].join('\n');
}

function clusterTable(table: ClusterTableName, rows: ReadonlyArray<{ id: number; group: string; spikes: number }>, seconds: number): string {
  const lines =
    table === 'cluster_info.tsv'
      ? // Phy's cluster view columns (a subset): the id first, the curated group among the others.
        ['cluster_id\tKSLabel\tch\tfr\tgroup\tn_spikes', ...rows.map((row, k) => `${row.id}\t${row.group}\t${k}\t${(row.spikes / seconds).toFixed(1)}\t${row.group}\t${row.spikes}`)]
      : [`cluster_id\t${table === 'cluster_group.tsv' ? 'group' : 'KSLabel'}`, ...rows.map((row) => `${row.id}\t${row.group}`)];
  return `${lines.join('\n')}\n`;
}

/** Bytes reserved for an .npy header: NumPy's for a one-dimensional or (n, 1) integer array with its growth room. */
const NPY_HEADER_BYTES = 128;
const TWO_TO_32 = 4294967296;

/**
 * A one-dimensional integer .npy array written value by value: the header
 * first, with room for the final length (see writePhyFolder), then the
 * data through a fixed buffer, then the header again with the length.
 */
class NpyColumnWriter {
  private length = 0;
  private filled = 0;
  /** Where the next flush writes: data follow the header. */
  private position = NPY_HEADER_BYTES;
  private readonly buffer: Buffer;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly dtype: NpyIntegerDtype,
    private readonly columnShape: boolean,
    bufferBytes: number,
  ) {
    this.buffer = Buffer.alloc(Math.max(8, bufferBytes - (bufferBytes % 8)));
  }

  static async create(path: string, dtype: NpyIntegerDtype, columnShape: boolean, bufferBytes: number): Promise<NpyColumnWriter> {
    const writer = new NpyColumnWriter(path, await open(path, 'w'), dtype, columnShape, bufferBytes);
    await writer.writeHeader();
    return writer;
  }

  /** Appends whole numbers (exact in float64) in the column's dtype. */
  async append(values: ArrayLike<number>): Promise<void> {
    const itemBytes = ITEM_BYTES[this.dtype];
    for (let i = 0; i < values.length; i++) {
      if (this.filled + itemBytes > this.buffer.length) await this.flush();
      const value = values[i];
      const at = this.filled;
      switch (this.dtype) {
        case 'int32':
          this.buffer.writeInt32LE(value, at);
          break;
        case 'uint32':
          this.buffer.writeUInt32LE(value, at);
          break;
        case 'int64':
        case 'uint64':
          if (value >= 0) {
            // Two 32-bit halves: much faster than a BigInt per value, exact below 2^53.
            this.buffer.writeUInt32LE(value % TWO_TO_32, at);
            this.buffer.writeUInt32LE(Math.floor(value / TWO_TO_32), at + 4);
          } else if (this.dtype === 'int64') {
            this.buffer.writeBigInt64LE(BigInt(value), at);
          } else {
            throw new RangeError(`${this.path}: ${value} cannot be written as uint64`);
          }
          break;
      }
      this.filled += itemBytes;
    }
    this.length += values.length;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.writeHeader();
    await this.handle.close();
  }

  /** Closes the file after a failure (its content is incomplete). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    const bytes = this.buffer.subarray(0, this.filled);
    await this.handle.write(bytes, 0, bytes.length, this.position);
    this.position += bytes.length;
    this.filled = 0;
  }

  private async writeHeader(): Promise<void> {
    const shape = this.columnShape ? `(${this.length}, 1)` : `(${this.length},)`;
    let dict = `{'descr': '${DESCR[this.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
    dict += ' '.repeat(21 - String(this.length).length);
    // magic (6) + version (2) + header length (2) + header ending in '\n': a multiple of 64 bytes.
    const padded = dict + ' '.repeat(64 - ((10 + dict.length + 1) % 64)) + '\n';
    if (10 + padded.length !== NPY_HEADER_BYTES) throw new Error(`internal: .npy header of ${10 + padded.length} bytes`);
    const header = Buffer.alloc(NPY_HEADER_BYTES);
    header.write('\x93NUMPY', 0, 'latin1');
    header[6] = 1;
    header[7] = 0;
    header.writeUInt16LE(padded.length, 8);
    header.write(padded, 10, 'latin1');
    await this.handle.write(header, 0, header.length, 0);
  }
}
