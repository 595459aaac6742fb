import type { EstimatorName } from '../estimators/estimate.ts';
import { ShuffleOrderKeys, WithinModeCycles } from '../estimators/withinModeCycles.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { PairCountTables } from './pairCountTables.ts';
import { PairKernel } from './pairKernel.ts';
import { comparePairs, rankKey, type RankedPair, type WindowBin, type WindowReadout } from './windowReadout.ts';

/**
 * The incremental readout: count tables (PairCountTables) updated as bins
 * enter and leave the window, read out every hop with flat-array kernels
 * (PairKernel). Under Panzeri–Treves with `top`, pairs are ranked by bounds
 * first and only those that can reach the top get the relevant-cell search.
 * Under the jackknife, single-unit terms are read once per unit and each
 * pair costs one closed-form pass over its cells, into flat arrays: only the
 * pairs that make the top become objects.
 */
export class IncrementalReadout implements WindowReadout {
  private readonly tables: PairCountTables;
  private readonly kernel: PairKernel;
  private readonly estimator: EstimatorName;
  private readonly levels: number;
  private cells = new Float64Array(0);
  private unitCells = new Float64Array(0);
  private shuffledCells = new Float64Array(0);
  private readonly scratchArrays = new Map<string, Float64Array>();
  /**
   * For `shuffle`: the tables of within-mode shuffled responses (pair rows
   * only) and the pairing they hold: per mode, a uniformly random cycle σ of
   * the window's bins (withinModeCycles.ts), each bin's x_i with σ(bin)'s x_j.
   */
  private readonly shuffled: PairCountTables | undefined;
  private readonly cycles: WithinModeCycles<WindowBin> | undefined;
  private readonly shuffleKeys: ShuffleOrderKeys | undefined;
  private readonly seed: number;

  constructor(options: AnalysisOptions, windowBins: number) {
    this.estimator = options.estimator;
    this.levels = options.levels;
    this.tables = new PairCountTables(options.levels, options.estimator === 'qe', windowBins);
    this.kernel = new PairKernel(options.levels, windowBins, 4);
    this.seed = options.seed;
    if (options.estimator === 'shuffle') {
      const shuffled = new PairCountTables(options.levels, false, windowBins);
      this.shuffled = shuffled;
      this.shuffleKeys = new ShuffleOrderKeys(options.seed, 'window');
      this.cycles = new WithinModeCycles<WindowBin>((from, to, delta) =>
        shuffled.updateCrossPairs(from.label, from.units, from.symbols, to.units, to.symbols, delta),
      );
    }
  }

  update(entry: WindowBin, delta: 1 | -1, units: number, modes: number): void {
    this.tables.ensureUnits(units);
    this.tables.ensureModes(modes);
    this.shuffled?.ensureUnits(units);
    this.shuffled?.ensureModes(modes);
    if (entry.label < 0) return;
    const quarter = this.tables.quarters === 4 ? entry.bin % 4 : 0;
    this.tables.updateBin(quarter, entry.label, entry.units, entry.symbols, 0, entry.units.length, delta);
    if (this.cycles !== undefined) {
      // A bin entering or leaving changes three words of its mode's cycle.
      const key = this.shuffleKeys!.key(entry.bin);
      if (delta === 1) this.cycles.insert(entry.label, key, entry);
      else this.cycles.remove(entry.label, key, entry);
    }
  }

