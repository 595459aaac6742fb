import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputError } from '../src/errors.ts';
import type { UnitGroup } from '../src/groups/groupSpec.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import type { Heartbeat, LabelChange, SourceEvent, SpikeBatch } from '../src/stream/events.ts';
import { outputUnitId } from '../src/stream/unitIds.ts';
import { Population, type GeneratedSpan, type PopulationStreamOptions } from './population.ts';
import { writeRecordingCsv } from './writeSpikesCsv.ts';

/**
 * A seeded synthetic population organized in regions, with planted
 * higher-order codes, for tests of the group measures (O-information, TC,
 * DTC, group synergy, ∂_Y Ω; DESIGN §7 "Groups"). It yields what
 * Population yields — columnar spike batches and mode changes on a bin
 * grid — and says which units form which region (`regions`, for groups).
 *
 * Modes: Population's Markov chain, drawn by a Population of no units with
 * the same seed, modes, dwell and bin (so the modes are exactly those of
 * `new Population({ units, seed, modes, modeDwellSeconds, binSecondsHint })`).
 * The coded bit is the mode index mod 2 (with the default 2 modes, the mode
 * itself).
 *
 * Every planted unit is binary on the grid of `binSecondsHint`: active is
 * one spike in the bin (kept 5 % of a bin away from its edges, so any
 * binning tolerance places it right), inactive none. So with `levels` 2 or 3
 * the binned count is the planted symbol. With `s` the strength of a code
 * (`strength`, or the region's or multiplet's own):
 *
 * - `synergistic` region: units in XOR pairs (as Population's synergistic
 *   pairs): a is a fair coin; b = a ⊕ bit with probability s, else a fair
 *   coin. Each unit alone is a fair coin in every mode (I(a;Y) = I(b;Y) = 0);
 *   the pair tells the bit: I(a,b;Y) = 1 − h((1 + s)/2) with a fair bit
 *   (s = 0.9: 0.714 bits).
 * - `redundant` region: shared-input pairs (as Population's redundant
 *   pairs): a latent z = bit with probability s, else a fair coin; each unit
 *   copies z with probability 0.9, else a fair coin. Both carry the same part
 *   of the bit: pair synergy < 0.
 * - `independent` region: Poisson units at `meanRateHz`, independent of the
 *   mode and of each other.
 * - Synergistic multiplets of order k = 3 or 4: X_1 … X_{k−1} fair coins;
 *   X_k = bit ⊕ X_1 ⊕ … ⊕ X_{k−1} with probability s, else a fair coin. The
 *   parity X_1 ⊕ … ⊕ X_k equals the bit with probability (1 + s)/2.
 *   Every proper subset is uniform i.i.d. and independent of the mode: a
 *   subset without X_k is so by construction; a subset with X_k misses some
 *   X_j (j < k), and X_j, a fair coin independent of the rest of the subset
 *   and of the bit, enters X_k through ⊕ when the rule holds, so X_k is
 *   then a fair coin independent of them, as it is when the rule does not
 *   hold. Hence I(X_sub;Y) = 0 for every proper subset, while the whole
 *   multiplet holds I(X_S;Y) = I(parity;bit) = 1 − h((1 + s)/2) with a fair
 *   bit (s = 0.9: 0.714 bits); its group synergy equals that, and at s = 1
 *   Ω(X_S, Y) = 2 − (k + 1) = 1 − k (n-variable parity), ∂_YΩ = 1 − k.
 * - A switching group (`switchSeconds`; `switchUnits`, default 4): before
 *   the switch (bins that start before it) the units code the bit
 *   redundantly, all copying one shared input z (z = bit with probability
 *   s, each unit copies z with probability 0.9): Ω > 0 and group synergy < 0.
 *   From the switch on they code it as a multiplet of their order (parity):
 *   Ω(X,Y) < 0, ∂_YΩ < 0, group synergy > 0. The switch lies on the bin
 *   grid: the first bin start at or after `switchSeconds`
 *   (`switchAtSeconds`).
 *
 * Unit ids are '0', '1', … in the order regions, multiplets and the
 * switching group are given. Randomness comes from independent seeded
 * streams ('modes' through Population, 'planted' for the codes and their
 * spike times, 'background' for the independent units), consumed bin by
 * bin, so the recording is a function of the seed and any span can be
 * generated; consecutive spans continue the same process.
 */
