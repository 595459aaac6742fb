import type { LabeledFrame } from '../engine/countFrame.ts';
import { LabelHistory } from '../engine/labelHistory.ts';
import { autoLagStep, availableLags, effectiveSurrogates, labelLags, surrogatePValue } from '../engine/labelLagSchedule.ts';
import { firstEmissionBin, labelHistoryBins, lagSteps } from '../engine/tileAnalyzer.ts';
import { estimate } from '../estimators/estimate.ts';
import { SeededRandom } from '../math/seededRandom.ts';
import { discretize, estimationData } from '../measures/discreteSamples.ts';
import { COPULA_MINIMUM_VARIANCE, conditionalEntropies, groupMeasuresFromEntropies, overallEntropies, type SampleCovariance } from '../measures/gaussian/gaussianGroupMeasures.ts';
import { groupMeasures, type GroupMeasures } from '../measures/groupMeasures.ts';
import { binOf, wholeBins } from '../stream/binIndex.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { DiscreteGroupStatistics } from './discreteGroupStatistics.ts';
import { GaussianGroupCells } from './gaussianGroupCells.ts';
import type { AnalysisGroup, GroupUpdate } from './groupUpdate.ts';
import { DEFAULT_BUDGET, DEFAULT_MAX_ORDER, SubnetworkSearch, type MultipletWindow } from '../subnetworks/subnetworkSearch.ts';
import { SubnetworkTracker, type ReportedSubnetwork } from '../subnetworks/subnetworkTracker.ts';

/** A sub-network as the search reports it, by member index (GroupAnalyzer.memberIdOf). */
export type FoundSubnetwork = ReportedSubnetwork;

/** A multiplet that leaves the report and comes back within this many hops keeps its id. */
export const SUBNETWORK_ID_GRACE_HOPS = 10;
export const DEFAULT_SUBNETWORK_MAX_ORDER = DEFAULT_MAX_ORDER;
export const DEFAULT_SUBNETWORK_BUDGET = DEFAULT_BUDGET;

/** Groups of at most this many units are measured with discrete count tables; larger ones under the Gaussian copula. */
export const DEFAULT_GROUP_DISCRETE_MAX_UNITS = 4;

/** The group measures of one emission (its end bin, as the pair tiles'). */
export interface GroupEmission {
  endBin: number;
  groups: GroupUpdate[];
  /** The synergistic sub-networks tracked (with `subnetworks`), by member index (GroupAnalyzer.memberIdOf). */
  subnetworks?: FoundSubnetwork[];
}

const MEASURE_KEYS = ['oinfo', 'tc', 'dtc', 'sinfo', 'synergy', 'doinfo_y'] as const;

interface GroupState {
  readonly name: string;
  /** Member index of each position. */
  readonly members: Int32Array;
  readonly k: number;
  /** Surrogates of this group (0 for a group measured without p, such as the population). */
  readonly surrogates: number;
  /** Measured without p by request (the population): not swept by the sub-network search. */
  readonly valuesOnly: boolean;
  readonly discrete: DiscreteGroupStatistics | undefined;
  readonly cells: GaussianGroupCells | undefined;
  /** Int32 values per mode in a table set: words (discrete) or the cells' mode stride (Gaussian). */
  readonly stride: number;
  /** Real labels: [mode][stride]. */
  real: Int32Array;
  /** Label surrogates: [surrogate][mode][stride]. */
  label: Int32Array;
  /** Unit-shift surrogates: [surrogate][stride] (one mode: only the measures of X are read). */
  readonly unit: Int32Array;
  /** For each unit surrogate, the longest shift among the group's members (bins). */
  readonly longestShift: Int32Array;
  readonly positions: Int32Array;
  readonly symbols: Uint8Array;
}

/**
 * The higher-order measures of named groups of units over the same sliding
 * window as the pairs (DESIGN §7, "Groups"; docs/MEASURES.md, "Groups"). It
 * takes the same frames as the pair tiles and emits at the same bins.
 *
 * Per group and emission: Ω, TC, DTC, S-information, group synergy and
 * ∂_Y Ω, with
 * - groups of at most `groupDiscreteMaxUnits` units (default 4): the batch
 *   library's GroupMeasures over the window's samples, under the analysis's
 *   estimator (exactly what `synergy measure` gives for those samples);
 * - larger groups: the Gaussian copula, bias-corrected
 *   (gaussianGroupMeasuresFromCovariances), from covariances kept
 *   incrementally as count cells (GaussianGroupCells): a bin costs the
 *   square of its active units, a hop the group's pairs.
 *
 * Significance (surrogates > 0): the synergy and ∂_Y Ω are compared with the
 * label surrogates the pairs use (lags over the label history, or
 * permutations for trials and snapshots), Ω, TC, DTC and S with unit-shift
 * surrogates (each unit read `shift` bins in its own past, so units are
 * independent but keep their autocorrelation; permutations of each unit's
 * samples for trials and snapshots). The statistic compared is the plug-in
 * (uncorrected) value, like the pairs' excess. Surrogate tables are kept
 * incrementally bin by bin under label lags, and rebuilt at each emission
 * under permutations.
 */
