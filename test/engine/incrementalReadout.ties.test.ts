import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import { IncrementalReadout } from '../../src/engine/incrementalReadout.ts';
import { rankKey, type RankedPair, type WindowBin } from '../../src/engine/windowReadout.ts';
import { ESTIMATORS, type EstimatorName } from '../../src/estimators/estimate.ts';
import { windowShufflePartners } from '../../src/estimators/withinModeCycles.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { windowBin } from '../helpers/windowBins.ts';

/**
 * IncrementalReadout = BatchReadout when the top-k is decided by ties:
 * windows where many pairs have exactly equal synergy (units that are
 * exact copies of each other, units that never fire), and `limit` cutting
 * through a tie group. Ties rank lower unit indices first (comparePairs),
 * so both readouts must return the same pairs in the same order. Under
 * Panzeri–Treves and shuffle the incremental readout ranks by bounds (a
 * threshold from the k-th largest lower bound): a pair tied at the
 * threshold must not be dropped.
 */

const TOLERANCE = 1e-9;

function options(estimator: EstimatorName, levels: number): AnalysisOptions {
  return { ...DEFAULT_ANALYSIS_OPTIONS, estimator, levels, seed: 3 };
}


const names = (ranked: readonly RankedPair[]) => ranked.map(({ i, j }) => `${i}-${j}`);

function expectSame(incremental: readonly RankedPair[], batch: readonly RankedPair[], where: string): void {
  expect(names(incremental), `${where}: pairs in order`).toEqual(names(batch));
  // Plain comparisons (an expect per term would dominate the run time), the mismatches listed.
  const mismatches: string[] = [];
  incremental.forEach((pair, k) => {
    for (const term of ['joint', 'ia', 'ib', 'synergy'] as const) {
      const reference = batch[k][term];
      if (!(Math.abs(pair[term] - reference) < TOLERANCE)) mismatches.push(`${where}: pair ${pair.i}-${pair.j} ${term}: ${pair[term]} vs ${reference}`);
    }
  });
  expect(mismatches).toEqual([]);
}

/**
 * The kinds of the units, in index order: A and B carry the mode together
 * (the mode is mostly the parity of a + b: synergy), C fires at random
 * independently of both, S never fires. Units of one kind are exact copies,
 * and copies sit on both sides of the others, so a tie group holds pairs
 * in both orientations, e.g. (A, B) as (0, 1) and (B, A) as (1, 3).
 */
const KINDS = ['A', 'B', 'S', 'A', 'C', 'B', 'S', 'A', 'S', 'B', 'C', 'S'] as const;
const UNITS = KINDS.length;
const PAIRS = (UNITS * (UNITS - 1)) / 2;
const AB_PAIRS = ['0-1', '0-5', '0-9', '1-3', '1-7', '3-5', '3-9', '5-7', '7-9'];
/**
 * Under `shuffle` a pair's value depends on its orientation: pair (i, j)
 * reads x_i of a bin with x_j of its partner σ(bin), so (A, B) and (B, A)
 * are shuffled with σ and σ⁻¹ and differ; the ties are among the pairs of
 * one orientation (A first; B first).
 */
const AB_FORWARD = ['0-1', '0-5', '0-9', '3-5', '3-9', '7-9'];
const AB_BACKWARD = ['1-3', '1-7', '5-7'];

/** A bin of the copies' window (KINDS); a fraction `unlabeled` of the bins have label −1. */
function copiesBin(random: SeededRandom, bin: number, modes: number, levels: number, unlabeled: number): WindowBin {
  const isUnlabeled = random.next() < unlabeled;
  const a = random.nextInt(levels);
  const b = random.nextInt(levels);
  const c = random.next() < 0.5 ? 0 : 1 + random.nextInt(levels - 1);
  const label = isUnlabeled ? -1 : random.next() < 0.25 ? random.nextInt(modes) : (a + b) % 2;
  const symbol = { A: a, B: b, C: c, S: 0 };
  return windowBin(bin, label, KINDS.map((kind) => symbol[kind]));
}

/** The groups of equal rank keys in a sorted ranking: [start, end) of each. */
function tieGroups(ranked: readonly RankedPair[]): [number, number][] {
  const groups: [number, number][] = [];
  let start = 0;
  for (let k = 1; k <= ranked.length; k++) {
    if (k === ranked.length || rankKey(ranked[k].synergy) !== rankKey(ranked[start].synergy)) {
      groups.push([start, k]);
      start = k;
    }
  }
  return groups;
}

