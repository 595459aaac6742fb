import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTiles } from '../../src/cluster/clusterSession.ts';
import { ClusterWorker } from '../../src/cluster/clusterWorker.ts';
import { openRedis } from '../../src/cluster/redisConnection.ts';
import { SlidingWindowAnalyzer } from '../../src/engine/slidingWindowAnalyzer.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { ParallelAnalyzer } from '../../src/parallel/parallelAnalyzer.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { randomFrames } from '../helpers/randomFrames.ts';
import { hasRedisServer, startRedis, type RedisProcess } from '../helpers/redisServer.ts';

const BINS = 1500;
const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, windowSeconds: 3, hopSeconds: 1, surrogates: 19, top: 15 };
const frames = randomFrames({ seed: 5, units: 14, modes: 3, bins: BINS, maxFrameBins: 60 });

function single(): SynergyUpdate[] {
  const analyzer = new SlidingWindowAnalyzer(options);
  return [...frames.flatMap((frame) => analyzer.push(frame, 0, 0)), ...analyzer.finish(BINS * options.binSeconds, 0)];
}

async function runOn(cluster: ClusterTiles, awaitClose = true): Promise<SynergyUpdate[]> {
  const session = cluster.open(options, 14);
  const analyzer = new ParallelAnalyzer(options, session);
  const answers: Promise<SynergyUpdate[]>[] = [];
  for (const frame of frames) {
    answers.push(analyzer.push(frame, 0, 0));
    await analyzer.ready();
  }
  answers.push(analyzer.finish(BINS * options.binSeconds, 0));
  const updates = (await Promise.all(answers)).flat();
  // As a stream's teardown does: the run's close is not awaited before the cluster's.
  if (awaitClose) await analyzer.close();
  else void analyzer.close();
  return updates;
}

describe.skipIf(!hasRedisServer)('tiles on Redis workers', () => {
  let redis: RedisProcess;
  let workers: ClusterWorker[];
  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([ClusterWorker.start(redis.url, { name: 'w1' }), ClusterWorker.start(redis.url, { name: 'w2' })]);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis.stop();
  });

  it('with 1, 2, 3 and 7 tiles on two workers every update equals one process’s, surrogates and p included', async () => {
    const expected = single();
    expect(expected.at(-1)!.significant).toBeGreaterThan(0);
    for (const tiles of [1, 2, 3, 7]) {
      const cluster = await ClusterTiles.connect(redis.url, { tiles, leaseMs: 1_000 });
      const updates = await runOn(cluster);
      await cluster.close();
      expect(updates, `${tiles} tiles`).toEqual(expected);
    }
  }, 120_000);

  it('removes a run’s keys when it closes, even when the run and the cluster close at once', async () => {
    const cluster = await ClusterTiles.connect(redis.url, { tiles: 2, leaseMs: 1_000 });
    await runOn(cluster, false);
    await cluster.close();
    const connection = await openRedis(redis.url);
    try {
      expect(await connection.client.smembers('synergy:runs')).toEqual([]);
      expect(await connection.client.keys('synergy:run-*')).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
