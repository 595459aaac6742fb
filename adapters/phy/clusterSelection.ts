import { EmptySelectionError, UsageError } from '../../src/errors.ts';
import { filterText, noUnitKeptError, optionText, passes, type UnitFilter } from '../unitFilter.ts';
import { UNSORTED_GROUP, type ClusterGroups } from './clusterGroupTable.ts';
import type { ClusterColumns } from './clusterTables.ts';
import { parseKeptGroups } from './keptGroups.ts';

/** Which clusters of a Phy folder become units. */
export interface ClusterSelection {
  /** The filters in force: `--units GROUPS` as a filter on `group`, then each `--unit-filter`. */
  readonly filters: readonly UnitFilter[];
  /** How the user asked, for notes and the summary: `--units good --unit-filter ch=3,4`. */
  readonly text: string;
  /** Whether a cluster (its id, and its group: 'unsorted' when no table lists it) is kept. */
  readonly keep: (clusterId: number, group: string) => boolean;
}

/**
 * The clusters `--units GROUPS` (Phy's groups, in any case; 'all' keeps
 * every group) and `--unit-filter COLUMN=VALUE[,VALUE…]` keep; undefined
 * when neither is given. Columns are those of the folder's cluster tables
 * (group, KSLabel, ch, sh, …; see readClusterColumns); a cluster a table
 * does not list has no value there (and group 'unsorted').
 *
 * Refused before any spike is read: a column no table has (a UsageError
 * listing the columns), and filters that no listed cluster passes when an
 * unlisted one could not pass either (an EmptySelectionError naming the
 * filter and the values present).
 */
export function selectClusters(
  folder: string,
  options: { units?: string; unitFilters?: readonly UnitFilter[] },
  groups: ClusterGroups,
  /** The folder's cluster tables, or why they could not be read (an error only when a filter needs them). */
  tables: ClusterColumns | Error,
): ClusterSelection | undefined {
  const keptGroups = parseKeptGroups(options.units, groups.table);
  const filters: UnitFilter[] = [];
  if (keptGroups !== undefined) filters.push({ column: 'group', values: [...keptGroups], given: `--units ${[...keptGroups].join(',')}` });
  filters.push(...(options.unitFilters ?? []));
  if (filters.length === 0) return undefined;
  const needsTables = filters.some((filter) => filter.column !== 'group');
  if (needsTables && tables instanceof Error) throw tables;
  const columns = tables instanceof Error ? undefined : tables;
  const valuesOf = (column: string): ReadonlyMap<number, string> => (column === 'group' ? (groups.table?.groupOf ?? new Map()) : (columns?.valuesOf.get(column) ?? new Map()));
  for (const filter of filters) {
    if (filter.column === 'group' || columns?.valuesOf.has(filter.column)) continue;
    const known = ['group', ...(columns?.columns ?? []).filter((column) => column !== 'group')];
    throw new UsageError(`${folder}: --unit-filter ${filterText(filter)}: no cluster table has a column '${filter.column}' (columns: ${known.join(', ')})`);
  }
  const unlistedValue = (filter: UnitFilter) => (filter.column === 'group' ? UNSORTED_GROUP : '');
  const keep = (clusterId: number, group: string) =>
    filters.every((filter) => passes(filter, filter.column === 'group' ? group : (valuesOf(filter.column).get(clusterId) ?? unlistedValue(filter))));

  const listed = new Set<number>();
  for (const filter of filters) for (const id of valuesOf(filter.column).keys()) listed.add(id);
  const ids = [...listed];
  const groupOf = (id: number) => groups.table?.groupOf.get(id) ?? UNSORTED_GROUP;
  const unlistedPasses = filters.every((filter) => passes(filter, unlistedValue(filter)));
  if (!unlistedPasses && !ids.some((id) => keep(id, groupOf(id)))) {
    const noGroupTable = filters.find((filter) => filter.column === 'group' && groups.table === undefined);
    if (noGroupTable !== undefined) {
      throw new EmptySelectionError(
        `${folder}: ${optionText(noGroupTable)}: no cluster is in group ${noGroupTable.values.join(' or ')} (this folder has no cluster group table, so every cluster is unsorted)`,
      );
    }
    throw noUnitKeptError(
      folder,
      'cluster',
      filters,
      (filter) => ids.filter((id) => valuesOf(filter.column).has(id)).map((id) => valuesOf(filter.column).get(id)!),
      (filter) => (filter.column === 'group' ? `is in group ${filter.values.join(' or ')}` : `has ${filter.column} = ${filter.values.join(' or ')}`),
      (filter) => (filter.column === 'group' ? 'groups present' : 'values present'),
    );
  }
  const text = filters.map(optionText).join(' ');
  return { filters, text, keep };
}