export interface GroupPopulationOptions {
  seed?: number;
  /** Regions of units, in order (default none). */
  regions?: readonly RegionOptions[];
  /** Planted synergistic multiplets (default none). */
  multiplets?: readonly MultipletOptions[];
  /** Plants a group that codes the mode redundantly before this time and synergistically after (default none). */
  switchSeconds?: number;
  /** Units of the switching group, 3 or more (default 4). */
  switchUnits?: number;
  /** Name of the switching group (default 'switch'). */
  switchName?: string;
  /** 0–1: how strongly planted codes follow their rule (default 0.9). */
  strength?: number;
  /** Number of modes, 'mode-0', 'mode-1', … (default 2, so the coded bit is the mode). */
  modes?: number;
  /** Mean dwell in a mode (default 2 s). */
  modeDwellSeconds?: number;
  /** Rate of the units of independent regions (default 5 Hz). */
  meanRateHz?: number;
  /** Bin width of the planted codes and of the mode grid (default 0.02 s). */
  binSecondsHint?: number;
}

export type RegionKind = 'synergistic' | 'redundant' | 'independent';

export interface RegionOptions {
  name: string;
  kind: RegionKind;
  /** Units in the region: an even number ≥ 2 for synergistic and redundant regions (pairs), ≥ 1 for independent ones. */
  units: number;
  /** This region's code strength (default: the population's). */
  strength?: number;
}

export interface MultipletOptions {
  order: 3 | 4;
  /** Default 'parity3', 'parity4' (then 'parity3-2', … for more of one order). */
  name?: string;
  /** This multiplet's code strength (default: the population's). */
  strength?: number;
}

/** A planted structure, for tests to check against. */
export interface PlantedStructure {
  readonly kind: 'xor-pair' | 'shared-input-pair' | 'parity' | 'switch';
  /** The region (or group) it belongs to. */
  readonly group: string;
  readonly units: readonly string[];
  readonly strength: number;
  /** For a switch: the first bin start at or after `switchSeconds`, where the code turns from redundant to parity. */
  readonly switchAtSeconds?: number;
}

const DEFAULTS = {
  seed: 0,
  strength: 0.9,
  modes: 2,
  modeDwellSeconds: 2,
  meanRateHz: 5,
  binSecondsHint: 0.02,
  switchUnits: 4,
  switchName: 'switch',
};

/** Probability that a unit of a shared-input code copies the shared input (as Population's redundant pairs). */
const SHARED_INPUT_FOLLOW_PROBABILITY = 0.9;
/** Planted spikes keep this fraction of a bin away from its edges (as in Population). */
const EDGE_MARGIN = 0.05;

/** How one bin of a code is drawn; units are indices into unitIds. */
type Code =
  | { kind: 'xor-pair'; units: Uint32Array; strength: number }
  | { kind: 'shared-input'; units: Uint32Array; strength: number }
  | { kind: 'parity'; units: Uint32Array; strength: number }
  | { kind: 'switch'; units: Uint32Array; strength: number; switchBin: number };

export class GroupPopulation {
  readonly unitIds: string[] = [];
  /** Unit ids per region, multiplet and switching group, in the order given. */
  readonly regions: Record<string, string[]> = {};
  readonly planted: PlantedStructure[] = [];
  /** Units (indices) of independent regions. */
  readonly independentUnits: string[] = [];
  readonly labels: string[];
  readonly binSeconds: number;
  readonly seed: number;
  readonly meanRateHz: number;
  /** The first bin start at or after `switchSeconds` (undefined without a switching group). */
  readonly switchAtSeconds: number | undefined;

  private readonly codes: Code[] = [];
  private readonly independentIndex: Uint32Array;
  private readonly modeOptions: { seed: number; modes: number; modeDwellSeconds: number; binSecondsHint: number };
  private state!: ProcessState;

