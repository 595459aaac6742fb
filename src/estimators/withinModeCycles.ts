import { SeededRandom } from '../math/seededRandom.ts';

/**
 * The within-mode shuffle of the streaming `shuffle` estimator, as a random
 * cycle per mode that a sliding window can keep up to date.
 *
 * SCIENCE.md defines H_sh(R|S) on responses whose units were shuffled
 * independently among the samples of each mode. For a pair that is one
 * random pairing: bin t's x_i with bin σ(t)'s x_j, σ a random permutation of
 * the mode's bins. Here σ is a **uniformly random cyclic permutation** of the
 * mode's bins in the window, chosen so that a bin entering or leaving the
 * window changes three words of the shuffled table (O(1) per bin):
 *
 * - Each bin gets a key, a keyed hash of its index (`ShuffleOrderKeys`): a
 *   bijection of the 32-bit bin index, mixed twice with two 32-bit salts drawn
 *   from the seed. The mode's bins in key order, read cyclically, are the
 *   cycle: σ(t) is the bin after t in key order (the first after the last).
 * - Uniform: the keys put the n bins in a uniformly random order (as iid
 *   random keys would), and the map from orders to cycles is n-to-1 (the n
 *   rotations of an order give the same cycle), so each of the (n − 1)!
 *   cycles is equally likely.
 * - Incremental: a bin e entering, between p and s in key order, replaces
 *   the word p→s by p→e and e→s; leaving, p→e and e→s become p→s. The
 *   window's bins of each mode are kept sorted by key (binary search).
 * - A function of the seed and the window's bins alone, not of the stream's
 *   history: the batch library computes the same σ from the same bins, and
 *   two analyses of the same window (a replay, another process) agree.
 *   (Inserting each entering bin after a uniformly chosen bin of its mode
 *   also keeps σ a uniform cycle, but σ then depends on every bin since
 *   the analysis began.)
 *
 * A uniform n-cycle never pairs a bin with itself (a uniform permutation
 * does for one bin on average): σ(t) is uniform over the n − 1 other bins,
 * so the expected shuffled count of a word (a, b) is (n_a·n_b − n_ab)/(n − 1)
 * instead of n_a·n_b/n; the two differ by (n_a·n_b/n − n_ab)/(n − 1), O(1/n)
 * of the within-bin correlation.
 * A fixed pairing (each bin with the next bin of its mode in time) is not a
 * shuffle: under a slow gain shared by the units, neighbouring bins are
 * correlated and that pairing keeps part of the correlation the shuffle
 * must remove (SCIENCE.md: measured bias −10 mbit).
 *
 * Surrogates (label shifts) each get a fresh uniformly random cycle, built
 * from scratch for the surrogate's labels (`surrogateShufflePartners`).
 */

/** Keys of a random order of bins: a keyed bijective hash of the bin index. */
export class ShuffleOrderKeys {
  private readonly salt0: number;
  private readonly salt1: number;

  /** `stream` names independent orders for one seed (the engine's is 'window'). */
  constructor(seed: number, stream: string) {
    const random = new SeededRandom(seed, `shuffle-order:${stream}`);
    this.salt0 = random.nextUint32();
    this.salt1 = random.nextUint32();
  }

  /**
   * The key of bin `bin` (an integer), in [0, 2^32). Bins that differ
   * modulo 2^32 get different keys, so the bins of any window are in a
   * strict order.
   */
  key(bin: number): number {
    return mix32((mix32((bin ^ this.salt0) >>> 0) ^ this.salt1) >>> 0);
  }
}

/**
 * A bijection of 32-bit integers with strong avalanche ("triple32" of
 * C. Wellons' hash-prospector: xor-shifts and odd multiplications, each
 * invertible).
 */
function mix32(x: number): number {
  x ^= x >>> 17;
  x = Math.imul(x, 0xed5ad4bb);
  x ^= x >>> 11;
  x = Math.imul(x, 0xac4c1b51);
  x ^= x >>> 15;
  x = Math.imul(x, 0x31848bab);
  x ^= x >>> 14;
  return x >>> 0;
}

/**
 * For each sample w with label ≥ 0: the sample after it among those of its
 * label in the order of `keys` (32-bit, ascending, ties by position), cyclically
 * (itself if alone in its label); −1 where the label is < 0. This is σ of
 * the module comment, as sample positions.
 */
export function withinModeCyclePartners(labels: ArrayLike<number>, keys: Uint32Array): Int32Array {
  const length = labels.length;
  if (keys.length !== length) throw new RangeError(`${keys.length} keys for ${length} samples`);
  const labelCount = labelCountOf(labels);
  const partner = new Int32Array(length).fill(-1);
  const first = new Int32Array(labelCount).fill(-1);
  const last = new Int32Array(labelCount).fill(-1);
  const order = orderByKeys(keys);
  for (let r = 0; r < length; r++) {
    const w = order[r];
    const label = labels[w];
    if (label < 0) continue;
    if (last[label] < 0) first[label] = w;
    else partner[last[label]] = w;
    last[label] = w;
  }
  for (let label = 0; label < labelCount; label++) if (last[label] >= 0) partner[last[label]] = first[label];
  return partner;
}

