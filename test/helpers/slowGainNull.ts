/**
 * A null recording with a slow shared gain: every unit fires as a Poisson
 * process whose rate is its own base rate times one gain g(t) common to all
 * units, g = exp(z − σ²/2) with z an Ornstein–Uhlenbeck process (time
 * constant `gainTauSeconds`, stationary s.d. σ). The behavioral modes are
 * segments of random length drawn independently of the spikes, so every
 * unit and every pair carries no information about the mode: the true
 * synergy is 0. The shared gain makes units correlated within a mode and
 * over seconds, the case where a shuffle that pairs bins close in time
 * keeps part of the correlation it should remove.
 *
 * Counts are drawn per bin and each bin's spikes are placed inside it, so a
 * test knows each bin's counts and mode exactly. A function of the seed.
 */
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { spikeBatch, type SourceEvent } from '../../src/stream/events.ts';

export interface SlowGainNullOptions {
  seed: number;
  units: number;
  seconds: number;
  binSeconds: number;
  /** Time constant of the shared log-gain (default 2 s). */
  gainTauSeconds?: number;
  /** Stationary standard deviation of the shared log-gain (default 0.8). */
  gainSigma?: number;
  /** Base rates are drawn uniformly from this range, in Hz (default 8–25). */
  rateHz?: [number, number];
  modes?: number;
  /** Mode segment lengths are drawn uniformly from this range, in seconds (default 0.5–4). */
  segmentSeconds?: [number, number];
}

export interface SlowGainNull {
  /** counts[bin][unit], bins from time 0. */
  counts: Uint8Array[];
  /** The mode index of each bin (every bin is labeled). */
  mode: Int32Array;
  modes: number;
  /** Interval events for the modes, then spike batches of one second, unit ids '0', '1', …. */
  events: SourceEvent[];
}

export function slowGainNull(o: SlowGainNullOptions): SlowGainNull {
  const random = new SeededRandom(o.seed, 'slow-gain-null');
  const tau = o.gainTauSeconds ?? 2;
  const sigma = o.gainSigma ?? 0.8;
  const [rateLow, rateHigh] = o.rateHz ?? [8, 25];
  const modes = o.modes ?? 3;
  const [segmentLow, segmentHigh] = o.segmentSeconds ?? [0.5, 4];
  const bins = Math.round(o.seconds / o.binSeconds);
  const rates = Array.from({ length: o.units }, () => rateLow + random.next() * (rateHigh - rateLow));
  const normal = () => {
    // Box–Muller.
    const u = 1 - random.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  };
  const poisson = (mean: number) => {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = random.next(); p > limit; p *= random.next()) k++;
    return k;
  };

  const events: SourceEvent[] = [];
  const mode = new Int32Array(bins);
  for (let start = 0; start < bins; ) {
    const length = Math.max(1, Math.round((segmentLow + random.next() * (segmentHigh - segmentLow)) / o.binSeconds));
    const m = random.nextInt(modes);
    const end = Math.min(bins, start + length);
    mode.fill(m, start, end);
    events.push({ kind: 'interval', start: start * o.binSeconds, end: end * o.binSeconds, label: `mode-${m}` });
    start = end;
  }

  const decay = Math.exp(-o.binSeconds / tau);
  const step = sigma * Math.sqrt(1 - decay * decay);
  let z = sigma * normal();
  const counts: Uint8Array[] = [];
  const unitIds = Array.from({ length: o.units }, (_, u) => String(u));
  const binsPerBatch = Math.max(1, Math.round(1 / o.binSeconds));
  let times: number[] = [];
  let units: string[] = [];
  for (let k = 0; k < bins; k++) {
    z = z * decay + step * normal();
    const gain = Math.exp(z - (sigma * sigma) / 2);
    const row = new Uint8Array(o.units);
    for (let u = 0; u < o.units; u++) {
      const n = Math.min(255, poisson(rates[u] * gain * o.binSeconds));
      row[u] = n;
      // Spikes strictly inside the bin, away from its edges.
      for (let s = 0; s < n; s++) {
        times.push((k + (s + 1) / (n + 1)) * o.binSeconds);
        units.push(unitIds[u]);
      }
    }
    counts.push(row);
    if ((k + 1) % binsPerBatch === 0 || k === bins - 1) {
      const order = times.map((_, i) => i).sort((x, y) => times[x] - times[y]);
      events.push(spikeBatch(order.map((i) => times[i]), order.map((i) => units[i])));
      times = [];
      units = [];
    }
  }
  // Time reaches the end of the last bin, so the last full window is emitted.
  events.push({ kind: 'heartbeat', t: bins * o.binSeconds });
  return { counts, mode, modes, events };
}
