import { SeededRandom } from '../math/seededRandom.ts';
import { emptyScore, MultipletScorer } from './multipletScorer.ts';

/**
 * Synergistic sub-networks (Clauw et al.; the greedy multiplet searches of
 * the HOI and THOI toolboxes): every hop, the multiplets of 3 … maxOrder
 * units whose O-information Ω(X_S) is most negative (synergy-dominated,
 * criterion 'oinfo') and, separately, whose ∂_YΩ(X_S) = Ω(X_S, Y) − Ω(X_S)
 * is most negative (they carry the mode synergistically, 'doinfo_y'), each
 * with a family-wise surrogate p. docs/SUBNETWORKS.md has the algorithm,
 * why p is calibrated, the measured figures and what the search cannot find.
 *
 * Search (on the selection part of the stream, Miller–Madow values so that
 * orders compare with less bias), within `budget` multiplet evaluations a hop:
 * - a pool of the best multiplets per (criterion, order) is re-evaluated on
 *   each hop's selection samples, so it follows the recording;
 * - the best few of each order are grown by one unit (the greedy step);
 *   the analyzer's strongest pairs are grown into triplets;
 * - a sweep enumerates every subset of 3 … sweepMaxOrder units of each group
 *   (of all units without groups) with a cursor that moves on from hop to
 *   hop, so it covers everything after sweepProgress.evaluationsPerCycle /
 *   (sweep evaluations a hop) hops. A planted parity has every proper subset
 *   independent of Y: growth cannot reach it, only the sweep can.
 * - Parsimony: a multiplet is dropped when a proper subset is as
 *   synergistic within parsimonyBits + parsimonyShare·|value| (a parity
 *   triplet plus any independent unit has the triplet's ∂_YΩ exactly; a
 *   synergistic pair plus any unit has the pair's).
 *
 * Significance (selection on one stretch of data, test on a disjoint later
 * one): the multiplets tracked at hop h are tested at hop h + D on the test
 * part, which no selection up to hop h has seen — `split` 'previous-window'
 * selects on whole windows and tests a window later (D = windowHops);
 * 'halves' selects on the older half of every window and tests on the newer
 * half of the same window (D = 0). Each tracked (multiplet, criterion) is a
 * hypothesis: ∂_YΩ against the label surrogates, Ω against unit-shift
 * surrogates (each unit's column circularly shifted by its own lag, the same
 * lags for every multiplet in surrogate k). Each statistic is studentized by
 * the mean and sd of its observed and K surrogate values, and
 * p = (1 + #{k : max over all hypotheses of surrogate k's z ≥ z_observed}) / (1 + K):
 * Westfall–Young max-T over the whole tracked set, both criteria at once.
 */
export type SubnetworkCriterion = 'oinfo' | 'doinfo_y';

/** One hop's window, as the analyzer hands it over. */
export interface MultipletWindow {
  /** Dense symbols of the window's labeled samples, oldest first: columns[u][n] in 0…levels−1 for n < labels.length. */
  readonly columns: readonly Uint8Array[];
  readonly levels: number;
  /** Labels are 0 … modes − 1. */
  readonly modes: number;
  /** The real mode of each sample (all ≥ 0). */
  readonly labels: Int32Array;
  /** surrogateLabels[k][n]: the mode paired with sample n under label surrogate k (−1: left out of that surrogate). */
  readonly surrogateLabels: readonly Int32Array[];
  /** Pairs of units, strongest first by the analyzer's pair synergy: grown into triplets. */
  readonly strongPairs?: ReadonlyArray<readonly [number, number]>;
  /** Groups of units (unit index lists): multiplets are searched within each group. Absent: all units form one group. */
  readonly groups?: ReadonlyArray<readonly number[]>;
}

/** Where selection and test data come from (both keep the test data unseen by the selection). */
export type SelectionSplit =
  /** Select on the whole window, test the selection on the whole window `windowHops` hops later (the first window that shares no sample with it). */
  | { readonly kind: 'previous-window'; readonly windowHops: number }
  /** Select on the older half of each window's samples, test on the newer half of the same window: no delay, half the samples each. */
  | { readonly kind: 'halves' };

