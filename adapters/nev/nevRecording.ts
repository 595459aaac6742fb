import { UsageError } from '../../src/errors.ts';
import type { OpenRecordingOptions } from '../openRecording.ts';
import type { RecordingSource } from '../recording.ts';

// Placeholder while the nev reader is written: opening a nev recording says so.
export class NevRecording {
  static async open(path: string, _options: OpenRecordingOptions): Promise<RecordingSource> {
    throw new UsageError(`${path}: the nev reader is not written yet`);
  }
}
