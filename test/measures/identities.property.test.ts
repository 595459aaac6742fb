import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ESTIMATORS, estimate, type EstimatorName } from '../../src/estimators/estimate.ts';
import type { NumericTree } from '../../src/estimators/numericTree.ts';
import { coInformation } from '../../src/measures/coInformation.ts';
import { conditionalEntropy } from '../../src/measures/conditionalEntropy.ts';
import { conditionalMutualInformation } from '../../src/measures/conditionalMutualInformation.ts';
import { discretize, estimationData, type EstimationData } from '../../src/measures/discreteSamples.ts';
import { dualTotalCorrelation } from '../../src/measures/dualTotalCorrelation.ts';
import { entropy } from '../../src/measures/entropy.ts';
import { groupSynergy } from '../../src/measures/groupSynergy.ts';
import { informationBreakdown } from '../../src/measures/informationBreakdown.ts';
import type { InformationSource } from '../../src/measures/informationSource.ts';
import { JointTable } from '../../src/measures/jointTable.ts';
import { mutualInformation } from '../../src/measures/mutualInformation.ts';
import { oInformation } from '../../src/measures/oInformation.ts';
import { oInformationGradient } from '../../src/measures/oInformationGradient.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';
import { pidMinimumMutualInformation } from '../../src/measures/pidMinimumMutualInformation.ts';
import { pidWilliamsBeer } from '../../src/measures/pidWilliamsBeer.ts';
import { sInformation } from '../../src/measures/sInformation.ts';
import { totalCorrelation } from '../../src/measures/totalCorrelation.ts';
import {
  expandTable,
  mulberry32,
  samplesArbitrary,
  shuffled,
  weightedTableArbitrary,
  type RandomSamples,
  type WeightedTable,
} from '../helpers/randomTables.ts';

/**
 * Property tests of the identities of SCIENCE.md ("Pair measures", "Groups of
 * k units") on random samples and weighted tables of (X1, X2, Y) = columns
 * (0, 1, 2). Plug-in unless a property names an estimator. Several
 * properties compare the library with quantities computed here, from raw
 * probabilities, so that an identity of the library's own terms is not the
 * only evidence.
 */

const TOLERANCE = 1e-9;
/** Runs per property; raise with PROPERTY_RUNS=2000 for a longer hunt. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const X1 = 0;
const X2 = 1;
const Y = 2;

/** A case: the library's view of the data and the same data as weighted words for the raw computations. */
interface Case {
  data: EstimationData;
  rows: Row[];
}

/** One outcome (x1, x2, y) and how many samples showed it. */
interface Row {
  word: readonly number[];
  weight: number;
}

function caseOfSamples(samples: RandomSamples): Case {
  const [x1, x2, y] = samples.columns;
  return {
    data: estimationData(discretize(samples.columns)),
    rows: x1.map((_, i) => ({ word: [x1[i], x2[i], y[i]], weight: 1 })),
  };
}

function caseOfTable(table: WeightedTable): Case {
  return {
    // A table with declared alphabets, some symbols possibly unobserved; no sample order.
    data: { table: JointTable.fromWords(table.alphabet, table.cells.map((c) => [c.word, c.weight] as const)) },
    rows: table.cells,
  };
}

const sampleCases = samplesArbitrary().map(caseOfSamples);
const tableCases = weightedTableArbitrary().map(caseOfTable);
const bothKinds: [string, fc.Arbitrary<Case>][] = [
  ['random samples', sampleCases],
  ['weighted tables', tableCases],
];

function plugin<T extends NumericTree>(data: EstimationData, measure: (s: InformationSource) => T): T {
  return estimate(data, measure, { estimator: 'plugin' });
}

function expectClose(actual: number, expected: number, what: string, tolerance = TOLERANCE): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function expectAtMost(value: number, bound: number, what: string, tolerance = TOLERANCE): void {
  expect(value, `${what}: ${value} > ${bound}`).toBeLessThanOrEqual(bound + tolerance);
}

// ---- Independent plug-in computations from raw words -------------------------------------------