export interface SubnetworkSearchOptions {
  readonly split: SelectionSplit;
  /** The largest multiplet, 3 … 6 (default 5). */
  readonly maxOrder?: number;
  /** Multiplets tracked and tested per hop, shared evenly among the (criterion, order) pools (default 50). */
  readonly tracked?: number;
  /** Multiplet evaluations per hop on the selection samples: pool, growth and sweep together (default 2,000). */
  readonly budget?: number;
  /** The sweep enumerates every subset of 3 … sweepMaxOrder units of each group (default 4, at most maxOrder). */
  readonly sweepMaxOrder?: number;
  /** Candidates kept per (criterion, order) (default twice the tracked share). */
  readonly poolSize?: number;
  /** Share of the budget left after the pool that growth may take (default 0.25); the sweep takes the rest. */
  readonly growthShare?: number;
  /** Best multiplets of each pool grown by one unit (default 3). */
  readonly growthBases?: number;
  /** A base (or a strong pair) is grown again only after this many hops (default 5). */
  readonly regrowHops?: number;
  /** Strongest pairs grown into triplets (default 8). */
  readonly strongPairSeeds?: number;
  /** Unit-shift lags are drawn from [s·n, (1 − s)·n] of the test samples n (default s = 0.05). */
  readonly minShiftShare?: number;
  /** Parsimony: a subset within parsimonyBits + parsimonyShare·|value| makes a multiplet redundant (defaults 0.02 bits, 0.1). */
  readonly parsimonyBits?: number;
  readonly parsimonyShare?: number;
  /** Seed of the unit-shift lags (default 0). */
  readonly seed?: number;
}

/** One tested multiplet: selected before this hop's test samples, measured and tested on them. */
export interface TestedMultiplet {
  /** Unit indices, ascending. */
  readonly units: number[];
  readonly order: number;
  /** The criterion it was tracked for (both: the one with the smaller p). */
  readonly criterion: SubnetworkCriterion;
  /** Plug-in Ω(X_S) and ∂_YΩ(X_S) on the test samples, bits. */
  readonly oinfo: number;
  readonly doinfo_y: number;
  /** Family-wise p: max-T over every hypothesis tested this hop. */
  readonly p: number;
}

export interface SearchStep {
  /** The multiplets tested this hop (none until the first selection is D hops old), by p. */
  readonly multiplets: TestedMultiplet[];
  /** Multiplet evaluations spent on the selection samples this hop (at most the budget), and how many of them the sweep took. */
  readonly evaluations: number;
  readonly swept: number;
  /** Pairs evaluated for parsimony besides (at most one per pair of a pooled multiplet). */
  readonly pairEvaluations: number;
  /** Time spent searching and testing. */
  readonly searchMilliseconds: number;
  readonly testMilliseconds: number;
}

export interface SweepProgress {
  /** Subsets in one full sweep. */
  readonly evaluationsPerCycle: number;
  /** Subsets swept so far in this cycle. */
  readonly position: number;
  /** Full cycles completed. */
  readonly cycles: number;
}

export const DEFAULT_MAX_ORDER = 5;
export const DEFAULT_TRACKED = 50;
export const DEFAULT_BUDGET = 2000;
export const DEFAULT_SWEEP_MAX_ORDER = 4;

const OINFO = 0;
const DOINFO_Y = 1;
const CRITERIA: readonly SubnetworkCriterion[] = ['oinfo', 'doinfo_y'];

interface Candidate {
  readonly key: string;
  /** Ascending unit indices. */
  readonly units: Int32Array;
  /** The group it is searched in. */
  readonly scope: number;
  /** Miller–Madow Ω and ∂_YΩ on the latest selection samples. */
  values: Float64Array;
  evaluatedHop: number;
  grownHop: number;
  /** Bit c set: in the pool of criterion c. */
  inPools: number;
  /** Bit c set: a subset in the pools is as synergistic (parsimony), as of `dominanceHop`. */
  dominated: number;
  dominanceHop: number;
}

interface TrackedMultiplet {
  readonly units: Int32Array;
  /** Bit c set: tracked for criterion c. */
  readonly criteria: number;
}

export class SubnetworkSearch {
  private readonly split: SelectionSplit;
  private readonly maxOrder: number;
  private readonly sweepMaxOrder: number;
  private readonly budget: number;
  private readonly poolSize: number;
  private readonly shares: number[][];
  private readonly growthShare: number;
  private readonly growthBases: number;
  private readonly regrowHops: number;
  private readonly strongPairSeeds: number;
  private readonly minShiftShare: number;
  private readonly parsimonyBits: number;
  private readonly parsimonyShare: number;
  private readonly seed: number;
  private readonly delay: number;

  private scorer: MultipletScorer | undefined;
  private signature = '';
  private scopes: Int32Array[] = [];
  /** scopesOf[u]: the groups holding unit u. */
  private scopesOf: number[][] = [];
  private readonly candidates = new Map<string, Candidate>();
  /** pools[criterion][order − 3], best (most negative) first after `trim`. */
  private pools: Candidate[][][] = [];
  private thresholds: Float64Array[] = [];
  private readonly pairsGrown = new Map<string, number>();
  /** Selections awaiting their test, by hop mod D. */
  private pending: (TrackedMultiplet[] | undefined)[] = [];
  private hop = 0;

