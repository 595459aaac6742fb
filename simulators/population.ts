import { UsageError } from '../src/errors.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { binOf } from '../src/stream/binIndex.ts';
import type { Heartbeat, LabelChange, SourceEvent, SpikeBatch } from '../src/stream/events.ts';

/**
 * A seeded synthetic neural population with planted synergistic and
 * redundant pairs, for tests, benchmarks, the demo and rig simulators.
 *
 * The behavioral mode is a Markov chain: it dwells an exponentially
 * distributed time (mean `modeDwellSeconds`, rounded to whole bins of
 * `binSecondsHint`, at least one bin), then jumps to one of the other modes,
 * uniformly. Mode changes fall on the bin grid, so no bin of that width
 * straddles a change.
 *
 * Planted pairs act bin by bin on the grid of `binSecondsHint`; "active" means
 * one spike in the bin (two with probability 0.1, which carries no
 * information), inactive means none. With `s` = plantStrength and the coded
 * bit = mode index mod 2:
 *
 * - Synergistic (XOR): a is active with probability ½; b = a ⊕ bit with
 *   probability s, else a fair coin. Each unit alone is active with
 *   probability ½ in every mode, so I(a;Y) = I(b;Y) = 0, while a ⊕ b tells the
 *   bit: I(a,b;Y) = H(out) − h((1 − s)/2) (out: a binary symmetric channel of
 *   the bit). Three equally likely modes, s = 0.5: Syn ≈ 0.169 bits (two
 *   modes: 0.189 bits).
 * - Redundant (shared input): a latent z = bit with probability s, else a fair
 *   coin; each unit copies z with probability 0.9, else a fair coin. Both
 *   units carry the mode, and carry the same part of it: Syn < 0 (three
 *   modes, s = 0.5: I(a;Y) = I(b;Y) ≈ 0.135, joint ≈ 0.151, Syn ≈ −0.120 bits).
 * - Every other unit fires independently of the mode and of each other: a
 *   renewal process of firing events (exponential intervals) at mean rate
 *   `meanRateHz`, where each event is a burst of 2–4 spikes (intervals
 *   2–6 ms) with probability `burstiness`. Poisson when burstiness is 0.
 *
 * Randomness comes from independent seeded streams (layout, modes, planted
 * pairs, background), consumed bin by bin, so the whole recording is a
 * function of the seed: any span can be generated, and consecutive spans
 * continue the same process.
 */
export interface PopulationOptions {
  units: number;
  /** Mean rate of the independent units (default 5 Hz). */
  meanRateHz?: number;
  /** Number of behavioral modes, named 'mode-0', 'mode-1', … (default 3). */
  modes?: number;
  seed?: number;
  /** Mean dwell time in a mode (default 2 s). */
  modeDwellSeconds?: number;
  /** Default 1 when there are at least 4 units, else 0. */
  synergisticPairs?: number;
  /** Default 1 when there are at least 4 units, else 0. */
  redundantPairs?: number;
  /** Probability that a firing event of an independent unit is a burst, 0–1 (default 0.3; 0 = Poisson). */
  burstiness?: number;
  /** 0–1: how strongly planted pairs follow their rule (default 0.5). */
  plantStrength?: number;
  /** Bin width of the planted codes and of the mode grid (default 0.02 s). */
  binSecondsHint?: number;
}

export interface PlantedPair {
  readonly a: string;
  readonly b: string;
  readonly kind: 'synergistic' | 'redundant';
}

/** One span of the recording. */
export interface GeneratedSpan {
  /** All spikes in the span, sorted by time. */
  spikes: SpikeBatch;
  /** Mode changes in the span (the initial mode at 0 when the span starts at 0). */
  labels: LabelChange[];
}

export interface PopulationStreamOptions {
  chunkSeconds: number;
  untilSeconds: number;
  /** Default 0. A stream that starts later opens with the mode in force then. */
  fromSeconds?: number;
}

const DEFAULTS = {
  meanRateHz: 5,
  modes: 3,
  seed: 0,
  modeDwellSeconds: 2,
  burstiness: 0.3,
  plantStrength: 0.5,
  binSecondsHint: 0.02,
};