/**
 * The shuffle pairing of surrogate number `surrogate` (0, 1, …) of the window
 * whose first bin is `windowFirstBin`: window position w has, in this
 * surrogate, label `labels[w]` (< 0: not a sample). A fresh uniformly random
 * cycle per mode, built in one pass: each labeled position in turn is put
 * after a uniformly chosen position already in its mode's cycle (the first
 * one alone). Inserting into a uniform slot of a uniform cycle of n gives a
 * uniform cycle of n + 1, so each mode's cycle is uniform. The choices come
 * from a generator seeded by the seed, the surrogate's number and the
 * window, consumed in position order: a batch computation repeats them.
 * O(n), with no sort (a window has many surrogates). Returns, per position,
 * the position paired with it (−1 where unlabeled).
 */
export function surrogateShufflePartners(
  labels: ArrayLike<number>,
  seed: number,
  surrogate: number,
  windowFirstBin: number,
): Int32Array {
  const length = labels.length;
  const labelCount = labelCountOf(labels);
  // Each label's positions so far, in one array: label m's block starts at start[m].
  const start = new Int32Array(labelCount + 1);
  for (let w = 0; w < length; w++) if (labels[w] >= 0) start[labels[w] + 1]++;
  for (let m = 0; m < labelCount; m++) start[m + 1] += start[m];
  const size = new Int32Array(labelCount);
  const members = new Int32Array(length);
  const partner = new Int32Array(length).fill(-1);
  const random = new SeededRandom(seed, `shuffle-surrogate:${surrogate}@${windowFirstBin}`);
  for (let w = 0; w < length; w++) {
    const label = labels[w];
    if (label < 0) continue;
    const n = size[label];
    if (n === 0) partner[w] = w;
    else {
      const after = members[start[label] + random.nextInt(n)];
      partner[w] = partner[after];
      partner[after] = w;
    }
    members[start[label] + n] = w;
    size[label] = n + 1;
  }
  return partner;
}

/** The pairing of the window itself (not a surrogate): bins' keys under the seed's 'window' order. */
export function windowShufflePartners(labels: ArrayLike<number>, bins: ArrayLike<number>, seed: number): Int32Array {
  return withinModeCyclePartners(labels, binKeys(new ShuffleOrderKeys(seed, 'window'), bins));
}

function binKeys(keys: ShuffleOrderKeys, bins: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(bins.length);
  for (let w = 0; w < bins.length; w++) out[w] = keys.key(bins[w]);
  return out;
}

/** One more than the largest label (labels are whole numbers; < 0: not a sample). */
function labelCountOf(labels: ArrayLike<number>): number {
  let count = 0;
  for (let w = 0; w < labels.length; w++) {
    const label = labels[w];
    if (!Number.isInteger(label)) throw new RangeError(`label ${label} of sample ${w} is not a whole number`);
    if (label >= count) count = label + 1;
  }
  return count;
}

/** Positions 0 … n − 1 sorted by key (ties by position). */
function orderByKeys(keys: Uint32Array): Int32Array {
  const order = Int32Array.from(keys, (_, w) => w);
  return order.sort((x, y) => keys[x] - keys[y] || x - y);
}

/**
 * The cycles of a sliding window, kept incrementally: per mode, the window's
 * bins sorted by key. `link(from, to, ±1)` is told each word that appears
 * (+1) or disappears (−1): from's x_i with to's x_j.
 */
export class WithinModeCycles<T> {
  private readonly keysByMode: number[][] = [];
  private readonly itemsByMode: T[][] = [];

  constructor(private readonly link: (from: T, to: T, delta: 1 | -1) => void) {}

  /** Bin `item` with key `key` entered the window in `mode`. */
  insert(mode: number, key: number, item: T): void {
    while (this.keysByMode.length <= mode) {
      this.keysByMode.push([]);
      this.itemsByMode.push([]);
    }
    const keys = this.keysByMode[mode];
    const items = this.itemsByMode[mode];
    const n = keys.length;
    const at = lowerBound(keys, key);
    if (n === 0) this.link(item, item, 1);
    else {
      const before = items[(at - 1 + n) % n];
      const after = items[at % n];
      this.link(before, after, -1);
      this.link(before, item, 1);
      this.link(item, after, 1);
    }
    keys.splice(at, 0, key);
    items.splice(at, 0, item);
  }

  /** Bin `item` with key `key` left the window in `mode`. */
  remove(mode: number, key: number, item: T): void {
    const keys = this.keysByMode[mode] ?? [];
    const items = this.itemsByMode[mode] ?? [];
    let at = lowerBound(keys, key);
    while (at < keys.length && keys[at] === key && items[at] !== item) at++;
    if (at === keys.length || items[at] !== item) throw new Error('internal: a bin left the window that was not in it');
    const n = keys.length;
    if (n === 1) this.link(item, item, -1);
    else {
      const before = items[(at - 1 + n) % n];
      const after = items[(at + 1) % n];
      this.link(before, item, -1);
      this.link(item, after, -1);
      this.link(before, after, 1);
    }
    keys.splice(at, 1);
    items.splice(at, 1);
  }
}

/** The first index whose key is ≥ `key` (keys ascending). */
function lowerBound(keys: readonly number[], key: number): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