export class GroupAnalyzer {
  readonly windowBins: number;
  readonly hopBins: number;
  private readonly levels: number;
  private readonly memberIds: string[] = [];
  private readonly memberIndex = new Map<string, number>();
  private readonly groups: GroupState[] = [];
  /** For each member, the (group, position) pairs it belongs to, flattened. */
  private readonly memberships: number[][] = [];
  private memberOfUnit = new Int32Array(0);
  private unitsMapped = 0;
  /** Dense symbols of the last `capacity` bins: [slot][member]. */
  private readonly ring: Uint8Array;
  private readonly ringBins: Float64Array;
  private readonly ringLabels: Int32Array;
  private readonly capacity: number;
  private readonly memberCount: number;
  private modeCapacity = 0;
  private modes = 1;
  private nextEmissionBin: number | undefined;
  private firstBin: number | undefined;
  private lastBin = -Infinity;

  private readonly surrogates: number;
  private readonly permutation: boolean;
  private readonly history: LabelHistory | undefined;
  private lags: Int32Array = new Int32Array(0);
  private stepBins = 1;
  private readonly autoLag: { minBins: number; maxBins: number } | undefined;
  /** Unit-shift surrogates: shift[r · members + member], bins into the member's past. */
  private readonly shifts: Int32Array;
  private readonly search: SubnetworkSearch | undefined;
  private readonly tracker = new SubnetworkTracker({ graceHops: SUBNETWORK_ID_GRACE_HOPS });
  /** The groups the search sweeps (member lists of the groups with surrogates: not the population). */
  private readonly searchGroups: number[][] = [];
  /** Seeds for the search: the strongest pairs of the last update, by member (HigherOrderStage sets them). */
  strongPairs: Array<readonly [number, number]> = [];

  constructor(
    readonly options: AnalysisOptions,
    groups: readonly AnalysisGroup[],
  ) {
    this.windowBins = wholeBins(options.windowSeconds, options.binSeconds, 'window');
    this.hopBins = wholeBins(options.hopSeconds, options.binSeconds, 'hop');
    this.levels = options.levels;
    const discreteMax = options.groupDiscreteMaxUnits ?? DEFAULT_GROUP_DISCRETE_MAX_UNITS;
    if (!Number.isInteger(discreteMax) || discreteMax < 2 || options.levels ** discreteMax > 1 << 20) {
      throw new RangeError(`the largest discrete group must be a whole number of units ≥ 2 with levels^units ≤ 2^20, got ${discreteMax}`);
    }
    for (const group of groups) {
      for (const id of group.units) {
        if (!this.memberIndex.has(id)) {
          this.memberIndex.set(id, this.memberIds.length);
          this.memberIds.push(id);
          this.memberships.push([]);
        }
      }
    }
    this.memberCount = this.memberIds.length;
    this.surrogates = Math.max(0, options.surrogates);
    this.permutation = options.surrogateScheme === 'permutation';
    const shiftMax = this.windowBins;
    this.capacity = this.windowBins + shiftMax + 1;
    this.ring = new Uint8Array(this.capacity * this.memberCount);
    this.ringBins = new Float64Array(this.capacity).fill(-1);
    this.ringLabels = new Int32Array(this.capacity).fill(-1);
    const random = new SeededRandom(options.seed, 'group-unit-shifts');
    this.shifts = new Int32Array(this.surrogates * this.memberCount);
    for (let e = 0; e < this.shifts.length; e++) this.shifts[e] = 1 + random.nextInt(shiftMax);
    if (this.surrogates > 0 && !this.permutation) {
      const steps = lagSteps(options);
      this.stepBins = steps.firstBins;
      this.autoLag = steps.auto;
      this.lags = labelLags(this.surrogates, this.stepBins, options.seed);
      this.history = new LabelHistory(labelHistoryBins(options)!);
    }
    groups.forEach((group, g) => {
      const k = group.units.length;
      const members = Int32Array.from(group.units, (id) => this.memberIndex.get(id)!);
      members.forEach((member, position) => this.memberships[member].push(g, position));
      const discrete = k <= discreteMax ? new DiscreteGroupStatistics(k, options.levels) : undefined;
      const cells = discrete === undefined ? new GaussianGroupCells(k, options.levels) : undefined;
      const stride = discrete?.words ?? cells!.modeStride;
      const surrogates = group.surrogates === false ? 0 : this.surrogates;
      const longestShift = new Int32Array(surrogates);
      for (let r = 0; r < surrogates; r++) {
        for (const member of members) longestShift[r] = Math.max(longestShift[r], this.shifts[r * this.memberCount + member]);
      }
      this.groups.push({
        name: group.name,
        members,
        k,
        surrogates,
        valuesOnly: group.surrogates === false,
        discrete,
        cells,
        stride,
        real: new Int32Array(0),
        label: new Int32Array(0),
        unit: new Int32Array(surrogates * stride),
        longestShift,
        positions: new Int32Array(k),
        symbols: new Uint8Array(k),
      });
    });
    this.ensureModes(1);
    if ((options.subnetworks ?? 0) > 0) {
      // Selection on the older half of each window's samples, test on the newer half (src/subnetworks, docs/SUBNETWORKS.md).
      this.search = new SubnetworkSearch({
        split: { kind: 'halves' },
        tracked: 2 * options.subnetworks!,
        maxOrder: options.subnetworkMaxOrder ?? DEFAULT_SUBNETWORK_MAX_ORDER,
        budget: options.subnetworkBudget ?? DEFAULT_SUBNETWORK_BUDGET,
        seed: options.seed,
      });
      for (const g of this.groups) if (!g.valuesOnly) this.searchGroups.push([...g.members]);
    }
  }

