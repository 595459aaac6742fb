import { encodeMatrixFrame } from '../../src/page/matrixFrame.ts';
import { pairCount, pairIndex } from '../../src/page/pairIndex.ts';
import type { PairRecord, RunHeader, SynergyUpdate } from '../../src/page/protocol.ts';

/** A planted pair: units a < b (indices = ids here) and its synergy in bits. */
export type Planted = [a: number, b: number, bits: number];

/** The demo's plant: two synergistic pairs, two redundant ones, among 16 units. */
export const DEMO_PLANT: Planted[] = [
  [3, 11, 0.14],
  [0, 5, 0.17],
  [10, 12, -0.14],
  [14, 15, -0.11],
];

export const RUN: RunHeader = { type: 'run', version: '0.1.0', command: 'demo', source: 'ws://127.0.0.1:1/', format: 'protocol', options: { bin: 0.02, window: 30, hop: 1, alertAlpha: 0.05 }, seed: 0, started: '2025-01-01T00:00:00.000Z' };

/** Small deterministic noise in [−1, 1] for pair k at time t. */
const noiseAt = (k: number, t: number) => {
  const x = Math.sin(k * 12.9898 + t * 78.233) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
};

/** Every pair's synergy: noise of ±`noiseBits`, the planted pairs at their value. */
export function synergyOf(units: number, t: number, planted: Planted[], noiseBits: number): Float32Array {
  const synergy = new Float32Array(pairCount(units));
  for (let k = 0; k < synergy.length; k++) synergy[k] = noiseAt(k, t) * noiseBits;
  for (const [a, b, bits] of planted) synergy[pairIndex(a, b, units)] = bits;
  return synergy;
}

/** A matrix frame of units 0 … U − 1 at time t: the planted pairs significant, mode "go" then "rest" in the last hop. */
export function frameAt(units: number, t: number, planted: Planted[], noiseBits = 0.002, source: string | null = null): ArrayBuffer {
  const synergy = synergyOf(units, t, planted, noiseBits);
  const flags = new Uint8Array(synergy.length);
  for (const [a, b] of planted) flags[pairIndex(a, b, units)] = 1;
  const ids = Array.from({ length: units }, (_, i) => i);
  return encodeMatrixFrame({ source, t, units: ids, alpha: 0.05, significant: planted.length, modes: [[t - 1, t - 0.4, 'go'], [t - 0.4, t, 'rest']] }, synergy, flags);
}

/** The update at time t: the planted pairs (and a few more) as its top list. */
export function updateAt(units: number, t: number, planted: Planted[], extra: Partial<SynergyUpdate> = {}): SynergyUpdate {
  const pairs: PairRecord[] = planted.map(([a, b, bits]) => ({ a, b, joint: Math.abs(bits) + 0.05, ia: 0.02, ib: 0.03, synergy: bits, normalized: null, excess: bits, p: 0.01, p_fwer: 0.01, q: 0.01 }));
  pairs.push({ a: 1, b: 2, joint: 0.01, ia: 0.005, ib: 0.004, synergy: 0.001, normalized: null, excess: 0, p: 0.6, p_fwer: 1, q: 1 });
  return {
    type: 'synergy',
    t,
    window: [Math.max(0, t - 30), t],
    samples: 1500,
    labels: { go: 900, rest: 600 },
    estimator: 'jackknife',
    levels: 3,
    dropped: { unlabeled: 4, late: 0 },
    units,
    pairsComputed: pairCount(units),
    surrogates: 99,
    alpha: 0.05,
    significant: planted.length,
    pairs,
    ...extra,
  };
}
