import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { findColumn, headerNames, quotedList, splitCells } from '../files/textTable.ts';
import type { ClusterGroupTable } from './clusterGroupTable.ts';

/** A cluster table larger than this is refused (Phy's tables hold one short row per cluster: a few hundred kB at most). */
export const MAX_CLUSTER_TABLE_BYTES = 64 * 1024 * 1024;

/** The column every cluster table keys its rows by. */
const ID_COLUMNS = ['cluster_id', 'id'];

/** Phy's consolidated table of every cluster property, preferred for any column it has. */
const CLUSTER_INFO = 'cluster_info.tsv';

/**
 * The cluster properties of a Phy / Kilosort folder, by column: Phy's
 * `cluster_info.tsv` (KSLabel, ch, sh, depth, fr, amp, n_spikes, group, …)
 * and the one-property tables Kilosort and Phy write beside it
 * (`cluster_KSLabel.tsv`, `cluster_ContamPct.tsv`, `cluster_Amplitude.tsv`,
 * `cluster_group.tsv`, …), as phylib reads every `cluster_*.tsv`. The
 * `group` column is the curated group as readClusterGroups chooses it
 * (lower case; a cluster no table lists is 'unsorted').
 */
export interface ClusterColumns {
  /** Column names, `group` first, then as the tables name them. */
  readonly columns: string[];
  /** Each listed cluster's value (trimmed text) in a column. */
  readonly valuesOf: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** The file each column was read from. */
  readonly fileOf: ReadonlyMap<string, string>;
}

/**
 * Reads every cluster table of a folder into columns. A column several
 * tables have is read from cluster_info.tsv, else from the first table by
 * name. A malformed table is an InputFormatError naming file and line; a
 * table beyond MAX_CLUSTER_TABLE_BYTES is refused.
 */
export async function readClusterColumns(folder: string, groups: ClusterGroupTable | undefined, maxBytes = MAX_CLUSTER_TABLE_BYTES): Promise<ClusterColumns> {
  const names = (await readdir(folder)).filter((name) => /^cluster_.+\.(tsv|csv)$/.test(name)).sort((a, b) => (a === CLUSTER_INFO ? -1 : b === CLUSTER_INFO ? 1 : a < b ? -1 : 1));
  const valuesOf = new Map<string, Map<number, string>>();
  const fileOf = new Map<string, string>();
  if (groups !== undefined) {
    valuesOf.set('group', groups.groupOf);
    fileOf.set('group', groups.file);
  }
  for (const name of names) {
    const file = join(folder, name);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw new InputFormatError('cannot be read (a broken link, or no permission)', file);
    if (!info.isFile()) continue;
    if (info.size > maxBytes) {
      throw new InputFormatError(`has ${info.size} bytes, more than a cluster table can hold (${maxBytes} bytes at most)`, file);
    }
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) throw new InputFormatError('cannot be read (no permission?)', file);
    const table = parseClusterTable(text, file);
    table.columns.forEach((column, k) => {
      if (valuesOf.has(column)) return;
      valuesOf.set(column, new Map(table.rows.map((row) => [row.id, row.cells[k]])));
      fileOf.set(column, file);
    });
  }
  const columns = [...valuesOf.keys()].sort((a, b) => (a === 'group' ? -1 : b === 'group' ? 1 : 0));
  return { columns, valuesOf, fileOf };
}

/**
 * A cluster table: its columns other than the cluster id, and each row's
 * id and cells (trimmed). Tab-separated as Phy writes it, or comma-separated
 * when the header has no tab (as phylib reads it). A cluster listed twice
 * takes its last row, as phylib's dictionary does.
 */
export function parseClusterTable(text: string, file: string): { columns: string[]; rows: Array<{ id: number; cells: string[] }> } {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/\r$/, ''));
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new InputFormatError(`is empty: expected a header with a 'cluster_id' column (tab-separated)`, file);
  const delimiter = lines[headerIndex].includes('\t') ? '\t' : ',';
  const names = headerNames(lines[headerIndex], delimiter, file, headerIndex + 1);
  const idColumn = findColumn(names, ID_COLUMNS, file, headerIndex + 1);
  if (idColumn < 0) throw new InputFormatError(`the header has ${quotedList(names, 'and')} but no 'cluster_id' column`, file, headerIndex + 1);
  const byId = new Map<number, string[]>();
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '') continue;
    const cells = splitCells(line, delimiter);
    if (cells === undefined) throw new InputFormatError('has an unclosed quote', file, index + 1);
    if (cells.length > names.length || cells.length <= idColumn) {
      throw new InputFormatError(`has ${cells.length} cell${cells.length === 1 ? '' : 's'}, the header ${names.length}`, file, index + 1);
    }
    const idText = cells[idColumn].trim();
    // Kilosort writes whole numbers; pandas round trips may write 12.0.
    const id = /^\d+(?:\.0*)?$/.test(idText) ? Number(idText) : NaN;
    if (!Number.isSafeInteger(id)) throw new InputFormatError(`cluster_id '${idText.slice(0, 40)}' is not a cluster id: expected a whole number ≥ 0`, file, index + 1);
    byId.set(id, names.map((_, k) => (cells[k] ?? '').trim()));
  }
  const kept = names.map((name, k) => ({ name, k })).filter(({ name, k }) => k !== idColumn && name !== '');
  return {
    columns: kept.map(({ name }) => name),
    rows: [...byId].map(([id, cells]) => ({ id, cells: kept.map(({ k }) => cells[k]) })),
  };
}

/** `cluster_info.tsv` for a column read from it: where a column's values come from, for messages. */
export function columnSource(columns: ClusterColumns, column: string): string {
  const file = columns.fileOf.get(column);
  return file === undefined ? 'no table' : basename(file);
}