  constructor(options: GroupPopulationOptions = {}) {
    this.seed = options.seed ?? DEFAULTS.seed;
    this.binSeconds = options.binSecondsHint ?? DEFAULTS.binSecondsHint;
    this.meanRateHz = options.meanRateHz ?? DEFAULTS.meanRateHz;
    const modes = options.modes ?? DEFAULTS.modes;
    const modeDwellSeconds = options.modeDwellSeconds ?? DEFAULTS.modeDwellSeconds;
    const strength = options.strength ?? DEFAULTS.strength;
    if (!(this.binSeconds > 0) || !Number.isFinite(this.binSeconds)) throw new RangeError(`binSecondsHint must be a finite time > 0, got ${this.binSeconds}`);
    if (!(this.meanRateHz >= 0) || !Number.isFinite(this.meanRateHz)) throw new RangeError(`meanRateHz must be a finite rate ≥ 0, got ${this.meanRateHz}`);
    if (!Number.isInteger(modes) || modes < 2) throw new RangeError(`modes must be a whole number ≥ 2 (the codes carry mode mod 2), got ${modes}`);
    checkStrength(strength, 'strength');
    this.labels = Array.from({ length: modes }, (_, i) => `mode-${i}`);
    this.modeOptions = { seed: this.seed, modes, modeDwellSeconds, binSecondsHint: this.binSeconds };
    // Checks the mode options as Population does.
    new Population({ units: 0, ...this.modeOptions });

    const addGroup = (name: string, count: number): Uint32Array => {
      if (name in this.regions) throw new RangeError(`group name '${name}' is used twice`);
      const first = this.unitIds.length;
      for (let k = 0; k < count; k++) this.unitIds.push(String(first + k));
      this.regions[name] = this.unitIds.slice(first);
      return Uint32Array.from({ length: count }, (_, k) => first + k);
    };
    const ids = (units: ArrayLike<number>) => Array.from(units, (unit) => this.unitIds[unit]);

    const independent: number[] = [];
    for (const region of options.regions ?? []) {
      const { name, kind, units } = region;
      const regionStrength = region.strength ?? strength;
      checkStrength(regionStrength, `region ${name} strength`);
      const paired = kind === 'synergistic' || kind === 'redundant';
      if (!Number.isInteger(units) || units < 1 || (paired && (units < 2 || units % 2 !== 0))) {
        throw new RangeError(`region ${name}: ${units} units; a ${kind} region needs ${paired ? 'an even number ≥ 2 (pairs)' : 'a whole number ≥ 1'}`);
      }
      const members = addGroup(name, units);
      if (kind === 'independent') {
        independent.push(...members);
        continue;
      }
      for (let p = 0; p < units; p += 2) {
        const pair = members.slice(p, p + 2);
        this.codes.push({ kind: kind === 'synergistic' ? 'xor-pair' : 'shared-input', units: pair, strength: regionStrength });
        this.planted.push({ kind: kind === 'synergistic' ? 'xor-pair' : 'shared-input-pair', group: name, units: ids(pair), strength: regionStrength });
      }
    }
    const perOrder = new Map<number, number>();
    for (const multiplet of options.multiplets ?? []) {
      if (multiplet.order !== 3 && multiplet.order !== 4) throw new RangeError(`multiplet order must be 3 or 4, got ${String(multiplet.order)}`);
      const count = (perOrder.get(multiplet.order) ?? 0) + 1;
      perOrder.set(multiplet.order, count);
      const name = multiplet.name ?? `parity${multiplet.order}${count === 1 ? '' : `-${count}`}`;
      const multipletStrength = multiplet.strength ?? strength;
      checkStrength(multipletStrength, `multiplet ${name} strength`);
      const units = addGroup(name, multiplet.order);
      this.codes.push({ kind: 'parity', units, strength: multipletStrength });
      this.planted.push({ kind: 'parity', group: name, units: ids(units), strength: multipletStrength });
    }
    if (options.switchSeconds !== undefined) {
      const seconds = options.switchSeconds;
      if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new RangeError(`switchSeconds must be a finite time ≥ 0, got ${seconds}`);
      const count = options.switchUnits ?? DEFAULTS.switchUnits;
      if (!Number.isInteger(count) || count < 3) throw new RangeError(`switchUnits must be a whole number ≥ 3, got ${count}`);
      // The first bin that starts at or after the switch (1e-9 bin of tolerance, as the binner's).
      const switchBin = Math.ceil(seconds / this.binSeconds - 1e-9);
      this.switchAtSeconds = switchBin * this.binSeconds;
      const name = options.switchName ?? DEFAULTS.switchName;
      const units = addGroup(name, count);
      this.codes.push({ kind: 'switch', units, strength, switchBin });
      this.planted.push({ kind: 'switch', group: name, units: ids(units), strength, switchAtSeconds: this.switchAtSeconds });
    }
    this.independentIndex = Uint32Array.from(independent);
    this.independentUnits.push(...ids(independent));
    this.restart();
  }

