import { DiscreteGroupStatistics } from './discreteGroupStatistics.ts';

/** How the synergistic sub-networks are searched and tested (docs/MEASURES.md, "Synergistic sub-networks"). */
export interface SubnetworkSearchOptions {
  /** Multiplets tracked per criterion (Ω and ∂_YΩ): 25 gives 50 in all. */
  tracked: number;
  /** The largest multiplet, 3 … 6 (default 5). */
  maxOrder: number;
  /** Candidate multiplets evaluated per hop on the selection window (default 400). */
  budget: number;
}

export const DEFAULT_SUBNETWORK_MAX_ORDER = 5;
export const DEFAULT_SUBNETWORK_BUDGET = 400;
/** Parsimony (SubnetworkSearch.dominated): a subset within this many bits, plus this share of the value, makes a multiplet redundant. */
export const PARSIMONY_BITS = 0.02;
export const PARSIMONY_SHARE = 0.1;
/** A multiplet that leaves the report and comes back within this many hops keeps its id. */
export const SUBNETWORK_ID_GRACE_HOPS = 10;

/** One window's samples as the search reads them: every member's symbols and the modes, dense. */
export interface MultipletWindow {
  /** columns[member][n]: the member's symbol in sample n. */
  readonly columns: readonly Uint8Array[];
  /** The mode of each sample. */
  readonly labels: Int32Array;
}

/** The test window, with its surrogates. */
export interface MultipletTestWindow extends MultipletWindow {
  /** Label surrogates: surrogateLabels[k][n], the mode paired with sample n (−1: out of that surrogate). */
  readonly surrogateLabels: readonly Int32Array[];
  /**
   * Unit-shift surrogate r of a multiplet: fills `words` with each sample's
   * word when every member is read its own shift back (the same shifts as the
   * groups' Ω surrogates).
   */
  shiftedWords(members: Int32Array, r: number, words: Int32Array): void;
  /** Unit-shift surrogates available. */
  readonly unitSurrogates: number;
}

/** A multiplet found, by member indices. */
export interface FoundSubnetwork {
  id: number;
  members: number[];
  criterion: 'oinfo' | 'doinfo_y';
  /** Miller–Madow Ω and ∂_YΩ on the test window, bits. */
  oinfo: number;
  doinfoY: number;
  p: number;
  /** Update time it was first reported at, and updates reported in. */
  since: number;
  hops: number;
}

interface Candidate {
  key: string;
  members: Int32Array;
  oinfo: number;
  doinfoY: number;
}

/**
 * Synergistic sub-networks (Clauw et al.; the greedy searches of the HOI and
 * THOI toolboxes): multiplets of 3 … maxOrder units whose O-information is
 * most negative (synergy-dominated) and, separately, whose ∂_YΩ is most
 * negative (they carry the mode synergistically), tracked across hops with
 * stable ids, each with a family-wise surrogate p.
 *
 * **Search** (on the selection window, the window that ended one window
 * before the update's): a pool of the best candidates per criterion is
 * re-evaluated every hop; new candidates come, within `budget` evaluations a
 * hop, from growing the tracked multiplets by one unit of their groups, from
 * the strongest pairs of the previous update grown by one unit, and from a
 * sweep that enumerates every triplet of each group in turn (a multiplet
 * whose every subset is uninformative — parity — is invisible to growth from
 * pairs; the sweep enumerates every subset of 3 … maxOrder units of each
 * group, a budget's worth a hop, so that it covers a group of 17 units
 * (9,000 subsets up to order 5) in 6 hops, but one of 32 (242,000) only in
 * about 160). Values are Miller–Madow corrected, so orders compare fairly.
 *
 * **Significance** (on the test window, the update's own, disjoint from the
 * selection window: what was chosen on one stretch is tested on another, so
 * choosing the best of thousands does not make p small by itself): each
 * tracked multiplet's statistic — ∂_YΩ against the label surrogates, Ω
 * against the unit-shift surrogates — is studentized by the mean and sd of
 * its observation and surrogates together, and p = (1 + #{k : max over all tracked of the surrogate's
 * studentized value ≥ the multiplet's}) / (1 + K): max-T over both
 * criteria at once, so that "some reported multiplet has p ≤ α" happens in
 * at most α of the null hops.
 */
export class SubnetworkSearch {
  private readonly statistics = new Map<number, DiscreteGroupStatistics>();
  private readonly pools: Record<'oinfo' | 'doinfo_y', Candidate[]> = { oinfo: [], doinfo_y: [] };
  private readonly ids = new Map<string, { id: number; since: number; hops: number; lastHop: number }>();
  private now = 0;
  private nextId = 1;
  private hop = 0;
  /** The sweep's cursor: the group, and the positions of the subset in it. */
  private sweep = { group: 0, combination: [0, 1, 2] };
  private table = new Int32Array(0);
  private words = new Int32Array(0);
  private shifted = new Int32Array(0);