  // The sweep's cursor: order, group, positions of the subset in the group.
  private sweepOrder = 3;
  private sweepScope = 0;
  private sweepPositions = new Int32Array(0);
  private sweepPrefixHop = -1;
  private sweepCycle = 0;
  private sweepPosition = 0;
  private sweepTotal = 0;

  private readonly score = emptyScore();
  private readonly scratch = emptyScore();
  private words = new Int32Array(0);
  private prefixAndMode = new Int32Array(0);
  private sweepPrefix = new Int32Array(0);
  private unitsBuffer = new Int32Array(8);
  private evaluations = 0;
  /** This hop's selection samples, and the pairs' ∂_YΩ on them (parsimony). */
  private selection: MultipletWindow | undefined;
  private selectionCount = 0;
  private readonly pairValues = new Map<number, number>();
  private readonly pairUnits = new Int32Array(2);
  private pairWords = new Int32Array(0);
  private readonly pairScore = emptyScore();
  private pairEvaluations = 0;

  constructor(options: SubnetworkSearchOptions) {
    const maxOrder = options.maxOrder ?? DEFAULT_MAX_ORDER;
    if (!Number.isInteger(maxOrder) || maxOrder < 3 || maxOrder > 6) throw new RangeError(`maxOrder must be 3 … 6, got ${maxOrder}`);
    const sweepMaxOrder = Math.min(options.sweepMaxOrder ?? DEFAULT_SWEEP_MAX_ORDER, maxOrder);
    if (!Number.isInteger(sweepMaxOrder) || sweepMaxOrder < 3) throw new RangeError(`sweepMaxOrder must be an integer ≥ 3, got ${options.sweepMaxOrder}`);
    const tracked = options.tracked ?? DEFAULT_TRACKED;
    const pools = 2 * (maxOrder - 2);
    if (!Number.isInteger(tracked) || tracked < 1) throw new RangeError(`tracked must be a positive integer, got ${tracked}`);
    // Shares per pool, orders ascending and ∂_YΩ before Ω: the remainder goes to the first.
    this.shares = CRITERIA.map(() => new Array<number>(maxOrder - 2).fill(0));
    for (let i = 0; i < tracked; i++) {
      const pool = i % pools;
      this.shares[pool % 2 === 0 ? DOINFO_Y : OINFO][Math.floor(pool / 2)]++;
    }
    const poolSize = options.poolSize ?? 2 * Math.ceil(tracked / pools);
    if (!Number.isInteger(poolSize) || poolSize < Math.ceil(tracked / pools)) throw new RangeError(`poolSize must be an integer ≥ the tracked share per pool (${Math.ceil(tracked / pools)}), got ${poolSize}`);
    const budget = options.budget ?? DEFAULT_BUDGET;
    if (!Number.isInteger(budget) || budget < 2 * pools * poolSize) {
      throw new RangeError(`budget must be an integer ≥ twice the pools' ${pools * poolSize} candidates, got ${budget}`);
    }
    const split = options.split;
    if (split.kind === 'previous-window' && !(Number.isInteger(split.windowHops) && split.windowHops >= 1)) {
      throw new RangeError(`windowHops must be a positive integer (hops per window), got ${split.windowHops}`);
    }
    const growthShare = options.growthShare ?? 0.25;
    if (!(growthShare >= 0 && growthShare <= 1)) throw new RangeError(`growthShare must be in [0, 1], got ${growthShare}`);
    const minShiftShare = options.minShiftShare ?? 0.05;
    if (!(minShiftShare >= 0 && minShiftShare < 0.5)) throw new RangeError(`minShiftShare must be in [0, 0.5), got ${minShiftShare}`);
    this.split = split;
    this.maxOrder = maxOrder;
    this.sweepMaxOrder = sweepMaxOrder;
    this.budget = budget;
    this.poolSize = poolSize;
    this.growthShare = growthShare;
    this.growthBases = options.growthBases ?? 3;
    this.regrowHops = options.regrowHops ?? 5;
    this.strongPairSeeds = options.strongPairSeeds ?? 8;
    this.minShiftShare = minShiftShare;
    this.parsimonyBits = options.parsimonyBits ?? 0.02;
    this.parsimonyShare = options.parsimonyShare ?? 0.1;
    this.seed = options.seed ?? 0;
    this.delay = split.kind === 'previous-window' ? split.windowHops : 0;
  }

  /** How far the sweep has come. */
  get sweepProgress(): SweepProgress {
    return { evaluationsPerCycle: this.sweepTotal, position: this.sweepPosition, cycles: this.sweepCycle };
  }

