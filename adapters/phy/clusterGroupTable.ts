import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { findColumn, headerNames, quotedList, splitCells } from '../files/textTable.ts';

/** The group Phy gives a cluster that no table lists (Phy's default for a cluster not yet classified). */
export const UNSORTED_GROUP = 'unsorted';

/** The groups Phy's cluster view offers (phy `ClusterMeta` 'group' field). */
export const PHY_GROUPS: readonly string[] = ['good', 'mua', 'noise', 'unsorted'];

/** Where a folder's cluster groups come from, in order of preference, with the column that holds the group. */
const GROUP_TABLES: ReadonlyArray<{ name: string; column: string }> = [
  // Phy's curated groups (written by Phy on save; Kilosort 4 starts it as a copy of its KSLabel table).
  { name: 'cluster_group.tsv', column: 'group' },
  // The same table as older Phy (template-gui 1.x) wrote it.
  { name: 'cluster_groups.csv', column: 'group' },
  // Phy's table of every cluster property; its `group` column is the curated group too.
  { name: 'cluster_info.tsv', column: 'group' },
  // Kilosort's own automatic label (good / mua), before any curation.
  { name: 'cluster_KSLabel.tsv', column: 'KSLabel' },
];

/** The names of the tables a cluster's group is read from, in order of preference. */
export const GROUP_TABLE_NAMES: readonly string[] = GROUP_TABLES.map((table) => table.name);

/** A cluster group table as read. */
export interface ClusterGroupTable {
  /** Path of the table. */
  file: string;
  /** The column the groups were read from ('group' or 'KSLabel'). */
  column: string;
  /** Group of each listed cluster id, trimmed and in lower case ('good', 'mua', 'noise', …). */
  groupOf: Map<number, string>;
}

/** What a folder says about its clusters' groups. */
export interface ClusterGroups {
  /** The table used, or undefined when the folder has none (every cluster is then unsorted). */
  table: ClusterGroupTable | undefined;
  /** Tables that were present but passed over, and why. */
  notes: string[];
}

/**
 * The cluster groups of a Phy/Kilosort output folder, from the first table
 * present among cluster_group.tsv, cluster_groups.csv, cluster_info.tsv
 * (its `group` column) and cluster_KSLabel.tsv (its `KSLabel` column).
 * Phy writes these as tab-separated tables with a `cluster_id` column
 * (phylib `_write_tsv_simple`: header `cluster_id<TAB>group`, one row per
 * cluster); like phylib's reader, a header without a tab is read as
 * comma-separated. A cluster_info.tsv without a `group` column is passed
 * over (noted). A table that is present but malformed is an error: a
 * missing `cluster_id` column names the expected columns; a bad row names
 * the file and line.
 */
export async function readClusterGroups(folder: string): Promise<ClusterGroups> {
  const notes: string[] = [];
  for (const { name, column } of GROUP_TABLES) {
    const file = join(folder, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const table = parseClusterGroupTable(text, file, column);
    if (table === undefined) {
      notes.push(`${name} has no '${column}' column: not used for cluster groups`);
      continue;
    }
    return { table, notes };
  }
  return { table: undefined, notes };
}

/**
 * A cluster table's `cluster_id` → group map, read from the `column`
 * column; undefined when the header has no such column (cluster_info.tsv
 * need not have one). An empty group cell is `unsorted`, as Phy shows it.
 * A cluster listed twice takes its last row, as phylib's dictionary does.
 */
export function parseClusterGroupTable(text: string, file: string, column: string): ClusterGroupTable | undefined {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/\r$/, ''));
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new InputFormatError(`is empty: expected a header with columns 'cluster_id' and '${column}' (tab-separated)`, file);
  const headerLine = lines[headerIndex];
  const delimiter = headerLine.includes('\t') ? '\t' : ',';
  const names = headerNames(headerLine, delimiter, file, headerIndex + 1);
  const idColumn = findColumn(names, ['cluster_id', 'id'], file, headerIndex + 1);
  const groupColumn = findColumn(names, [column.toLowerCase()], file, headerIndex + 1);
  if (idColumn < 0) {
    throw new InputFormatError(
      `the header has ${quotedList(names, 'and')} but no 'cluster_id' column: expected columns 'cluster_id' and '${column}' (tab-separated)`,
      file,
      headerIndex + 1,
    );
  }
  if (groupColumn < 0) return undefined;
  const groupOf = new Map<number, string>();
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === '') continue;
    const cells = splitCells(line, delimiter);
    if (cells === undefined) throw new InputFormatError('has an unclosed quote', file, index + 1);
    if (cells.length <= Math.max(idColumn, groupColumn)) {
      throw new InputFormatError(
        `has ${cells.length} cell${cells.length === 1 ? '' : 's'}, the header ${names.length}: expected a 'cluster_id' and a '${names[groupColumn]}' cell`,
        file,
        index + 1,
      );
    }
    const idText = cells[idColumn].trim();
    // Kilosort writes whole numbers; pandas round trips may write 12.0.
    const id = /^\d+(?:\.0*)?$/.test(idText) ? Number(idText) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new InputFormatError(`cluster_id '${idText.slice(0, 40)}' is not a cluster id: expected a whole number ≥ 0`, file, index + 1);
    }
    const group = cells[groupColumn].trim().toLowerCase();
    groupOf.set(id, group === '' ? UNSORTED_GROUP : group);
  }
  return { file, column: names[groupColumn], groupOf };
}
