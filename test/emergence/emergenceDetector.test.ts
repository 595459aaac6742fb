import { describe, expect, it } from 'vitest';
import { EmergenceDetector, EmergenceOptionError, EmergenceTimeError, type EmergenceAlert, type EmergenceDetectorOptions } from '../../src/emergence/emergenceDetector.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

/**
 * What a sliding window of an additive statistic looks like: each hop
 * contributes an independent N(mean(hop), W·sd²) draw, and the value at hop
 * h is the mean of the contributions of hops h − W + 1 … h (per-window sd
 * `sd`, lag-1 correlation 1 − 1/W). W = 1 is i.i.d. noise. Values of the
 * magnitudes the analyzer reports for Ω of a group: ±0.05 bits, per-window
 * sd 0.015 bits.
 */
function slidingSeries(windowHops: number, sd: number, meanAt: (hop: number) => number, random: SeededRandom): () => number {
  let spare: number | undefined;
  const normal = () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - random.next()));
    const angle = 2 * Math.PI * random.next();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const ring = new Float64Array(windowHops);
  const contributionSd = sd * Math.sqrt(windowHops);
  let sum = 0;
  for (let k = 0; k < windowHops; k++) {
    ring[k] = meanAt(k - windowHops) + contributionSd * normal();
    sum += ring[k];
  }
  let hop = 0;
  return () => {
    const slot = hop % windowHops;
    const contribution = meanAt(hop) + contributionSd * normal();
    sum += contribution - ring[slot];
    ring[slot] = contribution;
    hop++;
    return sum / windowHops;
  };
}

const HOP_SECONDS = 1;
const NOISE_SD = 0.015;

function detector(windowHops: number, options: Partial<EmergenceDetectorOptions> = {}): EmergenceDetector {
  return new EmergenceDetector({ series: 'group:CA1', measure: 'oinfo', synergyIsNegative: true, hopSeconds: options.hopSeconds ?? HOP_SECONDS, windowHops, ...options });
}

/** Alerts per hour over `hours` of a stationary series (after the warm-up). */
function falseAlarmsPerHour(windowHops: number, hours: number, seed: number, options: Partial<EmergenceDetectorOptions> = {}, seriesWindowHops = windowHops): number {
  const next = slidingSeries(seriesWindowHops, NOISE_SD, () => 0.05, new SeededRandom(seed, 'stationary'));
  const d = detector(windowHops, options);
  const hops = (hours * 3600) / HOP_SECONDS;
  let alerts = 0;
  for (let h = 0; h < hops; h++) if (d.push(h * HOP_SECONDS, next())) alerts++;
  return alerts / ((hops - d.warmupHops) / 3600);
}

interface SwitchTrial {
  switchHop: number;
  /** Hours watched before the switch, after the warm-up. */
  hoursBefore: number;
  /** Alerts raised before the switch: false alarms. */
  early: number;
  /** Alerts raised after it. */
  alerts: { hop: number; alert: EmergenceAlert }[];
}