  /**
   * One hop: search on this window's selection samples, then test on its test
   * samples the multiplets selected D hops ago (D = windowHops for
   * 'previous-window', 0 for 'halves'). Call once per hop, windows in order.
   */
  step(window: MultipletWindow): SearchStep {
    const start = performance.now();
    this.prepare(window);
    this.hop++;
    this.evaluations = 0;
    this.pairEvaluations = 0;
    const sweptBefore = this.sweepCycle * this.sweepTotal + this.sweepPosition;
    const samples = window.labels.length;
    const halves = this.split.kind === 'halves';
    const selectionCount = halves ? Math.floor(samples / 2) : samples;
    if (selectionCount >= 2) this.search(window, selectionCount);
    // The selection made D hops ago leaves the ring (D = 0: the one just made); this hop's takes its slot.
    let due: TrackedMultiplet[] | undefined;
    if (this.delay === 0) due = this.track();
    else {
      const slot = this.hop % this.delay;
      due = this.pending[slot];
      this.pending[slot] = this.track();
    }
    const searched = performance.now();
    const testFrom = halves ? selectionCount : 0;
    const multiplets = due === undefined || due.length === 0 ? [] : this.test(window, due, testFrom, samples - testFrom);
    return {
      multiplets,
      evaluations: this.evaluations,
      pairEvaluations: this.pairEvaluations,
      swept: this.sweepCycle * this.sweepTotal + this.sweepPosition - sweptBefore,
      searchMilliseconds: searched - start,
      testMilliseconds: performance.now() - searched,
    };
  }

  // ---- set-up ------------------------------------------------------------

  private prepare(window: MultipletWindow): void {
    const { columns, labels, levels, modes } = window;
    const units = columns.length;
    const samples = labels.length;
    if (units < 3) throw new RangeError(`a multiplet search needs at least 3 units, got ${units}`);
    for (let u = 0; u < units; u++) {
      const column = columns[u];
      if (column.length < samples) throw new RangeError(`column ${u} holds ${column.length} samples, the labels ${samples}`);
      let max = 0;
      for (let n = 0; n < samples; n++) if (column[n] > max) max = column[n];
      if (max >= levels) throw new RangeError(`column ${u} holds the symbol ${max}, outside 0…${levels - 1}`);
    }
    checkLabels(labels, samples, modes, 'the labels', false);
    window.surrogateLabels.forEach((surrogate, k) => checkLabels(surrogate, samples, modes, `label surrogate ${k}`, true));
    const groups = window.groups ?? [Array.from({ length: units }, (_, u) => u)];
    const signature = `${units}|${levels}|${modes}|${groups.map((group) => group.join(',')).join(';')}`;
    if (signature === this.signature) return;
    // A new population (or the first window): the search starts over.
    this.signature = signature;
    if (this.scorer === undefined || this.scorer.levels !== levels || this.scorer.modes !== modes) {
      this.scorer = new MultipletScorer(levels, modes, this.maxOrder);
    }
    this.scopes = [];
    for (const group of groups) {
      for (const u of group) if (!(Number.isInteger(u) && u >= 0 && u < units)) throw new RangeError(`group member ${u} is not a unit index 0…${units - 1}`);
      const members = Int32Array.from(new Set(group)).sort();
      if (members.length >= 3) this.scopes.push(members);
    }
    this.scopesOf = Array.from({ length: units }, () => []);
    this.scopes.forEach((scope, s) => scope.forEach((u) => this.scopesOf[u].push(s)));
    this.candidates.clear();
    this.pools = CRITERIA.map(() => Array.from({ length: this.maxOrder - 2 }, () => []));
    this.thresholds = CRITERIA.map(() => new Float64Array(this.maxOrder - 2).fill(Infinity));
    this.pairsGrown.clear();
    this.pending = new Array(Math.max(1, this.delay)).fill(undefined);
    this.sweepTotal = 0;
    for (let k = 3; k <= this.sweepMaxOrder; k++) for (const scope of this.scopes) this.sweepTotal += binomial(scope.length, k);
    this.sweepOrder = 3;
    this.sweepScope = 0;
    this.sweepPositions = Int32Array.from({ length: 3 }, (_, i) => i);
    this.sweepPrefixHop = -1;
    this.sweepCycle = 0;
    this.sweepPosition = 0;
  }

  private buffers(samples: number): void {
    if (this.words.length >= samples) return;
    this.words = new Int32Array(samples);
    this.prefixAndMode = new Int32Array(samples);
    this.sweepPrefix = new Int32Array(samples);
    this.pairWords = new Int32Array(samples);
  }

  // ---- search --------------------------------------------------------------

