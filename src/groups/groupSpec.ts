import { readFile, stat } from 'node:fs/promises';
import { EmptySelectionError, InputFormatError, UsageError } from '../errors.ts';
import { compareUnitIds } from '../stream/unitIds.ts';

/**
 * A named set of units whose higher-order measures (O-information, TC, DTC,
 * S-information, group synergy, ∂_Y Ω) are reported per update (DESIGN §7,
 * "Groups"). Unit ids are text, as the analyzer's unit registry holds them
 * (CountFrame.unitIds): JSON `12` and `"12"` name the same unit, "a7" stays
 * "a7". A unit may belong to several groups.
 */
export interface UnitGroup {
  name: string;
  units: string[];
}

/** Groups a `--groups` file or `--group-by` may give at most: each costs a table per update. */
export const MAX_GROUPS = 64;
/** Units a group may hold at most. */
export const MAX_UNITS_PER_GROUP = 1024;
/** Units a group needs at least: TC, DTC, Ω and group synergy of one unit are 0 or undefined. */
export const MIN_UNITS_PER_GROUP = 2;
/** A groups file larger than this is refused before it is read (64 groups of 1024 ids fit in well under 1 MB). */
export const MAX_GROUPS_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Reads a `--groups FILE`: JSON, one of
 *
 * ```json
 * {"CA1": [1, 2, 3], "PFC": ["a7", "a9"]}
 * {"groups": [{"name": "CA1", "units": [1, 2, 3]}, {"name": "PFC", "units": ["a7", "a9"]}]}
 * ```
 *
 * Groups come back in the file's order, unit ids as text in the group's
 * order. Every problem is an InputFormatError naming the file and the
 * group: a missing file, text that is not JSON, no group, a group name
 * given twice, a group of fewer than 2 units, a unit listed twice in one
 * group, an id that is neither text nor a whole number, more than
 * MAX_GROUPS groups or MAX_UNITS_PER_GROUP units in a group. (In the first
 * form a repeated key would silently replace the earlier group in
 * JSON.parse, so the keys are checked on the text.)
 */
export async function readGroupsFile(path: string): Promise<UnitGroup[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new InputFormatError('no such file (or it cannot be read): expected a JSON file of unit groups', path);
  if (info.size > MAX_GROUPS_FILE_BYTES) {
    throw new InputFormatError(`has ${info.size} bytes, more than a groups file may hold (${MAX_GROUPS_FILE_BYTES} bytes at most)`, path);
  }
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) throw new InputFormatError('cannot be read (no permission?)', path);
  return parseGroups(text, path);
}

/** The groups of a groups file's text (see readGroupsFile); `file` names it in errors. */
export function parseGroups(text: string, file: string): UnitGroup[] {
  const source = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw new InputFormatError(`is not JSON (${(error as Error).message}): expected {"<group>": [unit ids], …} or {"groups": [{"name": …, "units": […]}, …]}`, file);
  }
  if (!isPlainObject(json)) {
    throw new InputFormatError(`holds ${describeJson(json)}: expected an object, {"<group>": [unit ids], …} or {"groups": [{"name": …, "units": […]}, …]}`, file);
  }
  const keys = topLevelKeys(source);
  const seen = new Map<string, number>();
  for (const { key, line } of keys) {
    const first = seen.get(key);
    if (first !== undefined) throw new InputFormatError(`group "${key}" is given twice (first on line ${first}): group names must be distinct`, file, line);
    seen.set(key, line);
  }

  const entries: Array<{ name: string; units: unknown; where: string }> = isListForm(json) ? listEntries(json, file) : Object.entries(json).map(([name, units]) => ({ name, units, where: `group "${name}"` }));
  if (entries.length === 0) throw new InputFormatError('holds no group: expected at least one group of 2 or more units', file);
  if (entries.length > MAX_GROUPS) throw new InputFormatError(`holds ${entries.length} groups, more than ${MAX_GROUPS}: split the analysis or merge groups`, file);

  const names = new Map<string, string>();
  return entries.map(({ name, units, where }) => {
    if (name.trim() === '') throw new InputFormatError(`${where} has an empty name: expected a name such as "CA1"`, file);
    const earlier = names.get(name);
    if (earlier !== undefined) throw new InputFormatError(`${where}: the name "${name}" is also that of ${earlier}; group names must be distinct`, file);
    names.set(name, where);
    return { name, units: groupUnits(units, where, file) };
  });
}

