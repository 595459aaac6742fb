/**
 * The bins our analyzer sees, written for a peer in another language: the
 * events go through the analyzer's own binning and labeling operators
 * (binSpikes, attachLabels — the first two stages of analyzeStream), so the
 * bins, their modes (−1: unlabeled, dropped) and the symbols
 * min(count, levels − 1) are the ones slidingSynergy receives.
 *
 * Written to a folder:
 * - `symbols.npy`: uint8, bins × units, row r is bin `firstBin + r`, column k
 *   is unit `unitIds[k]` (the analyzer's unit index: the order units were
 *   first seen, which is also its tie order);
 * - `labels.npy`: int32, one per bin: an index into `modeNames`, or −1;
 * - `meta.json`: the PeerDataMeta below.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'npyjs';
import { Subject } from 'rxjs';
import type { LabeledFrame } from '../../src/engine/countFrame.ts';
import { attachLabels } from '../../src/operators/attachLabels.ts';
import { binSpikes } from '../../src/operators/binSpikes.ts';
import { binOf, wholeBins } from '../../src/stream/binIndex.ts';
import type { SourceEvent } from '../../src/stream/events.ts';

/** The analysis' binning and window (as in AnalysisOptions). */
export interface PeerWindow {
  binSeconds: number;
  windowSeconds: number;
  hopSeconds: number;
  levels: number;
  latenessSeconds: number;
}

/** The labeled bins the analyzer received, dense. */
export interface LabeledBins {
  /** Bin index of row 0. */
  firstBin: number;
  bins: number;
  unitIds: string[];
  modeNames: string[];
  /** bins × units, row-major: min(count, levels − 1). */
  symbols: Uint8Array;
  /** Mode index per bin, −1 unlabeled. */
  labels: Int32Array;
  /** The analyzer's first emission: the first hop boundary after the stream's start (SlidingWindowAnalyzer.push), in bins. */
  firstEmissionBin: number;
}

/** meta.json. */
export interface PeerDataMeta {
  binSeconds: number;
  windowBins: number;
  hopBins: number;
  levels: number;
  firstBin: number;
  bins: number;
  units: number;
  unitIds: string[];
  modeNames: string[];
  firstEmissionBin: number;
  /** The emissions to recompute (window [e − windowBins, e) each), in bins: the measured span. */
  emissionBins: number[];
}

/**
 * Every bin the events complete, through the analyzer's binning and labeling
 * path. The stream is not ended (no flush), as in the benchmark, where the
 * measurement stops before the source completes.
 */
export function labeledBins(events: Iterable<SourceEvent>, window: PeerWindow): LabeledBins {
  const frames: LabeledFrame[] = [];
  let startTime: number | undefined;
  const source = new Subject<SourceEvent>();
  const subscription = source
    .pipe(binSpikes({ binSeconds: window.binSeconds, latenessSeconds: window.latenessSeconds }), attachLabels({ binSeconds: window.binSeconds }))
    .subscribe((event) => {
      if (event.kind !== 'labeled-frame') return;
      frames.push(event.frame);
      startTime = event.startTime;
    });
  for (const event of events) source.next(event);
  subscription.unsubscribe();
  if (frames.length === 0 || startTime === undefined) throw new RangeError('the events complete no bin');

  const firstBin = frames[0].firstBin;
  const last = frames[frames.length - 1];
  const bins = last.firstBin + last.binCount - firstBin;
  // The binner's registry only grows: the last frame names every unit.
  const unitIds = [...last.unitIds];
  const modeNames = [...last.labelNames];
  const units = unitIds.length;
  const symbols = new Uint8Array(bins * units);
  const labels = new Int32Array(bins).fill(-1);
  const maxSymbol = window.levels - 1;
  let expected = firstBin;
  for (const frame of frames) {
    if (frame.firstBin !== expected) throw new RangeError(`frames are not consecutive: bin ${frame.firstBin} after ${expected}`);
    expected += frame.binCount;
    for (let b = 0; b < frame.binCount; b++) {
      const row = frame.firstBin + b - firstBin;
      labels[row] = frame.label[b];
      for (let k = frame.offsets[b]; k < frame.offsets[b + 1]; k++) {
        symbols[row * units + frame.unit[k]] = Math.min(frame.count[k], maxSymbol);
      }
    }
  }
  const hopBins = wholeBins(window.hopSeconds, window.binSeconds, 'hop');
  const firstEmissionBin = (binOf(startTime, window.hopSeconds) + 1) * hopBins;
  return { firstBin, bins, unitIds, modeNames, symbols, labels, firstEmissionBin };
}

/**
 * The emissions the analyzer makes at T = fromSeconds, fromSeconds + hop, …
 * (`hops` of them), in bins; each must be one of the analyzer's emissions,
 * and its window's bins all delivered.
 */
export function emissionBinsFrom(data: LabeledBins, window: PeerWindow, fromSeconds: number, hops: number): number[] {
  const hopBins = wholeBins(window.hopSeconds, window.binSeconds, 'hop');
  const first = wholeBins(fromSeconds, window.binSeconds, 'first emission');
  const emissions = Array.from({ length: hops }, (_, k) => first + k * hopBins);
  for (const e of emissions) {
    if (e < data.firstEmissionBin || (e - data.firstEmissionBin) % hopBins !== 0) {
      throw new RangeError(`bin ${e} is not an emission of the analyzer (first ${data.firstEmissionBin}, every ${hopBins} bins)`);
    }
    if (e > data.firstBin + data.bins) throw new RangeError(`the emission at bin ${e} needs bins up to ${e}, the data end at ${data.firstBin + data.bins}`);
  }
  return emissions;
}

/** Writes symbols.npy, labels.npy and meta.json to `folder`; returns the meta. */
export function writePeerData(folder: string, data: LabeledBins, window: PeerWindow, emissionBins: number[]): PeerDataMeta {
  mkdirSync(folder, { recursive: true });
  const units = data.unitIds.length;
  writeFileSync(join(folder, 'symbols.npy'), new Uint8Array(dump(data.symbols, [data.bins, units], { dtype: 'u1' })));
  writeFileSync(join(folder, 'labels.npy'), new Uint8Array(dump(data.labels, [data.bins], { dtype: 'i4' })));
  const meta: PeerDataMeta = {
    binSeconds: window.binSeconds,
    windowBins: wholeBins(window.windowSeconds, window.binSeconds, 'window'),
    hopBins: wholeBins(window.hopSeconds, window.binSeconds, 'hop'),
    levels: window.levels,
    firstBin: data.firstBin,
    bins: data.bins,
    units,
    unitIds: data.unitIds,
    modeNames: data.modeNames,
    firstEmissionBin: data.firstEmissionBin,
    emissionBins,
  };
  writeFileSync(join(folder, 'meta.json'), `${JSON.stringify(meta)}\n`);
  return meta;
}
