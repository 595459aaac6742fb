import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { simulateSnapshots } from '../../simulators/snapshotNetwork.ts';
import { analyzeSnapshots, MAX_WAITING_SNAPSHOTS } from '../../src/operators/analyzeSnapshots.ts';
import { SnapshotAnalyzer, type SnapshotUpdate } from '../../src/snapshots/snapshotAnalysis.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/stream/options.ts';

const options = { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 9, top: 10 };
const snapshots = simulateSnapshots({ neurons: 8, samples: 200, steps: Array.from({ length: 12 }, (_, k) => k), switchStep: 6, seed: 2 });

/** Runs the threaded analysis; `paced`: each snapshot is sent once the last one's update is out. */
function runThreaded(paced: boolean): Promise<SnapshotUpdate[]> {
  const events = new Subject<SourceEvent>();
  const updates: SnapshotUpdate[] = [];
  let sent = 0;
  const sendNext = (): void => {
    if (sent === snapshots.length) events.complete();
    else events.next({ kind: 'snapshot', snapshot: snapshots[sent++] });
  };
  return new Promise<SnapshotUpdate[]>((resolve, reject) => {
    events.pipe(analyzeSnapshots(options, 'net')).subscribe({
      next: (update) => {
        updates.push(update);
        if (paced) sendNext();
      },
      error: reject,
      complete: () => resolve(updates),
    });
    if (paced) sendNext();
    else for (let k = 0; k <= snapshots.length; k++) sendNext();
  });
}

describe('snapshots on a worker thread (synergy serve)', () => {
  it('give the updates of the analysis in this thread, in order, named by the source', async () => {
    const updates = await runThreaded(true);
    const analyzer = new SnapshotAnalyzer(options);
    expect(updates).toEqual(snapshots.map((snapshot) => ({ ...analyzer.analyze(snapshot), source: 'net' })));
  });

  it('snapshots sent faster than analyzed: at most a few wait, the oldest waiting are dropped and counted, the newest analyzed', async () => {
    // All 12 at once: the first goes to the thread, 4 wait, 7 are dropped on the way (the oldest waiting each time).
    const updates = await runThreaded(false);
    expect(updates.map((update) => update.step)).toEqual([0, ...snapshots.slice(-MAX_WAITING_SNAPSHOTS).map((snapshot) => snapshot.step)]);
    // Every update comes after all 12 were sent: each says 7 were dropped so far.
    for (const update of updates) expect(update.snapshots_dropped).toBe(snapshots.length - 1 - MAX_WAITING_SNAPSHOTS);
  });
});
