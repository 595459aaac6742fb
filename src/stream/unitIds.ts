/**
 * How unit ids appear in the output (DESIGN §7): a pair is named in one
 * canonical order, `a` before `b`, so that two replays of the same spikes —
 * from NWB and from Phy, or read in another order — give identical keys; and
 * an id that is a whole number (NWB ids, Phy cluster ids, a numeric CSV
 * column) is written as a JSON number, ordered numerically (7 before 12).
 * Other ids ("A-000", "3:1") stay text and come after the numbers, in code
 * point order.
 */

/** A unit id as output: a number when the source's id is a whole number, else its text. */
export type UnitId = string | number;

/** Plain whole numbers only: "12", "0", "-3" (not "012", "1.0", "1e3" or "+4", which stay text). */
const WHOLE_NUMBER = /^(0|-?[1-9]\d{0,15})$/;

function asNumber(id: string): number | undefined {
  if (!WHOLE_NUMBER.test(id)) return undefined;
  const value = Number(id);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** The id as it is written out: a number for a whole number, else the text. */
export function outputUnitId(id: string): UnitId {
  return asNumber(id) ?? id;
}

/** The canonical order of two unit ids (negative: `x` first). */
export function compareUnitIds(x: UnitId, y: UnitId): number {
  const nx = typeof x === 'number' ? x : asNumber(x);
  const ny = typeof y === 'number' ? y : asNumber(y);
  if (nx !== undefined && ny !== undefined) return nx - ny;
  if (nx !== undefined) return -1;
  if (ny !== undefined) return 1;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/** One key for a pair whatever the order and type its ids are given in ("3|12"). */
export function unitPairKey(x: UnitId, y: UnitId): string {
  return compareUnitIds(x, y) <= 0 ? `${x}|${y}` : `${y}|${x}`;
}