  constructor(
    private readonly levels: number,
    private readonly modes: () => number,
    private readonly options: SubnetworkSearchOptions,
  ) {
    if (!Number.isInteger(options.maxOrder) || options.maxOrder < 3 || options.maxOrder > 6) throw new RangeError(`the largest multiplet must be 3 to 6 units, got ${options.maxOrder}`);
    if (!Number.isInteger(options.tracked) || options.tracked < 1) throw new RangeError(`tracked sub-networks must be a whole number ≥ 1, got ${options.tracked}`);
  }

  /**
   * One hop: search on `selection`, test the tracked multiplets on `test`
   * (undefined before a test window exists: no report). `groups` are member
   * lists; `strongPairs` seeds (member indices).
   */
  step(t: number, selection: MultipletWindow, test: MultipletTestWindow | undefined, groups: readonly (readonly number[])[], strongPairs: readonly (readonly [number, number])[]): FoundSubnetwork[] {
    this.hop++;
    this.now = t;
    if (selection.labels.length < 2) return [];
    this.search(selection, groups, strongPairs);
    const tracked = (['doinfo_y', 'oinfo'] as const).flatMap((criterion) =>
      this.pools[criterion].slice(0, this.options.tracked).map((candidate) => ({ candidate, criterion })),
    );
    if (test === undefined || test.labels.length < 2 || tracked.length === 0) return [];
    return this.test(test, tracked);
  }

  private statisticsFor(k: number): DiscreteGroupStatistics {
    let statistics = this.statistics.get(k);
    if (statistics === undefined) this.statistics.set(k, (statistics = new DiscreteGroupStatistics(k, this.levels)));
    return statistics;
  }

  /** Miller–Madow Ω and ∂_YΩ of `members` on a window (labels −1 left out). */
  private evaluate(window: MultipletWindow, members: Int32Array, labels: Int32Array = window.labels): { oinfo: number; doinfoY: number } | undefined {
    const words = this.wordsOf(window, members);
    return this.evaluateWords(members.length, words, labels);
  }

  private wordsOf(window: MultipletWindow, members: Int32Array): Int32Array {
    const n = window.labels.length;
    if (this.words.length < n) this.words = new Int32Array(n);
    const words = this.words;
    words.fill(0, 0, n);
    for (const member of members) {
      const column = window.columns[member];
      for (let s = 0; s < n; s++) words[s] = words[s] * this.levels + column[s];
    }
    return words;
  }

  private ones = new Int32Array(0);

  /** n samples all in mode 0. */
  private allOne(n: number): Int32Array {
    if (this.ones.length < n) this.ones = new Int32Array(n);
    return this.ones.subarray(0, n);
  }

  private evaluateWords(k: number, words: Int32Array, labels: Int32Array, modeCount = this.modes()): { oinfo: number; doinfoY: number } | undefined {
    const statistics = this.statisticsFor(k);
    const modes = Math.max(1, modeCount);
    const size = modes * statistics.words;
    if (this.table.length < size) this.table = new Int32Array(size);
    const table = this.table;
    table.fill(0, 0, size);
    for (let s = 0; s < labels.length; s++) {
      const m = labels[s];
      if (m >= 0) table[m * statistics.words + words[s]]++;
    }
    const value = statistics.measures(table, 0, modes, true);
    return value === undefined ? undefined : { oinfo: value.oinfo, doinfoY: value.doinfo_y };
  }

