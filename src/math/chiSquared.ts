/**
 * The chi-squared upper tail, for the analytic null of a plug-in mutual
 * information: 2N ln2 · Î ~ χ²((|X|−1)(|Y|−1)) for independent samples
 * (SCIENCE.md, Significance). Built on the regularized incomplete gamma
 * function, Numerical Recipes (Press et al., 3rd ed. 2007) §6.2.
 */

// Lanczos approximation, Godfrey's set with g = 7 and nine terms: relative
// error in Γ below 2e-15 for ½ ≤ z ≤ 10, where it is used.
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.91893853320467274178;

/** Lanczos's sum S(z) in Γ(z) = √(2π) t^(z−½) e^(−t) S(z), t = z + g − ½; z ≥ ½. */
function lanczosSum(z: number): number {
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let index = 1; index < LANCZOS_COEFFICIENTS.length; index++) {
    sum += LANCZOS_COEFFICIENTS[index] / (z - 1 + index);
  }
  return sum;
}

// Above this the Lanczos set loses accuracy (its leading coefficient is
// 1 − 1.9e-13, so S(z) is off by that much as z grows) and Stirling's
// series, truncated after eight terms, is accurate to 1e-17.
const STIRLING_THRESHOLD = 10;
// B₂ₖ / (2k(2k − 1)), k = 1…8 (Abramowitz & Stegun 6.1.40).
const STIRLING_COEFFICIENTS = [
  1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400,
];

/** μ(z) = ln Γ(z) − [(z − ½) ln z − z + ½ ln 2π], Stirling's correction, for z ≥ 10. */
function stirlingCorrection(z: number): number {
  const inverseSquare = 1 / (z * z);
  let sum = 0;
  for (let index = STIRLING_COEFFICIENTS.length - 1; index >= 0; index--) {
    sum = sum * inverseSquare + STIRLING_COEFFICIENTS[index];
  }
  return sum / z;
}

/**
 * ln Γ(z) for z > 0: the Lanczos approximation (g = 7, nine terms) below
 * 10, Stirling's series above, and the reflection Γ(z)Γ(1−z) = π / sin(πz)
 * below ½.
 *
 * Example: logGamma(0.5) = ln √π = 0.5723649429247001, logGamma(10) = ln 9! = 12.801827480081469.
 */
export function logGamma(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0.5) {
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  }
  if (z >= STIRLING_THRESHOLD) {
    return (z - 0.5) * Math.log(z) - z + HALF_LOG_TWO_PI + stirlingCorrection(z);
  }
  const t = z + LANCZOS_G - 0.5;
  return HALF_LOG_TWO_PI + (z - 0.5) * Math.log(t) - t + Math.log(lanczosSum(z));
}

/**
 * ln(1 + λ) − λ for |λ| < ½ without cancellation: with s = λ/(2 + λ),
 * ln(1 + λ) = 2 atanh s, and 2s − λ = −sλ, so the sum is −sλ + 2(s³/3 + s⁵/5 + …).
 */
function logOnePlusMinusIdentity(lambda: number): number {
  const s = lambda / (2 + lambda);
  const sSquared = s * s;
  let power = s * sSquared;
  let series = 0;
  for (let odd = 3; ; odd += 2) {
    const term = power / odd;
    series += term;
    if (Math.abs(term) <= Math.abs(series) * TOLERANCE) break;
    power *= sSquared;
  }
  return -s * lambda + 2 * series;
}

const MAX_ITERATIONS = 100_000;
const TOLERANCE = Number.EPSILON;
// Lentz's method restarts a vanishing denominator from this instead of 0.
const TINY = 1e-300;

/**
 * x^a e^(−x) / Γ(a), the factor shared by the series and the continued
 * fraction. As exp(a ln x − x − ln Γ(a)) it would lose a relative ε·max(a, x)
 * to cancellation among large logarithms (1e-13 at a = 200). For a ≥ 10,
 * with Stirling's Γ(a) = √(2π/a) (a/e)^a e^μ(a), it is
 * √(a/2π) · exp(a·[ln(1 + λ) − λ] − μ(a)), λ = (x − a)/a, whose exponent
 * is small where the function is not negligible (the form of DiDonato &
 * Morris 1986, ACM TOMS 12, 377–393).
 */