/** Plug-in entropy (bits) of the variables `vars`, counting words with a plain object. */
function rawEntropy(rows: readonly Row[], vars: readonly number[]): number {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const { word, weight } of rows) {
    const key = vars.map((v) => word[v]).join(',');
    counts[key] = (counts[key] ?? 0) + weight;
    total += weight;
  }
  let h = 0;
  for (const key of Object.keys(counts)) {
    const p = counts[key] / total;
    h -= p * Math.log2(p);
  }
  return h;
}

/** I(A;B) = H(A) + H(B) − H(A,B). */
function rawMutualInformation(rows: readonly Row[], a: readonly number[], b: readonly number[]): number {
  return rawEntropy(rows, a) + rawEntropy(rows, b) - rawEntropy(rows, [...a, ...b]);
}

/** Dense p(x1, x2, y) over the symbols that occur (symbols may be any integers). */
function rawDistribution(rows: readonly Row[]) {
  const symbols = [0, 1, 2].map((v) => [...new Set(rows.map((r) => r.word[v]))]);
  const index = symbols.map((list) => new Map(list.map((s, i) => [s, i])));
  const [n1, n2, ny] = symbols.map((list) => list.length);
  const p = Array.from({ length: n1 }, () => Array.from({ length: n2 }, () => new Array<number>(ny).fill(0)));
  let total = 0;
  for (const { weight } of rows) total += weight;
  for (const { word, weight } of rows) {
    p[index[0].get(word[0])!][index[1].get(word[1])!][index[2].get(word[2])!] += weight / total;
  }
  return { p, n1, n2, ny };
}

const entropyOf = (probabilities: Iterable<number>): number => {
  let h = 0;
  for (const q of probabilities) if (q > 0) h -= q * Math.log2(q);
  return h;
};

/** The Pola et al. (2003) terms, straight from the definitions in SCIENCE.md. */
function rawBreakdown(rows: readonly Row[]) {
  const { p, n1, n2, ny } = rawDistribution(rows);
  const range = (n: number) => [...Array(n).keys()];
  const pS = range(ny).map((s) => range(n1).reduce((a, r1) => a + range(n2).reduce((b, r2) => b + p[r1][r2][s], 0), 0));
  const p1 = range(n1).map((r1) => range(ny).map((s) => range(n2).reduce((a, r2) => a + p[r1][r2][s], 0)));
  const p2 = range(n2).map((r2) => range(ny).map((s) => range(n1).reduce((a, r1) => a + p[r1][r2][s], 0)));
  const pR: number[] = [];
  const pInd: number[] = [];
  for (const r1 of range(n1)) {
    for (const r2 of range(n2)) {
      pR.push(range(ny).reduce((a, s) => a + p[r1][r2][s], 0));
      // P_ind(r) = Σ_s p(s) p(r1|s) p(r2|s)
      pInd.push(range(ny).reduce((a, s) => (pS[s] > 0 ? a + pS[s] * (p1[r1][s] / pS[s]) * (p2[r2][s] / pS[s]) : a), 0));
    }
  }
  const hR = entropyOf(pR);
  const hS = entropyOf(pS);
  const hRgivenS = entropyOf(p.flat(2)) - hS;
  const h1 = entropyOf(p1.map((row) => row.reduce((a, b) => a + b, 0)));
  const h2 = entropyOf(p2.map((row) => row.reduce((a, b) => a + b, 0)));
  const h1givenS = entropyOf(p1.flat()) - hS;
  const h2givenS = entropyOf(p2.flat()) - hS;
  const hLin = h1 + h2;
  const hIndGivenS = h1givenS + h2givenS;
  const hInd = entropyOf(pInd);
  let chi = 0;
  pR.forEach((q, r) => {
    if (q > 0) chi -= q * Math.log2(pInd[r]);
  });
  return {
    lin: hLin - hIndGivenS,
    sig_sim: hInd - hLin,
    cor_ind: chi - hInd,
    cor_dep: hR - hRgivenS - chi + hIndGivenS,
  };
}