/** Probability that an active planted unit fires a second spike in the bin. */
const SECOND_SPIKE_PROBABILITY = 0.1;
/** Probability that a unit of a redundant pair copies the shared input. */
const REDUNDANT_FOLLOW_PROBABILITY = 0.9;
/** Planted spikes keep this fraction of a bin away from its edges, so that any binning tolerance places them right. */
const PLANTED_EDGE_MARGIN = 0.05;
const BURST_MIN_EXTRA_SPIKES = 1;
const BURST_MAX_EXTRA_SPIKES = 3;
const BURST_INTERVAL_MIN_SECONDS = 0.002;
const BURST_INTERVAL_MAX_SECONDS = 0.006;

export class Population {
  readonly unitIds: string[];
  readonly truth: PlantedPair[];
  /** Units that fire independently of the mode and of each other. */
  readonly independentUnits: string[];
  /** Mode names, 'mode-0' … */
  readonly labels: string[];
  readonly binSeconds: number;
  readonly meanRateHz: number;
  readonly burstiness: number;
  readonly plantStrength: number;
  readonly modeDwellSeconds: number;
  readonly seed: number;

  /** Unit index of each planted pair's a and b, and of each independent unit. */
  private readonly synergisticA: Uint32Array;
  private readonly synergisticB: Uint32Array;
  private readonly redundantA: Uint32Array;
  private readonly redundantB: Uint32Array;
  private readonly independentIndex: Uint32Array;
  /** Mean silent interval between firing events of an independent unit, so that the mean rate comes out right. */
  private readonly meanEventIntervalSeconds: number;

  private state!: ProcessState;

  constructor(options: PopulationOptions) {
    const units = options.units;
    if (!Number.isInteger(units) || units < 0) throw new RangeError(`units must be a whole number ≥ 0, got ${units}`);
    this.meanRateHz = options.meanRateHz ?? DEFAULTS.meanRateHz;
    const modes = options.modes ?? DEFAULTS.modes;
    this.seed = options.seed ?? DEFAULTS.seed;
    this.modeDwellSeconds = options.modeDwellSeconds ?? DEFAULTS.modeDwellSeconds;
    this.burstiness = options.burstiness ?? DEFAULTS.burstiness;
    this.plantStrength = options.plantStrength ?? DEFAULTS.plantStrength;
    this.binSeconds = options.binSecondsHint ?? DEFAULTS.binSecondsHint;
    const synergisticPairs = options.synergisticPairs ?? (units >= 4 ? 1 : 0);
    const redundantPairs = options.redundantPairs ?? (units >= 4 ? 1 : 0);

    if (!Number.isInteger(modes) || modes < 1) throw new RangeError(`modes must be a whole number ≥ 1, got ${modes}`);
    if (!(this.meanRateHz >= 0) || !Number.isFinite(this.meanRateHz)) {
      throw new RangeError(`meanRateHz must be a finite rate ≥ 0, got ${this.meanRateHz}`);
    }
    if (!(this.modeDwellSeconds > 0)) throw new RangeError(`modeDwellSeconds must be > 0, got ${this.modeDwellSeconds}`);
    if (!(this.burstiness >= 0 && this.burstiness <= 1)) throw new RangeError(`burstiness must be in 0–1, got ${this.burstiness}`);
    if (!(this.plantStrength >= 0 && this.plantStrength <= 1)) {
      throw new RangeError(`plantStrength must be in 0–1, got ${this.plantStrength}`);
    }
    if (!(this.binSeconds > 0) || !Number.isFinite(this.binSeconds)) {
      throw new RangeError(`binSecondsHint must be a finite time > 0, got ${this.binSeconds}`);
    }
    for (const [name, value] of [['synergisticPairs', synergisticPairs], ['redundantPairs', redundantPairs]] as const) {
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
    }
    if (2 * (synergisticPairs + redundantPairs) > units) {
      throw new RangeError(
        `${synergisticPairs} synergistic and ${redundantPairs} redundant pairs need ${2 * (synergisticPairs + redundantPairs)} units, got ${units}`,
      );
    }

    // Mean rate r = spikes per cycle / cycle length, where a cycle is a silent
    // interval (mean m) then one event with, in a burst, E[extra] more spikes
    // at mean interval d: r = (1 + b·E[extra]) / (m + b·E[extra]·d).
    const meanExtraSpikes = this.burstiness * ((BURST_MIN_EXTRA_SPIKES + BURST_MAX_EXTRA_SPIKES) / 2);
    const meanBurstInterval = (BURST_INTERVAL_MIN_SECONDS + BURST_INTERVAL_MAX_SECONDS) / 2;
    this.meanEventIntervalSeconds =
      this.meanRateHz === 0 ? Infinity : (1 + meanExtraSpikes) / this.meanRateHz - meanExtraSpikes * meanBurstInterval;
    if (!(this.meanEventIntervalSeconds > 0)) {
      // Reached from `synergy simulate --rate` and `synergy demo --rate`: an option value, not a programming error.
      const highestRateHz = (1 + meanExtraSpikes) / (meanExtraSpikes * meanBurstInterval);
      throw new UsageError(`a mean rate of ${this.meanRateHz} Hz (--rate) is too high for bursts of 2–4 spikes at burstiness ${this.burstiness}: below ${highestRateHz.toFixed(0)} Hz`);
    }

    this.unitIds = Array.from({ length: units }, (_, i) => String(i));
    this.labels = Array.from({ length: modes }, (_, i) => `mode-${i}`);

    // Planted units are scattered over the ids, as on a real probe.
    const layout = new SeededRandom(this.seed, 'layout').shuffle(Uint32Array.from({ length: units }, (_, i) => i));
    let next = 0;
    const take = (count: number): Uint32Array => {
      const slice = layout.slice(next, next + count);
      next += count;
      return slice;
    };
    this.synergisticA = take(synergisticPairs);
    this.synergisticB = take(synergisticPairs);
    this.redundantA = take(redundantPairs);
    this.redundantB = take(redundantPairs);
    this.independentIndex = layout.slice(next).sort();
    this.truth = [
      ...Array.from(this.synergisticA, (a, i): PlantedPair => ({
        a: String(a),
        b: String(this.synergisticB[i]),
        kind: 'synergistic',
      })),
      ...Array.from(this.redundantA, (a, i): PlantedPair => ({
        a: String(a),
        b: String(this.redundantB[i]),
        kind: 'redundant',
      })),
    ];
    this.independentUnits = Array.from(this.independentIndex, (i) => String(i));
    this.restart();
  }