/**
 * Every limit from 1 to all pairs (and one past): the incremental top-k
 * equals the batch ranking's first k (BatchReadout.rank sorts every pair
 * and cuts; called here for the limits that cut a tie group, all pairs,
 * and 1). Returns the batch ranking of every pair and its tie groups.
 */
function expectEveryLimit(
  readout: IncrementalReadout,
  batch: BatchReadout,
  window: readonly WindowBin[],
  modes: number,
  where: string,
): { all: RankedPair[]; groups: [number, number][] } {
  const all = batch.rank(window, UNITS, modes, PAIRS);
  expect(all).toHaveLength(PAIRS);
  const groups = tieGroups(all);
  const cuts = new Set<number>([1, PAIRS]);
  for (const [start, end] of groups) if (end - start >= 2) cuts.add(start + 1 + Math.floor((end - start - 1) / 2));
  for (let limit = 1; limit <= PAIRS + 1; limit++) {
    const expected = cuts.has(limit) ? batch.rank(window, UNITS, modes, limit) : all.slice(0, limit);
    if (cuts.has(limit)) expect(names(expected), `${where}: the batch top ${limit} is its ranking's first ${limit}`).toEqual(names(all.slice(0, limit)));
    expectSame(readout.rank(window, UNITS, modes, limit), expected, `${where}, top ${limit}`);
  }
  return { all, groups };
}

describe('IncrementalReadout = BatchReadout with ties in the top-k', () => {
  for (const estimator of ESTIMATORS) {
    for (const levels of [2, 3]) {
      it(`${estimator}, levels ${levels}: copies of units and silent units; every limit, cutting through every tie group`, () => {
        const modes = 3;
        const windowBins = 90;
        const readout = new IncrementalReadout(options(estimator, levels), windowBins);
        const batch = new BatchReadout(options(estimator, levels));
        const random = new SeededRandom(levels, `ties-${estimator}`);
        const window: WindowBin[] = [];
        let checks = 0;
        for (let bin = 0; bin < 170; bin++) {
          const entry = copiesBin(random, bin, modes, levels, 0.05);
          readout.update(entry, 1, UNITS, modes);
          window.push(entry);
          if (window.length > windowBins) readout.update(window.shift()!, -1, UNITS, modes);
          if (bin !== 110 && bin !== 169) continue;
          const where = `${estimator}, levels ${levels}, bin ${bin}`;
          const { all, groups } = expectEveryLimit(readout, batch, window, modes, where);
          // The window has the ties meant: the nine (A, B) pairs, in both orientations, tie exactly (under shuffle, those of each orientation).
          const tied = estimator === 'shuffle' ? [AB_FORWARD, AB_BACKWARD] : [AB_PAIRS];
          for (const members of tied) {
            const synergies = all.filter((pair) => members.includes(`${pair.i}-${pair.j}`)).map((pair) => pair.synergy);
            expect(new Set(synergies).size, `${where}: the synergies of ${members.join(', ')}: ${synergies.join(', ')}`).toBe(1);
          }
          const members = tied[0];
          const group = groups.find(([start, end]) => members.every((name) => names(all.slice(start, end)).includes(name)));
          expect(group, `${where}: the (A, B) pairs are one tie group`).toBeDefined();
          const [start, end] = group!;
          expect(end - start, `${where}: more tied pairs than make the cut`).toBeGreaterThanOrEqual(members.length);
          // Four of them make the cut: the lowest indices, as comparePairs orders ties.
          const ranked = readout.rank(window, UNITS, modes, start + 4);
          expect(names(ranked.slice(start)), `${where}: the cut through the (A, B) group`).toEqual(members.slice(0, 4));
          // Pairs of silent units with each other (and, for most estimators, with the rest): a large group at synergy 0.
          const zero = groups.find(([s, e]) => rankKey(all[s].synergy) === 0 && e - s >= 6);
          expect(zero, `${where}: a group of pairs at synergy 0`).toBeDefined();
          checks++;
        }
        expect(checks).toBe(2);
      });
    }
  }

  for (const estimator of ESTIMATORS) {
    it(`${estimator}: a window of unlabeled bins only (every pair at 0), before any labeled bin and after all have left`, () => {
      const levels = 3;
      const modes = 2;
      const readout = new IncrementalReadout(options(estimator, levels), 60);
      const batch = new BatchReadout(options(estimator, levels));
      const random = new SeededRandom(5, `unlabeled-${estimator}`);
      const order: string[] = [];
      for (let i = 0; i < UNITS; i++) for (let j = i + 1; j < UNITS; j++) order.push(`${i}-${j}`);
      const check = (window: readonly WindowBin[], where: string) => {
        for (const limit of [1, 3, 11, PAIRS - 1, PAIRS, PAIRS + 4]) {
          const ranked = readout.rank(window, UNITS, modes, limit);
          // All tied at 0: the first pairs by (i, j).
          expect(names(ranked), `${where}, top ${limit}`).toEqual(order.slice(0, limit));
          for (const pair of ranked) expect([pair.joint, pair.ia, pair.ib, pair.synergy], `${where}, top ${limit}: pair ${pair.i}-${pair.j}`).toEqual([0, 0, 0, 0]);
          expectSame(ranked, batch.rank(window, UNITS, modes, limit), `${where}, top ${limit}`);
        }
      };
      const window: WindowBin[] = [];
      for (let bin = 0; bin < 20; bin++) {
        const entry = copiesBin(random, bin, modes, levels, 1);
        readout.update(entry, 1, UNITS, modes);
        window.push(entry);
      }
      check(window, 'unlabeled from the start');
      // Labeled bins come, then leave; unlabeled ones stay.
      const labeled: WindowBin[] = [];
      for (let bin = 20; bin < 60; bin++) {
        const entry = copiesBin(random, bin, modes, levels, 0);
        readout.update(entry, 1, UNITS, modes);
        labeled.push(entry);
      }
      expectEveryLimit(readout, batch, [...window, ...labeled], modes, 'with labeled bins');
      for (const entry of labeled) readout.update(entry, -1, UNITS, modes);
      check(window, 'after the labeled bins left');
    });
  }
});

