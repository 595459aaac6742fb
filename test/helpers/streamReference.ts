/**
 * An independent batch computation of what a stream's emissions must be
 * (DESIGN §3): from the raw events in arrival order, which spikes are late,
 * each bin's counts and label, the emission times and windows, and every
 * pair's measures through the batch library (discretize → estimate). Written
 * plainly, sharing nothing with the engine but the batch library, the
 * surrogate lag schedule and, for `shuffle`, the keys that put each mode's
 * bins in a random cyclic order and the generators of the surrogates'
 * cycles (the cycles are built here).
 */
import { estimate, type EstimatorName } from '../../src/estimators/estimate.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';
import { AUTO_LAG_STEP_MAX_SECONDS, autoLagStep, labelLags } from '../../src/engine/labelLagSchedule.ts';
import { ShuffleOrderKeys } from '../../src/estimators/withinModeCycles.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import { compareUnitIds, outputUnitId, type UnitId } from '../../src/stream/unitIds.ts';

export interface ReferenceOptions {
  binSeconds: number;
  windowSeconds: number;
  hopSeconds: number;
  levels: number;
  estimator: EstimatorName;
  latenessSeconds: number;
  surrogates: number;
  seed: number;
  /** Label-lag spacing, seconds (default 1), or 'auto': the mean mode dwell so far, emission by emission. */
  lagStepSeconds?: number | 'auto';
}

export interface ReferenceSignificance {
  /** Lags whose shifted window lies after the start. */
  available: number;
  effective: number;
  minP: number;
  /** excess, p, p_fwer and p_fwer_tail of a pair by unit ids (either order). */
  pair(a: UnitId, b: UnitId): { excess: number; p: number; p_fwer: number; p_fwer_tail: number; q: number };
  /** Pairs with p_fwer ≤ alpha. */
  significant(alpha: number): number;
  /** Pairs with Benjamini–Hochberg q ≤ alpha. */
  discoveries(alpha: number): number;
}

export interface ReferencePair {
  joint: number;
  ia: number;
  ib: number;
  synergy: number;
}

export interface ReferenceEmission {
  t: number;
  samples: number;
  unlabeled: number;
  labels: Map<string, number>;
  /** Unit ids known, in order of first (accepted) arrival. */
  unitOrder: string[];
  /** Measures of a pair given unit ids (ia is a's, ib is b's), as text or as the update writes them. */
  pair(a: UnitId, b: UnitId): ReferencePair;
  /** Label-lag significance over all pairs among the first `units` units (surrogates > 0). */
  significance(units: number): ReferenceSignificance;
  /** All pairs among the first `units` units, by |synergy| (1e-12 resolution) then index, named as updates name them (canonical order, numeric ids as numbers). */
  ranked(units: number): Array<{ a: UnitId; b: UnitId; synergy: number }>;
}

const binOf = (t: number, b: number) => Math.floor(t / b + 1e-9);

/**
 * The emissions of a stream. A restart event ends one analysis (time moved
 * to the end of the last window holding its data) and starts another: each
 * part is computed on its own.
 */
export function referenceEmissions(events: readonly SourceEvent[], o: ReferenceOptions): {
  emissions: ReferenceEmission[];
  late: number;
} {
  const emissions: ReferenceEmission[] = [];
  let late = 0;
  let part: SourceEvent[] = [];
  const finishPart = () => {
    const result = referencePart(part, o);
    emissions.push(...result.emissions);
    late += result.late;
  };
  for (const event of events) {
    if (event.kind !== 'restart') {
      part.push(event);
      continue;
    }
    if (Number.isFinite(event.from)) part.push({ kind: 'heartbeat', t: Math.min(event.at, event.from + o.windowSeconds + o.latenessSeconds + o.binSeconds) });
    finishPart();
    part = [];
  }
  finishPart();
  return { emissions, late };
}