  /**
   * All spikes in [fromSeconds, toSeconds), sorted by time, and the mode
   * changes in that span. Consecutive calls ([0, 10) then [10, 20)) continue
   * the process and give exactly what one call over [0, 20) gives; any other
   * span is regenerated from the start, so the result depends only on the seed
   * and the span. A span that starts after 0 holds no label for the mode
   * already in force: ask `labelAt(fromSeconds)`.
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

    const keptSeconds = toSeconds - Math.max(fromSeconds, state.nextBin * this.binSeconds);
    if (keptSeconds > 0) state.pending.reserve(Math.ceil(1.1 * keptSeconds * this.expectedSpikesPerSecond()) + 1024);
    while (state.nextBin * this.binSeconds < toSeconds) this.generateBin();
    state.pending.dropBefore(fromSeconds);

    const spikes = state.pending.takeBefore(toSeconds);
    const labels: LabelChange[] = [];
    while (state.labels.length > 0 && state.labels[0].t < toSeconds) labels.push(state.labels.shift()!);
    state.consumedUntil = toSeconds;
    return { spikes: { kind: 'spikes', t: spikes.t, unit: spikes.unit, unitIds: this.unitIds }, labels };
  }

  /**
   * The recording as source events, chunk by chunk, in time order: a chunk's
   * spikes come as one batch, split where the mode changes so that each
   * label change arrives before the spikes at or after it and after those
   * before it (event time never goes back, so nothing is late even with
   * lateness 0); then a heartbeat at the chunk's end (complete up to there).
   * Batches are views of the chunk's arrays; empty ones are left out.
   */
  *stream(options: PopulationStreamOptions): Generator<SourceEvent, void, undefined> {
    const { chunkSeconds, untilSeconds } = options;
    const fromSeconds = options.fromSeconds ?? 0;
    if (!(chunkSeconds > 0)) throw new RangeError(`chunkSeconds must be > 0, got ${chunkSeconds}`);
    if (fromSeconds > 0) {
      const opening: LabelChange = { kind: 'label', t: fromSeconds, label: this.labelAt(fromSeconds) };
      yield opening;
    }
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
      const heartbeat: Heartbeat = { kind: 'heartbeat', t: end };
      yield heartbeat;
    }
  }

  private batch(t: Float64Array, unit: Uint32Array): SpikeBatch {
    return { kind: 'spikes', t, unit, unitIds: this.unitIds };
  }

  /**
   * The mode changes in [0, untilSeconds), as `generate` gives them, without
   * drawing any spike (runs the mode chain alone, from its start).
   */
  modeChanges(untilSeconds: number): LabelChange[] {
    const chain = new ModeChain(this.seed, this.labels.length, this.modeDwellSeconds / this.binSeconds);
    const changes: LabelChange[] = [];
    for (let bin = 0; bin * this.binSeconds < untilSeconds; bin++) {
      if (chain.advance()) changes.push({ kind: 'label', t: bin * this.binSeconds, label: this.labels[chain.mode] });
    }
    return changes;
  }

  /** The mode in force at `t` seconds (runs the mode chain alone, from its start). */
  labelAt(t: number): string {
    if (!(t >= 0)) throw new RangeError(`time must be ≥ 0, got ${t}`);
    const chain = new ModeChain(this.seed, this.labels.length, this.modeDwellSeconds / this.binSeconds);
    const bin = binOf(t, this.binSeconds);
    chain.begin();
    for (let dwellStart = 0; dwellStart + chain.binsLeft <= bin; ) {
      dwellStart += chain.binsLeft;
      chain.jump();
    }
    return this.labels[chain.mode];
  }

  private restart(): void {
    const pairs = this.synergisticA.length + this.redundantA.length;
    this.state = {
      nextBin: 0,
      consumedUntil: 0,
      discardBefore: 0,
      modes: new ModeChain(this.seed, this.labels.length, this.modeDwellSeconds / this.binSeconds),
      planted: new SeededRandom(this.seed, 'planted'),
      independent: new IndependentFiring(
        this.independentIndex,
        this.binSeconds,
        new SeededRandom(this.seed, 'background'),
        this.meanEventIntervalSeconds,
        this.burstiness,
      ),
      pending: new SpikeBuffer(Math.max(1024, Math.ceil(this.expectedSpikesPerSecond() * 2))),
      plantedT: new Float64Array(4 * pairs),
      plantedUnit: new Uint32Array(4 * pairs),
      labels: [],
    };
  }

  private expectedSpikesPerSecond(): number {
    const planted = 2 * (this.synergisticA.length + this.redundantA.length);
    return this.independentIndex.length * this.meanRateHz + (planted * 0.55) / this.binSeconds;
  }

  /** Draws bin `state.nextBin`: its mode, its planted spikes, and the independent spikes inside it. */
  private generateBin(): void {
    const state = this.state;
    const bin = state.nextBin++;
    const start = bin * this.binSeconds;
    const end = (bin + 1) * this.binSeconds;

    if (state.modes.advance() && start >= state.discardBefore) {
      state.labels.push({ kind: 'label', t: start, label: this.labels[state.modes.mode] });
    }
    const bit = state.modes.mode & 1;

    // Planted pairs, into a small scratch list sorted by insertion.
    const random = state.planted;
    const s = this.plantStrength;
    let planted = 0;
    for (let p = 0; p < this.synergisticA.length; p++) {
      const a = random.next() < 0.5 ? 1 : 0;
      const b = random.next() < s ? a ^ bit : random.next() < 0.5 ? 1 : 0;
      if (a) planted = this.placeActive(start, this.synergisticA[p], planted);
      if (b) planted = this.placeActive(start, this.synergisticB[p], planted);
    }
    for (let p = 0; p < this.redundantA.length; p++) {
      const z = random.next() < s ? bit : random.next() < 0.5 ? 1 : 0;
      const a = random.next() < REDUNDANT_FOLLOW_PROBABILITY ? z : random.next() < 0.5 ? 1 : 0;
      const b = random.next() < REDUNDANT_FOLLOW_PROBABILITY ? z : random.next() < 0.5 ? 1 : 0;
      if (a) planted = this.placeActive(start, this.redundantA[p], planted);
      if (b) planted = this.placeActive(start, this.redundantB[p], planted);
    }

    // The independent units' spikes come tick by tick, each tick sorted;
    // the planted spikes (sorted) are slotted in after the tick they fall in.
    const independent = state.independent;
    const pending = state.pending;
    const sink = end > state.discardBefore ? pending : null;
    const ticks = independent.ticksPerBin;
    let p = 0;
    for (let sub = 0; sub < ticks; sub++) {
      const tickEnd = sub + 1 < ticks ? start + (sub + 1) * independent.tickSeconds : end;
      independent.runTick(bin * ticks + sub, tickEnd, sink);
      for (; p < planted && state.plantedT[p] < tickEnd; p++) sink?.pushSorted(state.plantedT[p], state.plantedUnit[p]);
    }
    for (; p < planted; p++) sink?.pushSorted(state.plantedT[p], state.plantedUnit[p]);
  }

  /**
   * An active planted unit's spike (two, sometimes) inside the bin that
   * starts at `binStart`, into the sorted scratch list; returns its new length.
   */
  private placeActive(binStart: number, unit: number, planted: number): number {
    const state = this.state;
    const random = state.planted;
    const first = binStart + this.binSeconds * PLANTED_EDGE_MARGIN;
    const width = this.binSeconds * (1 - 2 * PLANTED_EDGE_MARGIN);
    let length = insertSorted(state.plantedT, state.plantedUnit, planted, first + random.next() * width, unit);
    if (random.next() < SECOND_SPIKE_PROBABILITY) {
      length = insertSorted(state.plantedT, state.plantedUnit, length, first + random.next() * width, unit);
    }
    return length;
  }
}

