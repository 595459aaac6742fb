import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimate } from '../../src/estimators/estimate.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';
import type { PairInformation } from '../../src/measures/pairSynergy.ts';
import { binOf } from '../../src/stream/binIndex.ts';
import type { LabelChange, SourceEvent, SpikeBatch } from '../../src/stream/events.ts';
import { Population } from '../../simulators/population.ts';
import { labelIntervals, writeRecordingCsv, writeSpikesCsv } from '../../simulators/writeSpikesCsv.ts';

const BIN_SECONDS = 0.02;
const LEVELS = 3;

function concatSpikes(batches: readonly SpikeBatch[]): { t: Float64Array; unit: Uint32Array } {
  const length = batches.reduce((sum, batch) => sum + batch.t.length, 0);
  const t = new Float64Array(length);
  const unit = new Uint32Array(length);
  let offset = 0;
  for (const batch of batches) {
    t.set(batch.t, offset);
    unit.set(batch.unit, offset);
    offset += batch.t.length;
  }
  return { t, unit };
}

/** Counts per unit and bin over [0, seconds), clipped to LEVELS − 1. */
function binnedCounts(spikes: SpikeBatch, units: number, seconds: number): Int32Array[] {
  const bins = Math.round(seconds / BIN_SECONDS);
  const counts = Array.from({ length: units }, () => new Int32Array(bins));
  for (let i = 0; i < spikes.t.length; i++) {
    const bin = binOf(spikes.t[i], BIN_SECONDS);
    if (bin < bins) counts[spikes.unit[i]][bin]++;
  }
  for (const row of counts) for (let k = 0; k < bins; k++) row[k] = Math.min(row[k], LEVELS - 1);
  return counts;
}

/** Mode index of each bin; mode changes fall on bin boundaries, so every bin has one. */
function binnedModes(labels: readonly LabelChange[], seconds: number): Int32Array {
  const bins = Math.round(seconds / BIN_SECONDS);
  const modes = new Int32Array(bins).fill(-1);
  labels.forEach((change, i) => {
    const from = binOf(change.t, BIN_SECONDS);
    const to = i + 1 < labels.length ? binOf(labels[i + 1].t, BIN_SECONDS) : bins;
    modes.fill(Number(change.label!.slice('mode-'.length)), from, to);
  });
  return modes;
}

function pairInformation(xa: Int32Array, xb: Int32Array, y: Int32Array, from = 0, to = y.length): PairInformation {
  const samples = discretize([xa.subarray(from, to), xb.subarray(from, to), y.subarray(from, to)], [LEVELS, LEVELS, undefined]);
  return estimate(estimationData(samples), (s) => pairSynergy(s, 0, 1, 2), { estimator: 'panzeri-treves' });
}

function interSpikeIntervals(spikes: SpikeBatch, unit: number): number[] {
  const intervals: number[] = [];
  let previous = -1;
  for (let i = 0; i < spikes.t.length; i++) {
    if (spikes.unit[i] !== unit) continue;
    if (previous >= 0) intervals.push(spikes.t[i] - previous);
    previous = spikes.t[i];
  }
  return intervals;
}

