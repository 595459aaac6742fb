import { UsageError } from '../../src/errors.ts';
import type { OpenRecordingOptions } from '../openRecording.ts';
import type { RecordingSource } from '../recording.ts';

// Placeholder while the openephys reader is written: opening a openephys recording says so.
export class OpenEphysRecording {
  static async open(path: string, _options: OpenRecordingOptions): Promise<RecordingSource> {
    throw new UsageError(`${path}: the openephys reader is not written yet`);
  }
}