  /** The unit id of a member (as the groups name it). */
  memberIdOf(member: number): string {
    return this.memberIds[member];
  }

  /** The member index of a unit id, or undefined when no group holds it. */
  memberOf(unitId: string): number | undefined {
    return this.memberIndex.get(unitId);
  }

  /** The label lags in force, bins (the surrogates' schedule; tests rebuild them). */
  get labelLags(): Int32Array {
    return this.lags;
  }

  /** The shift of a unit in unit surrogate r, bins (tests rebuild the surrogates). */
  unitShift(r: number, unitId: string): number {
    return this.shifts[r * this.memberCount + this.memberIndex.get(unitId)!];
  }

  /** Takes the next complete bins (consecutive with the previous frame) and returns the emissions that became due. */
  push(frame: LabeledFrame, startTime: number): GroupEmission[] {
    this.mapUnits(frame.unitIds);
    this.modes = Math.max(this.modes, frame.labelNames.length, 1);
    this.ensureModes(this.modes);
    if (this.nextEmissionBin === undefined) this.nextEmissionBin = firstEmissionBin(startTime, this.options.hopSeconds, this.hopBins);
    const emissions: GroupEmission[] = [];
    for (let b = 0; b < frame.binCount; b++) {
      const bin = frame.firstBin + b;
      while (this.nextEmissionBin <= bin) {
        emissions.push(this.emit(this.nextEmissionBin));
        this.nextEmissionBin += this.hopBins;
      }
      this.enter(bin, frame.label[b], frame, b);
    }
    return emissions;
  }

  /** The stream ended at `endTime`: the emissions still due up to the last full hop. */
  finish(endTime: number): GroupEmission[] {
    const emissions: GroupEmission[] = [];
    if (this.nextEmissionBin === undefined) return emissions;
    const lastBin = binOf(endTime, this.options.hopSeconds) * this.hopBins;
    while (this.nextEmissionBin <= lastBin) {
      emissions.push(this.emit(this.nextEmissionBin));
      this.nextEmissionBin += this.hopBins;
    }
    return emissions;
  }

  private mapUnits(unitIds: readonly string[]): void {
    if (unitIds.length <= this.unitsMapped) return;
    if (this.memberOfUnit.length < unitIds.length) {
      const grown = new Int32Array(Math.max(unitIds.length, 2 * this.memberOfUnit.length)).fill(-1);
      grown.set(this.memberOfUnit.subarray(0, this.unitsMapped));
      this.memberOfUnit = grown;
    }
    for (let u = this.unitsMapped; u < unitIds.length; u++) this.memberOfUnit[u] = this.memberIndex.get(unitIds[u]) ?? -1;
    this.unitsMapped = unitIds.length;
  }

