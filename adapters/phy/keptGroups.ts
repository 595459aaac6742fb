import { basename } from 'node:path';
import { UsageError } from '../../src/errors.ts';
import { GROUP_TABLE_NAMES, PHY_GROUPS, type ClusterGroupTable } from './clusterGroupTable.ts';

/**
 * The cluster groups `--units` keeps: undefined for every group ('all', or
 * no option), else the set of group names in lower case.
 *
 * A name must be one of Phy's groups (good, mua, noise, unsorted) or a
 * group the folder's table uses; anything else is a UsageError that lists
 * the groups found. Asking for a curated group of a folder that has no
 * group table at all is a UsageError too (every cluster there is
 * unsorted, so nothing would be kept).
 *
 * @example
 * parseKeptGroups('good, mua', table)  // → Set { 'good', 'mua' }
 * parseKeptGroups('all', table)        // → undefined
 */
export function parseKeptGroups(option: string | undefined, table: ClusterGroupTable | undefined): Set<string> | undefined {
  if (option === undefined) return undefined;
  const names = option
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) throw new UsageError(`--units takes 'all' or cluster groups separated by commas (e.g. good or good,mua), got '${option}'`);
  if (names.includes('all')) {
    if (names.length > 1) throw new UsageError(`--units 'all' keeps every group; it cannot be combined with others (got '${option}')`);
    return undefined;
  }
  const found = table === undefined ? [] : [...new Set(table.groupOf.values())].sort();
  const known = new Set([...PHY_GROUPS, ...found]);
  for (const name of names) {
    if (known.has(name)) continue;
    const where =
      table === undefined
        ? `this folder has no cluster group table, so every cluster is unsorted`
        : `the groups in ${basename(table.file)} are ${found.length === 0 ? '(none)' : found.join(', ')}`;
    throw new UsageError(`--units: unknown cluster group '${name}': ${where}; Phy's groups are ${PHY_GROUPS.join(', ')} (or 'all')`);
  }
  if (table === undefined && !names.includes('unsorted')) {
    throw new UsageError(
      `--units ${names.join(',')}: this folder has no cluster group table (${GROUP_TABLE_NAMES.join(', ')}), so every cluster is unsorted and none would be kept; use --units all or curate the clusters in Phy`,
    );
  }
  return new Set(names);
}
