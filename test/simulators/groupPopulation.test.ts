import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecording } from '../../adapters/openRecording.ts';
import { GroupPopulation, writeGroupPopulation, type GroupPopulationOptions } from '../../simulators/groupPopulation.ts';
import { Population } from '../../simulators/population.ts';
import { labelIntervals } from '../../simulators/writeSpikesCsv.ts';
import { PluginSource } from '../../src/estimators/pluginSource.ts';
import { readGroupsFile } from '../../src/groups/groupSpec.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { groupSynergy } from '../../src/measures/groupSynergy.ts';
import type { InformationSource } from '../../src/measures/informationSource.ts';
import { mutualInformation } from '../../src/measures/mutualInformation.ts';
import { oInformation } from '../../src/measures/oInformation.ts';
import { oInformationGradient } from '../../src/measures/oInformationGradient.ts';
import { binOf } from '../../src/stream/binIndex.ts';
import type { LabelChange, SourceEvent, SpikeBatch } from '../../src/stream/events.ts';

const BIN_SECONDS = 0.02;
const SECONDS = 300;
const SWITCH_SECONDS = 150;
const STRENGTH = 0.9;

const OPTIONS: GroupPopulationOptions = {
  seed: 5,
  regions: [
    { name: 'CA1', kind: 'synergistic', units: 4 },
    { name: 'PFC', kind: 'redundant', units: 4 },
    { name: 'V1', kind: 'independent', units: 6 },
  ],
  multiplets: [{ order: 3 }, { order: 4 }],
  switchSeconds: SWITCH_SECONDS,
  strength: STRENGTH,
  binSecondsHint: BIN_SECONDS,
};

/** Binary entropy, bits. */
const h = (p: number) => (p <= 0 || p >= 1 ? 0 : -p * Math.log2(p) - (1 - p) * Math.log2(1 - p));
/** I(parity; bit) of a code of strength s about a fair bit: the parity is the bit through a binary symmetric channel of error (1 − s)/2. */
const codedBits = (s: number) => 1 - h((1 + s) / 2);

/** Counts per unit and bin over [0, seconds), clipped to levels − 1. */
function binnedCounts(spikes: SpikeBatch, units: number, seconds: number, levels: number): Int32Array[] {
  const bins = Math.round(seconds / BIN_SECONDS);
  const counts = Array.from({ length: units }, () => new Int32Array(bins));
  for (let i = 0; i < spikes.t.length; i++) {
    const bin = binOf(spikes.t[i], BIN_SECONDS);
    if (bin < bins) counts[spikes.unit[i]][bin]++;
  }
  for (const row of counts) for (let k = 0; k < bins; k++) row[k] = Math.min(row[k], levels - 1);
  return counts;
}

/** Mode index of each bin (changes lie on the bin grid). */
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

/** A plug-in source over the given units (columns 0 … k − 1) and the mode (column k), over bins [from, to). */
function sourceOf(counts: readonly Int32Array[], units: readonly string[], modes: Int32Array, levels: number, from = 0, to = modes.length): InformationSource {
  const columns = [...units.map((id) => counts[Number(id)].subarray(from, to)), modes.subarray(from, to)];
  const samples = discretize(columns, [...units.map(() => levels), undefined]);
  return new PluginSource(estimationData(samples).table);
}

/** Every non-empty proper subset of 0 … n − 1. */
function properSubsets(n: number): number[][] {
  const subsets: number[][] = [];
  for (let mask = 1; mask < (1 << n) - 1; mask++) subsets.push([...Array(n).keys()].filter((k) => mask & (1 << k)));
  return subsets;
}

function concat(batches: readonly SpikeBatch[]): { t: number[]; unit: number[] } {
  return { t: batches.flatMap((batch) => Array.from(batch.t)), unit: batches.flatMap((batch) => Array.from(batch.unit)) };
}

const fixed = (value: number) => value.toFixed(4);

