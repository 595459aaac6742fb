import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairMatrixOf } from '../../src/engine/pairMatrix.ts';
import { SlidingWindowAnalyzer } from '../../src/engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { planTiles } from '../../src/engine/tiles.ts';
import { ParallelAnalyzer } from '../../src/parallel/parallelAnalyzer.ts';
import { TileWorkerPool } from '../../src/parallel/tileWorkerPool.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { lastValueFrom, from, toArray } from 'rxjs';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { threadTiles } from '../../src/parallel/tileSource.ts';
import { spikeBatch, type SourceEvent } from '../../src/stream/events.ts';
import { randomFrames } from '../helpers/randomFrames.ts';
import { mulberry32 } from '../helpers/randomTables.ts';

const BINS = 2500;
const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, windowSeconds: 3, hopSeconds: 1, surrogates: 19, top: 15 };
const frames = randomFrames({ seed: 3, units: 16, modes: 3, bins: BINS, maxFrameBins: 60 });

function single(): SynergyUpdate[] {
  const analyzer = new SlidingWindowAnalyzer(options);
  return [...frames.flatMap((frame) => analyzer.push(frame, 0, 0)), ...analyzer.finish(BINS * options.binSeconds, 0)];
}

describe('tiles on worker threads', () => {
  let pool: TileWorkerPool;
  beforeAll(() => {
    pool = TileWorkerPool.start(2);
  });
  afterAll(() => pool.close());

  it('with 2 threads and 1, 2, 3 and 7 tiles, every update equals one process’s (frames sent ahead of the answers)', async () => {
    const expected = single();
    expect(expected.at(-1)!.significant).toBeGreaterThan(0);
    for (const count of [1, 2, 3, 7]) {
      const analyzer = new ParallelAnalyzer(options, pool.open(options, planTiles(count, 12)));
      // Every frame is sent at once: the threads queue them and answer in order.
      const answers = frames.map((frame) => analyzer.push(frame, 0, 0));
      answers.push(analyzer.finish(BINS * options.binSeconds, 0));
      const updates = (await Promise.all(answers)).flat();
      await analyzer.close();
      expect(updates, `${count} tiles`).toEqual(expected);
    }
  });

  it('with groups, the group measures, pair distributions and region comparisons equal one process’s', async () => {
    const grouped: AnalysisOptions = {
      ...options,
      groups: [
        { name: 'low', units: ['100', '101', '102'] },
        { name: 'high', units: ['108', '109', '110', '111', '112', '113'] },
        { name: 'middle', units: ['103', '104', '105', '106'] },
      ],
    };
    const analyzer = new SlidingWindowAnalyzer(grouped);
    const expected = [...frames.flatMap((frame) => analyzer.push(frame, 0, 0)), ...analyzer.finish(BINS * options.binSeconds, 0)];
    expect(expected.at(-1)!.groups![1].pairs!.pairs).toBe(15);
    expect(expected.at(-1)!.regions!.length).toBe(3);
    for (const count of [2, 3]) {
      const parallel = new ParallelAnalyzer(grouped, pool.open(grouped, planTiles(count, 12)));
      const answers = frames.map((frame) => parallel.push(frame, 0, 0));
      answers.push(parallel.finish(BINS * options.binSeconds, 0));
      const updates = (await Promise.all(answers)).flat();
      await parallel.close();
      expect(updates, `${count} tiles`).toEqual(expected);
    }
  });

  it("with the page's matrix, every update's matrix equals one process's", async () => {
    const withMatrix: AnalysisOptions = { ...options, pairMatrix: true };
    const analyzer = new SlidingWindowAnalyzer(withMatrix);
    const expected = [...frames.flatMap((frame) => analyzer.push(frame, 0, 0)), ...analyzer.finish(BINS * options.binSeconds, 0)];
    expect(pairMatrixOf(expected.at(-1)!)!.synergy.length).toBe(120);
    const parallel = new ParallelAnalyzer(withMatrix, pool.open(withMatrix, planTiles(3, 12)));
    const answers = frames.map((frame) => parallel.push(frame, 0, 0));
    answers.push(parallel.finish(BINS * options.binSeconds, 0));
    const updates = (await Promise.all(answers)).flat();
    await parallel.close();
    expect(updates).toEqual(expected);
    updates.forEach((update, k) => expect(pairMatrixOf(update), `update ${k}`).toEqual(pairMatrixOf(expected[k])));
  });

  it('two analyses share the threads without touching each other', async () => {
    const expected = single();
    const other = { ...options, estimator: 'plugin' as const };
    const a = new ParallelAnalyzer(options, pool.open(options, planTiles(2, 16)));
    const b = new ParallelAnalyzer(other, pool.open(other, planTiles(3, 16)));
    const answersA: Promise<SynergyUpdate[]>[] = [];
    const answersB: Promise<SynergyUpdate[]>[] = [];
    for (const frame of frames) {
      answersA.push(a.push(frame, 0, 0));
      answersB.push(b.push(frame, 0, 0));
    }
    answersA.push(a.finish(BINS * options.binSeconds, 0));
    answersB.push(b.finish(BINS * options.binSeconds, 0));
    expect((await Promise.all(answersA)).flat()).toEqual(expected);
    const plugin = (await Promise.all(answersB)).flat();
    expect(plugin.map((update) => update.estimator)).toEqual(expected.map(() => 'plugin'));
    await Promise.all([a.close(), b.close()]);
  });

  it('a restart mid-stream: the parts answered by the threads come out in order, as the analysis in this thread gives them', async () => {
    const events: SourceEvent[] = [{ kind: 'label', t: 0, label: 'go' }, { kind: 'label', t: 1.5, label: 'stop' }];
    const random = mulberry32(2);
    const batch = (from: number, to: number) => {
      const t: number[] = [];
      const unit: string[] = [];
      for (let time = from; time < to; time += 0.01) for (let u = 0; u < 6; u++) if (random() < 0.1) (t.push(time), unit.push(`u${u}`));
      return spikeBatch(t, unit);
    };
    for (let s = 0; s < 8; s++) events.push(batch(s, s + 1));
    events.push({ kind: 'restart', from: 8, at: 500 }, { kind: 'label', t: 500, label: 'go' });
    for (let s = 500; s < 508; s++) events.push(batch(s, s + 1));
    const small = { ...options, surrogates: 3, lagStepSeconds: 0.5 as const, windowSeconds: 2 };
    const here = await lastValueFrom(from(events).pipe(analyzeStream(small), toArray()));
    const threaded = await lastValueFrom(from(events).pipe(analyzeStream(small, undefined, threadTiles(pool, { minUnits: 0 })), toArray()));
    expect(here.map((update) => update.t)).toContain(501);
    expect(threaded).toEqual(here);
  });

  it('an analysis that fails in a thread is reported, and the thread goes on serving others', async () => {
    const bad = { ...options, levels: 1 };
    const broken = new ParallelAnalyzer(options, pool.open(bad, planTiles(2, 16)));
    await expect(broken.push(frames[0], 0, 0)).rejects.toThrow(/levels must be an integer/);
    const good = new ParallelAnalyzer(options, pool.open(options, planTiles(2, 16)));
    const answers = frames.map((frame) => good.push(frame, 0, 0));
    answers.push(good.finish(BINS * options.binSeconds, 0));
    expect((await Promise.all(answers)).flat()).toEqual(single());
  });
});