/** Ω from +0.05 to `after` bits at a random hop 10–20 min after the warm-up, watched for 10 min. */
function switchTrial(windowHops: number, seed: number, after = -0.05, options: Partial<EmergenceDetectorOptions> = {}): SwitchTrial {
  const random = new SeededRandom(seed, `switch-${windowHops}`);
  const d = detector(windowHops, options);
  const switchHop = d.warmupHops + 600 + random.nextInt(600);
  const next = slidingSeries(windowHops, NOISE_SD, (hop) => (hop <= switchHop ? 0.05 : after), random);
  const alerts: SwitchTrial['alerts'] = [];
  let early = 0;
  for (let h = 0; h <= switchHop + 600; h++) {
    const alert = d.push(h * HOP_SECONDS, next());
    if (alert && h <= switchHop) early++;
    else if (alert) alerts.push({ hop: h, alert });
  }
  return { switchHop, hoursBefore: ((switchHop - d.warmupHops) * HOP_SECONDS) / 3600, early, alerts };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

describe('EmergenceDetector on tumbling windows (W = 1)', () => {
  it('raises one alert within 10 hops of a switch from redundancy to synergy, with its time and levels', () => {
    const delays: number[] = [];
    let early = 0;
    let hoursBefore = 0;
    for (let seed = 0; seed < 60; seed++) {
      const trial = switchTrial(1, seed);
      const { switchHop, alerts } = trial;
      early += trial.early;
      hoursBefore += trial.hoursBefore;
      expect(alerts.length, `seed ${seed}`).toBe(1);
      const { hop, alert } = alerts[0];
      expect(hop).toBeGreaterThan(switchHop);
      delays.push(hop - switchHop);
      // The first value of the new regime is the window ending at hop switchHop + 1: the change is at switchHop.
      expect(Math.abs(alert.change_t - switchHop * HOP_SECONDS)).toBeLessThanOrEqual(1);
      expect(alert.before).toBeCloseTo(0.05, 1);
      expect(alert.after).toBeCloseTo(-0.05, 1);
      expect(alert.crossing).toBe('redundancy-to-synergy');
    }
    expect(Math.max(...delays)).toBeLessThanOrEqual(10);
    expect(quantile(delays, 0.5)).toBeLessThanOrEqual(3);
    expect(early / hoursBefore).toBeLessThan(1);
  });

  it('raises an alert of exactly the documented shape', () => {
    const { alerts } = switchTrial(1, 0);
    const { alert } = alerts[0];
    expect(Object.keys(alert).sort()).toEqual(['after', 'before', 'change_t', 'crossing', 'kind', 'measure', 'probability', 'series', 'state', 't'].concat('type').sort());
    expect(alert).toMatchObject({ type: 'alert', kind: 'emergence', state: 'raised', series: 'group:CA1', measure: 'oinfo' });
    expect(alert.probability).toBeGreaterThanOrEqual(0.5);
    expect(alert.probability).toBeLessThanOrEqual(1);
  });

  it('raises fewer than one false alert per hour over 50 stationary hours', () => {
    expect(falseAlarmsPerHour(1, 50, 21)).toBeLessThan(1);
  });
});

describe('EmergenceDetector on overlapping windows (W = 60, 1 s hop)', () => {
  it('raises fewer than one false alert per hour over 50 stationary hours', () => {
    expect(falseAlarmsPerHour(60, 50, 22)).toBeLessThan(1);
  });

  it('is needed: a plain BOCPD fed every hop of the same series fires many times an hour', () => {
    // The same 60 s windows read as if independent (windowHops 1): every slow wander of the overlap is a "change".
    expect(falseAlarmsPerHour(1, 2, 22, {}, 60)).toBeGreaterThan(10);
  });

  it('raises one alert about a window after the switch, with the change time and a crossing', () => {
    const W = 60;
    const delays: number[] = [];
    const timeErrors: number[] = [];
    let crossings = 0;
    let early = 0;
    let hoursBefore = 0;
    const trials = 40;
    for (let seed = 0; seed < trials; seed++) {
      const trial = switchTrial(W, seed);
      const { switchHop, alerts } = trial;
      early += trial.early;
      hoursBefore += trial.hoursBefore;
      // One alert for the switch: the phases' later views of it fall in the refractory period.
      expect(alerts.length, `seed ${seed}`).toBe(1);
      const { hop, alert } = alerts[0];
      delays.push(hop - switchHop);
      timeErrors.push(Math.abs(alert.change_t / HOP_SECONDS - switchHop));
      if (alert.crossing === 'redundancy-to-synergy') crossings++;
    }
    // Fully visible from W hops after the switch: the median alert comes within W + 10.
    expect(quantile(delays, 0.5)).toBeLessThanOrEqual(W + 10);
    expect(quantile(delays, 0.9)).toBeLessThanOrEqual(W + 30);
    expect(Math.min(...delays)).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 * W + 20);
    expect(quantile(timeErrors, 0.5)).toBeLessThanOrEqual(10);
    expect(crossings).toBeGreaterThanOrEqual(trials - 3);
    expect(early / hoursBefore).toBeLessThan(1);
  });
});

