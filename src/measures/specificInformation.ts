import type { InformationSource } from './informationSource.ts';

/**
 * Specific information of each value of Y about X (DeWeese & Meister 1999;
 * the "specific information" I_spec of Williams & Beer 2010):
 * I(Y=y; X) = Σ_x p(x|y) log2[p(y|x)/p(y)], in bits, from the plug-in
 * distribution of the source's table. Returns y-code → bits. Its p(y)-weighted
 * mean is I(X;Y). Example: Y = X for a fair bit gives 1 bit for each y.
 */
export function specificInformation(
  source: InformationSource,
  x: readonly number[],
  y: readonly number[],
): Map<number, number> {
  const table = source.table;
  const total = table.total;
  const countY = table.marginal(y);
  const countX = table.marginal(x);
  const byY = table.conditional(x, y);
  const result = new Map<number, number>();
  for (const [yCode, xCounts] of byY) {
    const ny = countY.get(yCode) ?? 0;
    let bits = 0;
    for (const [xCode, nxy] of xCounts) {
      const nx = countX.get(xCode) ?? 0;
      // p(x|y) log2[p(y|x)/p(y)] = (nxy/ny) log2[(nxy/nx)/(ny/N)]
      bits += (nxy / ny) * Math.log2((nxy * total) / (nx * ny));
    }
    result.set(yCode, bits);
  }
  return result;
}