  private ensureModes(modes: number): void {
    if (modes <= this.modeCapacity) return;
    const capacity = Math.max(modes, 2 * this.modeCapacity, 2);
    for (const g of this.groups) {
      const real = new Int32Array(capacity * g.stride);
      real.set(g.real);
      g.real = real;
      const label = new Int32Array(g.surrogates * capacity * g.stride);
      if (this.modeCapacity > 0) {
        for (let k = 0; k < g.surrogates; k++) {
          label.set(g.label.subarray(k * this.modeCapacity * g.stride, (k + 1) * this.modeCapacity * g.stride), k * capacity * g.stride);
        }
      }
      g.label = label;
    }
    this.modeCapacity = capacity;
  }

  private slotOf(bin: number): number {
    return ((bin % this.capacity) + this.capacity) % this.capacity;
  }

  /** A member's symbol in `bin` (0 when the bin is not held or came before the stream). */
  private symbolAt(bin: number, member: number): number {
    const slot = this.slotOf(bin);
    return this.ringBins[slot] === bin ? this.ring[slot * this.memberCount + member] : 0;
  }

  private enter(bin: number, label: number, frame: LabeledFrame, b: number): void {
    if (this.firstBin === undefined) this.firstBin = bin;
    this.history?.record(bin, label);
    const leaving = bin - this.windowBins;
    if (leaving >= this.firstBin) this.update(leaving, -1);
    const slot = this.slotOf(bin);
    const base = slot * this.memberCount;
    this.ring.fill(0, base, base + this.memberCount);
    const maxSymbol = this.levels - 1;
    for (let e = frame.offsets[b]; e < frame.offsets[b + 1]; e++) {
      const member = this.memberOfUnit[frame.unit[e]];
      if (member >= 0) this.ring[base + member] = Math.min(frame.count[e], maxSymbol);
    }
    this.ringBins[slot] = bin;
    this.ringLabels[slot] = label;
    this.lastBin = bin;
    this.update(bin, 1);
  }

  /** The group's non-zero units in `bin` into g.positions / g.symbols; returns their number. */
  private activeOf(g: GroupState, bin: number): number {
    const slot = this.slotOf(bin);
    const base = slot * this.memberCount;
    let count = 0;
    for (let p = 0; p < g.k; p++) {
      const symbol = this.ring[base + g.members[p]];
      if (symbol !== 0) {
        g.positions[count] = p;
        g.symbols[count++] = symbol;
      }
    }
    return count;
  }

  private wordOf(g: GroupState, bin: number): number {
    const slot = this.slotOf(bin);
    const base = slot * this.memberCount;
    let word = 0;
    for (let p = 0; p < g.k; p++) word = word * this.levels + this.ring[base + g.members[p]];
    return word;
  }

  /** A held bin enters (+1) or leaves (−1) the window's tables. */
  private update(bin: number, delta: 1 | -1): void {
    const label = this.ringLabels[this.slotOf(bin)];
    for (const g of this.groups) {
      const incremental = g.surrogates > 0 && !this.permutation;
      if (g.discrete !== undefined) {
        const word = this.wordOf(g, bin);
        if (label >= 0) g.real[label * g.stride + word] += delta;
        if (!incremental) continue;
        this.updateLabelSurrogates(g, bin, delta, word, 0);
        if (label >= 0) for (let r = 0; r < g.surrogates; r++) g.unit[r * g.stride + this.shiftedWord(g, bin, r)] += delta;
      } else {
        const count = this.activeOf(g, bin);
        if (label >= 0) g.cells!.add(g.real, 0, label, g.positions, g.symbols, count, delta);
        if (!incremental) continue;
        this.updateLabelSurrogates(g, bin, delta, -1, count);
        if (label >= 0) {
          for (let r = 0; r < g.surrogates; r++) {
            const shifted = this.shiftedActive(g, bin, r);
            g.cells!.add(g.unit, r * g.stride, 0, g.positions, g.symbols, shifted, delta);
          }
          // shiftedActive overwrote the bin's own active units; nothing after reads them.
        }
      }
    }
  }