  /** Every region, multiplet and switching group as a unit group (what `--groups` reads), in the order given. */
  groups(): UnitGroup[] {
    return Object.entries(this.regions).map(([name, units]) => ({ name, units: [...units] }));
  }

  /**
   * All spikes in [fromSeconds, toSeconds), sorted by time, and the mode
   * changes in that span, as Population.generate: consecutive spans
   * continue the process; any other span is regenerated from the start.
   */
  generate(fromSeconds: number, toSeconds: number): GeneratedSpan {
    if (!(fromSeconds >= 0) || !(toSeconds >= fromSeconds) || !Number.isFinite(toSeconds)) {
      throw new RangeError(`span [${fromSeconds}, ${toSeconds}) must satisfy 0 ≤ from ≤ to < ∞`);
    }
    if (fromSeconds < this.state.consumedUntil) this.restart();
    const state = this.state;
    state.discardBefore = fromSeconds;
    state.pending.dropBefore(fromSeconds);
    while (state.labels.length > 0 && state.labels[0].t < fromSeconds) state.labels.shift();
    while (state.nextBin * this.binSeconds < toSeconds) this.generateBin();
    state.pending.dropBefore(fromSeconds);
    const spikes = state.pending.takeBefore(toSeconds);
    const labels: LabelChange[] = [];
    while (state.labels.length > 0 && state.labels[0].t < toSeconds) labels.push(state.labels.shift()!);
    state.consumedUntil = toSeconds;
    return { spikes: { kind: 'spikes', t: spikes.t, unit: spikes.unit, unitIds: this.unitIds }, labels };
  }

  /**
   * The recording as source events, as Population.stream gives them:
   * chunk by chunk, each chunk's spikes split where the mode changes, then a
   * heartbeat at the chunk's end.
   */
  *stream(options: PopulationStreamOptions): Generator<SourceEvent, void, undefined> {
    const { chunkSeconds, untilSeconds } = options;
    const fromSeconds = options.fromSeconds ?? 0;
    if (!(chunkSeconds > 0)) throw new RangeError(`chunkSeconds must be > 0, got ${chunkSeconds}`);
    if (fromSeconds > 0) yield { kind: 'label', t: fromSeconds, label: this.labelAt(fromSeconds) } satisfies LabelChange;
    for (let chunk = 0; ; chunk++) {
      const start = fromSeconds + chunk * chunkSeconds;
      if (start >= untilSeconds) break;
      const end = Math.min(untilSeconds, fromSeconds + (chunk + 1) * chunkSeconds);
      const span = this.generate(start, end);
      const { t, unit } = span.spikes;
      let first = 0;
      for (const label of span.labels) {
        let stop = first;
        while (stop < t.length && t[stop] < label.t) stop++;
        if (stop > first) yield this.batch(t.subarray(first, stop), unit.subarray(first, stop));
        first = stop;
        if (!(fromSeconds > 0 && label.t === fromSeconds)) yield label;
      }
      if (t.length > first) yield this.batch(t.subarray(first), unit.subarray(first));
      yield { kind: 'heartbeat', t: end } satisfies Heartbeat;
    }
  }

  /** The mode in force at `t` seconds. */
  labelAt(t: number): string {
    return new Population({ units: 0, ...this.modeOptions }).labelAt(t);
  }

  private batch(t: Float64Array, unit: Uint32Array): SpikeBatch {
    return { kind: 'spikes', t, unit, unitIds: this.unitIds };
  }

  private restart(): void {
    this.state = {
      nextBin: 0,
      consumedUntil: 0,
      discardBefore: 0,
      modes: new Population({ units: 0, ...this.modeOptions }),
      mode: 0,
      planted: new SeededRandom(this.seed, 'planted'),
      background: new SeededRandom(this.seed, 'background'),
      pending: new SpikeQueue(),
      binT: new Float64Array(this.unitIds.length * 8 + 16),
      binUnit: new Uint32Array(this.unitIds.length * 8 + 16),
      labels: [],
    };
  }

