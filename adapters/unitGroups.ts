import { UsageError } from '../src/errors.ts';
import { groupsFromUnitValues, type UnitGroup } from '../src/groups/groupSpec.ts';
import type { RecordingSource } from './recording.ts';

/** What `--group-by` accepts besides a column name. */
export const GROUP_BY_KEYWORDS = ['region', 'shank', 'channel-group'] as const;
export type GroupByKeyword = (typeof GROUP_BY_KEYWORDS)[number];

/**
 * The unit columns each `--group-by` keyword stands for, tried in order, the
 * first one a recording has winning; and what that is in each format:
 *
 * | keyword         | columns tried, in order                                | NWB                                      | Phy / Kilosort                           | Open Ephys                  | NEV                      | CSV, TSV, JSONL |
 * |-----------------|--------------------------------------------------------|------------------------------------------|------------------------------------------|-----------------------------|--------------------------|-----------------|
 * | `region`        | location, brain_region, region, acronym, brain_area    | `location` (units table, else its electrodes') | the first of these a cluster table has (none by default; e.g. IBL's `acronym`) | — | —                        | —               |
 * | `shank`         | shank, sh, shank_id, group_name                        | `group_name` of its electrodes (the ElectrodeGroup: one per shank as probes are usually written), or a units `shank` column | `sh` (cluster_info.tsv) | — | — | —               |
 * | `channel-group` | channel_group, group_name, electrode_group, electrode, ch | `group_name` (the ElectrodeGroup)     | `channel_group` when present, else `ch` (peak channel: clusters on one channel) | `electrode` ('Tetrode 1') | `electrode` (a channel) | — |
 *
 * Any other `by` is a column name, taken as is: NWB units-table and
 * electrodes-table columns (`quality`, `location`), Phy cluster-table
 * columns (`depth`, `KSLabel`, `group`), Open Ephys `cluster`, NEV `label`
 * or `unit`. The NWB reader joins the distinct values of a unit's
 * electrodes with '+' ('CA1+CA3'): such a unit forms a group of that name.
 */
export const GROUP_BY_COLUMNS: Readonly<Record<GroupByKeyword, readonly string[]>> = {
  region: ['location', 'brain_region', 'region', 'acronym', 'brain_area'],
  shank: ['shank', 'sh', 'shank_id', 'group_name'],
  'channel-group': ['channel_group', 'group_name', 'electrode_group', 'electrode', 'ch'],
};

/**
 * Every column a reader can group its units by, beyond the few describe()
 * shows, with each unit's value as text by unit id (NwbRecording and
 * PhyRecording have it).
 */
interface UnitPropertySource {
  unitProperties(): Promise<{ columns: readonly string[]; values(column: string): ReadonlyMap<string, string> }>;
}

function hasUnitProperties(recording: RecordingSource): recording is RecordingSource & UnitPropertySource {
  return typeof (recording as Partial<UnitPropertySource>).unitProperties === 'function';
}

/** describe()'s unit fields that are not details. */
const NOT_DETAILS = new Set(['id', 'spikes']);

/**
 * Groups of a recording's units by a metadata column (`--group-by`): a
 * keyword (region, shank, channel-group: see GROUP_BY_COLUMNS for the
 * columns per format) or a column name. The units are those describe()
 * lists (after any unit filter; a pass over the spikes, as `inspect`
 * makes); their values come from describe()'s details and, for NWB and Phy,
 * from every column of the units / cluster tables. One group per value,
 * sorted by name, units without a value left out (see
 * groupsFromUnitValues). `notes` say which column was used and what was
 * left out.
 *
 * A recording without such a column is a UsageError that lists the
 * columns it does have; a column that gives no group of 2 or more units is
 * an EmptySelectionError.
 */
export async function unitGroupsOf(
  recording: RecordingSource,
  by: GroupByKeyword | string,
): Promise<{ groups: UnitGroup[]; column: string; notes: string[] }> {
  const description = await recording.describe();
  const detailColumns: string[] = [];
  for (const unit of description.units) {
    for (const key of Object.keys(unit)) if (!NOT_DETAILS.has(key) && !detailColumns.includes(key)) detailColumns.push(key);
  }
  const properties = hasUnitProperties(recording) ? await recording.unitProperties() : undefined;
  const available = [...detailColumns, ...(properties?.columns ?? []).filter((column) => !detailColumns.includes(column) && !NOT_DETAILS.has(column))];

  const keyword = (GROUP_BY_KEYWORDS as readonly string[]).includes(by) ? (by as GroupByKeyword) : undefined;
  const candidates = keyword === undefined ? [by] : GROUP_BY_COLUMNS[keyword];
  const column = candidates.find((name) => available.includes(name));
  if (column === undefined) {
    const has = available.length === 0 ? 'its units have no metadata columns' : `its unit columns: ${available.join(', ')}`;
    const looked = keyword === undefined ? `no unit column '${by}'` : `no ${keyword} column (looked for ${candidates.join(', ')})`;
    throw new UsageError(`--group-by ${by}: ${recording.path} (${description.format}) has ${looked}; ${has}. Group by one of those, or give --groups FILE`);
  }

  const fromProperties = detailColumns.includes(column) ? undefined : properties?.values(column);
  const ids = description.units.map((unit) => unit.id);
  const values = description.units.map((unit) => {
    const detail = unit[column];
    if (detail !== undefined) return String(detail);
    return fromProperties?.get(unit.id) ?? '';
  });
  const result = groupsFromUnitValues(ids, values, column);
  const chosen = keyword === undefined ? `--group-by ${column}` : `--group-by ${keyword}: column ${column}`;
  return { groups: result.groups, column, notes: [`${chosen} of ${recording.path}`, ...result.notes] };
}
