import type { LabeledFrame } from '../engine/countFrame.ts';
import { SlidingWindowAnalyzer } from '../engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { IdTable } from '../stream/idTable.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { quantileSymbols } from './quantileSymbols.ts';
import { GaussianSnapshotPairs } from './gaussianSnapshotPairs.ts';
import { familyTests } from '../engine/labelLagSignificance.ts';
import { LabelPermutations } from '../engine/labelPermutations.ts';
import { finishPair } from '../engine/significanceRows.ts';
import { DEFAULT_ALPHA } from '../engine/tileAnalyzer.ts';
import { EmissionMerger } from '../engine/tileMerge.ts';
import type { TilePair, TileSignificance } from '../engine/tiles.ts';
import { comparePairs } from '../engine/windowReadout.ts';
import type { Snapshot } from './snapshot.ts';

/** An update of one snapshot: the usual fields, with `t` = the step and `samples` its labeled rows. */
export interface SnapshotUpdate extends SynergyUpdate {
  /** The training step of the snapshot (also `t`). */
  step: number;
  /** Snapshots analyzed before this one. */
  snapshot: number;
  /**
   * Under the Gaussian copula: neurons left out (constant over the rows, or
   * so tied that a class could be constant), and pairs left out with them
   * or for being collinear.
   */
  degenerate?: { neurons: number; pairs: number };
  /** `synergy serve`: snapshots of this source dropped so far because they came faster than they were analyzed (absent: none). */
  snapshots_dropped?: number;
}

/**
 * How a snapshot's values are read: 'quantiles' (each neuron quantized by
 * its own quantiles into `levels` symbols, then the discrete estimators) or
 * 'gaussian-copula' (normal scores of the ranks, Gaussian entropies per
 * class, bias-corrected: gcmi's model; `levels` and the estimator unused).
 */
export type SnapshotValues = 'quantiles' | 'gaussian-copula';

/**
 * The engine's options for snapshots: a "bin" is one sample (row), the
 * window and the hop one snapshot of `samples` rows, no lateness, and
 * permutation surrogates (the rows of a snapshot are exchangeable: each
 * surrogate pairs them with a uniformly random permutation of their labels).
 */
export function snapshotAnalysisOptions(options: AnalysisOptions, samples: number): AnalysisOptions {
  return { ...options, binSeconds: 1, windowSeconds: samples, hopSeconds: samples, latenessSeconds: 0, surrogateScheme: 'permutation' };
}

/**
 * Snapshots analyzed whole, one update each (docs/STREAMING.md,
 * "Snapshots"): each neuron's values quantized by its own quantiles into
 * `levels` symbols (quantileSymbols), each row one sample with its label,
 * through the same engine as time bins and trials. Every update equals the
 * batch library over the quantized rows of its snapshot.
 *
 * Neurons are named by `neuronIds` or by column number, labels by their
 * text; both registries persist across snapshots so that a neuron keeps its
 * name and a class its mode. Snapshots of one size share an engine (the
 * rows of one replace the rows of the last); a snapshot of another size
 * starts a new one.
 */
export class SnapshotAnalyzer {
  private readonly units = new IdTable();
  private readonly modes = new IdTable();
  private engine: { samples: number; analyzer: SlidingWindowAnalyzer; nextBin: number } | undefined;
  private analyzed = 0;
  private lastStep = -Infinity;

  private readonly permutations: LabelPermutations | undefined;

  constructor(
    readonly options: AnalysisOptions,
    readonly values: SnapshotValues = options.snapshotValues ?? 'quantiles',
  ) {
    if (values === 'gaussian-copula' && options.surrogates > 0) this.permutations = new LabelPermutations(options.surrogates, 1, options.seed);
    if (!Number.isInteger(options.levels) || options.levels < 2 || options.levels > 255) {
      throw new RangeError(`levels must be an integer from 2 to 255, got ${options.levels}`);
    }
  }

  /** Snapshots analyzed so far. */
  get count(): number {
    return this.analyzed;
  }