describe('IncrementalReadout = BatchReadout when the ties sit at the cutoff and outnumber the limit', () => {
  for (const estimator of ESTIMATORS) {
    it(`${estimator}: six copies of a unit, six of another, three silent: 36 tied pairs, every limit, cuts inside the group`, () => {
      // Units: X at 0–5, Z at 6–11, 12–14 silent. Every (X, Z) pair is the same table, in the same orientation (as shuffle needs).
      const levels = 3;
      const modes = 2;
      const units = 15;
      const pairs = (units * (units - 1)) / 2;
      const readout = new IncrementalReadout(options(estimator, levels), 80);
      const batch = new BatchReadout(options(estimator, levels));
      const random = new SeededRandom(8, `cutoff-${estimator}`);
      const window: WindowBin[] = [];
      for (let bin = 0; bin < 80; bin++) {
        const x = random.nextInt(levels);
        const z = random.nextInt(levels);
        const label = random.next() < 0.2 ? random.nextInt(modes) : (x + z) % 2;
        const entry = windowBin(bin, label, Array.from({ length: units }, (_, u) => (u >= 12 ? 0 : u < 6 ? x : z)));
        readout.update(entry, 1, units, modes);
        window.push(entry);
      }
      const all = batch.rank(window, units, modes, pairs);
      const isXZ = (pair: RankedPair) => pair.i < 6 && pair.j >= 6 && pair.j < 12;
      const xz = all.filter(isXZ);
      expect(xz).toHaveLength(36);
      expect(new Set(xz.map((pair) => pair.synergy)).size, `${estimator}: the 36 (X, Z) pairs tie exactly`).toBe(1);
      // Which group is on top depends on the estimator: find the (X, Z) group and cut it everywhere.
      const start = all.findIndex(isXZ);
      expect(names(all.slice(start, start + 36)).sort(), `${estimator}: the (X, Z) pairs are contiguous`).toEqual(names(xz).sort());
      for (let limit = 1; limit <= pairs + 1; limit++) {
        const expected = limit === start + 1 || limit === start + 35 || limit === pairs ? batch.rank(window, units, modes, limit) : all.slice(0, limit);
        expectSame(readout.rank(window, units, modes, limit), expected, `${estimator}, top ${limit}`);
      }
      // The cut through the group keeps its lowest indices: (0, 6), (0, 7), …
      expect(names(readout.rank(window, units, modes, start + 3).slice(start))).toEqual(['0-6', '0-7', '0-8']);
    });
  }
});

