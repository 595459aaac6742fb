import { InputFormatError } from '../errors.ts';
import { readLineChunks } from '../io/textLines.ts';
import { checkSnapshot, type Snapshot } from './snapshot.ts';
import { parseSnapshotRecord } from './snapshotMessage.ts';

/** A JSONL line may hold a whole snapshot (1,000 samples × 1,000 neurons is ~20 MB of JSON): lines up to 256 Mi characters. */
const MAX_SNAPSHOT_LINE = 1 << 28;

/**
 * Snapshots from JSONL (`.jsonl`, `.ndjson`): one snapshot per line in the
 * JSON form of src/snapshots/snapshotMessage.ts (`type` and `seq` may be
 * left out), blank lines skipped, steps never going down from one line to
 * the next (the file is read as a stream). Fields that are not part of the
 * form go to `onWarning`, once per line, naming the file and line.
 *
 * Every defect is an InputFormatError naming the file and the line: not
 * JSON, not an object, any field the form refuses, a step below the one
 * before, no snapshot at all.
 */
export async function* readSnapshotJsonl(file: string, onWarning?: (message: string) => void): AsyncGenerator<Snapshot, void, undefined> {
  let lineNumber = 0;
  let previous: number | undefined;
  let count = 0;
  for await (const lines of readLineChunks(file, undefined, MAX_SNAPSHOT_LINE)) {
    for (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new InputFormatError(`is not valid JSON (${(error as Error).message}); expected one snapshot object per line`, file, lineNumber);
      }
      let parsed;
      try {
        parsed = parseSnapshotRecord(value);
      } catch (error) {
        if (error instanceof RangeError) throw new InputFormatError(error.message, file, lineNumber);
        throw error;
      }
      const { snapshot, warnings } = parsed;
      if (previous !== undefined && snapshot.step < previous) {
        throw new InputFormatError(`snapshot: step ${snapshot.step} comes after step ${previous}; snapshots must be in step order`, file, lineNumber);
      }
      previous = snapshot.step;
      for (const warning of warnings) onWarning?.(`${file}, line ${lineNumber}: ${warning}`);
      count++;
      yield checkSnapshot(snapshot, `${file}, line ${lineNumber}`);
    }
  }
  if (count === 0) throw new InputFormatError('holds no snapshot; expected one JSON object per line ({"step":…,"labels":[…],"values":[[…],…]})', file);
}