  /** The update of one snapshot. Steps must not go back (a snapshot at an earlier step is refused). */
  analyze(snapshot: Snapshot): SnapshotUpdate {
    if (snapshot.step < this.lastStep) throw new RangeError(`snapshot at step ${snapshot.step} came after step ${this.lastStep}: snapshots must come in step order`);
    if (this.values === 'gaussian-copula') return this.analyzeGaussian(snapshot);
    const frame = this.frameOf(snapshot);
    const engine = this.engineFor(snapshot.samples);
    const shifted: LabeledFrame = { ...frame, firstBin: engine.nextBin };
    engine.nextBin += snapshot.samples;
    const updates = engine.analyzer.push(shifted, 0, 0);
    updates.push(...engine.analyzer.finish(engine.nextBin, 0));
    if (updates.length !== 1) throw new Error(`internal: a snapshot gave ${updates.length} updates`);
    this.lastStep = snapshot.step;
    const update = updates[0];
    return { ...update, t: snapshot.step, window: [snapshot.step, snapshot.step], step: snapshot.step, snapshot: this.analyzed++ };
  }

  /**
   * The Gaussian-copula update (GaussianSnapshotPairs): every pair from the
   * normal scores, p from permutations of the labels among the rows, and
   * the update assembled by the engine's coordinator (EmissionMerger) as
   * for every other analysis.
   */
  private analyzeGaussian(snapshot: Snapshot): SnapshotUpdate {
    const { samples, neurons } = snapshot;
    const unitOf = new Uint32Array(neurons);
    for (let c = 0; c < neurons; c++) unitOf[c] = this.units.indexOf(snapshot.neuronIds?.[c] ?? String(c));
    const label = new Int32Array(samples);
    for (let s = 0; s < samples; s++) {
      const name = snapshot.labels[s];
      label[s] = name === null ? -1 : this.modes.indexOf(name);
    }
    const model = new GaussianSnapshotPairs(snapshot.values, samples, neurons, label);
    const observed = model.pairs();
    const K = this.permutations?.count ?? 0;
    const surrogates = this.permutations === undefined ? [] : this.drawSynergies(model, K);
    const pairCount = observed.synergy.length;
    const result = { statistic: new Float64Array(pairCount), excess: new Float64Array(pairCount), beyond: new Uint32Array(pairCount), maxima: new Float64Array(K).fill(-Infinity) };
    const values = new Float64Array(1 + K);
    const ranked: TilePair[] = [];
    let left = 0;
    for (let c2 = 1, p = 0; c2 < neurons; c2++) {
      for (let c1 = 0; c1 < c2; c1++, p++) {
        if (Number.isNaN(observed.synergy[p])) {
          left++;
          continue;
        }
        values[0] = observed.synergy[p];
        let usable = true;
        for (let k = 0; k < K; k++) {
          values[1 + k] = surrogates[k][p];
          if (Number.isNaN(values[1 + k])) usable = false;
        }
        if (usable && K > 0) finishPair(p, values, 1 + K, K, result);
        const [i, j, ci, cj] = unitOf[c1] < unitOf[c2] ? [unitOf[c1], unitOf[c2], c1, c2] : [unitOf[c2], unitOf[c1], c2, c1];
        const pair: TilePair = { i, j, joint: observed.joint[p], ia: observed.single[ci], ib: observed.single[cj], synergy: observed.synergy[p] };
        if (K > 0) {
          pair.excess = result.excess[p];
          pair.beyond = usable ? result.beyond[p] : K;
        }
        ranked.push(pair);
      }
    }
    ranked.sort(comparePairs);
    const top = ranked.slice(0, Math.min(this.options.top ?? ranked.length, ranked.length));
    let significance: TileSignificance | undefined;
    if (K > 0) {
      const beyondCounts = new Uint32Array(K + 1);
      for (const pair of ranked) beyondCounts[pair.beyond!]++;
      const family = familyTests(K, K, result.maxima, beyondCounts);
      const alpha = this.options.alpha ?? DEFAULT_ALPHA;
      const candidates = ranked.map((pair) => Math.abs(pair.excess!)).filter((distance) => family.familyP(distance) <= alpha);
      significance = { available: K, effective: K, maxima: result.maxima, beyondCounts, candidates: Float64Array.from(candidates) };
    }
    // The coordinator of the engine assembles the update: a frame of the rows' labels (no counts) makes the emission due.
    const options = snapshotAnalysisOptions(this.options, samples);
    const merger = new EmissionMerger(options);
    const frame: LabeledFrame = { firstBin: 0, binCount: samples, offsets: new Uint32Array(samples + 1), unit: new Uint32Array(0), count: new Uint32Array(0), unitIds: this.units.ids, label, labelNames: this.modes.ids };
    const due = [...merger.take(frame, 0, 0), ...merger.takeFinish(samples, 0)];
    if (due.length !== 1) throw new Error(`internal: a snapshot gave ${due.length} emissions`);
    const update = merger.merge(due[0], [{ tile: 0, endBin: samples, pairs: top, ...(significance === undefined ? {} : { significance }) }]);
    // Pairs left out are not computed; the Gaussian values have no discrete floor for `normalized`.
    update.pairsComputed -= left;
    for (const pair of update.pairs) pair.normalized = pair.joint > 0 ? pair.synergy / pair.joint : null;
    this.lastStep = snapshot.step;
    const degenerate = model.degenerate.reduce((sum, flag) => sum + flag, 0);
    return {
      ...update,
      estimator: 'gaussian-copula',
      levels: 0,
      t: snapshot.step,
      window: [snapshot.step, snapshot.step],
      step: snapshot.step,
      snapshot: this.analyzed++,
      ...(left > 0 ? { degenerate: { neurons: degenerate, pairs: left } } : {}),
    };
  }

