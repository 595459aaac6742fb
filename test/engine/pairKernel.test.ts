import { describe, expect, it } from 'vitest';
import { PairKernel } from '../../src/engine/pairKernel.ts';
import { estimate } from '../../src/estimators/estimate.ts';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import { discretize, estimationData } from '../../src/measures/discreteSamples.ts';
import { pairSynergy } from '../../src/measures/pairSynergy.ts';

const LEVELS = 3;

/** Samples of (x_a, x_b, mode) and their dense cells [mode][x_a][x_b], as the engine lays them out. */
function randomWindow(seed: number, samples: number, modes: number, sparsity: number) {
  const random = new SeededRandom(seed, 'pair-kernel');
  const columns = [new Int32Array(samples), new Int32Array(samples), new Int32Array(samples)];
  const cells = new Float64Array(modes * LEVELS * LEVELS);
  const symbol = () => (random.next() < sparsity ? 0 : 1 + random.nextInt(LEVELS - 1));
  for (let s = 0; s < samples; s++) {
    const mode = random.nextInt(modes);
    const a = symbol();
    // Some dependence on the mode and between the units, so that the terms are not all near zero.
    const b = random.next() < 0.3 ? (a + mode) % LEVELS : symbol();
    columns[0][s] = a;
    columns[1][s] = b;
    columns[2][s] = mode;
    cells[mode * LEVELS * LEVELS + a * LEVELS + b]++;
  }
  return { columns, cells };
}

describe('PairKernel: the jackknife in closed form', () => {
  it('equals the batch jackknife (leave-one-out over every occupied cell) to 1e-10 bits (the batch form loses a few digits to N·Î)', () => {
    const kernel = new PairKernel(LEVELS, 4000, 4);
    let checked = 0;
    for (const samples of [1, 2, 3, 7, 40, 500, 3000]) {
      for (const modes of [1, 2, 4]) {
        for (const sparsity of [0.2, 0.95]) {
          const seed = samples * 100 + modes * 10 + (sparsity > 0.5 ? 1 : 0);
          const { columns, cells } = randomWindow(seed, samples, modes, sparsity);
          const batch = estimate(estimationData(discretize(columns, [LEVELS, LEVELS, modes])), (s) => pairSynergy(s, 0, 1, 2), {
            estimator: 'jackknife',
          });
          const terms = kernel.terms(cells, 1, modes, 'jackknife');
          for (const key of ['joint', 'ia', 'ib'] as const) {
            expect(Math.abs(terms[key] - batch[key]), `${key}, ${samples} samples, ${modes} modes`).toBeLessThan(1e-10);
          }
          // The joint term alone, from the pair's cells.
          expect(Math.abs(kernel.jackknifeInformation(cells, modes, LEVELS * LEVELS) - batch.joint)).toBeLessThan(1e-10);
          checked++;
        }
      }
    }
    expect(checked).toBe(42);
  });
});

describe('PairKernel: every streaming estimator against the batch library', () => {
  /** The same window with its samples dealt into quarters by index mod 4 (the stream's quarters) as [quarter][mode][x_a][x_b]. */
  function quartered(columns: Int32Array[], modes: number): Float64Array {
    const cells = new Float64Array(4 * modes * LEVELS * LEVELS);
    for (let s = 0; s < columns[0].length; s++) cells[((s % 4) * modes + columns[2][s]) * LEVELS * LEVELS + columns[0][s] * LEVELS + columns[1][s]]++;
    return cells;
  }

  it.each(['plugin', 'miller-madow', 'panzeri-treves', 'qe'] as const)('%s: joint, I(a;Y) and I(b;Y) equal the batch estimator on random tables (1e-10 bits)', (estimator) => {
    const kernel = new PairKernel(LEVELS, 4000, 4);
    let checked = 0;
    for (const samples of [4, 7, 40, 500, 3000]) {
      for (const modes of [1, 2, 4]) {
        for (const sparsity of [0.2, 0.95]) {
          const seed = samples * 100 + modes * 10 + (sparsity > 0.5 ? 1 : 0) + 7;
          const { columns, cells } = randomWindow(seed, samples, modes, sparsity);
          const quarterOf = Array.from({ length: samples }, (_, s) => s % 4);
          const batch = estimate(estimationData(discretize(columns, [LEVELS, LEVELS, modes]), quarterOf), (s) => pairSynergy(s, 0, 1, 2), { estimator });
          const terms = estimator === 'qe' ? kernel.terms(quartered(columns, modes), 4, modes, 'qe') : kernel.terms(cells, 1, modes, estimator);
          for (const key of ['joint', 'ia', 'ib'] as const) {
            expect(Math.abs(terms[key] - batch[key]), `${estimator} ${key}, ${samples} samples, ${modes} modes, sparsity ${sparsity}`).toBeLessThan(1e-10);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(30);
  });
});