describe('GroupPopulation: layout, determinism, continuation', () => {
  it('names units by region, multiplet and switching group, in the order given', () => {
    const population = new GroupPopulation(OPTIONS);
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, k) => String(from + k));
    expect(population.regions).toEqual({ CA1: ids(0, 4), PFC: ids(4, 4), V1: ids(8, 6), parity3: ids(14, 3), parity4: ids(17, 4), switch: ids(21, 4) });
    expect(population.unitIds).toEqual(ids(0, 25));
    expect(population.groups()).toEqual(Object.entries(population.regions).map(([name, units]) => ({ name, units })));
    expect(population.independentUnits).toEqual(ids(8, 6));
    expect(population.switchAtSeconds).toBe(SWITCH_SECONDS);
    expect(population.planted.map((p) => [p.kind, p.group, p.units.join(' ')])).toEqual([
      ['xor-pair', 'CA1', '0 1'],
      ['xor-pair', 'CA1', '2 3'],
      ['shared-input-pair', 'PFC', '4 5'],
      ['shared-input-pair', 'PFC', '6 7'],
      ['parity', 'parity3', '14 15 16'],
      ['parity', 'parity4', '17 18 19 20'],
      ['switch', 'switch', '21 22 23 24'],
    ]);
    expect(new GroupPopulation({ switchSeconds: 1.001, binSecondsHint: 0.02 }).switchAtSeconds).toBeCloseTo(1.02, 12);
    expect(() => new GroupPopulation({ regions: [{ name: 'x', kind: 'synergistic', units: 3 }] })).toThrow(/an even number ≥ 2/);
    expect(() => new GroupPopulation({ regions: [{ name: 'parity3', kind: 'independent', units: 2 }], multiplets: [{ order: 3 }] })).toThrow(/used twice/);
  });

  it('gives identical arrays for one seed, others for another, and continues over consecutive spans', () => {
    const one = new GroupPopulation(OPTIONS).generate(0, 30);
    const two = new GroupPopulation(OPTIONS).generate(0, 30);
    const other = new GroupPopulation({ ...OPTIONS, seed: 6 }).generate(0, 30);
    expect(one.spikes.t.length).toBeGreaterThan(10_000);
    expect(Array.from(two.spikes.t)).toEqual(Array.from(one.spikes.t));
    expect(Array.from(two.spikes.unit)).toEqual(Array.from(one.spikes.unit));
    expect(two.labels).toEqual(one.labels);
    expect(Array.from(other.spikes.t).slice(0, 100)).not.toEqual(Array.from(one.spikes.t).slice(0, 100));

    const population = new GroupPopulation(OPTIONS);
    const cuts = [0, 7.5, 7.5, 10.013, 19.99, 30];
    const parts = cuts.slice(1).map((to, k) => population.generate(cuts[k], to));
    const joined = concat(parts.map((part) => part.spikes));
    expect(joined.t).toEqual(Array.from(one.spikes.t));
    expect(joined.unit).toEqual(Array.from(one.spikes.unit));
    expect(parts.flatMap((part) => part.labels)).toEqual(one.labels);
    // Going back regenerates the same span.
    const again = population.generate(10.013, 19.99);
    expect(Array.from(again.spikes.t)).toEqual(Array.from(parts[3].spikes.t));
  });

  it('has Population’s modes for the same seed, and streams what generate gives', () => {
    const whole = new GroupPopulation(OPTIONS).generate(0, 40);
    expect(whole.labels).toEqual(new Population({ units: 0, seed: 5, modes: 2, binSecondsHint: BIN_SECONDS }).generate(0, 40).labels);
    const events: SourceEvent[] = [...new GroupPopulation(OPTIONS).stream({ chunkSeconds: 0.7, untilSeconds: 40 })];
    const batches = events.filter((e): e is SpikeBatch => e.kind === 'spikes');
    expect(concat(batches).t).toEqual(Array.from(whole.spikes.t));
    expect(events.filter((e) => e.kind === 'label')).toEqual(whole.labels);
    expect(events.filter((e) => e.kind === 'heartbeat').at(-1)).toEqual({ kind: 'heartbeat', t: 40 });
    const later = [...new GroupPopulation(OPTIONS).stream({ fromSeconds: 20, chunkSeconds: 5, untilSeconds: 30 })];
    const inForce = whole.labels.filter((change) => change.t <= 20).at(-1)!.label;
    expect(later[0]).toEqual({ kind: 'label', t: 20, label: inForce });
  });
});