  /** Every pair's Gaussian synergy under each of K fresh permutations of the rows' labels. */
  private drawSynergies(model: GaussianSnapshotPairs, K: number): Float64Array[] {
    const n = model.rows;
    const drawn = this.permutations!.drawPermutations(model.classes);
    return Array.from({ length: K }, (_, k) => model.pairs(drawn.subarray(k * n, (k + 1) * n)).synergy);
  }

  private engineFor(samples: number): { samples: number; analyzer: SlidingWindowAnalyzer; nextBin: number } {
    if (this.engine === undefined || this.engine.samples !== samples) {
      this.engine = { samples, analyzer: new SlidingWindowAnalyzer(snapshotAnalysisOptions(this.options, samples)), nextBin: 0 };
    }
    return this.engine;
  }

  /** The snapshot's rows as a labeled count frame: each neuron's quantile symbol as its "count" (symbol 0 = silent). */
  private frameOf(snapshot: Snapshot): LabeledFrame {
    const { samples, neurons, values } = snapshot;
    const levels = this.options.levels;
    const unitOf = new Uint32Array(neurons);
    for (let c = 0; c < neurons; c++) unitOf[c] = this.units.indexOf(snapshot.neuronIds?.[c] ?? String(c));
    // Columns in registry order, so that each row's units ascend.
    const columns = Array.from({ length: neurons }, (_, c) => c).sort((x, y) => unitOf[x] - unitOf[y]);
    const symbols = new Uint8Array(samples * neurons);
    const column = new Uint8Array(samples);
    for (let c = 0; c < neurons; c++) {
      quantileSymbols(values, c, neurons, samples, levels, column);
      for (let s = 0; s < samples; s++) symbols[s * neurons + c] = column[s];
    }
    let fired = 0;
    for (let x = 0; x < symbols.length; x++) if (symbols[x] > 0) fired++;
    const offsets = new Uint32Array(samples + 1);
    const unit = new Uint32Array(fired);
    const count = new Uint32Array(fired);
    const label = new Int32Array(samples);
    let at = 0;
    for (let s = 0; s < samples; s++) {
      for (const c of columns) {
        const symbol = symbols[s * neurons + c];
        if (symbol === 0) continue;
        unit[at] = unitOf[c];
        count[at++] = symbol;
      }
      offsets[s + 1] = at;
      const name = snapshot.labels[s];
      label[s] = name === null ? -1 : this.modes.indexOf(name);
    }
    return { firstBin: 0, binCount: samples, offsets, unit, count, unitIds: this.units.ids, label, labelNames: this.modes.ids };
  }
}