/** Occupied cells of pair (i, j)'s table in each mode: its own words, and the shuffle's (x_i of a bin, x_j of its partner in the window's cycles). */
function occupiedCells(window: readonly WindowBin[], i: number, j: number, modes: number, levels: number, seed: number): { own: number[]; shuffled: number[] } {
  const labeled = window.filter((entry) => entry.label >= 0);
  const symbolOf = (entry: WindowBin, u: number) => {
    const k = entry.units.indexOf(u);
    return k < 0 ? 0 : entry.symbols[k];
  };
  const partner = windowShufflePartners(
    labeled.map((entry) => entry.label),
    labeled.map((entry) => entry.bin),
    seed,
  );
  const own = Array.from({ length: modes }, () => new Set<number>());
  const shuffled = Array.from({ length: modes }, () => new Set<number>());
  labeled.forEach((entry, s) => {
    own[entry.label].add(symbolOf(entry, i) * levels + symbolOf(entry, j));
    shuffled[entry.label].add(symbolOf(entry, i) * levels + symbolOf(labeled[partner[s]], j));
  });
  return { own: own.map((cells) => cells.size), shuffled: shuffled.map((cells) => cells.size) };
}

describe('IncrementalReadout = BatchReadout when the tie is exactly at the bounds\' threshold', () => {
  for (const estimator of ESTIMATORS) {
    for (const levels of [2, 3]) {
      it(`${estimator}, levels ${levels}: the tied pairs fill every cell of every mode (own and shuffled words), so Panzeri–Treves' bracket is closed on them; every limit`, () => {
        // X at 0, 2, 4 and Z at 1, 3, 5 (both orientations), 6 and 7 silent.
        const kinds = ['X', 'Z', 'X', 'Z', 'X', 'Z', 'S', 'S'] as const;
        const units = kinds.length;
        const pairs = (units * (units - 1)) / 2;
        const modes = 2;
        const windowBins = 300;
        const seed = options(estimator, levels).seed;
        const readout = new IncrementalReadout(options(estimator, levels), windowBins);
        const batch = new BatchReadout(options(estimator, levels));
        const random = new SeededRandom(levels, 'closed');
        const window: WindowBin[] = [];
        for (let bin = 0; bin < 340; bin++) {
          const x = random.nextInt(levels);
          const z = random.nextInt(levels);
          const label = random.next() < 0.4 ? random.nextInt(modes) : (x + z) % 2;
          const symbol = { X: x, Z: z, S: 0 };
          const entry = windowBin(bin, label, kinds.map((kind) => symbol[kind]));
          readout.update(entry, 1, units, modes);
          window.push(entry);
          if (window.length > windowBins) readout.update(window.shift()!, -1, units, modes);
        }
        // Both orientations, (X, Z) as (0, 1) and (Z, X) as (1, 2): R = D in every table of the joint term, so the
        // readout's lower and upper bounds of these pairs are one value and the threshold is that value. The two
        // orientations sum their cells in different orders: a bound and the threshold can differ in the last bits,
        // which the readout's slack must absorb (without it, shuffle at levels 2 loses the top pair here).
        for (const [i, j] of [
          [0, 1],
          [1, 2],
        ]) {
          const { own, shuffled } = occupiedCells(window, i, j, modes, levels, seed);
          expect(own, `pair (${i}, ${j}): its own words fill every mode`).toEqual([levels * levels, levels * levels]);
          expect(shuffled, `pair (${i}, ${j}): so do its shuffled words`).toEqual([levels * levels, levels * levels]);
        }
        const all = batch.rank(window, units, modes, pairs);
        const forward = ['0-1', '0-3', '0-5', '2-3', '2-5', '4-5'];
        const backward = ['1-2', '1-4', '3-4'];
        // The nine (X, Z) pairs are the strongest, so every limit up to 9 cuts through their ties: one group of nine,
        // or under shuffle (whose value depends on the orientation) a group of each orientation.
        const top = all.slice(0, 9);
        expect(names(top).sort(), `${estimator}: the (X, Z) pairs on top`).toEqual([...forward, ...backward].sort());
        for (const members of estimator === 'shuffle' ? [forward, backward] : [[...forward, ...backward]]) {
          const synergies = top.filter((pair) => members.includes(`${pair.i}-${pair.j}`)).map((pair) => pair.synergy);
          expect(new Set(synergies).size, `${estimator}: ${members.join(', ')} tie exactly: ${synergies.join(', ')}`).toBe(1);
        }
        for (let limit = 1; limit <= pairs + 1; limit++) {
          const expected = limit === 1 || limit === 4 || limit === pairs ? batch.rank(window, units, modes, limit) : all.slice(0, limit);
          expectSame(readout.rank(window, units, modes, limit), expected, `${estimator}, levels ${levels}, top ${limit}`);
        }
      });
    }
  }
});