describe('GroupPopulation: rates and measured information (plug-in, 300 s of 20 ms bins)', () => {
  const population = new GroupPopulation(OPTIONS);
  let spikes: SpikeBatch;
  let modes: Int32Array;
  let counts2: Int32Array[];
  let counts3: Int32Array[];
  beforeAll(() => {
    const span = population.generate(0, SECONDS);
    spikes = span.spikes;
    modes = binnedModes(span.labels, SECONDS);
    counts2 = binnedCounts(spikes, population.unitIds.length, SECONDS, 2);
    counts3 = binnedCounts(spikes, population.unitIds.length, SECONDS, 3);
  });

  it('fires planted units once in half the bins (25 Hz) and independent units at meanRateHz, spikes sorted inside their bins', () => {
    let unsorted = 0;
    for (let i = 1; i < spikes.t.length; i++) if (spikes.t[i] < spikes.t[i - 1]) unsorted++;
    expect(unsorted).toBe(0);
    const perUnit = new Array<number>(population.unitIds.length).fill(0);
    for (const unit of spikes.unit) perUnit[unit]++;
    const independent = new Set(population.independentUnits.map(Number));
    const rates = perUnit.map((n) => n / SECONDS);
    const plantedRates = rates.filter((_, unit) => !independent.has(unit));
    const independentRates = rates.filter((_, unit) => independent.has(unit));
    console.log(`rates: planted ${Math.min(...plantedRates).toFixed(2)}–${Math.max(...plantedRates).toFixed(2)} Hz, independent ${Math.min(...independentRates).toFixed(2)}–${Math.max(...independentRates).toFixed(2)} Hz`);
    for (const rate of plantedRates) expect(Math.abs(rate - 0.5 / BIN_SECONDS)).toBeLessThan(0.03 * 25);
    const meanIndependent = independentRates.reduce((a, b) => a + b, 0) / independentRates.length;
    expect(Math.abs(meanIndependent - 5)).toBeLessThan(0.25);
    // A planted unit never fires twice in a bin: levels 2 and 3 see the same symbols.
    const differing = population.unitIds.map(Number).filter((u) => !independent.has(u) && counts3[u].some((count, bin) => count !== counts2[u][bin]));
    expect(differing).toEqual([]);
  });

  it('multiplets: every proper subset carries nothing about the mode, the whole multiplet carries the parity’s information', () => {
    const expected = codedBits(STRENGTH);
    for (const name of ['parity3', 'parity4']) {
      const units = population.regions[name];
      const source = sourceOf(counts2, units, modes, 2);
      const y = units.length;
      const subsets = properSubsets(units.length).map((subset) => mutualInformation(source, subset, [y]));
      const whole = mutualInformation(source, [...units.keys()], [y]);
      const synergy = groupSynergy(source, [...units.keys()], y);
      const omega = oInformation(source, [...units.keys(), y]);
      const gradient = oInformationGradient(source, [...units.keys()], y);
      console.log(
        `${name}: max I(X_sub;Y) over ${subsets.length} proper subsets ${Math.max(...subsets).toExponential(2)}, I(X_S;Y) ${fixed(whole)} (analytic ${fixed(expected)}), group synergy ${fixed(synergy)}, Ω(X,Y) ${fixed(omega)}, ∂_YΩ ${fixed(gradient)}`,
      );
      for (const value of subsets) expect(value).toBeLessThan(0.003);
      expect(Math.abs(whole - expected)).toBeLessThan(0.04);
      expect(synergy).toBeGreaterThan(expected - 0.05);
      expect(omega).toBeLessThan(-0.3);
      expect(gradient).toBeLessThan(-0.3);
      // Levels 3 gives the same values (binary units).
      expect(mutualInformation(sourceOf(counts3, units, modes, 3), [...units.keys()], [y])).toBeCloseTo(whole, 12);
    }
  });

  it('regions: XOR pairs synergistic, shared-input pairs redundant, independent units carry nothing', () => {
    const expected = codedBits(STRENGTH);
    for (const planted of population.planted.filter((p) => p.kind === 'xor-pair' || p.kind === 'shared-input-pair')) {
      const source = sourceOf(counts3, planted.units, modes, 3);
      const ia = mutualInformation(source, [0], [2]);
      const ib = mutualInformation(source, [1], [2]);
      const synergy = groupSynergy(source, [0, 1], 2);
      console.log(`${planted.group} ${planted.kind} ${planted.units.join(',')}: I(a;Y) ${fixed(ia)}, I(b;Y) ${fixed(ib)}, synergy ${fixed(synergy)}`);
      if (planted.kind === 'xor-pair') {
        expect(Math.max(ia, ib)).toBeLessThan(0.002);
        expect(Math.abs(synergy - expected)).toBeLessThan(0.04);
      } else {
        expect(Math.min(ia, ib)).toBeGreaterThan(0.3);
        expect(synergy).toBeLessThan(-0.2);
      }
    }
    const independent = population.regions.V1;
    const source = sourceOf(counts3, independent, modes, 3);
    const y = independent.length;
    const single = independent.map((_, k) => mutualInformation(source, [k], [y]));
    const pairwise = independent.flatMap((_, a) => independent.map((__, b) => (a < b ? mutualInformation(source, [a], [b]) : 0)));
    console.log(`V1 independent: max I(X_i;Y) ${Math.max(...single).toExponential(2)}, max I(X_i;X_j) ${Math.max(...pairwise).toExponential(2)}`);
    for (const value of [...single, ...pairwise]) expect(value).toBeLessThan(0.002);
  });

  it('switch: the group is redundant before the switch (Ω > 0, synergy < 0) and synergistic after (Ω(X,Y) < 0, ∂_YΩ < 0, synergy > 0)', () => {
    const units = population.regions.switch;
    const switchBin = binOf(population.switchAtSeconds!, BIN_SECONDS);
    const xs = [...units.keys()];
    const y = units.length;
    const measures = (from: number, to: number) => {
      const source = sourceOf(counts3, units, modes, 3, from, to);
      return {
        omega: oInformation(source, [...xs, y]),
        omegaSources: oInformation(source, xs),
        gradient: oInformationGradient(source, xs, y),
        synergy: groupSynergy(source, xs, y),
        joint: mutualInformation(source, xs, [y]),
      };
    };
    const before = measures(0, switchBin);
    const after = measures(switchBin, modes.length);
    for (const [when, m] of [['before', before], ['after', after]] as const) {
      console.log(`switch ${when}: Ω(X,Y) ${fixed(m.omega)}, Ω(X) ${fixed(m.omegaSources)}, ∂_YΩ ${fixed(m.gradient)}, group synergy ${fixed(m.synergy)}, I(X;Y) ${fixed(m.joint)}`);
    }
    expect(before.omega).toBeGreaterThan(0.5);
    expect(before.synergy).toBeLessThan(-0.5);
    expect(after.omega).toBeLessThan(-0.5);
    expect(after.gradient).toBeLessThan(-0.5);
    expect(Math.abs(after.omegaSources)).toBeLessThan(0.01);
    expect(after.synergy).toBeGreaterThan(0.5);
    // The last bins before and the first after: the switch lies exactly at switchAtSeconds.
    const edge = measures(switchBin - 2500, switchBin + 2500);
    expect(edge.omega).toBeLessThan(before.omega);
  });
});

