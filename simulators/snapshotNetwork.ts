import { UsageError } from '../src/errors.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import type { Snapshot } from '../src/snapshots/snapshot.ts';

/**
 * A simulated network whose layer changes how it codes the class during
 * training: redundantly before `switchStep`, synergistically from it on.
 * Snapshots are its activations over a fixed probe set (the same samples
 * and labels at every step), so that the snapshot analysis has a known
 * answer to find.
 *
 * The probe set: `samples` inputs of `classes` classes (default 2), as even
 * as the count allows (sample i has class i mod classes, shuffled once from
 * the seed), labels '0', '1', …. The coded bit of a sample is its class
 * mod 2.
 *
 * Neurons: the first 2·⌊min(neurons, 4)/2⌋ form planted pairs (neurons 0–1
 * and 2–3); the others are noise. Every value is a bit plus Gaussian noise
 * of standard deviation `noise` (default 0.3), so that a neuron's values,
 * cut at quantiles into 2–3 levels, recover its bit most of the time:
 *
 * - Redundant phase (step < switchStep): both neurons of a pair carry the
 *   coded bit. Each alone tells the class; together they tell no more, so
 *   the pair's synergy I(a,b;Y) − I(a;Y) − I(b;Y) is clearly negative
 *   (about −0.5 bits for two classes, σ 0.3, a median split).
 * - Synergistic phase (step ≥ switchStep): neuron a carries a fair random
 *   bit r (fresh per sample and step), neuron b carries r XOR the coded bit.
 *   Each alone tells nothing; together they tell the bit (their XOR), so
 *   the synergy is clearly positive (about +0.5 bits, same setting).
 * - Noise neurons carry a fair random bit of their own, so that their
 *   values look like the planted ones'.
 *
 * Each step draws its noise from a stream of its own, so one step's
 * snapshot does not depend on which other steps were asked for.
 */
export interface SnapshotNetworkOptions {
  /** Columns (≥ 1; planted pairs need 2 and 4). */
  neurons: number;
  /** Rows: probe inputs (≥ 1). */
  samples: number;
  /** Classes of the probe set, ≥ 2 (default 2). */
  classes?: number;
  /** The training steps to take a snapshot at, in any order (returned in this order). */
  steps: number[];
  /** The first step of the synergistic phase. */
  switchStep: number;
  seed: number;
  /** Standard deviation of the Gaussian noise on every value (default 0.3). */
  noise?: number;
}

/** Neurons in planted pairs: 0–1 and 2–3 when there are at least 4. */
export const PLANTED_PAIRS = [
  [0, 1],
  [2, 3],
] as const;

export function simulateSnapshots(options: SnapshotNetworkOptions): Snapshot[] {
  const { neurons, samples, steps, switchStep, seed } = options;
  const classes = options.classes ?? 2;
  const noise = options.noise ?? 0.3;
  if (!Number.isInteger(neurons) || neurons < 1) throw new UsageError(`neurons ${neurons} must be a whole number ≥ 1`);
  if (!Number.isInteger(samples) || samples < 1) throw new UsageError(`samples ${samples} must be a whole number ≥ 1`);
  if (!Number.isInteger(classes) || classes < 2) throw new UsageError(`classes ${classes} must be a whole number ≥ 2`);
  if (!(noise >= 0 && Number.isFinite(noise))) throw new UsageError(`noise ${noise} must be a finite number ≥ 0`);
  for (const step of [...steps, switchStep]) if (!Number.isFinite(step)) throw new UsageError(`step ${step} must be finite`);

  const classOf = new Int32Array(samples);
  for (let i = 0; i < samples; i++) classOf[i] = i % classes;
  new SeededRandom(seed, 'snapshot-probe-set').shuffle(classOf);
  const labels = Array.from(classOf, String);
  const neuronIds = Array.from({ length: neurons }, (_, j) => `n${j}`);
  const planted = PLANTED_PAIRS.filter(([, b]) => b < neurons);

  return steps.map((step) => {
    const random = new SeededRandom(seed, `snapshot-step:${step}`);
    const gaussian = new GaussianSource(random);
    const synergistic = step >= switchStep;
    const values = new Float64Array(samples * neurons);
    for (let i = 0; i < samples; i++) {
      const bit = classOf[i] % 2;
      const row = i * neurons;
      for (let j = 0; j < neurons; j++) values[row + j] = random.nextInt(2);
      for (const [a, b] of planted) {
        if (synergistic) {
          const r = random.nextInt(2);
          values[row + a] = r;
          values[row + b] = r ^ bit;
        } else {
          values[row + a] = bit;
          values[row + b] = bit;
        }
      }
      for (let j = 0; j < neurons; j++) values[row + j] += noise * gaussian.next();
    }
    return { step, samples, neurons, values, labels: [...labels], neuronIds: [...neuronIds] };
  });
}

/** Standard normal numbers from a seeded uniform source (Box–Muller, both halves used). */
class GaussianSource {
  private spare: number | undefined;

  constructor(private readonly random: SeededRandom) {}

  next(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = 1 - this.random.next(); // (0, 1]: the logarithm stays finite
    const v = this.random.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}