  private search(selection: MultipletWindow, groups: readonly (readonly number[])[], strongPairs: readonly (readonly [number, number])[]): void {
    let budget = this.options.budget;
    const fresh = new Map<string, Candidate>();
    const consider = (members: Int32Array): void => {
      if (budget <= 0) return;
      const sorted = Int32Array.from(members).sort();
      const key = sorted.join(',');
      if (fresh.has(key)) return;
      budget--;
      const value = this.evaluate(selection, sorted);
      if (value !== undefined) fresh.set(key, { key, members: sorted, ...value });
    };
    // The pool, re-evaluated on this hop's selection window.
    for (const criterion of ['doinfo_y', 'oinfo'] as const) for (const candidate of this.pools[criterion]) consider(candidate.members);
    const groupsOf = (member: number) => groups.filter((group) => group.includes(member));
    const grow = (members: Int32Array) => {
      if (members.length >= this.options.maxOrder) return;
      const inside = new Set(members);
      const neighbours = new Set<number>();
      for (const member of members) for (const group of groupsOf(member)) for (const other of group) if (!inside.has(other)) neighbours.add(other);
      for (const other of neighbours) consider(Int32Array.from([...members, other]));
    };
    // Growth of the best of each criterion by one unit of their groups.
    for (const criterion of ['doinfo_y', 'oinfo'] as const) for (const candidate of this.pools[criterion].slice(0, this.options.tracked)) grow(candidate.members);
    // The strongest pairs of the last update, grown to triplets.
    for (const [a, b] of strongPairs.slice(0, 5)) grow(Int32Array.of(Math.min(a, b), Math.max(a, b)));
    // The sweep: every subset of every group in turn, with what budget is left.
    this.sweepSubsets(groups, () => budget > 0, consider);
    const all = [...fresh.values()];
    // Subsets looked up for parsimony, evaluated on this window once each.
    const subsets = new Map<string, { oinfo: number; doinfoY: number } | undefined>();
    const subsetValue = (members: Int32Array) => {
      const key = members.join(',');
      if (fresh.has(key)) return fresh.get(key)!;
      if (!subsets.has(key)) subsets.set(key, this.evaluate(selection, members));
      return subsets.get(key);
    };
    for (const criterion of ['doinfo_y', 'oinfo'] as const) {
      const value = (candidate: { oinfo: number; doinfoY: number }) => (criterion === 'oinfo' ? candidate.oinfo : candidate.doinfoY);
      const sorted = all.filter((candidate) => candidate.members.length >= 3 && Number.isFinite(value(candidate))).sort((x, y) => value(x) - value(y) || (x.key < y.key ? -1 : 1));
      const pool: Candidate[] = [];
      for (const candidate of sorted) {
        if (pool.length >= 4 * this.options.tracked) break;
        if (!this.dominated(candidate, value, subsetValue)) pool.push(candidate);
      }
      this.pools[criterion] = pool;
    }
  }

  /**
   * Parsimony: a multiplet is left out when one unit fewer does about as
   * well — a subset within PARSIMONY_BITS + PARSIMONY_SHARE·|value| of it.
   * ∂_YΩ does not grow when an unrelated unit joins a synergistic multiplet
   * (for a parity S and an independent u, ∂_YΩ(S ∪ u) = ∂_YΩ(S) = −(|S| − 1)·I),
   * so without this the report fills with supersets of one find.
   */
  private dominated(
    candidate: Candidate,
    value: (candidate: { oinfo: number; doinfoY: number }) => number,
    subsetValue: (members: Int32Array) => { oinfo: number; doinfoY: number } | undefined,
  ): boolean {
    const own = value(candidate);
    const margin = PARSIMONY_BITS + PARSIMONY_SHARE * Math.abs(own);
    const members = candidate.members;
    for (let j = 0; j < members.length; j++) {
      const subset = Int32Array.from(members.filter((_, i) => i !== j));
      const found = subsetValue(subset);
      if (found !== undefined && value(found) <= own + margin) return true;
    }
    return false;
  }

  /**
   * The sweep: every subset of 3 … maxOrder units of every group in turn
   * (triplets of a group, then its quadruplets, …, then the next group),
   * from where the last hop stopped, while `more()`.
   */
  private sweepSubsets(groups: readonly (readonly number[])[], more: () => boolean, consider: (members: Int32Array) => void): void {
    const usable = groups.filter((group) => group.length >= 3);
    if (usable.length === 0) return;
    let total = 0;
    for (const group of usable) for (let k = 3; k <= Math.min(this.options.maxOrder, group.length); k++) total += binomial(group.length, k);
    let steps = 0;
    while (more() && steps < total) {
      const cursor = this.sweep;
      if (cursor.group >= usable.length) Object.assign(cursor, { group: 0, combination: [0, 1, 2] });
      const group = usable[cursor.group];
      consider(Int32Array.from(cursor.combination, (position) => group[position]));
      steps++;
      if (!nextCombination(cursor.combination, group.length)) {
        const order = cursor.combination.length + 1;
        if (order <= Math.min(this.options.maxOrder, group.length)) cursor.combination = Array.from({ length: order }, (_, i) => i);
        else Object.assign(cursor, { group: cursor.group + 1, combination: [0, 1, 2] });
      }
    }
  }