describe('writeGroupPopulation', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synergy-group-population-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes spikes and label intervals a replay reads back exactly, and a groups file readGroupsFile reads', async () => {
    const options = { ...OPTIONS, untilSeconds: 25, chunkSeconds: 4 };
    const written = await writeGroupPopulation(dir, options);
    const reference = new GroupPopulation(OPTIONS).generate(0, 25);
    expect(written.spikes).toBe(reference.spikes.t.length);
    expect(written.regions).toEqual(new GroupPopulation(OPTIONS).regions);
    expect(await readGroupsFile(written.groupsPath)).toEqual(written.groups);
    expect(await readFile(written.groupsPath, 'utf8')).toMatch(/^\{\n {2}"CA1": \[0,1,2,3\],\n/);

    const recording = await openRecording(written.spikesPath);
    const t: number[] = [];
    const unit: string[] = [];
    for await (const batch of recording.spikes()) {
      for (let i = 0; i < batch.t.length; i++) {
        t.push(batch.t[i]);
        unit.push(batch.unitIds[batch.unit[i]]);
      }
    }
    await recording.close();
    expect(t).toEqual(Array.from(reference.spikes.t));
    expect(unit).toEqual(Array.from(reference.spikes.unit, (u) => reference.spikes.unitIds[u]));
    const labels = (await readFile(written.labelsPath, 'utf8')).trim().split('\n').slice(1);
    expect(labels).toEqual(labelIntervals(reference.labels, 25).map((i) => `${i.start},${i.end},${i.label}`));

    const list = await writeGroupPopulation(dir, { ...options, untilSeconds: 2, groupsForm: 'list', names: { groups: 'groups-list.json', spikes: 's.csv', labels: 'l.csv' } });
    expect(await readFile(list.groupsPath, 'utf8')).toMatch(/^\{"groups": \[\n {2}\{"name": "CA1", "units": \[0,1,2,3\]\},\n/);
    expect(await readGroupsFile(list.groupsPath)).toEqual(written.groups);
  });
});
