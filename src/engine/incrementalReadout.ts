import type { EstimatorName } from '../estimators/estimate.ts';
import { ShuffleOrderKeys, WithinModeCycles } from '../estimators/withinModeCycles.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { PairCountTables } from './pairCountTables.ts';
import { PairKernel } from './pairKernel.ts';
import { ReadoutKernel } from './readoutKernel.ts';
import { ALL_ROWS, type TileRows } from './tiles.ts';
import { comparePairs, rankKey, type RankedPair, type WindowBin, type WindowReadout } from './windowReadout.ts';

/**
 * The incremental readout: count tables (PairCountTables) updated as bins
 * enter and leave the window, read out every hop by the readout kernel
 * (ReadoutKernel): each unit's own terms once per unit, then every pair's
 * joint term in one pass over the tables into typed arrays, the top by a
 * bounded heap of rank keys, and objects only for the pairs that reach it.
 * Plug-in, Miller–Madow, jackknife and qe are exact in that pass; under
 * Panzeri–Treves and shuffle the pass brackets each pair's value, and only
 * pairs that can reach the top get the relevant-cell search (PairKernel,
 * the dense reference).
 *
 * A tile's readout (`rows`, tiles.ts) holds and ranks the pairs of its band
 * of rows only; its entries must hold only units below the band's end.
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
  /** The readout kernel (its `kernel` chooses WebAssembly or the JavaScript reference for levels 3). */
  readonly readoutKernel: ReadoutKernel;
  private readonly topKeys = new TopKeys();
  private contenders = new Int32Array(0);
  /**
   * For `shuffle`: the tables of within-mode shuffled responses (pair rows
   * only) and the pairing they hold: per mode, a uniformly random cycle σ of
   * the window's bins (withinModeCycles.ts), each bin's x_i with σ(bin)'s x_j.
   */
  private readonly shuffled: PairCountTables | undefined;
  private readonly cycles: WithinModeCycles<WindowBin> | undefined;
  private readonly shuffleKeys: ShuffleOrderKeys | undefined;
  private readonly seed: number;

  /** The first row of the pairs held, and the end of the units held (tiles.ts). */
  private readonly firstRow: number;
  private readonly end: number;

  constructor(options: AnalysisOptions, windowBins: number, rows: TileRows = ALL_ROWS) {
    this.estimator = options.estimator;
    this.levels = options.levels;
    this.firstRow = rows.first;
    this.end = rows.end;
    this.tables = new PairCountTables(options.levels, options.estimator === 'qe', windowBins, 4, rows.first);
    this.kernel = new PairKernel(options.levels, windowBins, 4);
    this.readoutKernel = new ReadoutKernel(options.levels, windowBins);
    this.seed = options.seed;
    if (options.estimator === 'shuffle') {
      const shuffled = new PairCountTables(options.levels, false, windowBins, 4, rows.first);
      this.shuffled = shuffled;
      this.shuffleKeys = new ShuffleOrderKeys(options.seed, 'window');
      this.cycles = new WithinModeCycles<WindowBin>((from, to, delta) =>
        shuffled.updateCrossPairs(from.label, from.units, from.symbols, to.units, to.symbols, delta),
      );
    }
  }

  update(entry: WindowBin, delta: 1 | -1, allUnits: number, modes: number): void {
    const units = Math.min(allUnits, this.end);
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

  rank(_entries: readonly WindowBin[], allUnits: number, modes: number, limit: number): RankedPair[] {
    const units = Math.min(allUnits, this.end);
    this.tables.ensureUnits(units);
    this.tables.ensureModes(modes);
    this.shuffled?.ensureUnits(units);
    this.shuffled?.ensureModes(modes);
    const pairCount = this.tables.pairsHeld(units);
    if (pairCount === 0) return [];
    this.readUnits(units, modes);
    if (this.estimator === 'panzeri-treves' || this.estimator === 'shuffle') return this.rankByBounds(units, modes, limit);
    const joints = this.scratch('joints', pairCount);
    if (this.estimator === 'qe') this.readoutKernel.quadraticJoints(this.tables, units, modes, joints);
    else this.readoutKernel.pairJoints(this.tables, units, modes, this.estimator, joints);
    return this.rankExact(units, joints, limit);
  }

  allSynergies(allUnits: number): Float64Array | undefined {
    if (this.estimator === 'panzeri-treves' || this.estimator === 'shuffle') return undefined;
    const units = Math.min(allUnits, this.end);
    const pairCount = this.tables.pairsHeld(units);
    const joints = this.scratchArrays.get('joints');
    const singles = this.scratchArrays.get('singles');
    if (pairCount === 0 || joints === undefined || singles === undefined || joints.length < pairCount) return undefined;
    const synergies = new Float64Array(pairCount);
    let p = 0;
    for (let j = Math.max(1, this.firstRow); j < units; j++) {
      const sj = singles[j];
      for (let i = 0; i < j; i++, p++) synergies[p] = joints[p] - singles[i] - sj;
    }
    return synergies;
  }

  /** Bytes of the count tables (their WebAssembly memories included) and the scratch kept between hops. */
  memoryBytes(): number {
    let bytes = tableBytes(this.tables) + (this.shuffled === undefined ? 0 : tableBytes(this.shuffled));
    for (const array of this.scratchArrays.values()) bytes += array.byteLength;
    return bytes + this.cells.byteLength + this.unitCells.byteLength + this.shuffledCells.byteLength + this.contenders.byteLength;
  }

  /** Each unit's own terms (PairKernel.unitTerms) into `singles` and, for shuffle, `conditionals`. */
  private readUnits(units: number, modes: number): void {
    const singles = this.scratch('singles', units);
    const conditionals = this.scratch('conditionals', units);
    const unitCells = this.unitCellsFor(modes);
    for (let u = 0; u < units; u++) {
      this.tables.fillUnitCells(u, modes, unitCells);
      const terms = this.kernel.unitTerms(unitCells, this.tables.quarters, modes, this.estimator);
      singles[u] = terms.information;
      conditionals[u] = terms.conditional;
    }
  }

  /**
   * The `limit` strongest pairs given every pair's joint information and
   * the units' single ones: the limit-th largest rank key is found with a
   * bounded heap of keys (TopKeys), and only the pairs that reach it become
   * objects, sorted with the full comparison (ties included).
   */
  private rankExact(units: number, joints: Float64Array, limit: number): RankedPair[] {
    const singles = this.scratch('singles', units);
    const top = this.topKeys;
    top.reset(limit);
    let p = 0;
    // The heap holds |synergy|: rank keys are its rounding, so the limit-th largest key is the key of the limit-th largest |synergy|.
    const firstJ = Math.max(1, this.firstRow);
    for (let j = firstJ; j < units; j++) {
      const sj = singles[j];
      for (let i = 0; i < j; i++, p++) top.offer(Math.abs(joints[p] - singles[i] - sj));
    }
    const kth = top.kth();
    const cutoff = kth === -Infinity ? -Infinity : rankKey(kth);
    // Below this |synergy| no key reaches the cutoff (a cheap first test).
    const floor = (cutoff - 1) / 1e12;
    const ranked: RankedPair[] = [];
    p = 0;
    for (let j = firstJ; j < units; j++) {
      const sj = singles[j];
      for (let i = 0; i < j; i++, p++) {
        const synergy = joints[p] - singles[i] - sj;
        if (Math.abs(synergy) < floor || rankKey(synergy) < cutoff) continue;
        ranked.push({ i, j, joint: joints[p], ia: singles[i], ib: sj, synergy });
      }
    }
    return sortedTop(ranked, limit);
  }

  /**
   * Top-k under Panzeri–Treves and shuffle without the relevant-cell search
   * for every pair: single-unit terms are exact (one per unit), each pair's
   * joint term is bracketed from one pass of the readout kernel (PT's count
   * R of a table lies between its occupied cells and its alphabet D: exactly
   * R = D when every cell is occupied); the limit-th largest lower bound of
   * |synergy| is a threshold no pair outside the top can reach, and only
   * pairs whose upper bound reaches it get their exact value.
   */
  private rankByBounds(units: number, modes: number, limit: number): RankedPair[] {
    const pairCount = this.tables.pairsHeld(units);
    const singles = this.scratch('singles', units);
    const conditionals = this.scratch('conditionals', units);
    const low = this.scratch('low', pairCount);
    const high = this.scratch('high', pairCount);
    const shuffle = this.shuffled !== undefined;
    this.readoutKernel.synergyBounds(this.tables, units, modes, this.shuffled?.rows, singles, conditionals, low, high);
    const top = this.topKeys;
    top.reset(limit);
    for (let p = 0; p < pairCount; p++) {
      const lowSynergy = low[p];
      const highSynergy = high[p];
      top.offer(lowSynergy >= 0 ? lowSynergy : highSynergy <= 0 ? -highSynergy : 0);
    }
    const threshold = top.kth();
    // The pairs that can reach the top: their exact joint term (in `low`, no longer needed) and rank key.
    const cells = this.cellsFor(modes);
    const shuffledCells = shuffle ? this.shuffledCellsFor(modes) : undefined;
    const contenders = this.contenderList(pairCount);
    let count = 0;
    top.reset(limit);
    let p = 0;
    const firstJ = Math.max(1, this.firstRow);
    for (let j = firstJ; j < units; j++) {
      for (let i = 0; i < j; i++, p++) {
        // The slack covers rounding in the bounds and the ranking's 1e-12 bit resolution.
        if (Math.max(Math.abs(low[p]), Math.abs(high[p])) < threshold - 2e-12) continue;
        this.tables.fillPairCells(i, j, modes, cells);
        let joint = this.kernel.jointInformation(cells, 1, modes, 'panzeri-treves');
        if (shuffledCells !== undefined) {
          this.tables.fillPairCells(i, j, modes, shuffledCells, this.shuffled!.rows);
          joint += this.kernel.conditionalEntropyOfPairs(shuffledCells, modes, 'panzeri-treves') - conditionals[i] - conditionals[j];
        }
        low[p] = joint;
        contenders[count++] = p;
        top.offer(rankKey(joint - singles[i] - singles[j]));
      }
    }
    const cutoff = top.kth();
    const ranked: RankedPair[] = [];
    // Row j's pairs start at local index `first`.
    for (let k = 0, j = firstJ, first = 0; k < count; k++) {
      const index = contenders[k];
      while (index >= first + j) first += j++;
      const i = index - first;
      const joint = low[index];
      const synergy = joint - singles[i] - singles[j];
      if (rankKey(synergy) >= cutoff) ranked.push({ i, j, joint, ia: singles[i], ib: singles[j], synergy });
    }
    return sortedTop(ranked, limit);
  }

  /** Room for the indices of `pairCount` pairs, kept between hops. */
  private contenderList(pairCount: number): Int32Array {
    if (this.contenders.length < pairCount) this.contenders = new Int32Array(Math.max(pairCount, 2 * this.contenders.length));
    return this.contenders;
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

  /** A scratch array of at least `size` values, kept between hops. */
  private scratch(name: 'singles' | 'conditionals' | 'joints' | 'low' | 'high', size: number): Float64Array {
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
}

function tableBytes(tables: PairCountTables): number {
  return tables.memory.buffer.byteLength + tables.unitCounts.byteLength + tables.modeCounts.byteLength;
}

/** The `limit` strongest of `pairs` (every pair that can be among them), sorted. */
function sortedTop(pairs: RankedPair[], limit: number): RankedPair[] {
  pairs.sort(comparePairs);
  return pairs.length > limit ? pairs.slice(0, limit) : pairs;
}

/**
 * The k largest of the values offered, in a binary min-heap of k slots
 * (typed array): `kth()` is the k-th largest offered (−∞ while fewer than k
 * were offered). A value at or below the heap's least costs one comparison.
 */
class TopKeys {
  private heap = new Float64Array(16);
  private size = 0;
  private k = 0;

  reset(k: number): void {
    this.k = Math.max(0, Math.floor(k));
    this.size = 0;
    if (this.heap.length < this.k) this.heap = new Float64Array(this.k);
  }

  offer(value: number): void {
    const heap = this.heap;
    if (this.size < this.k) {
      // Sift up.
      let child = this.size++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (heap[parent] <= value) break;
        heap[child] = heap[parent];
        child = parent;
      }
      heap[child] = value;
      return;
    }
    if (this.k === 0 || value <= heap[0]) return;
    // Replace the least and sift down.
    const size = this.size;
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1] < heap[child]) child++;
      if (heap[child] >= value) break;
      heap[parent] = heap[child];
      parent = child;
    }
    heap[parent] = value;
  }

  kth(): number {
    return this.size < this.k || this.k === 0 ? -Infinity : this.heap[0];
  }
}
