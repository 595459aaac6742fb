/**
 * By the definitions (SCIENCE.md): each pair's values centred on their mean
 * over the observation and the surrogates; p, the share of surrogates at
 * least as far from it; p_fwer, the share whose largest distance over all
 * pairs reaches it; (1 + #) / (1 + surrogates) each, 1 without surrogates.
 */
export function permutationTests(observed: number[], surrogate: number[][]): { p: number; pFwer: number; excess: number }[] {
  const usable = surrogate.length;
  const pOf = (count: number) => (usable === 0 ? 1 : (1 + count) / (1 + usable));
  const centred = observed.map((value, q) => {
    const all = [value, ...surrogate.map((values) => values[q])];
    const mean = all.reduce((x, y) => x + y, 0) / all.length;
    return all.map((x) => x - mean);
  });
  const maxima = surrogate.map((_, k) => Math.max(...centred.map((values) => Math.abs(values[k + 1]))));
  return centred.map((values) => {
    const reach = Math.abs(values[0]) - 1e-12;
    return {
      p: pOf(values.slice(1).filter((x) => Math.abs(x) >= reach).length),
      pFwer: pOf(maxima.filter((max) => max >= reach).length),
      excess: usable === 0 ? 0 : values[0],
    };
  });
}
