import { UsageError } from '../../src/errors.ts';
import type { OpenRecordingOptions } from '../openRecording.ts';
import type { RecordingSource } from '../recording.ts';

// Placeholder while the phy reader is written: opening a phy recording says so.
export class PhyRecording {
  static async open(path: string, _options: OpenRecordingOptions): Promise<RecordingSource> {
    throw new UsageError(`${path}: the phy reader is not written yet`);
  }
}