describe('EmergenceDetector rules', () => {
  it('says no crossing when the series stays on one side, and orients synergy by synergyIsNegative', () => {
    const within = switchTrial(1, 3, 0.15).alerts;
    expect(within.length).toBe(1);
    expect(within[0].alert.crossing).toBeNull();
    expect(within[0].alert.after).toBeCloseTo(0.15, 1);

    // A synergy measure (positive: synergistic) that goes from +0.05 to −0.05 turns redundant.
    const synergy = detector(1, { measure: 'synergy', synergyIsNegative: false });
    const next = slidingSeries(1, NOISE_SD, (hop) => (hop < 500 ? 0.05 : -0.05), new SeededRandom(4, 'synergy'));
    const alerts: EmergenceAlert[] = [];
    for (let h = 0; h < 700; h++) {
      const alert = synergy.push(h, next());
      if (alert) alerts.push(alert);
    }
    expect(alerts.map((alert) => alert.crossing)).toEqual(['synergy-to-redundancy']);
    expect(alerts[0].measure).toBe('synergy');

    // crossingMargin: |before| and |after| must exceed it.
    const strict = switchTrial(1, 3, -0.05, { crossingMargin: 0.1 }).alerts;
    expect(strict[0].alert.crossing).toBeNull();
  });

  it('fits the change time and both levels exactly on a noise-free ramp', () => {
    const W = 60;
    const d = detector(W, { hopSeconds: 0.5 });
    // The mean of the last W hops of a step at hop 1000: a ramp from hop 1000 to 1060.
    const value = (hop: number) => 0.05 - 0.1 * Math.min(1, Math.max(0, (hop - 1000) / W));
    const alerts: { hop: number; alert: EmergenceAlert }[] = [];
    for (let h = 0; h < 1400; h++) {
      const alert = d.push(100 + h * 0.5, value(h));
      if (alert) alerts.push({ hop: h, alert });
    }
    expect(d.noiseScale).toBe(d.noiseFloor);
    expect(alerts.length).toBe(1);
    const { hop, alert } = alerts[0];
    expect(hop).toBeGreaterThanOrEqual(1000 + W);
    expect(hop).toBeLessThanOrEqual(1000 + W + 10);
    expect(alert.t).toBe(100 + hop * 0.5);
    expect(alert.change_t).toBe(100 + 1000 * 0.5);
    expect(alert.before).toBeCloseTo(0.05, 12);
    expect(alert.after).toBeCloseTo(-0.05, 12);
  });

  it('alerts each of two changes far apart once, back and forth', () => {
    const W = 60;
    const d = detector(W);
    const level = (hop: number) => (hop < 1800 ? 0.05 : hop < 3600 ? -0.05 : 0.05);
    const next = slidingSeries(W, NOISE_SD, level, new SeededRandom(5, 'twice'));
    const alerts: { hop: number; alert: EmergenceAlert }[] = [];
    for (let h = 0; h < 5400; h++) {
      const alert = d.push(h, next());
      if (alert) alerts.push({ hop: h, alert });
    }
    expect(alerts.map(({ alert }) => alert.crossing)).toEqual(['redundancy-to-synergy', 'synergy-to-redundancy']);
    expect(alerts[0].hop - 1800).toBeLessThanOrEqual(2 * W);
    expect(alerts[1].hop - 3600).toBeLessThanOrEqual(2 * W);
    expect(d.alertCount).toBe(2);
  });

  it('skips and counts values that are not finite, and copes with missing hops', () => {
    const d = detector(1, { noiseScale: NOISE_SD });
    expect(d.ready).toBe(false);
    const next = slidingSeries(1, NOISE_SD, (hop) => (hop < 400 ? 0.05 : -0.05), new SeededRandom(6, 'gaps'));
    const alerts: number[] = [];
    let notFinite = 0;
    for (let h = 0; h < 600; h++) {
      const value = next();
      if (h % 7 === 3) continue; // a hop the analyzer did not emit
      if (h % 50 === 10) notFinite++;
      const alert = d.push(h, h % 50 === 10 ? Number.NaN : value);
      if (alert) alerts.push(h);
    }
    expect(d.ready).toBe(true);
    expect(d.noiseScale).toBe(NOISE_SD);
    expect(d.skippedValues).toBe(notFinite);
    expect(alerts.length).toBe(1);
    expect(alerts[0] - 400).toBeLessThanOrEqual(10);
    expect(d.push(600, Infinity)).toBeUndefined();
    expect(d.skippedValues).toBe(notFinite + 1);
  });

  it('estimates the noise during the warm-up from disjoint windows', () => {
    const W = 60;
    const d = detector(W, { warmupHops: 3600 });
    const next = slidingSeries(W, NOISE_SD, () => 0.05, new SeededRandom(7, 'noise'));
    for (let h = 0; h < 3600; h++) {
      expect(d.ready).toBe(false);
      d.push(h, next());
    }
    expect(d.ready).toBe(true);
    // 60 disjoint windows' worth: within 25 % (lag-1 differences would say 0.015 · √(2/60) ≈ 0.0027).
    expect(Math.abs(d.noiseScale! / NOISE_SD - 1)).toBeLessThan(0.25);
  });

  it('refuses times that are not finite or do not move on by a hop, with a code', () => {
    const d = detector(1);
    d.push(10, 0.05);
    for (const t of [10, 9, 10.4, Number.NaN, Infinity]) {
      let caught: unknown;
      try {
        d.push(t, 0.05);
      } catch (error) {
        caught = error;
      }
      expect(caught, String(t)).toBeInstanceOf(EmergenceTimeError);
      expect((caught as EmergenceTimeError).code).toBe('EMERGENCE_TIME');
      expect((caught as Error).message).toContain('group:CA1 oinfo');
    }
    expect(d.push(11, 0.05)).toBeUndefined();
  });

  it('refuses options outside their domain, with a code', () => {
    const bad: Partial<EmergenceDetectorOptions>[] = [
      { windowHops: 0 },
      { windowHops: 1.5 },
      { hopSeconds: 0 },
      { meanRegimeSeconds: 30, windowHops: 60 },
      { threshold: 1 },
      { recentObservations: 0 },
      { confirmHops: 0 },
      { warmupHops: 2 },
      { noiseScale: -1 },
      { noiseFloor: 0 },
      { maxRunLength: 1 },
      { refractoryHops: -1 },
      { baselineHops: 0 },
      { crossingMargin: Number.NaN },
      { synergyIsNegative: undefined as unknown as boolean },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        detector(options.windowHops ?? 1, options);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(options)).toBeInstanceOf(EmergenceOptionError);
      expect((caught as EmergenceOptionError).code).toBe('EMERGENCE_OPTION');
    }
  });
});