/**
 * Groups from a per-unit value (a region, a shank): one group per distinct
 * non-empty value, named by it, holding the units with that value in the
 * order of `unitIds`; groups sorted by name (whole numbers numerically,
 * as unit ids are: shank 2 before shank 10). Units whose value is empty
 * (after trimming) are left out and counted; a value held by one unit makes
 * no group (measures need 2 units) and is reported in `notes`. `column`
 * names the value in notes and errors (`--group-by` column).
 *
 * More than MAX_GROUPS groups or MAX_UNITS_PER_GROUP units in one group is
 * a UsageError; no group at all is an EmptySelectionError listing what the
 * values gave.
 */
export function groupsFromUnitValues(
  unitIds: readonly string[],
  values: readonly string[],
  column: string,
): { groups: UnitGroup[]; unitsWithoutValue: number; singleUnitGroups: UnitGroup[]; notes: string[] } {
  if (values.length !== unitIds.length) throw new RangeError(`${values.length} values for ${unitIds.length} units`);
  const byValue = new Map<string, string[]>();
  let unitsWithoutValue = 0;
  const seen = new Set<string>();
  unitIds.forEach((id, k) => {
    // A repeated id (NWB allows it) is one unit: its first row counts.
    if (seen.has(id)) return;
    seen.add(id);
    const value = values[k].trim();
    if (value === '') {
      unitsWithoutValue++;
      return;
    }
    const units = byValue.get(value);
    if (units === undefined) byValue.set(value, [id]);
    else units.push(id);
  });
  const all = [...byValue].map(([name, units]) => ({ name, units })).sort((a, b) => compareUnitIds(a.name, b.name));
  const groups = all.filter((group) => group.units.length >= MIN_UNITS_PER_GROUP);
  const singleUnitGroups = all.filter((group) => group.units.length < MIN_UNITS_PER_GROUP);

  const notes: string[] = [];
  notes.push(`groups by ${column}: ${groups.map((group) => `${group.name} (${group.units.length} units)`).join(', ') || 'none'}`);
  if (unitsWithoutValue > 0) notes.push(`${unitsWithoutValue} unit${unitsWithoutValue === 1 ? ' has' : 's have'} no ${column}: left out of every group`);
  if (singleUnitGroups.length > 0) {
    const listed = singleUnitGroups.slice(0, 8).map((group) => `${group.name} (unit ${group.units[0]})`);
    const more = singleUnitGroups.length > listed.length ? `, and ${singleUnitGroups.length - listed.length} more` : '';
    notes.push(`${singleUnitGroups.length} ${column} value${singleUnitGroups.length === 1 ? ' has' : 's have'} a single unit, no group (measures need ${MIN_UNITS_PER_GROUP} units): ${listed.join(', ')}${more}`);
  }

  if (groups.length === 0) {
    const seen = all.length === 0 ? `every unit's ${column} is empty` : `values: ${all.slice(0, 8).map((group) => `${group.name} (${group.units.length})`).join(', ')}${all.length > 8 ? ', …' : ''}`;
    throw new EmptySelectionError(`grouping by ${column} gives no group of ${MIN_UNITS_PER_GROUP} or more units (${seen})`);
  }
  if (groups.length > MAX_GROUPS) {
    throw new UsageError(`grouping by ${column} gives ${groups.length} groups of 2 or more units, more than ${MAX_GROUPS}: group by a coarser column, or give --groups FILE`);
  }
  const largest = groups.reduce((big, group) => (group.units.length > big.units.length ? group : big));
  if (largest.units.length > MAX_UNITS_PER_GROUP) {
    throw new UsageError(`grouping by ${column} gives group ${largest.name} of ${largest.units.length} units, more than ${MAX_UNITS_PER_GROUP}: group by a finer column, or give --groups FILE`);
  }
  return { groups, unitsWithoutValue, singleUnitGroups, notes };
}

