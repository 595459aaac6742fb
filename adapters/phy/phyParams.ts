import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';

/**
 * The sample rate of a Phy/Kilosort output folder, from the
 * `sample_rate = …` line of its `params.py`.
 *
 * `params.py` is a Python file that Kilosort, SpikeInterface and Phy's own
 * exporters write as plain assignments (Kilosort 4 `kilosort/io.py`
 * `save_to_phy`: `sample_rate = 30000`; phylib `TemplateModel` reads it
 * with `read_python`, that is, by executing it). Executing a file from a
 * data folder is not something an analyzer should do, so it is read by
 * pattern: the last top-level `sample_rate = <number>` line wins, as it
 * would in Python. A number is a Python literal such as `30000`, `30000.`,
 * `30000.0`, `3e4` or `30_000`, with spaces and a trailing `# comment`
 * allowed, optionally wrapped as `float(…)`, `int(…)` or
 * `np.float64(…)` (the repr NumPy 2 gives its scalars).
 *
 * @example
 * parseSampleRate("dat_path = 'raw.dat'\nsample_rate = 30000.  # Hz\n", 'params.py')  // → 30000
 */
export function parseSampleRate(text: string, file: string): number {
  let value: string | undefined;
  let lineNumber = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const match = /^[ \t]*sample_rate[ \t]*=(?!=)(.*)$/.exec(line);
    if (match === null) return;
    value = match[1];
    lineNumber = index + 1;
  });
  if (value === undefined) {
    throw new InputFormatError('the sample rate is missing: expected a line such as sample_rate = 30000.0 (spike_times.npy holds sample numbers)', file);
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
  if (!(number > 0) || !Number.isFinite(number)) {
    throw new InputFormatError(`sample_rate = ${assigned} is not a rate: expected samples per second > 0`, file, lineNumber);
  }
  return number;
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