interface ProcessState {
  /** The next bin to draw. */
  nextBin: number;
  /** End of the last span handed out: a span starting earlier restarts the process. */
  consumedUntil: number;
  /** Bins that end before this time are drawn (to keep the process going) but not kept. */
  discardBefore: number;
  modes: ModeChain;
  planted: SeededRandom;
  independent: IndependentFiring;
  /** Drawn spikes not yet handed out, sorted by time. */
  pending: SpikeBuffer;
  plantedT: Float64Array;
  plantedUnit: Uint32Array;
  /** Drawn label changes not yet handed out. */
  labels: LabelChange[];
}

/**
 * The Markov chain of modes on the bin grid: dwell max(1, round(Exp(mean)))
 * bins, then a jump to one of the other modes, uniformly. One mode never
 * changes.
 */
class ModeChain {
  mode = 0;
  /** Bins left in the current dwell. */
  binsLeft = 0;
  private readonly random: SeededRandom;
  private started = false;

  constructor(
    seed: number,
    private readonly modes: number,
    private readonly meanDwellBins: number,
  ) {
    this.random = new SeededRandom(seed, 'modes');
  }

  /** Moves into the next bin; true when the mode starts or changes at its start. */
  advance(): boolean {
    let changed = false;
    if (!this.started) {
      this.begin();
      changed = true;
    } else if (this.binsLeft === 0) {
      this.jump();
      changed = true;
    }
    this.binsLeft--;
    return changed;
  }

