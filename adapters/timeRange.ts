import type { RecordedSpikeBatch, TimeRange } from './recording.ts';

/** Whether the range leaves every time in. */
export function isWholeRange(range: TimeRange): boolean {
  return (range.start ?? -Infinity) === -Infinity && (range.end ?? Infinity) === Infinity;
}

/**
 * The spikes of a batch with start ≤ t < end, as a new batch (the same one
 * when all are in; undefined when none is), with their positions in the
 * recording when the batch has them. Spikes whose time is not a number are
 * kept, so that the binner counts them as invalid instead of their
 * vanishing here.
 */
export function clipBatch(batch: RecordedSpikeBatch, range: TimeRange): RecordedSpikeBatch | undefined {
  const start = range.start ?? -Infinity;
  const end = range.end ?? Infinity;
  const inRange = (time: number) => !(time < start || time >= end);
  let kept = 0;
  for (let i = 0; i < batch.t.length; i++) if (inRange(batch.t[i])) kept++;
  if (kept === batch.t.length) return batch;
  if (kept === 0) return undefined;
  const t = new Float64Array(kept);
  const unit = new Uint32Array(kept);
  const position = batch.position === undefined ? undefined : new Float64Array(kept);
  for (let i = 0, k = 0; i < batch.t.length; i++) {
    if (inRange(batch.t[i])) {
      t[k] = batch.t[i];
      if (position !== undefined) position[k] = batch.position![i];
      unit[k++] = batch.unit[i];
    }
  }
  return position === undefined ? { kind: 'spikes', t, unit, unitIds: batch.unitIds } : { kind: 'spikes', t, unit, unitIds: batch.unitIds, position };
}

/** Batches cut to a time range (see clipBatch); passes batches through untouched when the range is whole. */
export async function* clipToRange(batches: AsyncIterable<RecordedSpikeBatch>, range: TimeRange): AsyncGenerator<RecordedSpikeBatch, void, undefined> {
  if (isWholeRange(range)) {
    yield* batches;
    return;
  }
  for await (const batch of batches) {
    const clipped = clipBatch(batch, range);
    if (clipped !== undefined) yield clipped;
  }
}
