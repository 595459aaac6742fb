import type { UnitId } from './protocol.ts';

/**
 * Orders of the matrix's rows: a permutation of the units (`order[row]` is
 * a unit's index among the matrix's units) and, for the region order, where
 * each region's rows begin and end so that the view can draw lines between
 * them and name them.
 */

export interface Region {
  name: string;
  /** Rows [start, end) of the order. */
  start: number;
  end: number;
}

export interface UnitOrder {
  order: Int32Array;
  regions: Region[];
}

/** The units as they come (the frame's canonical order: by id). */
export function orderById(units: number): UnitOrder {
  const order = new Int32Array(units);
  for (let i = 0; i < units; i++) order[i] = i;
  return { order, regions: [] };
}

/**
 * The named groups of a run header, as the region order takes them: the
 * commands write them under `options.groupUnits` as [{name, units}] (units
 * as the recording names them, text); a `groupUnits` record at the top level
 * is read too. Undefined when the run names none.
 */
export function runGroupUnits(run: { groupUnits?: unknown; options?: Record<string, unknown> } | null | undefined): Record<string, UnitId[]> | undefined {
  const given = run?.groupUnits ?? run?.options?.groupUnits;
  const groups: Record<string, UnitId[]> = {};
  if (Array.isArray(given)) {
    for (const group of given as Array<{ name?: unknown; units?: unknown }>) {
      if (typeof group?.name === 'string' && Array.isArray(group.units)) groups[group.name] = group.units as UnitId[];
    }
  } else if (given !== null && typeof given === 'object') {
    for (const [name, units] of Object.entries(given as Record<string, unknown>)) if (Array.isArray(units)) groups[name] = units as UnitId[];
  }
  return Object.keys(groups).length > 0 ? groups : undefined;
}

/**
 * Region by region, in the order the groups are named, each region's units by
 * id; a unit named in two groups sits in the first; units in none come last
 * as "other".
 */
export function orderByRegion(units: readonly UnitId[], groupUnits: Record<string, readonly UnitId[]>): UnitOrder {
  const indexOf = new Map(units.map((id, i) => [String(id), i]));
  const placed = new Uint8Array(units.length);
  const order = new Int32Array(units.length);
  const regions: Region[] = [];
  let row = 0;
  for (const [name, members] of Object.entries(groupUnits)) {
    const start = row;
    const indices = members.map((id) => indexOf.get(String(id))).filter((i): i is number => i !== undefined && !placed[i]);
    for (const i of [...new Set(indices)].sort((x, y) => x - y)) {
      placed[i] = 1;
      order[row++] = i;
    }
    if (row > start) regions.push({ name, start, end: row });
  }
  const start = row;
  for (let i = 0; i < units.length; i++) if (!placed[i]) order[row++] = i;
  if (row > start && regions.length > 0) regions.push({ name: 'other', start, end: row });
  return { order, regions };
}

/** The inverse permutation: `rowOf[unit index]` = its row. */
export function rowsOf(order: Int32Array): Int32Array {
  const rows = new Int32Array(order.length);
  for (let row = 0; row < order.length; row++) rows[order[row]] = row;
  return rows;
}

/**
 * An order kept across a change of units (a unit first seen mid-stream): the
 * units of the old order that remain, in their old rows' order, then the new
 * ones by id, so that a clustering is not lost when a unit appears.
 */
export function carryOrder(previousUnits: readonly UnitId[], previousOrder: Int32Array, units: readonly UnitId[]): Int32Array {
  const indexOf = new Map(units.map((id, i) => [String(id), i]));
  const order = new Int32Array(units.length);
  const placed = new Uint8Array(units.length);
  let row = 0;
  for (const old of previousOrder) {
    const i = indexOf.get(String(previousUnits[old]));
    if (i !== undefined && !placed[i]) {
      placed[i] = 1;
      order[row++] = i;
    }
  }
  for (let i = 0; i < units.length; i++) if (!placed[i]) order[row++] = i;
  return order;
}