  /** Draws the first mode and its dwell. */
  begin(): void {
    this.started = true;
    this.mode = this.random.nextInt(this.modes);
    this.binsLeft = this.dwellBins();
  }

  /** Draws the next mode and its dwell. */
  jump(): void {
    if (this.modes > 1) {
      const other = this.random.nextInt(this.modes - 1);
      this.mode = other >= this.mode ? other + 1 : other;
    }
    this.binsLeft = this.dwellBins();
  }

  private dwellBins(): number {
    if (this.modes === 1) return Number.MAX_SAFE_INTEGER;
    return Math.max(1, Math.round(-Math.log(1 - this.random.next()) * this.meanDwellBins));
  }
}

/**
 * The independent units: renewal processes of firing events (exponential
 * intervals), each event a burst of 2–4 spikes with probability
 * `burstiness`. Units wait in a calendar queue (Brown 1988) of short ticks,
 * a few spikes per tick, so each spike costs O(1) and only the spikes of one
 * tick need sorting. Ticks split each bin into `ticksPerBin` equal parts;
 * tick boundaries are computed one way everywhere (bin·binSeconds +
 * sub·tickSeconds), so a spike's tick never depends on rounding.
 */
class IndependentFiring {
  readonly ticksPerBin: number;
  readonly tickSeconds: number;
  private readonly nextTime: Float64Array;
  private readonly nextTick: Float64Array;
  /** Extra spikes still to come in each unit's current burst. */
  private readonly burstLeft: Uint8Array;
  /** Calendar: the first unit waiting in each bucket (tick mod buckets), −1 if none, and the next in its list. */
  private readonly head: Int32Array;
  private readonly link: Int32Array;
  private readonly bucketMask: number;

