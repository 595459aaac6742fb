/**
 * The standard normal distribution: its quantile function Φ⁻¹ (Wichura's
 * AS241), its distribution function Φ and the complementary error function
 * erfc (W. J. Cody's rational Chebyshev approximations). The Gaussian-copula
 * transform maps ranks through Φ⁻¹; the chi-squared screen needs erfc.
 */

// Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the
// normal distribution. Applied Statistics 37(3), 477–484 (PPND16, about
// 1 part in 10¹⁶). Coefficients in ascending powers; denominators lead with 1.
const CENTRAL_NUMERATOR = [
  3.387132872796366608, 1.3314166789178437745e2, 1.9715909503065514427e3,
  1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
  3.3430575583588128105e4, 2.5090809287301226727e3,
];
const CENTRAL_DENOMINATOR = [
  1, 4.2313330701600911252e1, 6.871870074920579083e2, 5.3941960214247511077e3,
  2.1213794301586595867e4, 3.930789580009271061e4, 2.8729085735721942674e4,
  5.226495278852854561e3,
];
const NEAR_TAIL_NUMERATOR = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
  3.64784832476320460504, 1.27045825245236838258, 2.4178072517745061177e-1,
  2.27238449892691845833e-2, 7.7454501427834140764e-4,
];
const NEAR_TAIL_DENOMINATOR = [
  1, 2.05319162663775882187, 1.6763848301838038494, 6.8976733498510000455e-1,
  1.4810397642748007459e-1, 1.51986665636164571966e-2,
  5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const FAR_TAIL_NUMERATOR = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358,
  2.9656057182850489123e-1, 2.6532189526576123093e-2,
  1.2426609473880784386e-3, 2.71155556874348757815e-5,
  2.01033439929228813265e-7,
];
const FAR_TAIL_DENOMINATOR = [
  1, 5.9983220655588793769e-1, 1.3692988092273580531e-1,
  1.48753612908506148525e-2, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7,
  2.04426310338993978564e-15,
];

function polynomial(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let power = coefficients.length - 1; power >= 0; power--) {
    sum = sum * x + coefficients[power];
  }
  return sum;
}

/**
 * Φ⁻¹(p), the standard normal quantile: the z with P(Z ≤ z) = p.
 *
 * Wichura (1988), AS241 PPND16: a rational function of p − ½ in the centre
 * (|p − ½| ≤ 0.425) and of r = √(−ln min(p, 1 − p)) in the tails, relative
 * accuracy about 1e-16.
 *
 * Example: normalQuantile(0.975) = 1.959963984540054,
 * normalQuantile(1e-10) = −6.361340902404056, normalQuantile(0.5) = 0.
 *
 * @throws RangeError when p is not strictly between 0 and 1 (or is NaN):
 *   the quantiles there are ±∞, which no caller can use as a normal score.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new RangeError(`normalQuantile: expected a probability strictly between 0 and 1, got ${p}`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_NUMERATOR, r)) / polynomial(CENTRAL_DENOMINATOR, r);
  }
  // Work with the smaller tail so that 1 − p never loses digits.
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const magnitude =
    r <= 5
      ? polynomial(NEAR_TAIL_NUMERATOR, r - 1.6) / polynomial(NEAR_TAIL_DENOMINATOR, r - 1.6)
      : polynomial(FAR_TAIL_NUMERATOR, r - 5) / polynomial(FAR_TAIL_DENOMINATOR, r - 5);
  return q < 0 ? -magnitude : magnitude;
}

// Cody, W. J. (1969). Rational Chebyshev approximations for the error
// function. Mathematics of Computation 23, 631–637; coefficients as in
// Netlib SPECFUN CALERF. Ascending powers, denominators lead with 1.
const ERF_NUMERATOR = [
  3.2093775891384694700e3, 3.7748523768530202100e2, 1.13864154151050156e2,
  3.1611237438705656, 1.85777706184603153e-1,
];
const ERF_DENOMINATOR = [
  2.84423683343917062e3, 1.28261652607737228e3, 2.44024637934444173e2,
  2.36012909523441209e1, 1,
];
const ERFCX_MIDDLE_NUMERATOR = [
  1.23033935479799725e3, 2.05107837782607147e3, 1.71204761263407058e3,
  8.8195222124176909e2, 2.98635138197400131e2, 6.61191906371416295e1,
  8.88314979438837594, 5.64188496988670089e-1, 2.15311535474403846e-8,
];
const ERFCX_MIDDLE_DENOMINATOR = [
  1.23033935480374942e3, 3.43936767414372164e3, 4.36261909014324716e3,
  3.29079923573345963e3, 1.62138957456669019e3, 5.37181101862009858e2,
  1.17693950891312499e2, 1.57449261107098347e1, 1,
];
// Cody's third interval is a rational function of t = 1/y²,
// erfcx(y) ≈ (1/√π − t·R(t)) / y.
const ERFCX_ASYMPTOTIC_NUMERATOR = [
  6.58749161529837803e-4, 1.60837851487422766e-2, 1.25781726111229246e-1,
  3.60344899949804439e-1, 3.05326634961232344e-1, 1.63153871373020978e-2,
];
const ERFCX_ASYMPTOTIC_DENOMINATOR = [
  2.33520497626869185e-3, 6.05183413124413191e-2, 5.27905102951428412e-1,
  1.87295284992346047, 2.56852019228982242, 1,
];
const ONE_OVER_SQRT_PI = 5.6418958354775628695e-1;
// Cody's break points between the three rational approximations.
const ERF_SERIES_LIMIT = 0.46875;
const ERFCX_MIDDLE_LIMIT = 4;

/** erf(y) for |y| ≤ 0.46875, where erfc = 1 − erf loses nothing. */
function erfNearZero(y: number): number {
  const ySquared = y * y;
  return (y * polynomial(ERF_NUMERATOR, ySquared)) / polynomial(ERF_DENOMINATOR, ySquared);
}

