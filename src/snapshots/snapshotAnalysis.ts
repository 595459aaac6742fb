import type { LabeledFrame } from '../engine/countFrame.ts';
import { SlidingWindowAnalyzer } from '../engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { IdTable } from '../stream/idTable.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { quantileSymbols } from './quantileSymbols.ts';
import type { Snapshot } from './snapshot.ts';

/** An update of one snapshot: the usual fields, with `t` = the step and `samples` its labeled rows. */
export interface SnapshotUpdate extends SynergyUpdate {
  /** The training step of the snapshot (also `t`). */
  step: number;
  /** Snapshots analyzed before this one. */
  snapshot: number;
}

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

  constructor(readonly options: AnalysisOptions) {
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