  constructor(
    private readonly unitIndex: Uint32Array,
    private readonly binSeconds: number,
    private readonly random: SeededRandom,
    private readonly meanEventIntervalSeconds: number,
    private readonly burstiness: number,
  ) {
    const count = unitIndex.length;
    const meanRate = 1 / meanEventIntervalSeconds;
    const spikesPerBin = count * meanRate * (1 + 2 * burstiness) * binSeconds;
    this.ticksPerBin = Math.min(1024, Math.max(1, Math.ceil(spikesPerBin / 8)));
    this.tickSeconds = binSeconds / this.ticksPerBin;
    // Buckets for about 4 s ahead; units due later wait a lap or more.
    let buckets = 64;
    while (buckets * this.tickSeconds < 4 && buckets < 1 << 16) buckets *= 2;
    this.head = new Int32Array(buckets).fill(-1);
    this.bucketMask = buckets - 1;
    this.link = new Int32Array(count);
    this.nextTime = new Float64Array(count);
    this.nextTick = new Float64Array(count);
    this.burstLeft = new Uint8Array(count);
    for (let slot = 0; slot < count; slot++) {
      this.nextTime[slot] = this.eventInterval();
      this.burstLeft[slot] = this.burstExtraSpikes();
      this.enqueue(slot);
    }
  }

  /** Draws the spikes of tick `tick` (which ends at `tickEnd`) into `sink`, sorted; draws but drops them when `sink` is null. */
  runTick(tick: number, tickEnd: number, sink: SpikeBuffer | null): void {
    const bucket = tick & this.bucketMask;
    let slot = this.head[bucket];
    this.head[bucket] = -1;
    while (slot >= 0) {
      const following = this.link[slot];
      if (this.nextTick[slot] === tick) {
        let t = this.nextTime[slot];
        do {
          sink?.pushSorted(t, this.unitIndex[slot]);
          t += this.nextInterval(slot);
        } while (t < tickEnd);
        this.nextTime[slot] = t;
      }
      this.enqueue(slot);
      slot = following;
    }
  }

  private enqueue(slot: number): void {
    const t = this.nextTime[slot];
    if (t === Infinity) return;
    const tick = this.tickOf(t);
    this.nextTick[slot] = tick;
    const bucket = tick & this.bucketMask;
    this.link[slot] = this.head[bucket];
    this.head[bucket] = slot;
  }

  /** The tick holding `t`: bin·binSeconds + sub·tickSeconds ≤ t < the next tick's start. */
  private tickOf(t: number): number {
    const h = this.binSeconds;
    let bin = Math.floor(t / h);
    if (bin * h > t) bin--;
    else if ((bin + 1) * h <= t) bin++;
    const base = bin * h;
    const ticks = this.ticksPerBin;
    let sub = Math.max(0, Math.min(ticks - 1, Math.floor((t - base) / this.tickSeconds)));
    if (sub > 0 && base + sub * this.tickSeconds > t) sub--;
    else if (sub + 1 < ticks && base + (sub + 1) * this.tickSeconds <= t) sub++;
    return bin * ticks + sub;
  }