  private search(window: MultipletWindow, count: number): void {
    this.buffers(window.labels.length);
    this.selection = window;
    this.selectionCount = count;
    this.pairValues.clear();
    // Every candidate on this hop's selection samples, then the pools re-ranked.
    for (const candidate of this.candidates.values()) this.rescore(window, candidate, count);
    for (let c = 0; c < 2; c++) for (let k = 3; k <= this.maxOrder; k++) this.trim(c, k);
    const left = Math.max(0, this.budget - this.evaluations);
    const growthEnd = this.evaluations + Math.floor(left * this.growthShare);
    this.grow(window, count, growthEnd);
    this.seedPairs(window, count, growthEnd);
    this.sweep(window, count, this.budget);
    for (let c = 0; c < 2; c++) for (let k = 3; k <= this.maxOrder; k++) this.trim(c, k);
  }

  private rescore(window: MultipletWindow, candidate: Candidate, count: number): void {
    const scorer = this.scorer!;
    scorer.wordsOf(window.columns, candidate.units, 0, count, this.words);
    scorer.score(candidate.units.length, this.words, window.labels, 0, count, this.score);
    candidate.values[OINFO] = this.score.oinfoMillerMadow;
    candidate.values[DOINFO_Y] = this.score.doinfoYMillerMadow;
    candidate.evaluatedHop = this.hop;
    this.evaluations++;
  }

  /** Greedy growth: the best few of every order below maxOrder, each plus one unit of its group. */
  private grow(window: MultipletWindow, count: number, end: number): void {
    for (let rank = 0; rank < this.growthBases; rank++) {
      for (let k = 3; k < this.maxOrder; k++) {
        for (const c of [DOINFO_Y, OINFO]) {
          const base = this.pools[c][k - 3][rank];
          if (base === undefined || base.grownHop > this.hop - this.regrowHops) continue;
          const cost = this.scopes[base.scope].length - k;
          if (this.evaluations + cost > end) return;
          this.growFrom(window, count, base.units, base.scope);
          base.grownHop = this.hop;
        }
      }
    }
  }