  private updateLabelSurrogates(g: GroupState, bin: number, delta: number, word: number, active: number): void {
    if (g.surrogates === 0) return;
    const perSurrogate = this.modeCapacity * g.stride;
    for (let k = 0; k < this.lags.length; k++) {
      const lagged = this.history!.labelAt(bin - this.lags[k]);
      if (lagged < 0) continue;
      if (g.discrete !== undefined) g.label[k * perSurrogate + lagged * g.stride + word] += delta;
      else g.cells!.add(g.label, k * perSurrogate, lagged, g.positions, g.symbols, active, delta);
    }
  }

  // The unit-shift surrogates' hot loops read the ring at bin − shift without checking the slot's bin: with shifts of
  // at most a window and a ring of two windows and a bin, that slot holds the shifted bin, or was never written (a bin
  // before the stream: silent), both when the bin enters and when it leaves.

  private shiftedWord(g: GroupState, bin: number, r: number): number {
    const M = this.memberCount;
    const shifts = this.shifts;
    const ring = this.ring;
    const base = this.slotOf(bin);
    const capacity = this.capacity;
    let word = 0;
    for (let p = 0; p < g.k; p++) {
      const member = g.members[p];
      let slot = base - shifts[r * M + member];
      if (slot < 0) slot += capacity;
      word = word * this.levels + ring[slot * M + member];
    }
    return word;
  }

  private shiftedActive(g: GroupState, bin: number, r: number): number {
    const M = this.memberCount;
    const shifts = this.shifts;
    const ring = this.ring;
    const base = this.slotOf(bin);
    const capacity = this.capacity;
    let count = 0;
    for (let p = 0; p < g.k; p++) {
      const member = g.members[p];
      let slot = base - shifts[r * M + member];
      if (slot < 0) slot += capacity;
      const symbol = ring[slot * M + member];
      if (symbol !== 0) {
        g.positions[count] = p;
        g.symbols[count++] = symbol;
      }
    }
    return count;
  }

  /** The window's held bins, oldest first. */
  private windowBinsOf(endBin: number): number[] {
    const bins: number[] = [];
    for (let bin = endBin - this.windowBins; bin < endBin; bin++) {
      if (bin > this.lastBin) break;
      if (this.ringBins[this.slotOf(bin)] === bin) bins.push(bin);
    }
    return bins;
  }

  /** The window's labeled bins, oldest first: the samples of every measure. */
  private labeledWindowBins(endBin: number): number[] {
    return this.windowBinsOf(endBin).filter((bin) => this.ringLabels[this.slotOf(bin)] >= 0);
  }

  private emit(endBin: number): GroupEmission {
    const windowStart = endBin - this.windowBins;
    const modes = this.modes;
    let labelAvailable = 0;
    let labelEffective = 0;
    if (this.surrogates > 0 && this.permutation) {
      this.rebuildPermuted(endBin);
      labelAvailable = labelEffective = this.surrogates;
    } else if (this.history !== undefined) {
      if (this.autoLag !== undefined) {
        const step = autoLagStep(this.history.meanDwellBins, this.history.runCount, this.stepBins, this.autoLag.minBins, this.autoLag.maxBins);
        if (step !== this.stepBins) this.relag(step, endBin);
      }
      labelAvailable = availableLags(this.lags, windowStart, this.history.firstBin ?? windowStart);
      labelEffective = effectiveSurrogates(labelAvailable, this.stepBins, this.history.meanDwellBins);
    }
    const groups = this.groups.map((g) => this.measure(g, endBin, modes, labelAvailable, labelEffective));
    if (this.search === undefined) return { endBin, groups };
    return { endBin, groups, subnetworks: this.searchSubnetworks(endBin, labelAvailable) };
  }

