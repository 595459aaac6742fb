import { describe, expect, it } from 'vitest';
import { pairCount, pairIndex } from '../../src/page/pairIndex.ts';
import { greedyChainOrder } from '../../src/page/seriation.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';

/** Noise of ±`noise` bits on every pair, and the planted pairs at ±`strength`. */
function plantedMatrix(units: number, planted: Array<[number, number, number]>, noise: number, seed = 1): Float32Array {
  const random = new SeededRandom(seed);
  const synergy = new Float32Array(pairCount(units)).map(() => (random.next() * 2 - 1) * noise);
  for (const [a, b, bits] of planted) synergy[pairIndex(a, b, units)] = bits;
  return synergy;
}

const adjacent = (order: Int32Array, a: number, b: number) => Math.abs(order.indexOf(a) - order.indexOf(b)) === 1;

describe('greedy chain seriation', () => {
  it('is a permutation of the units', () => {
    const order = greedyChainOrder(50, plantedMatrix(50, [], 0.01));
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('puts planted pairs next to each other, synergistic and redundant alike (the demo’s plant)', () => {
    const planted: Array<[number, number, number]> = [[3, 11, 0.13], [0, 5, 0.17], [10, 12, -0.14], [14, 15, -0.11]];
    const order = greedyChainOrder(16, plantedMatrix(16, planted, 0.01));
    for (const [a, b] of planted) expect(adjacent(order, a, b), `${a}–${b} in ${order.join(',')}`).toBe(true);
  });

  it('at 1,024 units: planted pairs adjacent, a coupled chain kept together, in well under a second', () => {
    const planted: Array<[number, number, number]> = [[3, 900, 0.2], [17, 512, -0.2], [100, 101, 0.15]];
    // A chain 40–41–42–43: each link strong, the rest noise.
    const chain: Array<[number, number, number]> = [[40, 43, 0.3], [43, 41, 0.28], [41, 42, 0.26]];
    const synergy = plantedMatrix(1024, [...planted, ...chain], 0.02, 7);
    const started = performance.now();
    const order = greedyChainOrder(1024, synergy);
    const elapsed = performance.now() - started;
    for (const [a, b] of [...planted, ...chain]) expect(adjacent(order, a, b), `${a}–${b}`).toBe(true);
    expect(new Set(order).size).toBe(1024);
    expect(elapsed).toBeLessThan(2000);
  });

  it('follows the documented example, and leaves units with no coupling last in id order', () => {
    const synergy = new Float32Array(pairCount(4));
    synergy[pairIndex(0, 3, 4)] = 0.9;
    synergy[pairIndex(1, 2, 4)] = 0.8;
    synergy[pairIndex(2, 3, 4)] = 0.5;
    expect([...greedyChainOrder(4, synergy)]).toEqual([0, 3, 2, 1]);
    const sparse = new Float32Array(pairCount(5));
    sparse[pairIndex(1, 3, 5)] = -0.4;
    expect([...greedyChainOrder(5, sparse)]).toEqual([1, 3, 0, 2, 4]);
  });
});