  /** The strongest pairs, each grown into every triplet of a group holding both. */
  private seedPairs(window: MultipletWindow, count: number, end: number): void {
    const pairs = window.strongPairs ?? [];
    for (const [key, hop] of this.pairsGrown) if (hop <= this.hop - this.regrowHops) this.pairsGrown.delete(key);
    const seeds = Math.min(this.strongPairSeeds, pairs.length);
    const units = this.scopesOf.length;
    for (let i = 0; i < seeds; i++) {
      const a = Math.min(pairs[i][0], pairs[i][1]);
      const b = Math.max(pairs[i][0], pairs[i][1]);
      if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b < units && a !== b)) throw new RangeError(`strong pair (${pairs[i][0]}, ${pairs[i][1]}) is not two unit indices 0…${units - 1}`);
      const key = `${a},${b}`;
      if (this.pairsGrown.has(key)) continue;
      const scope = this.scopesOf[a].find((s) => this.scopesOf[b].includes(s));
      if (scope === undefined) continue;
      const cost = this.scopes[scope].length - 2;
      if (this.evaluations + cost > end) return;
      this.growFrom(window, count, Int32Array.of(a, b), scope);
      this.pairsGrown.set(key, this.hop);
    }
  }

  private growFrom(window: MultipletWindow, count: number, base: Int32Array, scope: number): void {
    const scorer = this.scorer!;
    const order = base.length + 1;
    scorer.wordsOf(window.columns, base, 0, count, this.words);
    scorer.prefixAndModes(this.words, window.labels, 0, count, this.prefixAndMode);
    for (const u of this.scopes[scope]) {
      if (base.includes(u)) continue;
      scorer.scoreWithLastUnit(order, this.prefixAndMode, window.columns[u], 0, count, this.score);
      this.evaluations++;
      if (!this.qualifies(order)) continue;
      const units = new Int32Array(order);
      let i = 0;
      let placed = false;
      for (const v of base) {
        if (!placed && u < v) {
          units[i++] = u;
          placed = true;
        }
        units[i++] = v;
      }
      if (!placed) units[i] = u;
      this.offer(units, scope);
    }
  }

  /** The rotating sweep: subsets of each group in lexicographic order, the last unit varying fastest. */
  private sweep(window: MultipletWindow, count: number, end: number): void {
    if (this.sweepTotal === 0) return;
    const scorer = this.scorer!;
    while (this.evaluations < end) {
      const order = this.sweepOrder;
      const scope = this.scopes[this.sweepScope];
      const positions = this.sweepPositions;
      if (this.sweepPrefixHop !== this.hop) {
        const prefix = this.unitsBuffer.subarray(0, order - 1);
        for (let i = 0; i < order - 1; i++) prefix[i] = scope[positions[i]];
        scorer.wordsOf(window.columns, prefix, 0, count, this.words);
        scorer.prefixAndModes(this.words, window.labels, 0, count, this.sweepPrefix);
        this.sweepPrefixHop = this.hop;
      }
      const last = positions[order - 1];
      scorer.scoreWithLastUnit(order, this.sweepPrefix, window.columns[scope[last]], 0, count, this.score);
      this.evaluations++;
      this.sweepPosition++;
      if (this.qualifies(order)) this.offer(Int32Array.from(positions, (position) => scope[position]), this.sweepScope);
      this.advanceSweep();
    }
  }

  private advanceSweep(): void {
    const positions = this.sweepPositions;
    const order = this.sweepOrder;
    const size = this.scopes[this.sweepScope].length;
    if (positions[order - 1] < size - 1) {
      positions[order - 1]++;
      return;
    }
    this.sweepPrefixHop = -1;
    for (let i = order - 2; i >= 0; i--) {
      if (positions[i] < size - order + i) {
        positions[i]++;
        for (let j = i + 1; j < order; j++) positions[j] = positions[j - 1] + 1;
        return;
      }
    }
    // This group is done at this order: the next group, the next order, or a new cycle.
    this.sweepScope++;
    if (this.sweepScope === this.scopes.length) {
      this.sweepScope = 0;
      this.sweepOrder++;
      if (this.sweepOrder > this.sweepMaxOrder) {
        this.sweepOrder = 3;
        this.sweepCycle++;
        this.sweepPosition = 0;
      }
    }
    this.sweepPositions = Int32Array.from({ length: this.sweepOrder }, (_, i) => i);
    // A group smaller than the order has no subset: skip it.
    if (this.scopes[this.sweepScope].length < this.sweepOrder) this.advanceSweep();
  }

  // ---- pools ---------------------------------------------------------------

  /** Whether the last score would enter a pool of its order. */
  private qualifies(order: number): boolean {
    const k = order - 3;
    return (
      this.pools[OINFO][k].length < this.poolSize ||
      this.pools[DOINFO_Y][k].length < this.poolSize ||
      this.score.oinfoMillerMadow < this.thresholds[OINFO][k] ||
      this.score.doinfoYMillerMadow < this.thresholds[DOINFO_Y][k]
    );
  }

  /** Puts the last scored multiplet in the pools it qualifies for. */
  private offer(units: Int32Array, scope: number): void {
    const order = units.length;
    const k = order - 3;
    const key = units.join(',');
    let candidate = this.candidates.get(key);
    if (candidate === undefined) {
      candidate = { key, units, scope, values: new Float64Array(2), evaluatedHop: this.hop, grownHop: -Infinity, inPools: 0, dominated: 0, dominanceHop: -1 };
    }
    candidate.values[OINFO] = this.score.oinfoMillerMadow;
    candidate.values[DOINFO_Y] = this.score.doinfoYMillerMadow;
    candidate.evaluatedHop = this.hop;
    for (let c = 0; c < 2; c++) {
      if ((candidate.inPools & (1 << c)) !== 0) continue;
      const pool = this.pools[c][k];
      if (pool.length < this.poolSize || candidate.values[c] < this.thresholds[c][k]) {
        pool.push(candidate);
        candidate.inPools |= 1 << c;
        if (pool.length >= 2 * this.poolSize) this.trim(c, order);
      }
    }
    if (candidate.inPools !== 0) this.candidates.set(key, candidate);
  }

  /** Sorts a pool best first, drops the redundant (parsimony) and keeps the best poolSize. */
  private trim(c: number, order: number): void {
    const k = order - 3;
    const pool = this.pools[c][k];
    pool.sort((a, b) => a.values[c] - b.values[c]);
    let kept = 0;
    for (const candidate of pool) {
      if (kept < this.poolSize && (this.dominance(candidate) & (1 << c)) === 0) {
        pool[kept++] = candidate;
        continue;
      }
      candidate.inPools &= ~(1 << c);
      if (candidate.inPools === 0) this.candidates.delete(candidate.key);
    }
    pool.length = kept;
    this.thresholds[c][k] = kept < this.poolSize ? Infinity : pool[kept - 1].values[c];
  }

  /**
   * Bit c set when a proper subset is as synergistic as the candidate for
   * criterion c, within parsimonyBits + parsimonyShare·|value|: a subset of
   * 3 units or more in the pools, or, for ∂_YΩ, a pair that is itself
   * synergistic (∂_YΩ < −parsimonyBits; a synergistic pair plus an
   * independent unit has ∂_YΩ = Ω(a, b, Y), the pair's own, while a pair's
   * Ω is 0). Pairs must be synergistic themselves, or pairs at noise level
   * would dominate every multiplet at noise level.
   */
  private dominance(candidate: Candidate): number {
    if (candidate.dominanceHop === this.hop) return candidate.dominated;
    let dominated = 0;
    const dominates = (subsetValue: number, c: number) => {
      const value = candidate.values[c];
      return subsetValue <= value + this.parsimonyBits + this.parsimonyShare * Math.abs(value);
    };
    if (candidate.units.length > 3) {
      for (const key of properSubsetKeys(candidate.units)) {
        const subset = this.candidates.get(key);
        if (subset === undefined) continue;
        for (let c = 0; c < 2; c++) if (dominates(subset.values[c], c)) dominated |= 1 << c;
      }
    }
    const units = candidate.units;
    for (let i = 0; i < units.length && (dominated & (1 << DOINFO_Y)) === 0; i++) {
      for (let j = i + 1; j < units.length; j++) {
        const pair = this.pairGradient(units[i], units[j]);
        if (pair < -this.parsimonyBits && dominates(pair, DOINFO_Y)) {
          dominated |= 1 << DOINFO_Y;
          break;
        }
      }
    }
    candidate.dominated = dominated;
    candidate.dominanceHop = this.hop;
    return dominated;
  }

  /** Miller–Madow ∂_YΩ of a pair, = Ω(a, b, Y), on this hop's selection samples (once per pair and hop). */
  private pairGradient(a: number, b: number): number {
    const window = this.selection!;
    const key = a * window.columns.length + b;
    let value = this.pairValues.get(key);
    if (value === undefined) {
      const scorer = this.scorer!;
      this.pairUnits[0] = a;
      this.pairUnits[1] = b;
      scorer.wordsOf(window.columns, this.pairUnits, 0, this.selectionCount, this.pairWords);
      scorer.score(2, this.pairWords, window.labels, 0, this.selectionCount, this.pairScore);
      value = this.pairScore.doinfoYMillerMadow;
      this.pairValues.set(key, value);
      this.pairEvaluations++;
    }
    return value;
  }

  /** The best non-redundant multiplets of every pool, their share each. */
  private track(): TrackedMultiplet[] {
    const byKey = new Map<string, { units: Int32Array; criteria: number }>();
    for (let k = 3; k <= this.maxOrder; k++) {
      for (const c of [DOINFO_Y, OINFO]) {
        const pool = this.pools[c][k - 3];
        for (let rank = 0; rank < this.shares[c][k - 3] && rank < pool.length; rank++) {
          const candidate = pool[rank];
          const entry = byKey.get(candidate.key);
          if (entry === undefined) byKey.set(candidate.key, { units: candidate.units, criteria: 1 << c });
          else entry.criteria |= 1 << c;
        }
      }
    }
    return [...byKey.values()];
  }

  // ---- test ----------------------------------------------------------------

  private test(window: MultipletWindow, tracked: TrackedMultiplet[], from: number, count: number): TestedMultiplet[] {
    const scorer = this.scorer!;
    const surrogates = window.surrogateLabels.length;
    const units = window.columns.length;
    this.buffers(window.labels.length);
    const words = this.words;
    const hypotheses = tracked.reduce((sum, entry) => sum + (entry.criteria & 1) + (entry.criteria >> 1), 0);
    // statistics[h · (K + 1)]: hypothesis h's observed value, then its K surrogates (sign: larger = more synergistic).
    const statistics = new Float64Array(hypotheses * (surrogates + 1));
    const nulls = new Float64Array(surrogates);
    const lags = this.unitShiftLags(surrogates, units, count, tracked);
    const entryLags = new Int32Array(surrogates * this.maxOrder);
    const measured: { oinfo: number; doinfoY: number }[] = [];
    let h = 0;
    for (const entry of tracked) {
      const order = entry.units.length;
      scorer.wordsOf(window.columns, entry.units, from, count, words);
      scorer.score(order, words, window.labels, from, count, this.score);
      measured.push({ oinfo: this.score.oinfo, doinfoY: this.score.doinfoY });
      if ((entry.criteria & (1 << DOINFO_Y)) !== 0) {
        const row = h++ * (surrogates + 1);
        statistics[row] = -this.score.doinfoY;
        scorer.doinfoYUnderLabels(order, words, window.surrogateLabels, from, count, nulls);
        for (let k = 0; k < surrogates; k++) statistics[row + 1 + k] = -nulls[k];
      }
      if ((entry.criteria & (1 << OINFO)) !== 0) {
        const row = h++ * (surrogates + 1);
        statistics[row] = -this.score.oinfo;
        for (let k = 0; k < surrogates; k++) for (let i = 0; i < order; i++) entryLags[k * order + i] = lags[k * units + entry.units[i]];
        scorer.oinfoUnderShifts(window.columns, entry.units, entryLags, from, count, nulls);
        for (let k = 0; k < surrogates; k++) statistics[row + 1 + k] = -nulls[k];
      }
    }
    const p = maxTPValues(statistics, hypotheses, surrogates);
    const result: TestedMultiplet[] = [];
    h = 0;
    tracked.forEach((entry, e) => {
      let best = { p: Infinity, criterion: 'doinfo_y' as SubnetworkCriterion };
      for (const c of [DOINFO_Y, OINFO]) {
        if ((entry.criteria & (1 << c)) === 0) continue;
        if (p[h] < best.p) best = { p: p[h], criterion: CRITERIA[c] };
        h++;
      }
      const units = Array.from(entry.units);
      result.push({ units, order: units.length, criterion: best.criterion, oinfo: measured[e].oinfo, doinfo_y: measured[e].doinfoY, p: best.p });
    });
    return result.sort((a, b) => a.p - b.p || (a.criterion === 'doinfo_y' ? a.doinfo_y - b.doinfo_y : a.oinfo - b.oinfo));
  }

  /**
   * lags[k · units + u]: unit u's circular shift under unit-shift surrogate k,
   * uniform in [s·n, n − s·n]; the same for every multiplet, so that max-T
   * takes the maximum over one joint draw of the null.
   */
  private unitShiftLags(surrogates: number, units: number, count: number, tracked: TrackedMultiplet[]): Int32Array {
    const lags = new Int32Array(surrogates * units);
    if (!tracked.some((entry) => (entry.criteria & (1 << OINFO)) !== 0)) return lags;
    const random = new SeededRandom(this.seed, `unit-shifts:${this.hop}`);
    const minimum = Math.max(1, Math.round(this.minShiftShare * count));
    const span = Math.max(1, count - 2 * minimum + 1);
    for (let i = 0; i < lags.length; i++) lags[i] = (minimum + random.nextInt(span)) % count;
    return lags;
  }
}

