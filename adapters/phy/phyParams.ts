import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { checkedSpikeClock } from '../spikeClock.ts';

/**
 * The sample rate of a Phy/Kilosort output folder, from the
 * `sample_rate = …` line of its `params.py`.
 *
 * `params.py` is a Python file that Kilosort, SpikeInterface and Phy's own
 * exporters write as plain assignments (Kilosort 4 `kilosort/io.py`
 * `save_to_phy`: `sample_rate = 30000`; phylib `TemplateModel` reads it
 * with `read_python`, that is, by executing it). Executing a file from a
 * data folder is not something an analyzer should do, so it is read by
 * pattern: only top-level assignments count, that is a line that starts in
 * column 0 with `sample_rate =`, outside any string (a docstring or other
 * triple-quoted text), bracket or continued line; an indented line (inside
 * an `if`, a `def`) is not one. The last such line wins, as it would in
 * Python. A number is a Python literal such as `30000`, `30000.`,
 * `30000.0`, `3e4` or `30_000`, with spaces and a trailing `# comment`
 * allowed, optionally wrapped as `float(…)`, `int(…)` or `np.float64(…)`
 * (the repr NumPy 2 gives its scalars). It must be a plausible spike clock,
 * 1 kHz to 1 GHz (spikeClock.ts).
 *
 * @example
 * parseSampleRate("dat_path = 'raw.dat'\nsample_rate = 30000.  # Hz\n", 'params.py')  // → 30000
 */
export function parseSampleRate(text: string, file: string): number {
  let value: string | undefined;
  let lineNumber = 0;
  for (const line of topLevelLines(text)) {
    const match = /^sample_rate[ \t]*=(?!=)(.*)$/.exec(line.text);
    if (match === null) continue;
    value = match[1];
    lineNumber = line.number;
  }
  if (value === undefined) {
    throw new InputFormatError(
      'the sample rate is missing: expected a top-level line such as sample_rate = 30000.0 (spike_times.npy holds sample numbers)',
      file,
    );
  }
  const assigned = value.replace(/#.*$/, '').replace(/;.*$/, '').trim();
  const number = numberLiteral(assigned);
  if (number === undefined) {
    throw new InputFormatError(
      `sample_rate = ${assigned === '' ? '(nothing)' : `'${assigned.slice(0, 60)}'`} is not a plain number; params.py is read by pattern, never executed: write e.g. sample_rate = 30000.0`,
      file,
      lineNumber,
    );
  }
  return checkedSpikeClock(number, 'sample_rate', file, lineNumber);
}

/**
 * The physical lines of Python source that start a top-level statement:
 * not inside a string (single- or triple-quoted), not inside brackets, not
 * continued from the line before by a backslash. A lexer of just what
 * matters for that (quotes, escapes, comments, brackets), so that text in a
 * docstring or an indented block is never taken for an assignment.
 */
export function* topLevelLines(text: string): Generator<{ number: number; text: string }, void, undefined> {
  /** The quote that opened the string the scan is in (one or three characters), or '' outside strings. */
  let quote = '';
  let depth = 0;
  let continued = false;
  let number = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    number++;
    if (quote === '' && depth === 0 && !continued) yield { number, text: line };
    continued = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote !== '') {
        if (c === '\\') i++;
        else if (line.startsWith(quote, i)) {
          i += quote.length - 1;
          quote = '';
        }
        continue;
      }
      if (c === '#') break;
      if (c === '"' || c === "'") {
        quote = line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
        i += quote.length - 1;
      } else if (c === '\\' && i === line.length - 1) continued = true;
      else if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    }
    // A one-quote string ends at the line's end (Python refuses the file; this reader goes on).
    if (quote.length === 1) quote = '';
    lineStart = lineEnd + 1;
  }
}

// A Python int or float literal (digits may be grouped with _), signs allowed.
const PYTHON_NUMBER = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
// Calls that only convert a literal: float(30000), np.float64(30000.0).
const CONVERSION_CALL = /^(?:float|int|(?:np|numpy)\.(?:float64|float32|int64|int32|uint64|uint32))\((.*)\)$/;

function numberLiteral(text: string): number | undefined {
  const call = CONVERSION_CALL.exec(text);
  const literal = (call === null ? text : call[1]).trim();
  if (!PYTHON_NUMBER.test(literal)) return undefined;
  return Number(literal.replace(/_/g, ''));
}

/** The sample rate of the Phy/Kilosort folder `folder`, from its params.py (see parseSampleRate). */
export async function readSampleRate(folder: string): Promise<number> {
  const file = join(folder, 'params.py');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputFormatError('missing: a Phy/Kilosort folder needs params.py for its sample rate (sample_rate = …), as spike_times.npy holds sample numbers', file);
  }
  return parseSampleRate(text, file);
}