  /** Draws bin `state.nextBin`: its mode, the planted codes and the independent units' spikes. */
  private generateBin(): void {
    const state = this.state;
    const bin = state.nextBin++;
    const start = bin * this.binSeconds;
    const end = (bin + 1) * this.binSeconds;
    for (const change of state.modes.generate(start, end).labels) {
      state.mode = this.labels.indexOf(change.label!);
      if (start >= state.discardBefore) state.labels.push(change);
    }
    const bit = state.mode & 1;
    const random = state.planted;
    let spikes = 0;
    const fire = (unit: number): void => {
      spikes = this.place(start + this.binSeconds * (EDGE_MARGIN + (1 - 2 * EDGE_MARGIN) * random.next()), unit, spikes);
    };
    const coin = (): number => (random.next() < 0.5 ? 1 : 0);
    for (const code of this.codes) {
      const { units, strength } = code;
      const parity = code.kind === 'parity' || (code.kind === 'switch' && bin >= code.switchBin);
      if (code.kind === 'xor-pair') {
        const a = coin();
        const b = random.next() < strength ? a ^ bit : coin();
        if (a) fire(units[0]);
        if (b) fire(units[1]);
      } else if (parity) {
        let sum = 0;
        for (let k = 0; k + 1 < units.length; k++) {
          const x = coin();
          sum ^= x;
          if (x) fire(units[k]);
        }
        if (random.next() < strength ? sum ^ bit : coin()) fire(units[units.length - 1]);
      } else {
        // Shared input: a redundant pair, or the switching group before its switch.
        const z = random.next() < strength ? bit : coin();
        for (const unit of units) if (random.next() < SHARED_INPUT_FOLLOW_PROBABILITY ? z : coin()) fire(unit);
      }
    }
    if (this.independentIndex.length > 0 && this.meanRateHz > 0) {
      const background = state.background;
      const expected = Math.exp(-this.meanRateHz * this.binSeconds);
      for (const unit of this.independentIndex) {
        // Poisson count by Knuth's product of uniforms (a handful of draws at these rates).
        for (let product = background.next(); product > expected; product *= background.next()) {
          spikes = this.place(start + this.binSeconds * (EDGE_MARGIN + (1 - 2 * EDGE_MARGIN) * background.next()), unit, spikes);
        }
      }
    }
    if (end > state.discardBefore) for (let i = 0; i < spikes; i++) state.pending.push(state.binT[i], state.binUnit[i]);
  }

  /** Inserts a spike into the bin's scratch list, kept sorted by time; returns its new length. */
  private place(t: number, unit: number, length: number): number {
    const state = this.state;
    if (length === state.binT.length) {
      const times = new Float64Array(2 * length);
      const units = new Uint32Array(2 * length);
      times.set(state.binT);
      units.set(state.binUnit);
      state.binT = times;
      state.binUnit = units;
    }
    const times = state.binT;
    const units = state.binUnit;
    let i = length;
    while (i > 0 && times[i - 1] > t) {
      times[i] = times[i - 1];
      units[i] = units[i - 1];
      i--;
    }
    times[i] = t;
    units[i] = unit;
    return length + 1;
  }
}

