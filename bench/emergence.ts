/**
 * Calibration of the emergence alerts (docs/EMERGENCE.md): false alarms per
 * hour on stationary series, the delay from a regime switch to its alert,
 * for tumbling windows (W = 1) and a 60 s window on a 1 s hop (W = 60); the
 * cost of one push and the memory of one detector.
 *
 * Synthetic series, as the analyzer's sliding windows make them: each hop
 * contributes an independent N(μ(h), W·sd²) draw and the value at hop h is
 * the mean of the last W contributions (a sliding window of an additive
 * statistic: per-window sd `sd`, lag-1 correlation 1 − 1/W); W = 1 is i.i.d.
 * noise. Stationary: μ = +0.05 bits (Ω of a redundancy-dominated group),
 * per-window sd 0.015 bits. Switch: μ = +0.05 bits until a random hop 10–20
 * minutes after the warm-up, 0.05 − shift after (−0.05 bits by default: Ω
 * turns synergy-dominated), at each per-window sd of --sd; the trial watches
 * 10 minutes after the switch.
 *
 * Delays are in hops from the switch (the last hop of the old regime) to the
 * alert; with W = 60 the first window wholly in the new regime ends W hops
 * after the switch. Also shown: a BOCPD that ignores the overlap (the W = 60
 * series given to a detector with windowHops 1), as a control.
 *
 *   npx tsx bench/emergence.ts [-- --hours 200 --trials 400 --sd 0.01,0.015,0.02 --shift 0.1 --seed 1 --windows 1,60 --json]
 */
import { EmergenceDetector, type EmergenceDetectorOptions } from '../src/emergence/emergenceDetector.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { flag } from './flags.ts';

const hours = Number(flag('hours', '200'));
const trials = Number(flag('trials', '400'));
const sds = flag('sd', '0.01,0.015,0.02').split(',').map(Number);
const shift = Number(flag('shift', '0.1'));
const seed = Number(flag('seed', '1'));
const windows = flag('windows', '1,60').split(',').map(Number);
const json = process.argv.includes('--json');

const HOP_SECONDS = 1;
const LEVEL = 0.05;
const STATIONARY_SD = 0.015;

/** Standard normal draws (Box–Muller) from a seeded stream. */
function gaussian(random: SeededRandom): () => number {
  let spare: number | undefined;
  return () => {
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
}

/** value(h) = mean of the contributions of hops h − W + 1 … h, each N(meanAt(hop), W·sd²); the first value is a full window. */
function slidingSeries(windowHops: number, sd: number, meanAt: (hop: number) => number, random: SeededRandom): () => number {
  const normal = gaussian(random);
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

function detector(windowHops: number, options: Partial<EmergenceDetectorOptions> = {}): EmergenceDetector {
  return new EmergenceDetector({ series: 'population', measure: 'oinfo', synergyIsNegative: true, hopSeconds: HOP_SECONDS, windowHops, ...options });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${Object.entries(result).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
}

/** False alarms over `hours` of one stationary session, and the time of the pushes alone. */
function stationary(seriesWindowHops: number, detectorWindowHops: number, hoursToRun: number): void {
  const next = slidingSeries(seriesWindowHops, STATIONARY_SD, () => LEVEL, new SeededRandom(seed, `stationary-${seriesWindowHops}`));
  const d = detector(detectorWindowHops);
  const hops = Math.round((hoursToRun * 3600) / HOP_SECONDS);
  const chunk = new Float64Array(3600);
  let alerts = 0;
  let pushNanoseconds = 0n;
  for (let start = 0; start < hops; start += chunk.length) {
    const n = Math.min(chunk.length, hops - start);
    for (let k = 0; k < n; k++) chunk[k] = next();
    const began = process.hrtime.bigint();
    for (let k = 0; k < n; k++) if (d.push((start + k) * HOP_SECONDS, chunk[k])) alerts++;
    pushNanoseconds += process.hrtime.bigint() - began;
  }
  const watched = ((hops - d.warmupHops) * HOP_SECONDS) / 3600;
  report({
    series: `W=${seriesWindowHops}`,
    detector: `windowHops=${detectorWindowHops}`,
    case: 'stationary',
    hours: watched,
    falseAlarms: alerts,
    perHour: alerts / watched,
    microsecondsPerPush: Number(pushNanoseconds) / 1000 / hops,
  });
}

/** Delays over `trials` switches at per-window sd `sd`. */
function switches(windowHops: number, sd: number): void {
  const delays: number[] = [];
  const changeErrors: number[] = [];
  let missed = 0;
  let early = 0;
  let duplicates = 0;
  let crossings = 0;
  let hoursBefore = 0;
  for (let trial = 0; trial < trials; trial++) {
    const random = new SeededRandom(seed, `switch-${windowHops}-${sd}-${trial}`);
    const d = detector(windowHops);
    const switchHop = d.warmupHops + 600 + random.nextInt(600);
    const next = slidingSeries(windowHops, sd, (hop) => (hop <= switchHop ? LEVEL : LEVEL - shift), random);
    let first: number | undefined;
    for (let h = 0; h <= switchHop + 600; h++) {
      const alert = d.push(h * HOP_SECONDS, next());
      if (!alert) continue;
      if (h <= switchHop) early++;
      else if (first !== undefined) duplicates++;
      else {
        first = h - switchHop;
        changeErrors.push(Math.abs(alert.change_t / HOP_SECONDS - switchHop));
        if (alert.crossing === 'redundancy-to-synergy') crossings++;
      }
    }
    hoursBefore += ((switchHop - d.warmupHops) * HOP_SECONDS) / 3600;
    if (first === undefined) missed++;
    else delays.push(first);
  }
  delays.sort((a, b) => a - b);
  changeErrors.sort((a, b) => a - b);
  report({
    series: `W=${windowHops}`,
    case: `switch ${LEVEL} → ${Number((LEVEL - shift).toFixed(6))} bits, sd ${sd} (${Number((shift / sd).toFixed(2))} sd)`,
    trials,
    delayMedianHops: quantile(delays, 0.5),
    delayP95Hops: quantile(delays, 0.95),
    delayMaxHops: delays.length > 0 ? delays[delays.length - 1] : Number.NaN,
    missed,
    duplicates,
    earlyPerHour: early / hoursBefore,
    changeErrorMedianHops: quantile(changeErrors, 0.5),
    changeErrorP95Hops: quantile(changeErrors, 0.95),
    crossingsCorrect: `${crossings}/${delays.length}`,
  });
}

/** Heap per detector once warmed up (typed arrays included), from 200 of them. */
function memory(windowHops: number): void {
  const count = 200;
  const next = slidingSeries(windowHops, STATIONARY_SD, () => LEVEL, new SeededRandom(seed, 'memory'));
  const values = Array.from({ length: 20 * windowHops + 60 }, next);
  globalThis.gc?.();
  const before = process.memoryUsage();
  const kept: EmergenceDetector[] = [];
  for (let i = 0; i < count; i++) {
    const d = detector(windowHops);
    values.forEach((value, h) => d.push(h * HOP_SECONDS, value));
    kept.push(d);
  }
  globalThis.gc?.();
  const after = process.memoryUsage();
  const bytes = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
  report({ series: `W=${windowHops}`, case: 'memory', kilobytesPerDetector: bytes / count / 1024, detectors: kept.length, gcExposed: globalThis.gc !== undefined });
}

for (const windowHops of windows) {
  stationary(windowHops, windowHops, hours);
  for (const sd of sds) switches(windowHops, sd);
  memory(windowHops);
}
if (windows.some((w) => w > 1)) stationary(Math.max(...windows), 1, 2);