function gammaPrefactor(a: number, x: number): number {
  if (a >= STIRLING_THRESHOLD) {
    const lambda = (x - a) / a;
    const exponent =
      Math.abs(lambda) < 0.5 ? a * logOnePlusMinusIdentity(lambda) : a * Math.log(x / a) + (a - x);
    return Math.sqrt(a / (2 * Math.PI)) * Math.exp(exponent - stirlingCorrection(a));
  }
  // a < 10: a·ln x and ln Γ(a) stay small, so the only large error would
  // be the rounding of their sum with −x (ε·x, 8e-14 at x = 700). Knuth's
  // TwoSum recovers that rounding error exactly and exp(e) ≈ 1 + e applies it.
  const logPowerOverGamma = a * Math.log(x) - logGamma(a);
  const exponent = logPowerOverGamma - x;
  const partFromX = exponent - logPowerOverGamma;
  const roundingError =
    logPowerOverGamma - (exponent - partFromX) + (-x - partFromX);
  return Math.exp(exponent) * (1 + roundingError);
}

/** P(a, x) by its power series, NR eq. 6.2.5; converges fast for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let denominator = a;
  let term = 1 / a;
  let sum = term;
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    denominator += 1;
    term *= x / denominator;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * TOLERANCE) {
      return sum * gammaPrefactor(a, x);
    }
  }
  throw new Error(`regularizedGammaQ: series did not converge for a = ${a}, x = ${x}`);
}

/** Q(a, x) by its continued fraction, NR eq. 6.2.7, evaluated with modified Lentz; for x ≥ a + 1. */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let fraction = d;
  for (let index = 1; index < MAX_ITERATIONS; index++) {
    const an = -index * (index - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < TOLERANCE) {
      return fraction * gammaPrefactor(a, x);
    }
  }
  throw new Error(`regularizedGammaQ: continued fraction did not converge for a = ${a}, x = ${x}`);
}

/**
 * Q(a, x) = Γ(a, x) / Γ(a) = (1/Γ(a)) ∫ₓ^∞ t^(a−1) e^(−t) dt, the upper
 * regularized incomplete gamma function.
 *
 * Numerical Recipes §6.2: the series for P = 1 − Q when x < a + 1 (where
 * Q ≥ about ½, so 1 − P loses nothing), the continued fraction otherwise;
 * relative accuracy about 1e-14 for moderate a and x.
 *
 * Example: regularizedGammaQ(1, x) = e^(−x); regularizedGammaQ(2.5, 1.7) = 0.6385699231037951.
 *
 * @throws RangeError unless a > 0 and x ≥ 0.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !Number.isFinite(a)) {
    throw new RangeError(`regularizedGammaQ: expected a finite shape a > 0, got ${a}`);
  }
  if (!(x >= 0)) {
    throw new RangeError(`regularizedGammaQ: expected x ≥ 0, got ${x}`);
  }
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - lowerGammaSeries(a, x);
  return upperGammaContinuedFraction(a, x);
}

/**
 * P(χ²_k > x), the survival function of the chi-squared distribution with
 * k degrees of freedom: Q(k/2, x/2).
 *
 * x ≤ 0 gives 1, since a chi-squared variable is never negative.
 *
 * Example: chiSquaredSurvival(3.841458820694124, 1) = 0.05 (the 5 % critical
 * value of one degree of freedom); chiSquaredSurvival(x, 2) = e^(−x/2).
 *
 * @throws RangeError unless degreesOfFreedom is an integer ≥ 1: a table with
 *   one row or column has no degrees of freedom, and the null there is not a
 *   chi-squared distribution but a point mass at 0.
 */
export function chiSquaredSurvival(x: number, degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new RangeError(
      `chiSquaredSurvival: expected an integer number of degrees of freedom ≥ 1, got ${degreesOfFreedom}`,
    );
  }
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}