  /**
   * One hop of the sub-network search (src/subnetworks): the window's labeled
   * samples, their label surrogates (the lags in reach, or fresh
   * permutations) and the strongest pairs; the search selects on the older
   * half and tests on the newer, and the tracker keeps the ids.
   */
  private searchSubnetworks(endBin: number, labelAvailable: number): FoundSubnetwork[] {
    const M = this.memberCount;
    const bins = this.labeledWindowBins(endBin);
    const n = bins.length;
    const columns = Array.from({ length: M }, () => new Uint8Array(n));
    const labels = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const slot = this.slotOf(bins[s]);
      const row = slot * M;
      for (let member = 0; member < M; member++) columns[member][s] = this.ring[row + member];
      labels[s] = this.ringLabels[slot];
    }
    let surrogateLabels: Int32Array[] = [];
    if (this.surrogates > 0 && this.permutation) {
      const random = new SeededRandom(this.options.seed ^ endBin, 'subnetwork-permutations');
      surrogateLabels = Array.from({ length: this.surrogates }, () => random.shuffle(Int32Array.from(labels)));
    } else if (this.surrogates > 0) {
      surrogateLabels = Array.from({ length: labelAvailable }, (_, k) => Int32Array.from(bins, (bin) => this.history!.labelAt(bin - this.lags[k])));
    }
    const window: MultipletWindow = { columns, levels: this.levels, modes: Math.max(1, this.modes), labels, surrogateLabels, strongPairs: this.strongPairs, groups: this.searchGroups };
    const step = this.search!.step(window);
    return this.tracker.update(endBin * this.options.binSeconds, step.multiplets).subnetworks;
  }

  /** The label lags moved (automatic step): the label surrogates' tables are built anew from the window's bins. */
  private relag(stepBins: number, endBin: number): void {
    this.stepBins = stepBins;
    this.lags = labelLags(this.surrogates, stepBins, this.options.seed);
    for (const g of this.groups) g.label.fill(0);
    for (const bin of this.windowBinsOf(endBin)) {
      for (const g of this.groups) {
        if (g.discrete !== undefined) this.updateLabelSurrogates(g, bin, 1, this.wordOf(g, bin), 0);
        else this.updateLabelSurrogates(g, bin, 1, -1, this.activeOf(g, bin));
      }
    }
  }

  /**
   * Permutation surrogates (trials, snapshots): the window's labeled samples
   * with a fresh uniformly random permutation of their labels (label
   * surrogates), or of each unit's samples independently (unit surrogates).
   */
  private rebuildPermuted(endBin: number): void {
    const bins = this.labeledWindowBins(endBin);
    const n = bins.length;
    const labels = Int32Array.from(bins, (bin) => this.ringLabels[this.slotOf(bin)]);
    const permuted = new Int32Array(n);
    const order = new Int32Array(n);
    const random = new SeededRandom(this.options.seed ^ endBin, 'group-permutations');
    for (const g of this.groups) {
      g.label.fill(0);
      g.unit.fill(0);
    }
    const perSurrogate = (g: GroupState) => this.modeCapacity * g.stride;
    const tested = this.groups.filter((g) => g.surrogates > 0);
    for (let k = 0; k < this.surrogates; k++) {
      permuted.set(labels);
      random.shuffle(permuted);
      for (let s = 0; s < n; s++) {
        for (const g of tested) {
          if (g.discrete !== undefined) g.label[k * perSurrogate(g) + permuted[s] * g.stride + this.wordOf(g, bins[s])]++;
          else g.cells!.add(g.label, k * perSurrogate(g), permuted[s], g.positions, g.symbols, this.activeOf(g, bins[s]), 1);
        }
      }
    }
    // Unit surrogates: sample s of unit p is the unit's sample order_p[s].
    const orders = new Int32Array(this.memberCount * n);
    for (let r = 0; r < this.surrogates; r++) {
      for (let member = 0; member < this.memberCount; member++) {
        for (let s = 0; s < n; s++) order[s] = s;
        random.shuffle(order);
        orders.set(order, member * n);
      }
      for (const g of tested) {
        for (let s = 0; s < n; s++) {
          if (g.discrete !== undefined) {
            let word = 0;
            for (let p = 0; p < g.k; p++) word = word * this.levels + this.symbolAt(bins[orders[g.members[p] * n + s]], g.members[p]);
            g.unit[r * g.stride + word]++;
          } else {
            let count = 0;
            for (let p = 0; p < g.k; p++) {
              const symbol = this.symbolAt(bins[orders[g.members[p] * n + s]], g.members[p]);
              if (symbol !== 0) {
                g.positions[count] = p;
                g.symbols[count++] = symbol;
              }
            }
            g.cells!.add(g.unit, r * g.stride, 0, g.positions, g.symbols, count, 1);
          }
        }
      }
    }
  }

  private measure(g: GroupState, endBin: number, modes: number, labelAvailable: number, labelEffective: number): GroupUpdate {
    const windowStart = endBin - this.windowBins;
    const perSurrogate = this.modeCapacity * g.stride;
    const update: GroupUpdate = {
      name: g.name,
      units: g.k,
      measured: 0,
      method: g.discrete !== undefined ? 'discrete' : 'gaussian-copula',
      estimator: g.discrete !== undefined ? this.options.estimator : 'gcmi',
      samples: 0,
      oinfo: null,
      tc: null,
      dtc: null,
      sinfo: null,
      synergy: null,
      doinfo_y: null,
    };
    let samples = 0;
    for (let m = 0; m < modes; m++) {
      if (g.discrete !== undefined) for (let w = 0; w < g.stride; w++) samples += g.real[m * g.stride + w];
      else samples += g.real[m * g.stride];
    }
    update.samples = samples;
    if (samples < 2) {
      update.note = 'fewer than 2 labeled samples in the window';
      return update;
    }
    // Unit surrogates whose shifted windows lie inside what the stream has given (before its start a unit reads as silent).
    const unitAvailable = (r: number) => this.permutation || windowStart - g.longestShift[r] >= (this.firstBin ?? 0);
    let observed: GroupMeasures;
    const labelStatistics: GroupMeasures[] = [];
    const unitStatistics: GroupMeasures[] = [];
    if (g.discrete !== undefined) {
      update.measured = g.k;
      Object.assign(update, this.discreteValues(g, endBin, modes));
      observed = g.discrete.measures(g.real, 0, modes)!;
      for (let k = 0; k < (g.surrogates > 0 ? labelAvailable : 0); k++) {
        const value = g.discrete.measures(g.label, k * perSurrogate, modes);
        if (value !== undefined) labelStatistics.push(value);
      }
      for (let r = 0; r < g.surrogates; r++) {
        if (!unitAvailable(r)) continue;
        const value = g.discrete.measures(g.unit, r * g.stride, 1);
        if (value !== undefined) unitStatistics.push(value);
      }
    } else {
      const cells = g.cells!;
      const marginals = new Float64Array(g.k * this.levels);
      const scores = new Float64Array(g.k * this.levels);
      cells.marginals(g.real, 0, modes, marginals);
      const varying = cells.scores(marginals, scores);
      const chosen = varying.flatMap((v, p) => (v ? [p] : []));
      update.measured = chosen.length;
      if (chosen.length < 2) {
        update.note = `${g.k - chosen.length} of ${g.k} units are constant in the window: fewer than 2 to measure`;
        return update;
      }
      const c = chosen.length;
      const attempt = <T>(compute: () => T): T | undefined => {
        try {
          return compute();
        } catch {
          // Singular (a unit constant within a mode, or a mode with no more samples than units): no finite value.
          return undefined;
        }
      };
      const real = cells.covariances(g.real, 0, modes, scores, chosen);
      const overallCorrected = attempt(() => overallEntropies(real.total, c, true, COPULA_MINIMUM_VARIANCE));
      if (overallCorrected === undefined) {
        update.note = 'the units are collinear in the window';
        return update;
      }
      const reportedX = groupMeasuresFromEntropies(overallCorrected, undefined, c);
      update.oinfo = reportedX.oinfo;
      update.tc = reportedX.tc;
      update.dtc = reportedX.dtc;
      update.sinfo = reportedX.sinfo;
      const conditionalCorrected = attempt(() => conditionalEntropies(real.classes, c, true, COPULA_MINIMUM_VARIANCE));
      if (conditionalCorrected !== undefined) {
        const reported = groupMeasuresFromEntropies(overallCorrected, conditionalCorrected, c);
        update.synergy = reported.synergy;
        update.doinfo_y = reported.doinfo_y;
      } else {
        update.note = 'a unit is constant (or units collinear) within a mode: the Gaussian model of the mode carries no finite information';
      }
      // Measured without p (the population): no statistic to compute.
      if (g.surrogates === 0) return update;
      // The statistic: plug-in entropies of the window's samples (the same for every label surrogate: only the
      // pairing of samples and modes moves) and each labeling's conditional ones, with the ridge.
      const overallPlain = overallEntropies(real.total, c, false, COPULA_MINIMUM_VARIANCE);
      const conditionalOf = (classes: SampleCovariance[]) => {
        addStatisticRidge(real.total, classes);
        return attempt(() => conditionalEntropies(classes, c, false, COPULA_MINIMUM_VARIANCE));
      };
      observed = groupMeasuresFromEntropies(overallPlain, conditionalCorrected === undefined ? undefined : conditionalOf(real.classes), c);
      if (conditionalCorrected !== undefined) {
        for (let k = 0; k < (g.surrogates > 0 ? labelAvailable : 0); k++) {
          const conditional = conditionalOf(cells.classCovariances(g.label, k * perSurrogate, modes, scores, chosen));
          if (conditional !== undefined) labelStatistics.push(groupMeasuresFromEntropies(overallPlain, conditional, c));
        }
      }
      const shiftedMarginals = new Float64Array(g.k * this.levels);
      const shiftedScores = new Float64Array(g.k * this.levels);
      for (let r = 0; r < g.surrogates; r++) {
        if (!unitAvailable(r)) continue;
        cells.marginals(g.unit, r * g.stride, 1, shiftedMarginals);
        cells.scores(shiftedMarginals, shiftedScores);
        const { total } = cells.covariances(g.unit, r * g.stride, 1, shiftedScores, chosen);
        const overall = attempt(() => overallEntropies(total, c, false, COPULA_MINIMUM_VARIANCE));
        if (overall !== undefined) unitStatistics.push(groupMeasuresFromEntropies(overall, undefined, c));
      }
    }
    if (g.surrogates > 0) {
      const effective = Math.min(labelEffective, labelStatistics.length);
      update.p = {};
      for (const key of MEASURE_KEYS) {
        if (update[key] === null) continue;
        if (key === 'synergy' || key === 'doinfo_y') update.p[key] = twoSidedP(observed[key], labelStatistics.map((s) => s[key]), effective);
        else if (key === 'oinfo') update.p[key] = twoSidedP(observed[key], unitStatistics.map((s) => s[key]), unitStatistics.length);
        else update.p[key] = greaterP(observed[key], unitStatistics.map((s) => s[key]));
      }
      update.surrogates = { label: labelStatistics.length, effective, unit: unitStatistics.length };
    }
    return update;
  }

  /** The batch library's GroupMeasures over the window's labeled samples, under the analysis's estimator. */
  private discreteValues(g: GroupState, endBin: number, modes: number): Partial<GroupUpdate> {
    const bins = this.labeledWindowBins(endBin);
    const columns = Array.from({ length: g.k + 1 }, () => new Int32Array(bins.length));
    const quarterOf = new Int32Array(bins.length);
    bins.forEach((bin, s) => {
      for (let p = 0; p < g.k; p++) columns[p][s] = this.symbolAt(bin, g.members[p]);
      columns[g.k][s] = this.ringLabels[this.slotOf(bin)];
      quarterOf[s] = bin % 4;
    });
    const samples = discretize(columns, [...new Array<number>(g.k).fill(this.levels), Math.max(modes, 1)]);
    const sources = [...Array(g.k).keys()];
    return estimate(estimationData(samples, quarterOf), (source) => groupMeasures(source, sources, g.k), {
      estimator: this.options.estimator,
      seed: this.options.seed,
    });
  }
}

