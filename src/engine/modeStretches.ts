/**
 * The mode stretches of bins [fromBin, toBin) given each bin's mode (−1 or
 * missing: none), merged where consecutive bins share a mode.
 */
export function modeStretches(
  fromBin: number,
  toBin: number,
  modeOfBin: (bin: number) => number,
  labelNames: readonly string[],
  binSeconds: number,
): Array<[number, number, string]> {
  const stretches: Array<[number, number, string]> = [];
  let start = fromBin;
  let current = -1;
  for (let bin = fromBin; bin <= toBin; bin++) {
    const mode = bin < toBin ? modeOfBin(bin) : -1;
    if (mode === current) continue;
    if (current >= 0) stretches.push([start * binSeconds, bin * binSeconds, labelNames[current] ?? String(current)]);
    current = mode;
    start = bin;
  }
  return stretches;
}
