/**
 * The digamma function ψ(x) = d/dx ln Γ(x), for the analytic bias of
 * Gaussian entropies (SCIENCE.md, Calibration and multiplicity; Ince et al.
 * 2017), where it is taken at half-integers (N − i)/2.
 *
 * Method (Abramowitz & Stegun 6.3.5, 6.3.7, 6.3.18): the recurrence
 * ψ(x) = ψ(x + 1) − 1/x lifts x to at least 10, where the asymptotic
 * series ψ(x) ~ ln x − 1/(2x) − Σ_k B₂ₖ / (2k x²ᵏ), truncated after seven
 * terms, is accurate to below 1e-17 relative; negative x use the
 * reflection ψ(1 − x) − ψ(x) = π cot(πx).
 */

// Below this the series is lifted by the recurrence first.
const ASYMPTOTIC_THRESHOLD = 10;
// B₂ₖ / (2k), k = 1…7 (Bernoulli numbers B₂ = 1/6, B₄ = −1/30, …, B₁₄ = 7/6).
const ASYMPTOTIC_COEFFICIENTS = [
  1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12,
];

/**
 * ψ(x), the logarithmic derivative of the gamma function. NaN at its
 * poles (0, −1, −2, …) and for NaN; ψ(+∞) = +∞.
 *
 * Examples: digamma(1) = −γ = −0.5772156649015329;
 * digamma(0.5) = −γ − 2 ln 2 = −1.9635100260214235;
 * digamma(10) = H₉ − γ = 2.251752589066721.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x <= 0) {
    if (Number.isInteger(x)) return Number.NaN;
    // Reflection, A&S 6.3.7: ψ(x) = ψ(1 − x) − π / tan(πx).
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let shift = 0;
  let lifted = x;
  while (lifted < ASYMPTOTIC_THRESHOLD) {
    shift += 1 / lifted;
    lifted += 1;
  }
  const inverseSquare = 1 / (lifted * lifted);
  let series = 0;
  for (let index = ASYMPTOTIC_COEFFICIENTS.length - 1; index >= 0; index--) {
    series = series * inverseSquare + ASYMPTOTIC_COEFFICIENTS[index];
  }
  return Math.log(lifted) - 0.5 / lifted - series * inverseSquare - shift;
}
