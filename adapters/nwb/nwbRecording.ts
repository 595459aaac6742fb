import { UsageError } from '../../src/errors.ts';
import type { OpenRecordingOptions } from '../openRecording.ts';
import type { RecordingSource } from '../recording.ts';

// Placeholder while the nwb reader is written: opening a nwb recording says so.
export class NwbRecording {
  static async open(path: string, _options: OpenRecordingOptions): Promise<RecordingSource> {
    throw new UsageError(`${path}: the nwb reader is not written yet`);
  }
}
