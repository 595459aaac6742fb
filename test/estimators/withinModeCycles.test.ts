import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/math/seededRandom.ts';
import {
  ShuffleOrderKeys,
  surrogateShufflePartners,
  windowShufflePartners,
  WithinModeCycles,
  withinModeCyclePartners,
} from '../../src/estimators/withinModeCycles.ts';

/** The cycle through positions 0 … n − 1 given by `partner`, as text starting at 0 ("0>3>1>2"). */
function cycleText(partner: Int32Array): string {
  const visited = [0];
  for (let w = partner[0]; w !== 0; w = partner[w]) visited.push(w);
  return visited.join('>');
}

/** Pearson's χ² of observed counts against equal expected counts. */
function chiSquaredUniform(counts: readonly number[]): number {
  const total = counts.reduce((s, n) => s + n, 0);
  const expected = total / counts.length;
  return counts.reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
}

describe('withinModeCyclePartners', () => {
  it('pairs each sample with the next of its mode in key order, the last with the first; −1 where unlabeled', () => {
    const labels = [0, 1, 0, -1, 0, 1, 2];
    const keys = Uint32Array.from([30, 5, 10, 1, 20, 7, 3]);
    // Mode 0: positions 2 (key 10), 4 (20), 0 (30). Mode 1: 1 (5), 5 (7). Mode 2: 6 alone.
    expect(Array.from(withinModeCyclePartners(labels, keys))).toEqual([2, 5, 4, -1, 0, 1, 6]);
  });
  it('refuses keys that do not match the samples, and labels that are not whole numbers', () => {
    expect(() => withinModeCyclePartners([0, 0], Uint32Array.of(1))).toThrow(RangeError);
    expect(() => withinModeCyclePartners([0, Number.NaN], Uint32Array.of(1, 2))).toThrow(/not a whole number/);
    expect(() => surrogateShufflePartners([0.5], 1, 0, 0)).toThrow(/not a whole number/);
  });
});