/**
 * Westfall–Young max-T over hypotheses whose statistics are rows of
 * (observed, K surrogates), each studentized by the mean and sd of its own
 * K + 1 values (observed included, so that under exchangeability the
 * observed row is one more draw): p_h = (1 + #{k : max_h' z_h',k ≥ z_h}) / (1 + K).
 */
export function maxTPValues(statistics: Float64Array, hypotheses: number, surrogates: number): Float64Array {
  const width = surrogates + 1;
  const z = new Float64Array(statistics.length);
  for (let h = 0; h < hypotheses; h++) {
    const row = h * width;
    let mean = 0;
    for (let i = 0; i < width; i++) mean += statistics[row + i];
    mean /= width;
    let variance = 0;
    for (let i = 0; i < width; i++) variance += (statistics[row + i] - mean) ** 2;
    const sd = Math.sqrt(variance / width);
    // A constant statistic carries no evidence: all z = 0, p = 1.
    for (let i = 0; i < width; i++) z[row + i] = sd > 1e-12 ? (statistics[row + i] - mean) / sd : 0;
  }
  const maxima = new Float64Array(surrogates).fill(-Infinity);
  for (let h = 0; h < hypotheses; h++) for (let k = 0; k < surrogates; k++) maxima[k] = Math.max(maxima[k], z[h * width + 1 + k]);
  const p = new Float64Array(hypotheses);
  for (let h = 0; h < hypotheses; h++) {
    const observed = z[h * width] - 1e-9;
    let exceed = 0;
    for (let k = 0; k < surrogates; k++) if (maxima[k] >= observed) exceed++;
    p[h] = (1 + exceed) / (1 + surrogates);
  }
  return p;
}

function checkLabels(labels: Int32Array, samples: number, modes: number, name: string, mayLeaveOut: boolean): void {
  if (labels.length < samples) throw new RangeError(`${name} hold ${labels.length} samples, the window ${samples}`);
  const lowest = mayLeaveOut ? -1 : 0;
  for (let n = 0; n < samples; n++) {
    const y = labels[n];
    if (!(y >= lowest && y < modes)) throw new RangeError(`${name}: sample ${n} has mode ${y}, outside ${lowest}…${modes - 1}`);
  }
}

/** Keys of every subset of 3 … k − 1 of the (ascending) units. */
function properSubsetKeys(units: Int32Array): string[] {
  const keys: string[] = [];
  const k = units.length;
  for (let mask = 0; mask < 1 << k; mask++) {
    let bits = 0;
    for (let m = mask; m !== 0; m &= m - 1) bits++;
    if (bits < 3 || bits === k) continue;
    const members: number[] = [];
    for (let i = 0; i < k; i++) if ((mask >> i) & 1) members.push(units[i]);
    keys.push(members.join(','));
  }
  return keys;
}

function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}