  private test(test: MultipletTestWindow, tracked: { candidate: Candidate; criterion: 'oinfo' | 'doinfo_y' }[]): FoundSubnetwork[] {
    const K = Math.min(test.surrogateLabels.length, test.unitSurrogates);
    const n = test.labels.length;
    const observed: number[] = [];
    const surrogateValues: Float64Array[] = [];
    const values: { oinfo: number; doinfoY: number }[] = [];
    for (const { candidate, criterion } of tracked) {
      const members = candidate.members;
      const words = Int32Array.from(this.wordsOf(test, members).subarray(0, n));
      const real = this.evaluateWords(members.length, words, test.labels) ?? { oinfo: Number.NaN, doinfoY: Number.NaN };
      values.push(real);
      // Oriented so that larger is more synergistic; Ω as its surrogates compute it (one mode: Miller–Madow counts the same cells).
      const statistic = criterion === 'oinfo' ? (this.evaluateWords(members.length, words, this.allOne(n), 1)?.oinfo ?? Number.NaN) : real.doinfoY;
      observed.push(-statistic);
      const draws = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        let value: { oinfo: number; doinfoY: number } | undefined;
        if (criterion === 'doinfo_y') value = this.evaluateWords(members.length, words, test.surrogateLabels[k]);
        else {
          if (this.shifted.length < n) this.shifted = new Int32Array(n);
          test.shiftedWords(members, k, this.shifted);
          // Ω needs no mode: every sample in one.
          value = this.evaluateWords(members.length, this.shifted, this.allOne(n), 1);
        }
        draws[k] = value === undefined ? Number.NaN : -(criterion === 'oinfo' ? value.oinfo : value.doinfoY);
      }
      surrogateValues.push(draws);
    }
    // Studentized by the mean and sd of each multiplet's observation and surrogates together (the same scale for the
    // observation and every surrogate: they stay exchangeable), then max-T over every tracked multiplet.
    const z: number[] = [];
    const maxima = new Float64Array(K).fill(-Infinity);
    surrogateValues.forEach((draws, m) => {
      const scale = momentsOf(observed[m], draws);
      z.push(studentize(observed[m], scale));
      for (let k = 0; k < K; k++) {
        const zk = studentize(draws[k], scale);
        if (zk > maxima[k]) maxima[k] = zk;
      }
    });
    const found: FoundSubnetwork[] = tracked.map(({ candidate, criterion }, m) => {
      let beyond = 0;
      for (let k = 0; k < K; k++) if (!(maxima[k] < z[m] - 1e-12)) beyond++;
      const p = K === 0 || !Number.isFinite(z[m]) ? 1 : (1 + beyond) / (1 + K);
      const record = this.track(candidate.key, criterion);
      return { id: record.id, members: [...candidate.members], criterion, oinfo: values[m].oinfo, doinfoY: values[m].doinfoY, p, since: record.since, hops: record.hops };
    });
    for (const [key, record] of this.ids) if (this.hop - record.lastHop > SUBNETWORK_ID_GRACE_HOPS) this.ids.delete(key);
    return found.sort((x, y) => x.p - y.p || x.id - y.id);
  }

  /** The stable id of a multiplet for a criterion (new, or kept since it was last reported within the grace). */
  private track(key: string, criterion: string): { id: number; since: number; hops: number } {
    const full = `${criterion}:${key}`;
    let record = this.ids.get(full);
    if (record === undefined) {
      record = { id: this.nextId++, since: this.now, hops: 0, lastHop: this.hop };
      this.ids.set(full, record);
    }
    if (record.lastHop !== this.hop || record.hops === 0) record.hops++;
    record.lastHop = this.hop;
    return record;
  }
}

/** Mean and sd of an observation and its surrogates (finite values only). */
function momentsOf(observed: number, draws: Float64Array): { mean: number; sd: number } {
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (const value of [observed, ...draws]) {
    if (!Number.isFinite(value)) continue;
    count++;
    sum += value;
    squares += value * value;
  }
  if (count < 2) return { mean: count === 1 ? sum : 0, sd: 0 };
  const mean = sum / count;
  return { mean, sd: Math.sqrt(Math.max(0, (squares - count * mean * mean) / (count - 1))) };
}

/** (value − mean) / sd; −Infinity for a value that is not finite, ±Infinity beyond a zero sd. */
function studentize(value: number, { mean, sd }: { mean: number; sd: number }): number {
  if (!Number.isFinite(value)) return -Infinity;
  if (sd > 0) return (value - mean) / sd;
  return value > mean ? Infinity : value < mean ? -Infinity : 0;
}

/** The next k-subset of 0 … n − 1 in lexicographic order, in place; false after the last. */
function nextCombination(combination: number[], n: number): boolean {
  const k = combination.length;
  let i = k - 1;
  while (i >= 0 && combination[i] === n - k + i) i--;
  if (i < 0) return false;
  combination[i]++;
  for (let j = i + 1; j < k; j++) combination[j] = combination[j - 1] + 1;
  return true;
}

function binomial(n: number, k: number): number {
  let value = 1;
  for (let i = 1; i <= k; i++) value = (value * (n - k + i)) / i;
  return Math.round(value);
}