/**
 * The surrogate statistic's ridge: each class covariance gets this share of
 * the unit's overall variance added to its diagonal. A sparse unit can be
 * constant within the few samples a mode has in one surrogate; without a
 * ridge that surrogate's Gaussian model is singular and would have to be
 * left out — and leaving out exactly the surrogates with the emptiest modes
 * (the most extreme values) made p too small (9 % at α = 5 % measured).
 * With it, the statistic is finite for the observation and every surrogate
 * alike. Reported values stay the unregularized gcmi estimate.
 */
export const GAUSSIAN_STATISTIC_RIDGE = 0.01;

function addStatisticRidge(total: SampleCovariance, classes: readonly SampleCovariance[]): void {
  const k = Math.round(Math.sqrt(total.matrix.length));
  for (const c of classes) for (let j = 0; j < k; j++) c.matrix[j * k + j] += GAUSSIAN_STATISTIC_RIDGE * total.matrix[j * k + j];
}

/** Two-sided surrogate p of `observed` beyond the mean of it and its surrogates (the pairs' `excess` rule). */
function twoSidedP(observed: number, surrogates: readonly number[], effective: number): number {
  if (surrogates.length === 0) return 1;
  let center = observed;
  for (const value of surrogates) center += value;
  center /= surrogates.length + 1;
  const distance = Math.abs(observed - center) - 1e-12;
  let exceeding = 0;
  for (const value of surrogates) if (Math.abs(value - center) >= distance) exceeding++;
  return surrogatePValue(exceeding, surrogates.length, Math.max(1, effective));
}

/** One-sided surrogate p: how often a surrogate reaches the observed value (TC, DTC and S are ≥ 0 under any dependence). */
function greaterP(observed: number, surrogates: readonly number[]): number {
  let exceeding = 0;
  for (const value of surrogates) if (value >= observed - 1e-12) exceeding++;
  return (1 + exceeding) / (1 + surrogates.length);
}
