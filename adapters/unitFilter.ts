import { EmptySelectionError, UsageError } from '../src/errors.ts';

/**
 * A unit filter, `--unit-filter COLUMN=VALUE[,VALUE…]`: keeps the units
 * whose value in COLUMN is one of the values. Values are compared as text,
 * exactly (case and all), after trimming blanks at both ends; several
 * filters must all hold.
 *
 * @example
 * parseUnitFilter('quality=good,mua')  // → { column: 'quality', values: ['good', 'mua'] }
 */
export interface UnitFilter {
  readonly column: string;
  /** The unit is kept when its value is any of these. */
  readonly values: readonly string[];
  /** How the user gave it, when not as --unit-filter (e.g. `--units good`, Phy's alias for group=good). */
  readonly given?: string;
}

/** Values of a column listed in a message before the rest are summarized. */
const LISTED_VALUES = 12;

/** Parses `COLUMN=VALUE[,VALUE…]`; a UsageError names what was expected. */
export function parseUnitFilter(text: string): UnitFilter {
  const match = /^([^=]+)=(.*)$/.exec(text);
  const column = match?.[1].trim() ?? '';
  if (match === null || column === '') {
    throw new UsageError(`--unit-filter takes COLUMN=VALUE or COLUMN=VALUE1,VALUE2 (e.g. quality=good), got '${text}'`);
  }
  return { column, values: match[2].split(',').map((value) => value.trim()) };
}

/** How a filter is written on the command line: `quality=good,mua`. */
export function filterText(filter: UnitFilter): string {
  return `${filter.column}=${filter.values.join(',')}`;
}

/** The option as the user gave it: `--unit-filter quality=good,mua` or `--units good`. */
export function optionText(filter: UnitFilter): string {
  return filter.given ?? `--unit-filter ${filterText(filter)}`;
}

/** Whether a unit's value (as text) passes a filter. */
export function passes(filter: UnitFilter, value: string): boolean {
  return filter.values.includes(value.trim());
}

/** `good 12, mua 30`: each distinct value with the number of units that hold it, the most frequent first. */
export function valueTally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value.trim(), (counts.get(value.trim()) ?? 0) + 1);
  const sorted = [...counts].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  const shown = sorted.slice(0, LISTED_VALUES).map(([value, count]) => `${value === '' ? '(empty)' : value} ${count}`);
  const rest = sorted.length - shown.length;
  return rest > 0 ? `${shown.join(', ')}, … ${rest} more values` : shown.join(', ');
}

/**
 * The error for filters that keep no unit, naming the cause: a filter that
 * no unit passes (with the values present, and a reminder that case counts
 * when a value differs only in case), or filters that each keep some units
 * but never the same ones.
 *
 * @param source the file or folder, first in the message
 * @param what 'unit' or 'cluster'
 * @param valuesOf each unit's value in a filter's column (the units' order is the same for every column)
 * @param phrase how a condition reads: `has quality = good`, `is in group good`
 * @param presentName what the values are called: `values present`, `groups present`
 */
export function noUnitKeptError(
  source: string,
  what: string,
  filters: readonly UnitFilter[],
  valuesOf: (filter: UnitFilter) => readonly string[],
  phrase: (filter: UnitFilter) => string = (filter) => `has ${filter.column} = ${filter.values.join(' or ')}`,
  presentName: (filter: UnitFilter) => string = () => 'values present',
): EmptySelectionError {
  const nobody = filters.find((filter) => !valuesOf(filter).some((value) => passes(filter, value)));
  if (nobody !== undefined) {
    const values = valuesOf(nobody);
    const lower = new Set(nobody.values.map((value) => value.toLowerCase()));
    const caseOnly = values.some((value) => lower.has(value.trim().toLowerCase()));
    const present = values.length === 0 ? `no ${what} has a value in '${nobody.column}'` : `${presentName(nobody)}: ${valueTally(values)}`;
    return new EmptySelectionError(`${source}: ${optionText(nobody)}: no ${what} ${phrase(nobody)} (${present}${caseOnly ? '; filters are case-sensitive' : ''})`);
  }
  const each = filters.map((filter) => `${optionText(filter)} keeps ${valuesOf(filter).filter((value) => passes(filter, value)).length}`);
  return new EmptySelectionError(`${source}: no ${what} passes every unit filter (each keeps some, together none: ${each.join(', ')})`);
}
