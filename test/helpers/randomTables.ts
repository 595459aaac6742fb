import fc from 'fast-check';

/**
 * Random data for property tests of the measures: samples of three discrete
 * variables (two sources X1, X2 and a mode Y, 2–4 symbols each) and weighted
 * tables over the same alphabets, plus a small seeded generator for tests
 * that draw their own samples.
 */

/** mulberry32 (Tommy Ettinger): a 32-bit seeded generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy of `items`, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = result[i];
    result[i] = result[j];
    result[j] = tmp;
  }
  return result;
}

/** Index drawn from unnormalized non-negative weights (not all zero). */
export function drawIndex(weights: readonly number[], random: () => number): number {
  let total = 0;
  for (const w of weights) total += w;
  let u = random() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0 && weights[i] > 0) return i;
  }
  // Rounding left u ≥ 0: the last cell with weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  throw new RangeError('all weights are zero');
}

/** One outcome (x1, x2, y) with its count; symbols are dense, 0 … size − 1. */
export interface WeightedCell {
  word: [number, number, number];
  weight: number;
}

/** A weighted table over alphabet [|X1|, |X2|, |Y|], only cells of positive weight listed. */
export interface WeightedTable {
  alphabet: [number, number, number];
  cells: WeightedCell[];
}

/** Sample columns [x1, x2, y] of dense symbols, and the alphabet they were drawn from. */
export interface RandomSamples {
  alphabet: [number, number, number];
  columns: [number[], number[], number[]];
}

const alphabetArbitrary = fc.tuple(
  fc.integer({ min: 2, max: 4 }),
  fc.integer({ min: 2, max: 4 }),
  fc.integer({ min: 2, max: 4 }),
);

/** Cell weights of a table over `alphabet`; half the cells are empty on average, so structure (XOR-, copy-like) appears. */
function cellWeightsArbitrary(alphabet: readonly number[], maxWeight: number): fc.Arbitrary<number[]> {
  const cells = alphabet[0] * alphabet[1] * alphabet[2];
  return fc
    .array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: maxWeight })), { minLength: cells, maxLength: cells })
    .map((weights) => (weights.some((w) => w > 0) ? weights : weights.map((_, i) => (i === 0 ? 1 : 0))));
}

function wordOf(cell: number, alphabet: readonly number[]): [number, number, number] {
  const y = cell % alphabet[2];
  const x2 = Math.floor(cell / alphabet[2]) % alphabet[1];
  const x1 = Math.floor(cell / (alphabet[2] * alphabet[1]));
  return [x1, x2, y];
}

/** Weighted tables: 2–4 symbols per variable, counts 0 … maxWeight per cell. */
export function weightedTableArbitrary(maxWeight = 50): fc.Arbitrary<WeightedTable> {
  return alphabetArbitrary.chain((alphabet) =>
    cellWeightsArbitrary(alphabet, maxWeight).map((weights) => ({
      alphabet,
      cells: weights.flatMap((weight, cell) => (weight > 0 ? [{ word: wordOf(cell, alphabet), weight }] : [])),
    })),
  );
}

/**
 * 1–200 samples of (X1, X2, Y) drawn, in random order, from a random
 * distribution over 2–4 symbols each (so the sources carry structured,
 * sometimes deterministic, information about the mode).
 */
export function samplesArbitrary(): fc.Arbitrary<RandomSamples> {
  return alphabetArbitrary.chain((alphabet) =>
    fc
      .record({
        weights: cellWeightsArbitrary(alphabet, 12),
        n: fc.integer({ min: 1, max: 200 }),
        seed: fc.integer({ min: 0, max: 0x7fffffff }),
      })
      .map(({ weights, n, seed }) => {
        const random = mulberry32(seed);
        const columns: [number[], number[], number[]] = [[], [], []];
        for (let i = 0; i < n; i++) {
          const word = wordOf(drawIndex(weights, random), alphabet);
          for (let v = 0; v < 3; v++) columns[v].push(word[v]);
        }
        return { alphabet, columns };
      }),
  );
}

/** The samples of a weighted table as columns, each cell repeated `weight` times. */
export function expandTable(table: WeightedTable): [number[], number[], number[]] {
  const columns: [number[], number[], number[]] = [[], [], []];
  for (const { word, weight } of table.cells) {
    for (let k = 0; k < weight; k++) for (let v = 0; v < 3; v++) columns[v].push(word[v]);
  }
  return columns;
}
