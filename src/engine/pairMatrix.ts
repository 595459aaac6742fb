import { compareUnitIds, outputUnitId, type UnitId } from '../stream/unitIds.ts';
import { familyTests } from './labelLagSignificance.ts';
import type { SynergyUpdate } from './synergyUpdate.ts';
import type { DueEmission } from './tileMerge.ts';
import { mergeSignificance } from './tileMerge.ts';
import { pairsBelow, type TileEmission } from './tiles.ts';

/**
 * Every pair's synergy at one update, for the page's matrix
 * (AnalysisOptions.pairMatrix; docs/PROTOCOL.md, "Matrix frames"). An update
 * names only its strongest `top` pairs; the matrix has all of them, in the
 * canonical order of the units (`units`, as the update names them):
 * pair (i, j), i < j, at index i·(2U − i − 1)/2 + (j − i − 1).
 */
export interface PairMatrix {
  units: UnitId[];
  /** Every pair's synergy, bits (the analysis's estimator), rounded to float32. */
  synergy: Float32Array;
  /** Bit 0: the pair is family-wise significant (p_fwer ≤ alpha, the update's surrogates). */
  flags: Uint8Array;
  alpha: number | null;
  /** The last hop's stretches of one mode, [start s, end s, mode], in time order (unlabeled bins left out). */
  modes: Array<[number, number, string]>;
}

/** Flag bit of a family-wise significant pair. */
export const MATRIX_SIGNIFICANT = 1;

/**
 * Where an update's matrix travels: a symbol, so that it rides along with
 * the update object through the stream (spreads copy it) and is never written
 * to JSON (JSON.stringify skips symbol keys).
 */
export const PAIR_MATRIX: unique symbol = Symbol('pairMatrix');

export type WithPairMatrix = SynergyUpdate & { [PAIR_MATRIX]?: PairMatrix };

/** The matrix of an update, when the analysis made one. */
export function pairMatrixOf(update: SynergyUpdate): PairMatrix | undefined {
  return (update as WithPairMatrix)[PAIR_MATRIX];
}

/** Index of pair (i, j), i < j, among `units` units in the matrix's order. */
export function matrixPairIndex(i: number, j: number, units: number): number {
  return (i * (2 * units - i - 1)) / 2 + (j - i - 1);
}

/**
 * The matrix of a due emission from its tiles' parts (every pair's synergy
 * and excess, TileEmission.allPairs, in the engine's triangle order
 * j(j−1)/2 + i), or undefined when a tile did not send every pair (an
 * estimator that settles only the top pairs exactly, an empty window, or
 * fewer than two units).
 * Significance is decided as for `significant`: |excess| against the
 * surrogates' maxima over all tiles.
 */
export function buildPairMatrix(due: DueEmission, parts: readonly TileEmission[], alpha: number): PairMatrix | undefined {
  const units = due.units;
  const total = pairsBelow(units);
  if (total === 0) return undefined;
  const synergy = new Float64Array(total);
  const excess = new Float64Array(total);
  let withExcess = true;
  let at = 0;
  for (const part of [...parts].sort((x, y) => x.tile - y.tile)) {
    const values = part.allPairs;
    if (values === undefined) {
      if (part.pairs.length === 0 && at === total) continue;
      return undefined;
    }
    if (at + values.synergy.length > total) return undefined;
    synergy.set(values.synergy, at);
    if (values.excess === undefined) withExcess = false;
    else excess.set(values.excess, at);
    at += values.synergy.length;
  }
  if (at !== total) return undefined;
  const merged = withExcess ? mergeSignificance(parts) : undefined;
  const family = merged === undefined ? undefined : familyTests(merged.available, merged.effective, merged.maxima, merged.beyondCounts);
  const canReach = family?.canReach(alpha) === true;
  const ids = due.unitIds.slice(0, units).map(outputUnitId);
  // order[r] = the engine's index of the unit at rank r in canonical order.
  const order = Array.from({ length: units }, (_, u) => u).sort((x, y) => compareUnitIds(ids[x], ids[y]));
  const out = new Float32Array(total);
  const flags = new Uint8Array(total);
  let index = 0;
  for (let r = 0; r < units; r++) {
    const u = order[r];
    for (let s = r + 1; s < units; s++) {
      const v = order[s];
      const engine = u < v ? (v * (v - 1)) / 2 + u : (u * (u - 1)) / 2 + v;
      out[index] = synergy[engine];
      if (canReach && family!.familyP(Math.abs(excess[engine])) <= alpha) flags[index] = MATRIX_SIGNIFICANT;
      index++;
    }
  }
  return { units: order.map((u) => ids[u]), synergy: out, flags, alpha: family === undefined ? null : alpha, modes: [] };
}

/** The update with its matrix attached (AnalysisOptions.pairMatrix), when every tile sent every pair. */
export function attachPairMatrix(update: SynergyUpdate, due: DueEmission, parts: readonly TileEmission[], alpha: number): SynergyUpdate {
  const matrix = buildPairMatrix(due, parts, alpha);
  if (matrix !== undefined) {
    matrix.modes = due.modes ?? [];
    (update as WithPairMatrix)[PAIR_MATRIX] = matrix;
  }
  return update;
}