function coefficientOfVariation(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

const format = (info: PairInformation): string =>
  `joint ${info.joint.toFixed(4)}  ia ${info.ia.toFixed(4)}  ib ${info.ib.toFixed(4)}  synergy ${info.synergy.toFixed(4)}`;

describe('Population: determinism and continuation', () => {
  it('gives identical arrays for the same seed and different ones for another', () => {
    const one = new Population({ units: 64, seed: 7 }).generate(0, 20);
    const two = new Population({ units: 64, seed: 7 }).generate(0, 20);
    const other = new Population({ units: 64, seed: 8 }).generate(0, 20);
    expect(one.spikes.t.length).toBeGreaterThan(1000);
    expect(Buffer.from(two.spikes.t.buffer, two.spikes.t.byteOffset, two.spikes.t.byteLength)).toEqual(
      Buffer.from(one.spikes.t.buffer, one.spikes.t.byteOffset, one.spikes.t.byteLength),
    );
    expect(Array.from(two.spikes.unit)).toEqual(Array.from(one.spikes.unit));
    expect(two.labels).toEqual(one.labels);
    expect(new Population({ units: 64, seed: 7 }).truth).toEqual(new Population({ units: 64, seed: 7 }).truth);
    expect(other.spikes.t.length === one.spikes.t.length && other.spikes.t.every((t, i) => t === one.spikes.t[i])).toBe(false);
  });

  it('continues the same process over consecutive spans, at any boundaries', () => {
    const whole = new Population({ units: 32, seed: 3 }).generate(0, 20);
    const population = new Population({ units: 32, seed: 3 });
    const cuts = [0, 10, 10, 10.00001, 12.345, 13.3, 19.99, 20];
    const parts = cuts.slice(1).map((to, i) => population.generate(cuts[i], to));
    const joined = concatSpikes(parts.map((part) => part.spikes));
    expect(Array.from(joined.t)).toEqual(Array.from(whole.spikes.t));
    expect(Array.from(joined.unit)).toEqual(Array.from(whole.spikes.unit));
    expect(parts.flatMap((part) => part.labels)).toEqual(whole.labels);
  });

  it('gives the same span however it is reached: fresh, after a jump, or after going back', () => {
    const reference = new Population({ units: 32, seed: 5 });
    reference.generate(0, 10);
    const second = reference.generate(10, 20);
    const fresh = new Population({ units: 32, seed: 5 }).generate(10, 20);
    const back = new Population({ units: 32, seed: 5 });
    back.generate(0, 30);
    const again = back.generate(10, 20);
    for (const span of [fresh, again]) {
      expect(Array.from(span.spikes.t)).toEqual(Array.from(second.spikes.t));
      expect(Array.from(span.spikes.unit)).toEqual(Array.from(second.spikes.unit));
      expect(span.labels).toEqual(second.labels);
    }
  });

  it('streams chunks in time order (labels before the spikes they cover), each closed by a heartbeat, adding up to one generate call', () => {
    const whole = new Population({ units: 32, seed: 9 }).generate(0, 15);
    const events: SourceEvent[] = [...new Population({ units: 32, seed: 9 }).stream({ chunkSeconds: 0.7, untilSeconds: 15 })];
    const batches = events.filter((e): e is SpikeBatch => e.kind === 'spikes');
    const joined = concatSpikes(batches);
    expect(Array.from(joined.t)).toEqual(Array.from(whole.spikes.t));
    expect(events.filter((e) => e.kind === 'label')).toEqual(whole.labels);
    const heartbeats = events.filter((e) => e.kind === 'heartbeat').map((e) => e.t);
    expect(heartbeats.length).toBe(Math.ceil(15 / 0.7));
    expect(heartbeats.at(-1)).toBe(15);
    // Event time never goes back: nothing is late for an analyzer with lateness 0.
    let latest = 0;
    for (const event of events) {
      if (event.kind === 'restart' || event.kind === 'snapshot') throw new Error(`a simulator never sends ${event.kind} events`);
      const first = event.kind === 'spikes' ? event.t[0] : event.kind === 'interval' || event.kind === 'gap' ? event.start : event.t;
      const last = event.kind === 'spikes' ? event.t[event.t.length - 1] : first;
      expect(first).toBeGreaterThanOrEqual(latest);
      if (event.kind === 'label') expect(first).toBeGreaterThan(latest === 0 ? -1 : latest);
      latest = last;
    }
    expect(batches.every((batch) => batch.t.length > 0 && batch.unitIds === batches[0].unitIds)).toBe(true);
  });

  it('opens a stream that starts later with the mode in force, as labelAt says', () => {
    const population = new Population({ units: 16, seed: 2 });
    const all = population.generate(0, 60).labels;
    const inForce = (t: number): string => all.filter((change) => change.t <= t).at(-1)!.label!;
    for (const t of [0, 0.5, 7.3, 20, 33.33, 59.99]) expect(population.labelAt(t)).toBe(inForce(t));
    for (const change of all) expect(population.labelAt(change.t)).toBe(change.label);
    const events = [...population.stream({ fromSeconds: 20, chunkSeconds: 5, untilSeconds: 30 })];
    expect(events[0]).toEqual({ kind: 'label', t: 20, label: inForce(20) });
    const labels = events.filter((e) => e.kind === 'label');
    expect(labels.slice(1)).toEqual(all.filter((change) => change.t > 20 && change.t < 30));
  });

  it('lists the mode changes without drawing spikes, exactly as generate gives them', () => {
    for (const seed of [2, 9]) {
      const population = new Population({ units: 8, seed, modes: 4, modeDwellSeconds: 0.7 });
      const all = population.generate(0, 90).labels;
      expect(all.length).toBeGreaterThan(50);
      expect(new Population({ units: 8, seed, modes: 4, modeDwellSeconds: 0.7 }).modeChanges(90)).toEqual(all);
      // Asked of a population that has generated spikes already, it is the same.
      expect(population.modeChanges(90)).toEqual(all);
    }
  });
});

describe('Population: spikes, rates, bursts and modes', () => {
  it('hands out sorted spikes inside the span, with valid units, and labels on the bin grid', () => {
    const population = new Population({ units: 100, seed: 11 });
    population.generate(0, 3.3);
    const { spikes, labels } = population.generate(3.3, 17.77);
    expect(spikes.unitIds).toBe(population.unitIds);
    expect(spikes.t[0]).toBeGreaterThanOrEqual(3.3);
    expect(spikes.t[spikes.t.length - 1]).toBeLessThan(17.77);
    for (let i = 1; i < spikes.t.length; i++) expect(spikes.t[i] >= spikes.t[i - 1]).toBe(true);
    for (const unit of spikes.unit) expect(unit).toBeLessThan(100);
    expect(labels.length).toBeGreaterThan(0);
    for (const change of labels) {
      expect(change.t).toBeGreaterThanOrEqual(3.3);
      expect(change.t).toBeLessThan(17.77);
      expect(Math.abs(change.t / BIN_SECONDS - Math.round(change.t / BIN_SECONDS))).toBeLessThan(1e-9);
    }
    expect(population.unitIds).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    const planted = population.truth.flatMap((pair) => [pair.a, pair.b]);
    expect(new Set([...planted, ...population.independentUnits]).size).toBe(100);
    expect(population.independentUnits.length).toBe(96);
  });

  it('fires independent units at the requested mean rate', () => {
    for (const [meanRateHz, burstiness] of [[5, undefined], [12, 0], [2, 0.8]] as const) {
      const population = new Population({ units: 200, seed: 4, meanRateHz, burstiness });
      const { spikes } = population.generate(0, 60);
      const independent = new Set(population.independentUnits.map(Number));
      let count = 0;
      for (const unit of spikes.unit) if (independent.has(unit)) count++;
      const rate = count / independent.size / 60;
      expect(Math.abs(rate - meanRateHz) / meanRateHz).toBeLessThan(0.15);
    }
  });

  it('bursts by default (ISI coefficient of variation > 1) and is Poisson at burstiness 0', () => {
    const cv = (burstiness: number | undefined): number => {
      const population = new Population({ units: 40, seed: 6, burstiness });
      const { spikes } = population.generate(0, 200);
      const values = population.independentUnits.slice(0, 20).map((id) => coefficientOfVariation(interSpikeIntervals(spikes, Number(id))));
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    const bursty = cv(undefined);
    const poisson = cv(0);
    console.log(`ISI coefficient of variation: default burstiness ${bursty.toFixed(3)}, burstiness 0 ${poisson.toFixed(3)}`);
    expect(bursty).toBeGreaterThan(1.2);
    expect(poisson).toBeGreaterThan(0.93);
    expect(poisson).toBeLessThan(1.07);
  });

  it('switches modes as a Markov chain with the requested mean dwell', () => {
    for (const modeDwellSeconds of [2, 0.5]) {
      const population = new Population({ units: 4, seed: 12, modes: 4, modeDwellSeconds });
      const seconds = 2000;
      const { labels } = population.generate(0, seconds);
      expect(labels[0].t).toBe(0);
      for (let i = 1; i < labels.length; i++) expect(labels[i].label).not.toBe(labels[i - 1].label);
      const meanDwell = labels.at(-1)!.t / (labels.length - 1);
      expect(Math.abs(meanDwell - modeDwellSeconds) / modeDwellSeconds).toBeLessThan(0.1);
      const time = new Map<string, number>();
      labels.forEach((change, i) => {
        const end = i + 1 < labels.length ? labels[i + 1].t : seconds;
        time.set(change.label!, (time.get(change.label!) ?? 0) + end - change.t);
      });
      expect([...time.keys()].sort()).toEqual(['mode-0', 'mode-1', 'mode-2', 'mode-3']);
      for (const share of time.values()) expect(Math.abs(share / seconds - 0.25)).toBeLessThan(0.05);
    }
    const single = new Population({ units: 4, modes: 1 }).generate(0, 100);
    expect(single.labels).toEqual([{ kind: 'label', t: 0, label: 'mode-0' }]);
  });

  it('generates 60 s of 1,024 units at 5 Hz well under a second', () => {
    const population = new Population({ units: 1024, seed: 1 });
    // CPU time of this process, not wall time: other processes on a loaded machine do not count against it.
    const started = process.cpuUsage();
    const { spikes } = population.generate(0, 60);
    const used = process.cpuUsage(started);
    const seconds = (used.user + used.system) / 1e6;
    console.log(`60 s × 1024 units: ${spikes.t.length} spikes in ${(seconds * 1000).toFixed(0)} ms of CPU (${(spikes.t.length / seconds / 1e6).toFixed(2)} M spikes/s)`);
    expect(spikes.t.length).toBeGreaterThan(1024 * 5 * 60 * 0.9);
    expect(seconds).toBeLessThan(1);
  });

  it('rejects impossible options with a message naming them', () => {
    expect(() => new Population({ units: 3, synergisticPairs: 1, redundantPairs: 1 })).toThrow(/need 4 units/);
    expect(() => new Population({ units: 10, plantStrength: 2 })).toThrow(/plantStrength/);
    expect(() => new Population({ units: 10, modes: 0 })).toThrow(/modes/);
    expect(() => new Population({ units: 10 }).generate(5, 4)).toThrow(/span/);
    expect(new Population({ units: 3 }).truth).toEqual([]);
  });
});

describe('Population: planted information (20 ms bins, 3 levels, panzeri-treves)', () => {
  const seconds = 600;
  const population = new Population({ units: 16, seed: 21, synergisticPairs: 2, redundantPairs: 2 });
  let counts: Int32Array[];
  let modes: Int32Array;
  const index = (id: string): number => Number(id);

  beforeAll(() => {
    const { spikes, labels } = population.generate(0, seconds);
    counts = binnedCounts(spikes, population.unitIds.length, seconds);
    modes = binnedModes(labels, seconds);
  });

  it('plants synergy in XOR pairs, redundancy in shared-input pairs, nothing in independent pairs (600 s)', () => {
    expect(modes.every((mode) => mode >= 0)).toBe(true);
    for (const pair of population.truth) {
      const info = pairInformation(counts[index(pair.a)], counts[index(pair.b)], modes);
      console.log(`600 s ${pair.kind} ${pair.a}–${pair.b}: ${format(info)}`);
      if (pair.kind === 'synergistic') {
        expect(info.synergy).toBeGreaterThan(0.12);
        expect(Math.abs(info.ia)).toBeLessThan(0.005);
        expect(Math.abs(info.ib)).toBeLessThan(0.005);
      } else {
        expect(info.synergy).toBeLessThan(-0.08);
        expect(info.ia).toBeGreaterThan(0.08);
        expect(info.ib).toBeGreaterThan(0.08);
      }
    }
    const independent = population.independentUnits.map(index);
    for (let i = 0; i + 1 < independent.length; i += 2) {
      const info = pairInformation(counts[independent[i]], counts[independent[i + 1]], modes);
      console.log(`600 s independent ${independent[i]}–${independent[i + 1]}: ${format(info)}`);
      expect(Math.abs(info.synergy)).toBeLessThan(0.005);
      expect(Math.abs(info.joint)).toBeLessThan(0.005);
    }
  });

  it('detects the planted pairs in every 60 s window', () => {
    const windowBins = Math.round(60 / BIN_SECONDS);
    const byKind = new Map<string, number[]>();
    for (let from = 0; from + windowBins <= modes.length; from += windowBins) {
      for (const pair of population.truth) {
        const info = pairInformation(counts[index(pair.a)], counts[index(pair.b)], modes, from, from + windowBins);
        byKind.set(pair.kind, [...(byKind.get(pair.kind) ?? []), info.synergy]);
        if (pair.kind === 'synergistic') expect(info.synergy).toBeGreaterThan(0.06);
        else expect(info.synergy).toBeLessThan(-0.04);
      }
      const [a, b] = population.independentUnits.map(index);
      const info = pairInformation(counts[a], counts[b], modes, from, from + windowBins);
      byKind.set('independent', [...(byKind.get('independent') ?? []), info.synergy]);
      expect(Math.abs(info.synergy)).toBeLessThan(0.03);
    }
    for (const [kind, values] of byKind) {
      const mean = values.reduce((x, y) => x + y, 0) / values.length;
      const sd = Math.sqrt(values.reduce((x, y) => x + (y - mean) ** 2, 0) / values.length);
      console.log(`60 s windows, ${kind}: synergy ${mean.toFixed(4)} ± ${sd.toFixed(4)} bits (min ${Math.min(...values).toFixed(4)}, max ${Math.max(...values).toFixed(4)})`);
    }
  });
});

describe('writeSpikesCsv', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'population-csv-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes a recording as spikes and label interval CSVs that read back exactly', async () => {
    const population = new Population({ units: 20, seed: 13 });
    const spikesPath = join(folder, 'spikes.csv');
    const labelsPath = join(folder, 'labels.csv');
    const written = await writeRecordingCsv(population, { spikesPath, labelsPath, untilSeconds: 30, chunkSeconds: 7 });
    const reference = new Population({ units: 20, seed: 13 }).generate(0, 30);
    expect(written.spikes).toBe(reference.spikes.t.length);

    const spikeLines = (await readFile(spikesPath, 'utf8')).trimEnd().split('\n');
    expect(spikeLines[0]).toBe('unit,t');
    expect(spikeLines.length - 1).toBe(reference.spikes.t.length);
    spikeLines.slice(1).forEach((line, i) => {
      const [unit, t] = line.split(',');
      if (unit !== reference.spikes.unitIds[reference.spikes.unit[i]] || Number(t) !== reference.spikes.t[i]) {
        throw new Error(`line ${i + 2} is ${line}`);
      }
    });

    const labelLines = (await readFile(labelsPath, 'utf8')).trimEnd().split('\n');
    expect(labelLines[0]).toBe('start,end,label');
    const intervals = labelLines.slice(1).map((line) => {
      const [start, end, label] = line.split(',');
      return { start: Number(start), end: Number(end), label };
    });
    expect(intervals.length).toBe(written.intervals);
    expect(intervals).toEqual(labelIntervals(reference.labels, 30));
    expect(intervals[0].start).toBe(0);
    expect(intervals.at(-1)!.end).toBe(30);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i].start).toBe(intervals[i - 1].end);
  });

  it('writes batches from any source, quoting ids that need it', async () => {
    const path = join(folder, 'batch.csv');
    const batch: SpikeBatch = { kind: 'spikes', t: Float64Array.of(0.1, 0.25), unit: Uint32Array.of(1, 0), unitIds: ['a,b', 'c'] };
    expect(await writeSpikesCsv(path, [batch, batch])).toBe(4);
    expect(await readFile(path, 'utf8')).toBe('unit,t\nc,0.1\n"a,b",0.25\nc,0.1\n"a,b",0.25\n');
  });

  it('turns change points into intervals, leaving gaps out', () => {
    const changes: LabelChange[] = [
      { kind: 'label', t: 0, label: 'a' },
      { kind: 'label', t: 1, label: null },
      { kind: 'label', t: 2, label: 'b' },
      { kind: 'label', t: 5, label: 'c' },
    ];
    expect(labelIntervals(changes, 4)).toEqual([
      { start: 0, end: 1, label: 'a' },
      { start: 2, end: 4, label: 'b' },
    ]);
  });
});