/** Williams–Beer I_min: Σ_y p(y) min_i Σ_x p(x|y) log2[p(x|y)/p(x)]. */
function rawIMin(rows: readonly Row[]): number {
  const { p, n1, n2, ny } = rawDistribution(rows);
  const marginal = (v: 0 | 1) =>
    Array.from({ length: v === 0 ? n1 : n2 }, (_, x) =>
      Array.from({ length: ny }, (_, y) => {
        let q = 0;
        for (let other = 0; other < (v === 0 ? n2 : n1); other++) q += v === 0 ? p[x][other][y] : p[other][x][y];
        return q;
      }),
    );
  const joint = [marginal(0), marginal(1)];
  let redundancy = 0;
  for (let y = 0; y < ny; y++) {
    const py = joint[0].reduce((a, row) => a + row[y], 0);
    if (py === 0) continue;
    const specific = joint.map((pxy) => {
      let bits = 0;
      for (const row of pxy) {
        const px = row.reduce((a, b) => a + b, 0);
        if (row[y] > 0) bits += (row[y] / py) * Math.log2(row[y] / py / px);
      }
      return bits;
    });
    redundancy += py * Math.min(...specific);
  }
  return redundancy;
}

// ---- Properties --------------------------------------------------------------------------------

describe.each(bothKinds)('identities of the pair measures on %s (plug-in)', (_, cases) => {
  it('PID under I_min and MMI: Syn = S − R, R + U1 + U2 + S = I(X1,X2;Y), R + Ui = I(Xi;Y); R from raw probabilities', () => {
    fc.assert(
      fc.property(cases, ({ data, rows }) => {
        const pair = plugin(data, (s) => ({ ...pairSynergy(s, X1, X2, Y) }));
        const imin = plugin(data, (s) => ({ ...pidWilliamsBeer(s, X1, X2, Y) }));
        const mmi = plugin(data, (s) => ({ ...pidMinimumMutualInformation(s, X1, X2, Y) }));
        for (const [name, atoms] of [['I_min', imin], ['MMI', mmi]] as const) {
          expectClose(atoms.synergy - atoms.redundancy, pair.synergy, `${name} S − R`);
          expectClose(atoms.redundancy + atoms.unique1 + atoms.unique2 + atoms.synergy, pair.joint, `${name} sum`);
          expectClose(atoms.redundancy + atoms.unique1, pair.ia, `${name} R + U1`);
          expectClose(atoms.redundancy + atoms.unique2, pair.ib, `${name} R + U2`);
        }
        expectClose(imin.redundancy, rawIMin(rows), 'I_min redundancy vs raw');
        expectClose(
          mmi.redundancy,
          Math.min(rawMutualInformation(rows, [X1], [Y]), rawMutualInformation(rows, [X2], [Y])),
          'MMI redundancy vs raw',
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('Syn = I(X1;X2|Y) − I(X1;X2) = −co-information = −Ω(X1,X2,Y) = −∂_Y Ω(X1,X2) = group synergy', () => {
    fc.assert(
      fc.property(cases, ({ data }) => {
        const v = plugin(data, (s) => ({
          synergy: pairSynergy(s, X1, X2, Y).synergy,
          conditional: conditionalMutualInformation(s, [X1], [X2], [Y]),
          unconditional: mutualInformation(s, [X1], [X2]),
          coinfo: coInformation(s, X1, X2, Y),
          oinfo: oInformation(s, [X1, X2, Y]),
          group: groupSynergy(s, [X1, X2], Y),
          gradient: oInformationGradient(s, [X1, X2], Y),
        }));
        expectClose(v.conditional - v.unconditional, v.synergy, 'I(X1;X2|Y) − I(X1;X2)');
        expectClose(-v.coinfo, v.synergy, '−coinformation');
        expectClose(-v.oinfo, v.synergy, '−Ω');
        expectClose(v.group, v.synergy, 'group synergy of two');
        // Ω of two variables is 0 (TC = DTC = I(X1;X2)), so ∂_Y Ω(X1,X2) = Ω(X1,X2,Y).
        expectClose(-v.gradient, v.synergy, '−∂_Y Ω(X1,X2)');
      }),
      { numRuns: RUNS },
    );
  });

  it('Pola breakdown: each term matches the definitions, the terms sum to I(X1,X2;Y), the last three to Syn, I_sig-sim ≤ 0', () => {
    fc.assert(
      fc.property(cases, ({ data, rows }) => {
        const breakdown = plugin(data, (s) => ({ ...informationBreakdown(s, [X1, X2], Y) }));
        const pair = plugin(data, (s) => ({ ...pairSynergy(s, X1, X2, Y) }));
        const expected = rawBreakdown(rows);
        for (const key of ['lin', 'sig_sim', 'cor_ind', 'cor_dep'] as const) {
          expectClose(breakdown[key], expected[key], `${key} vs raw`);
        }
        expectClose(breakdown.lin + breakdown.sig_sim + breakdown.cor_ind + breakdown.cor_dep, pair.joint, 'sum');
        expectClose(breakdown.sig_sim + breakdown.cor_ind + breakdown.cor_dep, pair.synergy, 'synergy terms');
        expectClose(breakdown.lin, pair.ia + pair.ib, 'I_lin = I(X1;Y) + I(X2;Y)');
        expect(breakdown.sig_sim).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: RUNS },
    );
  });

  it('chain rule: I(X1,X2;Y) = I(X1;Y) + I(X2;Y|X1) = I(X2;Y) + I(X1;Y|X2)', () => {
    fc.assert(
      fc.property(cases, ({ data }) => {
        const v = plugin(data, (s) => ({
          joint: mutualInformation(s, [X1, X2], [Y]),
          i1: mutualInformation(s, [X1], [Y]),
          i2: mutualInformation(s, [X2], [Y]),
          i2given1: conditionalMutualInformation(s, [X2], [Y], [X1]),
          i1given2: conditionalMutualInformation(s, [X1], [Y], [X2]),
        }));
        expectClose(v.i1 + v.i2given1, v.joint, 'I(X1;Y) + I(X2;Y|X1)');
        expectClose(v.i2 + v.i1given2, v.joint, 'I(X2;Y) + I(X1;Y|X2)');
      }),
      { numRuns: RUNS },
    );
  });

  it('bounds: 0 ≤ I ≤ min(H, H), TC, DTC, I(X1;X2|Y) ≥ 0, −min(I(X1;X2), I(Xi;Y)) ≤ Syn ≤ min(I(X1,X2;Y), I(X1;X2|Y)), PID atoms ≥ 0', () => {
    fc.assert(
      fc.property(cases, ({ data }) => {
        plugin(data, (s) => {
          const pairs: [number[], number[]][] = [
            [[X1], [Y]],
            [[X2], [Y]],
            [[X1, X2], [Y]],
            [[X1], [X2]],
            [[X1, Y], [X2]],
          ];
          for (const [a, b] of pairs) {
            const info = mutualInformation(s, a, b);
            expect(info, `I(${a};${b})`).toBeGreaterThanOrEqual(-TOLERANCE);
            expectAtMost(info, Math.min(entropy(s, a), entropy(s, b)), `I(${a};${b}) ≤ min H`);
          }
          for (const vars of [[X1, X2, Y], [X1, X2], [X1, Y], [X2, Y]]) {
            expect(totalCorrelation(s, vars), `TC(${vars})`).toBeGreaterThanOrEqual(-TOLERANCE);
            expect(dualTotalCorrelation(s, vars), `DTC(${vars})`).toBeGreaterThanOrEqual(-TOLERANCE);
          }
          const conditional = conditionalMutualInformation(s, [X1], [X2], [Y]);
          expect(conditional, 'I(X1;X2|Y)').toBeGreaterThanOrEqual(-TOLERANCE);
          const { joint, ia, ib, synergy } = pairSynergy(s, X1, X2, Y);
          // I(X1;X2|Y) ≥ 0 gives Syn ≥ −I(X1;X2); I(X1,X2;Y) ≥ I(Xi;Y) gives Syn ≥ −min_i I(Xi;Y).
          const lower = -Math.min(mutualInformation(s, [X1], [X2]), ia, ib);
          expect(synergy, 'Syn lower bound').toBeGreaterThanOrEqual(lower - TOLERANCE);
          // I(X1;X2) ≥ 0 gives Syn ≤ I(X1;X2|Y); I(Xi;Y) ≥ 0 gives Syn ≤ I(X1,X2;Y).
          expectAtMost(synergy, Math.min(joint, conditional), 'Syn upper bound');
          // Two-source PIDs are non-negative (Williams & Beer 2010, Theorem 5; MMI by I(X1,X2;Y) ≥ max_i I(Xi;Y)).
          for (const [name, atoms] of [
            ['I_min', pidWilliamsBeer(s, X1, X2, Y)],
            ['MMI', pidMinimumMutualInformation(s, X1, X2, Y)],
          ] as const) {
            for (const [atom, bits] of Object.entries(atoms)) {
              expect(bits, `${name} ${atom}`).toBeGreaterThanOrEqual(-TOLERANCE);
            }
          }
          return 0;
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('symmetry: swapping X1 and X2 keeps Syn, R, S and the breakdown, and swaps U1 and U2', () => {
    fc.assert(
      fc.property(cases, ({ data }) => {
        const forward = plugin(data, (s) => ({
          pair: { ...pairSynergy(s, X1, X2, Y) },
          imin: { ...pidWilliamsBeer(s, X1, X2, Y) },
          mmi: { ...pidMinimumMutualInformation(s, X1, X2, Y) },
          breakdown: { ...informationBreakdown(s, [X1, X2], Y) },
        }));
        const swapped = plugin(data, (s) => ({
          pair: { ...pairSynergy(s, X2, X1, Y) },
          imin: { ...pidWilliamsBeer(s, X2, X1, Y) },
          mmi: { ...pidMinimumMutualInformation(s, X2, X1, Y) },
          breakdown: { ...informationBreakdown(s, [X2, X1], Y) },
        }));
        expectClose(swapped.pair.synergy, forward.pair.synergy, 'Syn');
        expectClose(swapped.pair.joint, forward.pair.joint, 'joint');
        expectClose(swapped.pair.ia, forward.pair.ib, 'ia ↔ ib');
        for (const pid of ['imin', 'mmi'] as const) {
          expectClose(swapped[pid].redundancy, forward[pid].redundancy, `${pid} R`);
          expectClose(swapped[pid].synergy, forward[pid].synergy, `${pid} S`);
          expectClose(swapped[pid].unique1, forward[pid].unique2, `${pid} U1 ↔ U2`);
          expectClose(swapped[pid].unique2, forward[pid].unique1, `${pid} U2 ↔ U1`);
        }
        for (const key of ['lin', 'sig_sim', 'cor_ind', 'cor_dep'] as const) {
          expectClose(swapped.breakdown[key], forward.breakdown[key], `breakdown ${key}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with a plug-in computed here from the raw words (I, H, TC, DTC, Ω)', () => {
    fc.assert(
      fc.property(cases, ({ data, rows }) => {
        const v = plugin(data, (s) => ({
          pair: { ...pairSynergy(s, X1, X2, Y) },
          h: entropy(s, [X1, X2, Y]),
          hGiven: conditionalEntropy(s, [X1, X2], [Y]),
          tc: totalCorrelation(s, [X1, X2, Y]),
          dtc: dualTotalCorrelation(s, [X1, X2, Y]),
          oinfo: oInformation(s, [X1, X2, Y]),
          sinfo: sInformation(s, [X1, X2, Y]),
        }));
        const H = (vars: number[]) => rawEntropy(rows, vars);
        const joint = rawMutualInformation(rows, [X1, X2], [Y]);
        const ia = rawMutualInformation(rows, [X1], [Y]);
        const ib = rawMutualInformation(rows, [X2], [Y]);
        expectClose(v.pair.joint, joint, 'I(X1,X2;Y)');
        expectClose(v.pair.ia, ia, 'I(X1;Y)');
        expectClose(v.pair.ib, ib, 'I(X2;Y)');
        expectClose(v.pair.synergy, joint - ia - ib, 'Syn');
        expectClose(v.h, H([X1, X2, Y]), 'H(X1,X2,Y)');
        expectClose(v.hGiven, H([X1, X2, Y]) - H([Y]), 'H(X1,X2|Y)');
        const tc = H([X1]) + H([X2]) + H([Y]) - H([X1, X2, Y]);
        const dtc = H([X2, Y]) + H([X1, Y]) + H([X1, X2]) - 2 * H([X1, X2, Y]);
        expectClose(v.tc, tc, 'TC');
        expectClose(v.dtc, dtc, 'DTC');
        expectClose(v.oinfo, tc - dtc, 'Ω');
        expectClose(v.sinfo, tc + dtc, 'S-information');
      }),
      { numRuns: RUNS },
    );
  });
});

it('a weighted table and its expanded samples give the same plug-in measures', () => {
  fc.assert(
    fc.property(weightedTableArbitrary(20), (table) => {
      const fromTable = plugin(caseOfTable(table).data, everyMeasure);
      const fromSamples = plugin(estimationData(discretize(expandTable(table))), everyMeasure);
      expectTreesClose(fromSamples, fromTable, 'expanded');
    }),
    { numRuns: Math.round((2 * RUNS) / 3) },
  );
});

// ---- Invariance under renaming symbols and reordering samples ----------------------------------

/** Every measure of the package on (X1, X2, Y), as one tree. */
function everyMeasure(s: InformationSource) {
  const all = [X1, X2, Y];
  return {
    pair: { ...pairSynergy(s, X1, X2, Y) },
    imin: { ...pidWilliamsBeer(s, X1, X2, Y) },
    mmi: { ...pidMinimumMutualInformation(s, X1, X2, Y) },
    breakdown: { ...informationBreakdown(s, [X1, X2], Y) },
    h: entropy(s, all),
    hGiven: conditionalEntropy(s, [X1, X2], [Y]),
    cmi: conditionalMutualInformation(s, [X1], [X2], [Y]),
    i12: mutualInformation(s, [X1], [X2]),
    coinfo: coInformation(s, X1, X2, Y),
    group: groupSynergy(s, [X1, X2], Y),
    tc: totalCorrelation(s, all),
    dtc: dualTotalCorrelation(s, all),
    oinfo: oInformation(s, all),
    sinfo: sInformation(s, all),
    gradient: oInformationGradient(s, [X1, X2], Y),
  };
}

function leaves(tree: NumericTree, prefix = ''): [string, number][] {
  if (typeof tree === 'number') return [[prefix, tree]];
  return Object.entries(tree).flatMap(([key, sub]) => leaves(sub, prefix ? `${prefix}.${key}` : key));
}

function expectTreesClose(actual: NumericTree, expected: NumericTree, what: string): void {
  const a = leaves(actual);
  const e = new Map(leaves(expected));
  expect(a.length).toBe(e.size);
  for (const [key, value] of a) {
    expect(Number.isFinite(value), `${what} ${key} = ${value}`).toBe(true);
    expectClose(value, e.get(key)!, `${what} ${key}`);
  }
}

const renamingArbitrary = fc.tuple(
  ...[0, 1, 2].map(() =>
    fc.uniqueArray(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger()), {
      minLength: 4,
      maxLength: 4,
    }),
  ),
);

/**
 * Whether every measure, taken with `estimator`, is unchanged when each
 * variable's symbols are renamed (`orderPreserving`: by an increasing map;
 * otherwise by any bijection to integers) and, if `permute`, the samples are
 * reordered. The shuffle estimator gets the same seed both times.
 */
function invarianceProperty(estimator: EstimatorName, permute: boolean, orderPreserving: boolean) {
  return fc.property(
    samplesArbitrary(),
    renamingArbitrary,
    fc.integer({ min: 0, max: 0x7fffffff }),
    fc.integer({ min: 0, max: 1000 }),
    ({ columns }, names, orderSeed, seed) => {
      const n = columns[0].length;
      const order = permute ? shuffled([...Array(n).keys()], mulberry32(orderSeed)) : [...Array(n).keys()];
      const targets = orderPreserving ? names.map((list) => [...list].sort((a, b) => a - b)) : names;
      const renamed = columns.map((column, v) => order.map((i) => targets[v][column[i]]));
      const original = estimate(estimationData(discretize(columns)), everyMeasure, { estimator, seed });
      const transformed = estimate(estimationData(discretize(renamed)), everyMeasure, { estimator, seed });
      expectTreesClose(transformed, original, estimator);
    },
  );
}

describe('invariance under renaming symbols (any bijection to integers) and permuting samples', () => {
  // QE's quarters are contiguous in sample order, so only renaming leaves it unchanged.
  // The shuffle estimator draws from the per-mode counts with the same seed both times.
  it.each(ESTIMATORS.map((e) => [e] as [EstimatorName]))('%s', (estimator) => {
    fc.assert(invarianceProperty(estimator, estimator !== 'qe', false), { numRuns: Math.round((2 * RUNS) / 3) });
  });

  it('shuffle: the example that once depended on symbol names', () => {
    const x1 = [0, 0, 0, 0, 0, 1, 1];
    const x2 = [1, 0, 1, 0, 2, 0, 0];
    const y = [1, 0, 1, 0, 1, 1, 1];
    const joint = (columns: number[][]) =>
      estimate(estimationData(discretize(columns)), (s) => mutualInformation(s, [0, 1], [2]), { estimator: 'shuffle', seed: 0 });
    const original = joint([x1, x2, y]);
    expect(joint([x1, x2, y.map((v) => 1 - v)])).toBeCloseTo(original, 12);
    expect(joint([x1, x2.map((v) => [0, 1, -1][v]), y])).toBeCloseTo(original, 12);
  });
});

// ---- Identities that survive the whole-measure corrections -------------------------------------

describe('linear identities survive the whole-measure estimators (qe, jackknife), the PID sums every estimator', () => {
  it.each(ESTIMATORS.map((estimator) => [estimator] as [EstimatorName]))('%s', (estimator) => {
    const linear = estimator === 'qe' || estimator === 'jackknife' || estimator === 'plugin';
    fc.assert(
      fc.property(sampleCases, fc.integer({ min: 0, max: 1000 }), ({ data }, seed) => {
        const v = estimate(data, everyMeasure, { estimator, seed });
        for (const pid of [v.imin, v.mmi]) {
          expectClose(pid.synergy - pid.redundancy, v.pair.synergy, 'S − R');
          expectClose(pid.redundancy + pid.unique1 + pid.unique2 + pid.synergy, v.pair.joint, 'PID sum');
        }
        expectClose(v.pair.joint - v.pair.ia - v.pair.ib, v.pair.synergy, 'Syn definition');
        const b = v.breakdown;
        expectClose(b.lin + b.sig_sim + b.cor_ind + b.cor_dep, v.pair.joint, 'breakdown sum');
        if (linear) {
          expectClose(v.cmi - v.i12, v.pair.synergy, 'I(X1;X2|Y) − I(X1;X2)');
          expectClose(-v.coinfo, v.pair.synergy, '−coinformation');
          expectClose(-v.oinfo, v.pair.synergy, '−Ω');
          expectClose(v.oinfo, v.tc - v.dtc, 'Ω = TC − DTC');
          // Ω of two variables is 0 (TC = DTC = I(X1;X2)), so ∂_Y Ω(X1,X2) = Ω(X1,X2,Y) = −Syn.
          expectClose(-v.gradient, v.pair.synergy, '−∂_Y Ω');
          expectClose(v.sinfo, v.tc + v.dtc, 'S-information = TC + DTC');
        }
      }),
      { numRuns: Math.round(RUNS / 2) },
    );
  });
});