  rank(_entries: readonly WindowBin[], units: number, modes: number, limit: number): RankedPair[] {
    this.tables.ensureUnits(units);
    this.tables.ensureModes(modes);
    this.shuffled?.ensureUnits(units);
    this.shuffled?.ensureModes(modes);
    const pairCount = (units * (units - 1)) / 2;
    let ranked: RankedPair[];
    if (this.shuffled !== undefined) {
      ranked = [];
      const cells = this.cellsFor(modes);
      const shuffledCells = this.shuffledCellsFor(modes);
      for (let j = 1; j < units; j++) {
        for (let i = 0; i < j; i++) {
          this.tables.fillPairCells(i, j, modes, cells);
          this.tables.fillPairCells(i, j, modes, shuffledCells, this.shuffled.rows);
          const terms = this.kernel.shuffleTerms(cells, shuffledCells, modes);
          ranked.push({ i, j, ...terms, synergy: terms.joint - terms.ia - terms.ib });
        }
      }
    } else if (this.estimator === 'panzeri-treves' && limit < pairCount) {
      ranked = this.rankPanzeriTrevesByBounds(modes, limit);
    } else if (this.estimator === 'jackknife') {
      return this.rankJackknife(modes, limit);
    } else {
      ranked = [];
      const cells = this.cellsFor(modes);
      for (let j = 1; j < units; j++) {
        for (let i = 0; i < j; i++) {
          this.tables.fillPairCells(i, j, modes, cells);
          const terms = this.kernel.terms(cells, this.tables.quarters, modes, this.estimator);
          ranked.push({ i, j, ...terms, synergy: terms.joint - terms.ia - terms.ib });
        }
      }
    }
    return topPairs(ranked, limit);
  }

  private shuffledCellsFor(modes: number): Float64Array {
    const size = modes * this.levels * this.levels;
    if (this.shuffledCells.length < size) this.shuffledCells = new Float64Array(size);
    return this.shuffledCells;
  }

  private cellsFor(modes: number): Float64Array {
    const size = this.tables.quarters * modes * this.levels * this.levels;
    if (this.cells.length < size) this.cells = new Float64Array(size);
    return this.cells;
  }

  /**
   * The jackknife's pairs (PairKernel.jackknifeInformation): I(X_u;Y) of
   * each unit once (a pair's table has the unit's counts as its margin), then
   * I(X_i,X_j;Y) of every pair into flat arrays, and objects only for the
   * pairs whose rank key reaches the limit-th largest (as topPairs).
   */
  private rankJackknife(modes: number, limit: number): RankedPair[] {
    const units = this.tables.units;
    const levels = this.levels;
    const pairCount = (units * (units - 1)) / 2;
    const unitCells = this.unitCellsFor(modes);
    const singles = this.scratch('singles', units);
    for (let u = 0; u < units; u++) {
      this.tables.fillUnitCells(u, modes, unitCells);
      singles[u] = this.kernel.jackknifeInformation(unitCells, modes, levels);
    }
    const joints = this.scratch('joints', pairCount);
    const keys = this.scratch('keys', pairCount);
    const cells = this.cellsFor(modes);
    const symbols = levels * levels;
    let p = 0;
    for (let j = 1; j < units; j++) {
      for (let i = 0; i < j; i++, p++) {
        this.tables.fillPairCells(i, j, modes, cells);
        const joint = this.kernel.jackknifeInformation(cells, modes, symbols);
        joints[p] = joint;
        keys[p] = rankKey(joint - singles[i] - singles[j]);
      }
    }
    const cutoff = limit >= pairCount ? -Infinity : kthLargest(keys.subarray(0, pairCount), limit, this.scratch('select', pairCount));
    const ranked: RankedPair[] = [];
    p = 0;
    for (let j = 1; j < units; j++) {
      for (let i = 0; i < j; i++, p++) {
        if (keys[p] < cutoff) continue;
        const joint = joints[p];
        ranked.push({ i, j, joint, ia: singles[i], ib: singles[j], synergy: joint - singles[i] - singles[j] });
      }
    }
    ranked.sort(comparePairs);
    return ranked.length > limit ? ranked.slice(0, limit) : ranked;
  }

  /** A scratch array of at least `size` values, kept between hops. */
  private scratch(name: 'singles' | 'joints' | 'keys' | 'select', size: number): Float64Array {
    let array = this.scratchArrays.get(name);
    if (array === undefined || array.length < size) {
      array = new Float64Array(Math.max(size, 2 * (array?.length ?? 0)));
      this.scratchArrays.set(name, array);
    }
    return array;
  }

