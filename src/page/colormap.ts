/**
 * The diverging color scale of synergy: redundancy (negative) blue, zero a
 * near-white neutral, synergy (positive) red, symmetric around zero (ColorBrewer
 * RdBu, 11 classes, interpolated). Values map to one of 257 entries of a
 * lookup table, entry 128 being zero, so that filling a matrix of half a
 * million pairs is one multiply and one table read per pair.
 */

type Rgb = [number, number, number];

/** RdBu from −1 (darkest blue) to +1 (darkest red), 0.2 apart. */
const STOPS: Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** Half the table: entries 0 … 127 blue, 128 neutral, 129 … 256 red. */
export const HALF_STEPS = 128;
export const NEUTRAL_INDEX = HALF_STEPS;
export const LUT_SIZE = 2 * HALF_STEPS + 1;

/** A pair the page has no value for (only the top list is known): a light gray apart from the scale. */
export const MISSING_RGB: Rgb = [236, 236, 236];
/** The diagonal (a unit with itself). */
export const DIAGONAL_RGB: Rgb = [200, 200, 200];

/** The color of x ∈ [−1, 1] (clamped; NaN is MISSING_RGB). */
export function divergingRgb(x: number): Rgb {
  if (Number.isNaN(x)) return MISSING_RGB;
  const position = (Math.max(-1, Math.min(1, x)) + 1) * 5;
  const low = Math.min(Math.floor(position), STOPS.length - 2);
  const fraction = position - low;
  const [a, b] = [STOPS[low], STOPS[low + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * fraction)) as Rgb;
}

/** RGBA packed into one 32-bit word as ImageData lays it out on a little-endian machine (R in the lowest byte). */
export function packRgba([r, g, b]: Rgb, alpha = 255): number {
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** The table: entry k is the color of (k − 128) / 128, packed for a Uint32Array view of ImageData. */
export const SYNERGY_LUT: Uint32Array = (() => {
  const table = new Uint32Array(LUT_SIZE);
  for (let k = 0; k < LUT_SIZE; k++) table[k] = packRgba(divergingRgb((k - HALF_STEPS) / HALF_STEPS));
  return table;
})();

export const MISSING_PACKED = packRgba(MISSING_RGB);
export const DIAGONAL_PACKED = packRgba(DIAGONAL_RGB);

/** The table entry of `bits` on a scale of ±`scaleBits` (−1 for NaN: no value). */
export function colorIndex(bits: number, scaleBits: number): number {
  if (Number.isNaN(bits)) return -1;
  const k = Math.round((bits / scaleBits) * HALF_STEPS) + HALF_STEPS;
  return k < 0 ? 0 : k > 2 * HALF_STEPS ? 2 * HALF_STEPS : k;
}

/** A CSS color for `bits` on a scale of ±`scaleBits`: the legend, the tables. */
export function cssColor(bits: number, scaleBits: number): string {
  const [r, g, b] = divergingRgb(bits / scaleBits);
  return `rgb(${r},${g},${b})`;
}

/** How the matrix's symmetric scale is set: by the largest |synergy| (the default), or by its 99th percentile. */
export type ScaleKind = 'max' | 'p99';

/**
 * The scale, bits: `max` keeps the strongest pairs at full color and the
 * estimator's noise near white (at 256 units and more, the 99th percentile
 * is the noise itself, and a planted pair would be one saturated cell among
 * thousands); `p99` shows the structure within that noise.
 */
export function matrixScale(values: ArrayLike<number>, kind: ScaleKind, floorBits = 1e-3): number {
  return kind === 'p99' ? robustMaxAbs(values, 0.99, 4096, floorBits) : maxAbs(values, floorBits);
}

/** The largest |value| (NaN left out), never below `floorBits`. */
export function maxAbs(values: ArrayLike<number>, floorBits = 1e-3): number {
  let largest = floorBits;
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    if (value > largest) largest = value;
    else if (-value > largest) largest = -value;
  }
  return largest;
}

/**
 * A robust maximum of |value|: the `quantile` of |value| over at most
 * `sampleSize` values taken at an even stride (NaN left out), so that one
 * extreme pair neither sets the scale nor costs a sort of every pair.
 * Never below `floorBits`, so that a silent matrix is not stretched to noise.
 */
export function robustMaxAbs(values: ArrayLike<number>, quantile = 0.99, sampleSize = 4096, floorBits = 1e-3): number {
  const count = values.length;
  if (count === 0) return floorBits;
  const taken = Math.min(count, sampleSize);
  const sample = new Float64Array(taken);
  let kept = 0;
  const stride = count / taken;
  for (let i = 0; i < taken; i++) {
    const value = values[Math.floor(i * stride)];
    if (!Number.isNaN(value)) sample[kept++] = Math.abs(value);
  }
  if (kept === 0) return floorBits;
  const sorted = sample.subarray(0, kept).sort();
  const at = sorted[Math.min(kept - 1, Math.floor(quantile * (kept - 1) + 0.5))];
  return Math.max(at > 0 ? at : sorted[kept - 1], floorBits);
}