  /** Time from a unit's spike to its next one; updates its burst state. */
  private nextInterval(slot: number): number {
    if (this.burstLeft[slot] > 0) {
      this.burstLeft[slot]--;
      return BURST_INTERVAL_MIN_SECONDS + this.random.next() * (BURST_INTERVAL_MAX_SECONDS - BURST_INTERVAL_MIN_SECONDS);
    }
    this.burstLeft[slot] = this.burstExtraSpikes();
    return this.eventInterval();
  }

  private eventInterval(): number {
    return -Math.log(1 - this.random.next()) * this.meanEventIntervalSeconds;
  }

  private burstExtraSpikes(): number {
    if (this.burstiness === 0 || this.random.next() >= this.burstiness) return 0;
    return BURST_MIN_EXTRA_SPIKES + this.random.nextInt(BURST_MAX_EXTRA_SPIKES - BURST_MIN_EXTRA_SPIKES + 1);
  }
}

/** A queue of spikes in growable typed arrays: pushed at the end, taken from the front. */
class SpikeBuffer {
  private t: Float64Array;
  private unit: Uint32Array;
  private start = 0;
  private end = 0;

  constructor(capacity: number) {
    this.t = new Float64Array(capacity);
    this.unit = new Uint32Array(capacity);
  }

  /** Appends a spike and moves it back past later ones (insertion sort of the newest entries). */
  pushSorted(t: number, unit: number): void {
    if (this.end === this.t.length) this.makeRoom();
    const times = this.t;
    const units = this.unit;
    let i = this.end++;
    while (i > this.start && times[i - 1] > t) {
      times[i] = times[i - 1];
      units[i] = units[i - 1];
      i--;
    }
    times[i] = t;
    units[i] = unit;
  }

  dropBefore(t: number): void {
    while (this.start < this.end && this.t[this.start] < t) this.start++;
  }

  /**
   * Removes and returns the spikes before `t`, owned by the caller: a large
   * take hands over the buffer itself (no copy) and keeps only the rest.
   */
  takeBefore(t: number): { t: Float64Array; unit: Uint32Array } {
    let stop = this.start;
    while (stop < this.end && this.t[stop] < t) stop++;
    const count = stop - this.start;
    if (count < this.t.length / 4) {
      const taken = { t: this.t.slice(this.start, stop), unit: this.unit.slice(this.start, stop) };
      this.start = stop;
      if (this.start === this.end) this.start = this.end = 0;
      return taken;
    }
    const taken = { t: this.t.subarray(this.start, stop), unit: this.unit.subarray(this.start, stop) };
    const rest = this.end - stop;
    const capacity = Math.max(1024, 2 * rest);
    const times = new Float64Array(capacity);
    const units = new Uint32Array(capacity);
    times.set(this.t.subarray(stop, this.end));
    units.set(this.unit.subarray(stop, this.end));
    this.t = times;
    this.unit = units;
    this.start = 0;
    this.end = rest;
    return taken;
  }

  /** Makes room for `count` more spikes without further growth. */
  reserve(count: number): void {
    if (this.t.length - this.end >= count) return;
    const used = this.end - this.start;
    const times = new Float64Array(used + count);
    const units = new Uint32Array(used + count);
    times.set(this.t.subarray(this.start, this.end));
    units.set(this.unit.subarray(this.start, this.end));
    this.t = times;
    this.unit = units;
    this.start = 0;
    this.end = used;
  }

  private makeRoom(): void {
    const used = this.end - this.start;
    if (this.start > 0 && used <= this.t.length / 2) {
      this.t.copyWithin(0, this.start, this.end);
      this.unit.copyWithin(0, this.start, this.end);
    } else {
      const t = new Float64Array(this.t.length * 2);
      const unit = new Uint32Array(this.t.length * 2);
      t.set(this.t.subarray(this.start, this.end));
      unit.set(this.unit.subarray(this.start, this.end));
      this.t = t;
      this.unit = unit;
    }
    this.start = 0;
    this.end = used;
  }
}

/** Inserts (t, unit) into the first `length` entries, kept sorted by t; returns the new length. */
function insertSorted(times: Float64Array, units: Uint32Array, length: number, t: number, unit: number): number {
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