/** exp(y²)·erfc(y) for y ≥ 0.46875: smooth, so no digits are lost to the Gaussian factor. */
function scaledErfcAwayFromZero(y: number): number {
  if (y <= ERFCX_MIDDLE_LIMIT) {
    return polynomial(ERFCX_MIDDLE_NUMERATOR, y) / polynomial(ERFCX_MIDDLE_DENOMINATOR, y);
  }
  const t = 1 / (y * y);
  const correction =
    (t * polynomial(ERFCX_ASYMPTOTIC_NUMERATOR, t)) / polynomial(ERFCX_ASYMPTOTIC_DENOMINATOR, t);
  return (ONE_OVER_SQRT_PI - correction) / y;
}

/**
 * exp(−s·w²) for w ≥ 0, with w² split as (w rounded down to 1/16)² plus a
 * small remainder. Cody's device: w·w rounds with an absolute error of
 * ε·w², which exp turns into a relative error of ε·w² (1e-13 at w = 27);
 * the split keeps the large part exact.
 */
function gaussianFactor(w: number, s: number): number {
  const wCoarse = Math.trunc(w * 16) / 16;
  const remainder = (w - wCoarse) * (w + wCoarse);
  return Math.exp(-s * wCoarse * wCoarse) * Math.exp(-s * remainder);
}

/**
 * erfc(x) = (2/√π) ∫ₓ^∞ exp(−t²) dt, the complementary error function.
 *
 * Cody (1969), three rational Chebyshev approximations (Netlib CALERF),
 * relative accuracy about 1e-15 for x ≥ 0; erfc(−x) = 2 − erfc(x).
 *
 * Example: erfc(1) = 0.15729920705028513, erfc(5) = 1.5374597944280349e-12.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= ERF_SERIES_LIMIT) return 1 - erfNearZero(x);
  const upperTail = y === Infinity ? 0 : scaledErfcAwayFromZero(y) * gaussianFactor(y, 1);
  return x < 0 ? 2 - upperTail : upperTail;
}

/**
 * Φ(x) = P(Z ≤ x) for a standard normal Z.
 *
 * Φ(x) = ½ erfc(−x/√2), evaluated with Cody's (1969) approximations; the
 * Gaussian factor exp(−x²/2) is taken from x itself rather than from the
 * rounded x/√2, so the lower tail keeps a relative accuracy of about 1e-15
 * down to Φ(−37) ≈ 5.7e-300.
 *
 * Example: normalCdf(−1) = 0.15865525393145705, normalCdf(2) = 0.9772498680518208.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x) / Math.SQRT2;
  if (y <= ERF_SERIES_LIMIT) return 0.5 + 0.5 * erfNearZero(x / Math.SQRT2);
  const smallerTail =
    y === Infinity ? 0 : 0.5 * scaledErfcAwayFromZero(y) * gaussianFactor(Math.abs(x), 0.5);
  return x < 0 ? smallerTail : 1 - smallerTail;
}