describe('the random cycles of the shuffle', () => {
  it('are uniform: each of the 24 cycles of 5 consecutive bins is equally likely over seeds', () => {
    const counts = new Map<string, number>();
    const labels = [0, 0, 0, 0, 0];
    const bins = [1000, 1001, 1002, 1003, 1004];
    for (let seed = 0; seed < 24_000; seed++) {
      const text = cycleText(windowShufflePartners(labels, bins, seed));
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    // χ² with 23 degrees of freedom: 60 is exceeded with probability ~4e-5 under uniformity.
    expect(chiSquaredUniform([...counts.values()])).toBeLessThan(60);
  });
  it('are uniform for every surrogate too (built by random insertion), and independent of the window’s own', () => {
    // Mode 1 at positions 0, 2, 3, 5, 6; other modes and unlabeled positions in between.
    const labels = [1, 0, 1, 1, -1, 1, 1, 2];
    const bins = [7, 8, 9, 10, 11, 12, 13, 14];
    const modeOne = [0, 2, 3, 5, 6];
    const cycleOfModeOne = (partner: Int32Array) => {
      const visited = [modeOne[0]];
      for (let w = partner[modeOne[0]]; w !== modeOne[0]; w = partner[w]) visited.push(w);
      return visited.join('>');
    };
    const counts = new Map<string, number>();
    let sameAsWindow = 0;
    for (let seed = 0; seed < 24_000; seed++) {
      const partner = surrogateShufflePartners(labels, seed, seed % 7, 7);
      expect([partner[1], partner[4], partner[7]]).toEqual([1, -1, 7]);
      const surrogate = cycleOfModeOne(partner);
      counts.set(surrogate, (counts.get(surrogate) ?? 0) + 1);
      if (surrogate === cycleOfModeOne(windowShufflePartners(labels, bins, seed))) sameAsWindow++;
    }
    expect(counts.size).toBe(24);
    expect(chiSquaredUniform([...counts.values()])).toBeLessThan(60);
    // Independent uniform cycles of 5 agree with probability 1/24.
    expect(Math.abs(sameAsWindow / 24_000 - 1 / 24)).toBeLessThan(0.008);
  });
  it('a surrogate’s cycle is fresh for each surrogate number and each window, and repeatable', () => {
    const labels = Int32Array.from({ length: 200 }, (_, w) => w % 3);
    const text = (partner: Int32Array) => Array.from(partner).join(',');
    const first = text(surrogateShufflePartners(labels, 1, 0, 500));
    expect(text(surrogateShufflePartners(labels, 1, 0, 500))).toBe(first);
    expect(text(surrogateShufflePartners(labels, 1, 1, 500))).not.toBe(first);
    expect(text(surrogateShufflePartners(labels, 1, 0, 501))).not.toBe(first);
    expect(text(surrogateShufflePartners(labels, 2, 0, 500))).not.toBe(first);
  });
  it('pair bins far apart in time: the mean distance to the partner is about n/3, as for a random pairing', () => {
    const n = 3000;
    const labels = new Int32Array(n);
    const bins = Int32Array.from({ length: n }, (_, w) => 250_000 + w);
    const partner = windowShufflePartners(labels, bins, 3);
    let distance = 0;
    let neighbours = 0;
    for (let w = 0; w < n; w++) {
      distance += Math.abs(partner[w] - w);
      if (Math.abs(partner[w] - w) <= 5) neighbours++;
    }
    // Uniform partners: E|Δ| ≈ n/3 (s.e. ≈ 13 here); within ±5 bins: about 10 of them.
    expect(distance / n).toBeGreaterThan(n / 3 - 60);
    expect(distance / n).toBeLessThan(n / 3 + 60);
    expect(neighbours).toBeLessThan(40);
  });
  it('keys differ for any two bins of a window, so the order is strict', () => {
    const keys = new ShuffleOrderKeys(11, 'window');
    const seen = new Set<number>();
    for (let bin = -50_000; bin < 50_000; bin++) seen.add(keys.key(bin));
    expect(seen.size).toBe(100_000);
  });
});

describe('WithinModeCycles', () => {
  it('kept incrementally, the words equal the batch cycles of the bins present after every step', () => {
    const random = new SeededRandom(5, 'cycles');
    const keys = new ShuffleOrderKeys(9, 'window');
    // Words by "from>to" (bins), as the shuffled tables would count them.
    const words = new Map<string, number>();
    const cycles = new WithinModeCycles<{ bin: number }>((from, to, delta) => {
      const word = `${from.bin}>${to.bin}`;
      const n = (words.get(word) ?? 0) + delta;
      if (n < 0) throw new Error(`word ${word} removed more often than added`);
      if (n === 0) words.delete(word);
      else words.set(word, n);
    });
    const present: Array<{ bin: number; label: number }> = [];
    for (let step = 0; step < 3000; step++) {
      // Bins enter in time order; they leave oldest first, or any present one (a restart clears out of order).
      if (present.length < 40 || random.next() < 0.5) {
        const entry = { bin: 10_000 + step, label: random.nextInt(3) };
        cycles.insert(entry.label, keys.key(entry.bin), entry);
        present.push(entry);
      } else {
        const at = random.next() < 0.8 ? 0 : random.nextInt(present.length);
        const [entry] = present.splice(at, 1);
        cycles.remove(entry.label, keys.key(entry.bin), entry);
      }
      const partner = windowShufflePartners(
        present.map((entry) => entry.label),
        present.map((entry) => entry.bin),
        9,
      );
      const expected = new Map<string, number>();
      present.forEach((entry, w) => expected.set(`${entry.bin}>${present[partner[w]].bin}`, 1));
      expect(words).toEqual(expected);
    }
  });
  it('a bin alone in its mode is paired with itself, and removing a bin that is not there is an error', () => {
    const words: string[] = [];
    const cycles = new WithinModeCycles<string>((from, to, delta) => words.push(`${delta > 0 ? '+' : '-'}${from}>${to}`));
    cycles.insert(2, 100, 'a');
    cycles.insert(2, 50, 'b');
    cycles.remove(2, 100, 'a');
    expect(words).toEqual(['+a>a', '-a>a', '+a>b', '+b>a', '-b>a', '-a>b', '+b>b']);
    expect(() => cycles.remove(2, 100, 'a')).toThrow(/not in it/);
    expect(() => cycles.remove(5, 1, 'c')).toThrow(/not in it/);
  });
});