/** The text of a unit id in a groups file: a string as written (not empty), a whole number in its decimal form. */
function unitIdText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function groupUnits(units: unknown, where: string, file: string): string[] {
  if (!Array.isArray(units)) throw new InputFormatError(`${where} holds ${describeJson(units)}: expected a list of unit ids, e.g. [1, 2, 3] or ["a7", "a9"]`, file);
  if (units.length < MIN_UNITS_PER_GROUP) {
    throw new InputFormatError(`${where} has ${units.length === 0 ? 'no unit' : 'a single unit'}: a group needs ${MIN_UNITS_PER_GROUP} units or more (its measures are about units together)`, file);
  }
  if (units.length > MAX_UNITS_PER_GROUP) throw new InputFormatError(`${where} has ${units.length} units, more than ${MAX_UNITS_PER_GROUP}: split it`, file);
  const seen = new Set<string>();
  return units.map((value, k) => {
    const id = unitIdText(value);
    if (id === undefined) {
      throw new InputFormatError(`${where}, unit ${k + 1}: ${describeJson(value)} is not a unit id: expected text ("a7") or a whole number (12)`, file);
    }
    if (seen.has(id)) throw new InputFormatError(`${where} lists unit ${id} twice: each unit once per group`, file);
    seen.add(id);
    return id;
  });
}

/** `{"groups": [{…}, …]}`: the list form (a group named "groups" holds ids, not objects). */
function isListForm(json: Record<string, unknown>): boolean {
  const groups = json.groups;
  return Array.isArray(groups) && (groups.length === 0 ? Object.keys(json).length === 1 : groups.some(isPlainObject));
}

function listEntries(json: Record<string, unknown>, file: string): Array<{ name: string; units: unknown; where: string }> {
  const other = Object.keys(json).filter((key) => key !== 'groups');
  if (other.length > 0) throw new InputFormatError(`has ${other.map((key) => `"${key}"`).join(', ')} beside "groups": expected only {"groups": [{"name": …, "units": […]}, …]}`, file);
  return (json.groups as unknown[]).map((entry, k) => {
    const where = `groups[${k}]`;
    if (!isPlainObject(entry)) throw new InputFormatError(`${where} holds ${describeJson(entry)}: expected {"name": "<group>", "units": [unit ids]}`, file);
    const unknown = Object.keys(entry).filter((key) => key !== 'name' && key !== 'units');
    if (unknown.length > 0) throw new InputFormatError(`${where} has ${unknown.map((key) => `"${key}"`).join(', ')}: expected only "name" and "units"`, file);
    if (typeof entry.name !== 'string') throw new InputFormatError(`${where} has ${entry.name === undefined ? 'no "name"' : `name ${describeJson(entry.name)}`}: expected a name such as "CA1"`, file);
    if (!('units' in entry)) throw new InputFormatError(`${where} (group "${entry.name}") has no "units": expected a list of unit ids`, file);
    return { name: entry.name, units: entry.units, where: `${where} (group "${entry.name}")` };
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short account of a JSON value for a message: `"x"`, `1.5`, `null`, `a list`, `an object`. */
function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/**
 * The keys of the top-level object of valid JSON text, in order, with the
 * line each starts on (JSON.parse keeps only the last of repeated keys).
 */
function topLevelKeys(text: string): Array<{ key: string; line: number }> {
  const keys: Array<{ key: string; line: number }> = [];
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth !== 1) continue;
      let next = i + 1;
      while (/\s/.test(text[next] ?? '')) next++;
      if (text[next] === ':') keys.push({ key: JSON.parse(text.slice(start, i + 1)) as string, line });
    }
  }
  return keys;
}
