/**
 * Per-neuron quantile quantization of a snapshot column (docs/STREAMING.md,
 * "Snapshots"): the value v of a sample gets symbol
 * min(levels − 1, ⌊levels · #{values < v} / n⌋), so that each of the
 * `levels` symbols holds about n / levels samples, equal values always share
 * a symbol (a ReLU's zeros are one symbol however many there are), and the
 * symbols depend on the order of the values only (any monotone transform of
 * a neuron gives the same symbols).
 *
 * `column` is read with a stride: value s is column[offset + s·stride].
 * Writes the n symbols into `out`.
 */
export function quantileSymbols(column: ArrayLike<number>, offset: number, stride: number, n: number, levels: number, out: Uint8Array): void {
  const order = new Uint32Array(n);
  for (let s = 0; s < n; s++) order[s] = s;
  const value = (s: number): number => column[offset + s * stride];
  order.sort((x, y) => value(x) - value(y));
  let below = 0;
  for (let r = 0; r < n; ) {
    const v = value(order[r]);
    let end = r + 1;
    while (end < n && value(order[end]) === v) end++;
    const symbol = Math.min(levels - 1, Math.floor((levels * below) / n));
    for (let x = r; x < end; x++) out[order[x]] = symbol;
    below = end;
    r = end;
  }
}