function checkStrength(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in 0–1, got ${value}`);
}

interface ProcessState {
  nextBin: number;
  consumedUntil: number;
  discardBefore: number;
  /** Population's mode chain (a population of no units), asked bin by bin. */
  modes: Population;
  /** Mode index in force in the current bin. */
  mode: number;
  planted: SeededRandom;
  background: SeededRandom;
  pending: SpikeQueue;
  /** The current bin's spikes, sorted (scratch). */
  binT: Float64Array;
  binUnit: Uint32Array;
  labels: LabelChange[];
}

/** Spikes drawn and not yet handed out, in time order, in growable typed arrays. */
class SpikeQueue {
  private t = new Float64Array(4096);
  private unit = new Uint32Array(4096);
  private start = 0;
  private end = 0;

  push(t: number, unit: number): void {
    if (this.end === this.t.length) {
      const used = this.end - this.start;
      const capacity = used * 2 > this.t.length ? this.t.length * 2 : this.t.length;
      const times = new Float64Array(capacity);
      const units = new Uint32Array(capacity);
      times.set(this.t.subarray(this.start, this.end));
      units.set(this.unit.subarray(this.start, this.end));
      this.t = times;
      this.unit = units;
      this.start = 0;
      this.end = used;
    }
    this.t[this.end] = t;
    this.unit[this.end++] = unit;
  }

  dropBefore(t: number): void {
    while (this.start < this.end && this.t[this.start] < t) this.start++;
  }

  /** Removes and returns (as copies) the spikes before `t`. */
  takeBefore(t: number): { t: Float64Array; unit: Uint32Array } {
    let stop = this.start;
    while (stop < this.end && this.t[stop] < t) stop++;
    const taken = { t: this.t.slice(this.start, stop), unit: this.unit.slice(this.start, stop) };
    this.start = stop;
    if (this.start === this.end) this.start = this.end = 0;
    return taken;
  }
}

export interface GroupPopulationFilesOptions extends GroupPopulationOptions {
  untilSeconds: number;
  /** Seconds generated per step, bounding memory (default 10). */
  chunkSeconds?: number;
  /** The groups file's form: `{"<group>": [ids]}` (default) or `{"groups": [{"name", "units"}]}`. */
  groupsForm?: 'object' | 'list';
  /** File names in `dir` (default spikes.csv, labels.csv, groups.json). */
  names?: { spikes?: string; labels?: string; groups?: string };
}

export interface GroupPopulationFiles {
  spikesPath: string;
  labelsPath: string;
  groupsPath: string;
  regions: Record<string, string[]>;
  planted: PlantedStructure[];
  /** The groups written to groupsPath. */
  groups: UnitGroup[];
  spikes: number;
  intervals: number;
  /** The population, to generate the same recording again. */
  population: GroupPopulation;
}

/**
 * Writes [0, untilSeconds) of a GroupPopulation as files `synergy replay`
 * reads: a spikes CSV (`unit,t`) and label intervals CSV
 * (`start,end,label`), generated chunk by chunk (writeSpikesCsv.ts), and a
 * groups JSON for `--groups` with every region, multiplet and switching
 * group (readGroupsFile reads it back).
 */
export async function writeGroupPopulation(dir: string, options: GroupPopulationFilesOptions): Promise<GroupPopulationFiles> {
  const chunkSeconds = options.chunkSeconds ?? 10;
  if (!(chunkSeconds > 0)) throw new RangeError(`chunkSeconds must be > 0, got ${chunkSeconds}`);
  if (!(options.untilSeconds >= 0) || !Number.isFinite(options.untilSeconds)) throw new RangeError(`untilSeconds must be a finite time ≥ 0, got ${options.untilSeconds}`);
  const population = new GroupPopulation(options);
  const spikesPath = join(dir, options.names?.spikes ?? 'spikes.csv');
  const labelsPath = join(dir, options.names?.labels ?? 'labels.csv');
  const groupsPath = join(dir, options.names?.groups ?? 'groups.json');
  const { spikes, intervals } = await writeRecordingCsv(population, { spikesPath, labelsPath, untilSeconds: options.untilSeconds, chunkSeconds });
  const groups = population.groups();
  await writeGroupsJson(groupsPath, groups, options.groupsForm);
  return { spikesPath, labelsPath, groupsPath, regions: population.regions, planted: population.planted, groups, spikes, intervals, population };
}

/**
 * Writes unit groups as a `--groups` JSON file, one group per line; ids
 * that are whole numbers are written as JSON numbers (as a user writes
 * them), others as text.
 */
export async function writeGroupsJson(path: string, groups: readonly UnitGroup[], form: 'object' | 'list' = 'object'): Promise<void> {
  const ids = (group: UnitGroup) => JSON.stringify(group.units.map(outputUnitId));
  const text =
    form === 'object'
      ? `{\n${groups.map((group) => `  ${JSON.stringify(group.name)}: ${ids(group)}`).join(',\n')}\n}\n`
      : `{"groups": [\n${groups.map((group) => `  {"name": ${JSON.stringify(group.name)}, "units": ${ids(group)}}`).join(',\n')}\n]}\n`;
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new OutputError(`cannot write the groups: ${(error as Error).message}`, path);
  }
}