function referencePart(events: readonly SourceEvent[], o: ReferenceOptions): {
  emissions: ReferenceEmission[];
  late: number;
} {
  const b = o.binSeconds;
  // 1. Late spikes and accepted events, in arrival order. The first event is the earliest.
  // A spike is late if its bin ends at or before (latest time seen before it) − lateness.
  let completedBefore = -Infinity;
  let latest = -Infinity;
  let start = Infinity;
  let late = 0;
  const counts = new Map<number, Map<string, number>>();
  const unitOrder: string[] = [];
  const changes: Array<{ t: number; label: string | null }> = [];
  const intervals: Array<{ start: number; end: number; label: string }> = [];
  const gaps: Array<{ start: number; end: number }> = [];
  for (const event of events) {
    if (event.kind === 'spikes') {
      for (let i = 0; i < event.t.length; i++) {
        const t = event.t[i];
        const bin = binOf(t, b);
        if (bin < completedBefore) {
          late++;
          continue;
        }
        const id = event.unitIds[event.unit[i]];
        if (!unitOrder.includes(id)) unitOrder.push(id);
        const perBin = counts.get(bin) ?? new Map<string, number>();
        perBin.set(id, (perBin.get(id) ?? 0) + 1);
        counts.set(bin, perBin);
        latest = Math.max(latest, t);
        start = Math.min(start, t);
        // Lateness is judged spike by spike against the latest time before it.
        completedBefore = Math.max(completedBefore, binOf(latest - o.latenessSeconds, b));
      }
    } else if (event.kind === 'label') {
      changes.push({ t: event.t, label: event.label });
      latest = Math.max(latest, event.t);
      start = Math.min(start, event.t);
    } else if (event.kind === 'heartbeat') {
      latest = Math.max(latest, event.t);
      start = Math.min(start, event.t);
    } else if (event.kind === 'gap') {
      // A gap with the start of an earlier one replaces it.
      const same = gaps.findIndex((gap) => gap.start === event.start);
      if (same >= 0) gaps.splice(same, 1);
      // An empty gap only removes the earlier one.
      if (event.end > event.start) gaps.push({ start: event.start, end: event.end });
    } else if (event.kind === 'interval') {
      intervals.push({ start: event.start, end: event.end, label: event.label });
      start = Math.min(start, event.start);
    }
    completedBefore = Math.max(completedBefore, binOf(latest - o.latenessSeconds, b));
  }
  // Change points become intervals, each holding until the next change.
  changes.forEach((change, k) => {
    if (change.label === null) return;
    const end = k + 1 < changes.length ? changes[k + 1].t : Infinity;
    if (end > change.t) intervals.push({ start: change.t, end, label: change.label });
  });
  const labelNames: string[] = [];
  for (const event of events) {
    const label = event.kind === 'label' ? event.label : event.kind === 'interval' ? event.label : null;
    if (label !== null && !labelNames.includes(label)) labelNames.push(label);
  }
  // 2. A bin's label: exactly one label touches it, its intervals cover it, and no data gap touches it.
  const tol = 1e-9 * b;
  const labelOfBin = (k: number): number => {
    const lo = k * b;
    const hi = (k + 1) * b;
    if (gaps.some((gap) => gap.start < hi - tol && gap.end > lo + tol)) return -1;
    const touching = intervals
      .filter((iv) => iv.start < hi - tol && iv.end > lo + tol)
      .sort((x, y) => x.start - y.start);
    if (touching.length === 0) return -1;
    if (new Set(touching.map((iv) => iv.label)).size > 1) return -1;
    let covered = lo + tol;
    for (const iv of touching) {
      if (iv.start > covered) return -1;
      covered = Math.max(covered, iv.end);
    }
    return covered >= hi - tol ? labelNames.indexOf(touching[0].label) : -1;
  };
  // 3. Emissions at T = m·hop, first later than the start, last at or before the latest time.
  const windowBins = Math.round(o.windowSeconds / b);
  const hopBins = Math.round(o.hopSeconds / b);
  const startBin = binOf(start, b);
  const emissions: ReferenceEmission[] = [];
  const firstM = Math.floor(start / o.hopSeconds + 1e-9) + 1;
  const lastM = Math.floor(latest / o.hopSeconds + 1e-9);
  const modes = Math.max(1, labelNames.length);
  // The automatic lag step follows the mean dwell of the labels up to each emission, in order (autoLagStep's hysteresis).
  const minStepBins = Math.max(1, Math.round(1 / b));
  const maxStepBins = Math.max(minStepBins, Math.round(AUTO_LAG_STEP_MAX_SECONDS / b));
  let autoStepBins = minStepBins;
  // The mode stretches of the label stream from the start up to a bin: their count and mean length (the dwell), bins.
  const modeStretches = (endBin: number): { dwell: number; runs: number } => {
    let labeled = 0;
    let runs = 0;
    let previous = -1;
    for (let k = startBin; k < endBin; k++) {
      const label = labelOfBin(k);
      if (label >= 0) {
        labeled++;
        if (label !== previous) runs++;
      }
      previous = label;
    }
    return { dwell: runs === 0 ? 0 : labeled / runs, runs };
  };
  for (let m = firstM; m <= lastM; m++) {
    const endBin = m * hopBins;
    let stepBinsHere = Math.round((o.lagStepSeconds === 'auto' ? 1 : (o.lagStepSeconds ?? 1)) / b);
    if (o.lagStepSeconds === 'auto' && o.surrogates > 0) {
      const { dwell, runs } = modeStretches(endBin);
      autoStepBins = autoLagStep(dwell, runs, autoStepBins, minStepBins, maxStepBins);
      stepBinsHere = autoStepBins;
    }
    const bins: number[] = [];
    for (let k = Math.max(endBin - windowBins, startBin); k < endBin; k++) bins.push(k);
    const labelsOfBins = bins.map(labelOfBin);
    const symbol = (k: number, id: string) => Math.min(counts.get(k)?.get(id) ?? 0, o.levels - 1);
    const labeledBins = bins.filter((_, w) => labelsOfBins[w] >= 0);
    const labels = new Map<string, number>();
    for (const name of labelNames) labels.set(name, 0);
    labelsOfBins.forEach((label) => {
      if (label >= 0) labels.set(labelNames[label], labels.get(labelNames[label])! + 1);
    });
    // `pairing`: the shuffle's within-mode cycles of the samples (the window's own, or a surrogate's).
    const measure = (a: string, bId: string, keep: number[], mode: number[], pairing: () => Int32Array): ReferencePair => {
      const data = estimationData(
        discretize([keep.map((k) => symbol(k, a)), keep.map((k) => symbol(k, bId)), mode], [o.levels, o.levels, modes]),
        keep.map((k) => k % 4),
      );
      const shufflePartner = o.estimator === 'shuffle' ? pairing() : undefined;
      return estimate(data, (s) => pairSynergy(s, 0, 1, 2), { estimator: o.estimator, seed: o.seed, shufflePartner });
    };
    const windowOrder = new ShuffleOrderKeys(o.seed, 'window');
    const labeledModes = labeledBins.map((k) => labelsOfBins[bins.indexOf(k)]);
    const windowPairing = () => keyOrderCycles(labeledBins, labeledModes, windowOrder);
    const pair = (aId: UnitId, bUnit: UnitId): ReferencePair => {
      // Measured in the order the units were first seen, as the engine does (the shuffle's pairing is not symmetric), then named as asked.
      if (unitOrder.indexOf(String(aId)) > unitOrder.indexOf(String(bUnit))) {
        const swapped = pairInOrder(String(bUnit), String(aId));
        return { ...swapped, ia: swapped.ib, ib: swapped.ia };
      }
      return pairInOrder(String(aId), String(bUnit));
    };
    const pairInOrder = (a: string, bId: string): ReferencePair => measure(a, bId, labeledBins, labeledModes, windowPairing);
    // Significance: plug-in synergy of every pair against the label stream lag bins earlier (SCIENCE.md).
    const significance = (units: number): ReferenceSignificance => {
      const stepBins = stepBinsHere;
      const lags = labelLags(o.surrogates, stepBins, o.seed);
      const windowStart = endBin - windowBins;
      const usable = Array.from(lags).filter((lag) => windowStart - lag >= startBin);
      const { dwell } = modeStretches(endBin);
      const effective = usable.length === 0 ? 0 : Math.max(1, Math.min(usable.length, Math.floor((usable.length * stepBins) / Math.max(stepBins, dwell) + 1e-9)));
      const plugin = (a: string, bId: string, keep: number[], mode: number[]) =>
        estimate(estimationData(discretize([keep.map((k) => symbol(k, a)), keep.map((k) => symbol(k, bId)), mode], [o.levels, o.levels, modes])), (src) => pairSynergy(src, 0, 1, 2), {
          estimator: 'plugin',
        }).synergy;
      const ids = unitOrder.slice(0, units);
      const keys: string[] = [];
      const observed: number[] = [];
      const surrogate: number[][] = usable.map(() => []);
      for (let j = 1; j < ids.length; j++) {
        for (let i = 0; i < j; i++) {
          keys.push(`${ids[i]}|${ids[j]}`);
          observed.push(plugin(ids[i], ids[j], labeledBins, labeledBins.map((k) => labelsOfBins[bins.indexOf(k)])));
          usable.forEach((lag, k) => {
            const keep = bins.filter((bin) => bin - lag >= startBin && labelOfBin(bin - lag) >= 0);
            surrogate[k].push(plugin(ids[i], ids[j], keep, keep.map((bin) => labelOfBin(bin - lag))));
          });
        }
      }
      const pOf = (count: number) => (usable.length === 0 ? 1 : (1 + (effective * count) / usable.length) / (1 + effective));
      // Each pair centred on the mean of its values over the real alignment and the surrogates; two-sided, max-T over pairs.
      const centred = observed.map((value, q) => {
        const all = [value, ...surrogate.map((values) => values[q])];
        const mean = all.reduce((x, y) => x + y, 0) / all.length;
        return all.map((x) => x - mean);
      });
      const maxima = usable.map((_, k) => Math.max(...centred.map((values) => Math.abs(values[k + 1]))));
      // The tail of the maxima: a Gumbel fit by moments, once 19 of them are effectively independent.
      const mean = maxima.reduce((x, y) => x + y, 0) / maxima.length;
      const sd = Math.sqrt(maxima.reduce((x, y) => x + (y - mean) ** 2, 0) / (maxima.length - 1));
      const beta = (sd * Math.sqrt(6)) / Math.PI;
      const mu = mean - 0.5772156649015329 * beta;
      const test = (q: number) => {
        const reach = Math.abs(centred[q][0]) - 1e-12;
        const pFwer = pOf(maxima.filter((max) => max >= reach).length);
        const tail = effective >= 19 ? Math.min(pFwer, 1 - Math.exp(-Math.exp(-(Math.abs(centred[q][0]) - mu) / beta))) : pFwer;
        return {
          excess: usable.length === 0 ? 0 : centred[q][0],
          p: pOf(centred[q].slice(1).filter((x) => Math.abs(x) >= reach).length),
          p_fwer: pFwer,
          p_fwer_tail: tail,
        };
      };
      // Benjamini–Hochberg over every pair's own p, by its definition: q_i = min over p_j ≥ p_i of min(1, p_j·P / #{p_k ≤ p_j}).
      const ownP = observed.map((_, q) => test(q).p);
      const qOf = (q: number) => Math.min(1, ...ownP.filter((pj) => pj >= ownP[q]).map((pj) => (pj * ownP.length) / ownP.filter((pk) => pk <= pj).length));
      return {
        available: usable.length,
        effective,
        minP: 1 / (1 + effective),
        pair: (x: UnitId, y: UnitId) => {
          const q = keys.indexOf(`${x}|${y}`) >= 0 ? keys.indexOf(`${x}|${y}`) : keys.indexOf(`${y}|${x}`);
          return { ...test(q), q: qOf(q) };
        },
        discoveries: (alpha: number) => ownP.filter((_, q) => qOf(q) <= alpha + 1e-12).length,
        significant: (alpha: number) => (usable.length === 0 || 1 / (1 + effective) > alpha ? 0 : observed.filter((_, q) => test(q).p_fwer <= alpha).length),
      };
    };
    emissions.push({
      t: m * o.hopSeconds,
      samples: labeledBins.length,
      unlabeled: bins.length - labeledBins.length,
      labels,
      unitOrder,
      pair,
      significance,
      ranked(units: number) {
        const all: Array<{ a: string; b: string; synergy: number; i: number; j: number }> = [];
        for (let i = 0; i < units; i++) {
          for (let j = i + 1; j < units; j++) {
            const synergy = measure(unitOrder[i], unitOrder[j], labeledBins, labeledModes, windowPairing).synergy;
            all.push({ a: unitOrder[i], b: unitOrder[j], synergy, i, j });
          }
        }
        const key = (s: number) => Math.round(Math.abs(s) * 1e12);
        return all
          .sort((x, y) => key(y.synergy) - key(x.synergy) || x.i - y.i || x.j - y.j)
          .map(({ a, b, synergy }) => {
            const [first, second] = compareUnitIds(a, b) <= 0 ? [a, b] : [b, a];
            return { a: outputUnitId(first), b: outputUnitId(second), synergy };
          });
      },
    });
  }
  return { emissions, late };
}

/**
 * The shuffle's pairing of samples (bins `keep`, modes `mode`): within each
 * mode, the bins in ascending key order, each paired with the next,
 * the last with the first.
 */
function keyOrderCycles(keep: readonly number[], mode: readonly number[], order: ShuffleOrderKeys): Int32Array {
  const partner = new Int32Array(keep.length);
  const byMode = new Map<number, number[]>();
  keep.forEach((_, s) => {
    const samples = byMode.get(mode[s]) ?? [];
    samples.push(s);
    byMode.set(mode[s], samples);
  });
  for (const samples of byMode.values()) {
    samples.sort((x, y) => order.key(keep[x]) - order.key(keep[y]));
    samples.forEach((s, r) => (partner[s] = samples[(r + 1) % samples.length]));
  }
  return partner;
}
