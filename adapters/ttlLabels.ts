import { UsageError } from '../src/errors.ts';

/**
 * A map from event states to modes, as `--ttl-labels` gives it:
 * comma-separated `STATE=MODE` entries, where STATE is an integer (decimal,
 * or hexadecimal with 0x) and an empty MODE starts a gap (unlabeled).
 *
 * - Open Ephys TTL events: the state is +line when the line goes high and
 *   −line when it goes low (lines counted from 1, as Open Ephys writes
 *   `states.npy`): "1=go,-1=rest" is go while line 1 is high, rest while low.
 * - Blackrock NEV digital input: the state is the 16-bit input word:
 *   "1=left,2=right,0=" is left on word 1, right on 2, a gap on 0.
 *
 * States not in the map leave the mode as it is (and are counted).
 *
 * @example
 * parseTtlLabels('1=go, -1=rest, 0x10=')  // → Map { 1 → 'go', -1 → 'rest', 16 → null }
 */
export function parseTtlLabels(text: string): Map<number, string | null> {
  const map = new Map<number, string | null>();
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const match = /^\s*([+-]?(?:0x[0-9a-f]+|\d+))\s*=(.*)$/i.exec(entry);
    if (match === null) throw new UsageError(`--ttl-labels takes STATE=MODE entries separated by commas (e.g. "1=go,-1=rest"), got '${entry.trim()}'`);
    const sign = match[1].startsWith('-') ? -1 : 1;
    const state = sign * Number(match[1].replace(/^[+-]/, ''));
    if (!Number.isSafeInteger(state)) throw new UsageError(`--ttl-labels: '${match[1]}' is not a whole number`);
    if (map.has(state)) throw new UsageError(`--ttl-labels names state ${state} twice`);
    const mode = match[2].trim();
    map.set(state, mode === '' ? null : mode);
  }
  if (map.size === 0) throw new UsageError('--ttl-labels is empty: give STATE=MODE entries, e.g. "1=go,-1=rest"');
  return map;
}
