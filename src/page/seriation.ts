import { pairCount, pairOfIndex, rowStarts } from './pairIndex.ts';

/**
 * A cheap seriation of the pair matrix: greedy chain building (the
 * greedy-edge heuristic of the travelling salesman problem, used for matrix
 * seriation since Hubert 1974). Pairs are taken by |synergy|, strongest
 * first; a pair joins its two units when each is still the end of a chain
 * (degree < 2) and they are on different chains. The chains, strongest
 * first, laid end to end are the order, so that strongly coupled units —
 * synergistic or redundant — sit next to each other and a planted pair
 * becomes a cell beside the diagonal.
 *
 * Cost: one sort of the P = U(U − 1)/2 pairs, O(P log P) — about 0.1 s at
 * 1,024 units — done when the order is chosen, not every frame.
 *
 * Example: with |synergy| of (0,3) = 0.9, (1,2) = 0.8, (2,3) = 0.5 and the
 * rest 0 among 4 units, the chains are 0–3, then 1–2, joined by 2–3 into
 * 0, 3, 2, 1.
 */
export function greedyChainOrder(units: number, synergy: ArrayLike<number>): Int32Array {
  const pairs = pairCount(units);
  const order = new Int32Array(units);
  if (units < 2) return order;
  const sorted = pairsByStrength(synergy, pairs);
  const starts = rowStarts(units);
  const degree = new Uint8Array(units);
  const neighbours = new Int32Array(2 * units).fill(-1);
  const parent = new Int32Array(units);
  for (let u = 0; u < units; u++) parent[u] = u;
  const root = (u: number) => {
    while (parent[u] !== u) {
      parent[u] = parent[parent[u]];
      u = parent[u];
    }
    return u;
  };
  // The edges accepted, in the order they were: the chains are emitted by their strongest edge.
  const accepted = new Int32Array(units - 1);
  let acceptedCount = 0;
  for (let rank = 0; rank < sorted.length && acceptedCount < units - 1; rank++) {
    const [i, j] = pairOfIndex(sorted[rank], starts);
    if (degree[i] >= 2 || degree[j] >= 2) continue;
    const [ri, rj] = [root(i), root(j)];
    if (ri === rj) continue;
    parent[ri] = rj;
    neighbours[2 * i + degree[i]++] = j;
    neighbours[2 * j + degree[j]++] = i;
    accepted[acceptedCount++] = i;
  }
  // Each chain read from its end with the lower index, found by its root.
  const endOf = new Int32Array(units).fill(-1);
  for (let u = 0; u < units; u++) if (degree[u] === 1 && endOf[root(u)] === -1) endOf[root(u)] = u;
  const placed = new Uint8Array(units);
  let position = 0;
  for (let e = 0; e < acceptedCount; e++) {
    const r = root(accepted[e]);
    if (placed[r]) continue;
    placed[r] = 1;
    let previous = -1;
    let current = endOf[r];
    while (current !== -1) {
      order[position++] = current;
      const [first, second] = [neighbours[2 * current], neighbours[2 * current + 1]];
      // An end has one neighbour (the other slot is −1): from it the walk goes on, at the far end it stops.
      const next = first !== previous ? first : second;
      previous = current;
      current = next;
    }
  }
  // Units on no chain (no pair with |synergy| > 0 reached them), in id order.
  for (let u = 0; u < units; u++) if (degree[u] === 0) order[position++] = u;
  return order;
}

/**
 * Pair indices by |synergy|, strongest first (NaN and 0 left out). Up to 2²¹
 * pairs (2,048 units) the sort is of Float64 keys — |synergy| quantized to 31
 * bits above the index's 21 — with the native numeric sort, several times
 * faster than sorting indices through a comparator.
 */
function pairsByStrength(synergy: ArrayLike<number>, pairs: number): Uint32Array {
  let maxAbs = 0;
  let count = 0;
  for (let k = 0; k < pairs; k++) {
    const size = Math.abs(synergy[k]);
    if (size > 0) {
      count++;
      if (size > maxAbs) maxAbs = size;
    }
  }
  const result = new Uint32Array(count);
  if (count === 0) return result;
  const INDEX_BITS = 2 ** 21;
  if (pairs <= INDEX_BITS) {
    const keys = new Float64Array(count);
    const levels = 2 ** 31 - 1;
    let n = 0;
    for (let k = 0; k < pairs; k++) {
      const size = Math.abs(synergy[k]);
      if (size > 0) keys[n++] = Math.floor((size / maxAbs) * levels) * INDEX_BITS + k;
    }
    keys.sort();
    for (let r = 0; r < count; r++) result[r] = keys[count - 1 - r] % INDEX_BITS;
    return result;
  }
  let n = 0;
  for (let k = 0; k < pairs; k++) if (Math.abs(synergy[k]) > 0) result[n++] = k;
  return result.sort((x, y) => Math.abs(synergy[y]) - Math.abs(synergy[x]));
}