  private unitCellsFor(modes: number): Float64Array {
    const size = this.tables.quarters * modes * this.levels;
    if (this.unitCells.length < size) this.unitCells = new Float64Array(size);
    return this.unitCells;
  }

  /**
   * Top-k under Panzeri–Treves without the relevant-cell search for every
   * pair: single-unit terms are exact (one per unit), the joint term is
   * bracketed (PairKernel.panzeriTrevesJointBounds); the k-th largest lower
   * bound of |synergy| is a threshold no pair outside the top can reach, and
   * only pairs whose upper bound reaches it get their exact value.
   */
  private rankPanzeriTrevesByBounds(modes: number, limit: number): RankedPair[] {
    const units = this.tables.units;
    const levels = this.levels;
    const unitCells = new Float64Array(modes * levels);
    const singles = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      this.tables.fillUnitCells(u, modes, unitCells);
      singles[u] = this.kernel.singleInformation(unitCells, 1, modes, 'panzeri-treves');
    }
    const pairCount = (units * (units - 1)) / 2;
    const lowerAbs = new Float64Array(pairCount);
    const upperAbs = new Float64Array(pairCount);
    const cells = this.cellsFor(modes);
    let p = 0;
    for (let j = 1; j < units; j++) {
      for (let i = 0; i < j; i++, p++) {
        this.tables.fillPairCells(i, j, modes, cells);
        const bounds = this.kernel.panzeriTrevesJointBounds(cells, 1, modes);
        const low = bounds.low - singles[i] - singles[j];
        const high = bounds.high - singles[i] - singles[j];
        lowerAbs[p] = low >= 0 ? low : high <= 0 ? -high : 0;
        upperAbs[p] = Math.max(Math.abs(low), Math.abs(high));
      }
    }
    const threshold = kthLargest(lowerAbs, limit);
    const ranked: RankedPair[] = [];
    p = 0;
    for (let j = 1; j < units; j++) {
      for (let i = 0; i < j; i++, p++) {
        // The slack covers rounding in the bounds and the ranking's 1e-12 bit resolution.
        if (upperAbs[p] < threshold - 2e-12) continue;
        this.tables.fillPairCells(i, j, modes, cells);
        const joint = this.kernel.jointInformation(cells, 1, modes, 'panzeri-treves');
        ranked.push({ i, j, joint, ia: singles[i], ib: singles[j], synergy: joint - singles[i] - singles[j] });
      }
    }
    return ranked;
  }
}

/**
 * The `limit` strongest pairs, sorted: only pairs whose rank key reaches the
 * limit-th largest are sorted with the full comparison.
 */
function topPairs(pairs: RankedPair[], limit: number): RankedPair[] {
  if (pairs.length <= limit) return pairs.sort(comparePairs);
  const keys = new Float64Array(pairs.length);
  for (let k = 0; k < pairs.length; k++) keys[k] = rankKey(pairs[k].synergy);
  const cutoff = kthLargest(keys, limit);
  return pairs
    .filter((pair) => rankKey(pair.synergy) >= cutoff)
    .sort(comparePairs)
    .slice(0, limit);
}

/**
 * The k-th largest value (k ≥ 1) of `values` (−∞ if there are fewer), by
 * selection (Hoare's quickselect) in a copy: `scratch` when given (at least
 * as long as `values`), otherwise a new array.
 */
function kthLargest(values: Float64Array, k: number, scratch?: Float64Array): number {
  const n = values.length;
  if (k > n || k < 1) return -Infinity;
  const a = scratch === undefined ? Float64Array.from(values) : scratch;
  if (scratch !== undefined) a.set(values);
  // The k-th largest is the (n − k)-th smallest (0-based).
  const target = n - k;
  let low = 0;
  let high = n - 1;
  while (low < high) {
    const pivot = a[(low + high) >>> 1];
    let i = low;
    let j = high;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else return a[target];
  }
  return a[target];
}
