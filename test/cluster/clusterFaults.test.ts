import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, type RedisConnection } from '../../src/cluster/redisConnection.ts';
import { runKeys } from '../../src/cluster/runKeys.ts';
import { parseLines, parseUpdates, sampledSession, writeSessionCsv } from '../helpers/recordingFixtures.ts';
import { hasRedisServer, startRedis, type RedisProcess } from '../helpers/redisServer.ts';
import { runCliHere } from '../helpers/runCliHere.ts';
import { projectRoot } from '../helpers/shared.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-cluster-faults-'));
const session = sampledSession({ units: 20, seconds: 90 });
const files = writeSessionCsv(folder, session);
const analysis = ['--window', '10', '--hop', '1', '--surrogates', '19', '--lag-step', '0.5', '--top', '20'];

/** A `synergy` child process with its output collected. */
interface Child {
  process: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function synergy(args: string[]): Child {
  const child = spawn(process.execPath, [resolve(projectRoot, 'bin', 'synergy'), ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  return { process: child, stderr: () => stderr, exited };
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line.includes('"type":"synergy"')).length : 0;
}

describe.skipIf(!hasRedisServer)('Redis workers under faults', () => {
  let redis: RedisProcess;
  let probe: RedisConnection;
  let workers: Child[] = [];
  let undisturbed: ReturnType<typeof parseUpdates>;

  beforeAll(async () => {
    redis = await startRedis();
    probe = await openRedis(redis.url);
    // The reference: the same replay in one process.
    const out = join(folder, 'undisturbed.jsonl');
    const result = await runCliHere(['replay', files.spikes, '--labels', files.labels, ...analysis, '--workers', '0', '--out', out, '--quiet-alerts']);
    expect(result.code, result.stderr).toBe(0);
    undisturbed = parseUpdates(readFileSync(out, 'utf8'));
    expect(undisturbed.length).toBeGreaterThan(70);
  });

  afterEach(async () => {
    for (const worker of workers) worker.process.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    workers = [];
  });

  afterAll(async () => {
    await probe?.close();
    await redis?.stop();
  });

  /** A replay of the session on the cluster, paced so that faults land mid-run; resolves once 20 updates are out. */
  async function startReplay(name: string): Promise<{ replay: Child; out: string; alertsOut: string }> {
    const out = join(folder, `${name}.jsonl`);
    const alertsOut = join(folder, `${name}-alerts.jsonl`);
    const replay = synergy(['replay', files.spikes, '--labels', files.labels, ...analysis, '--cluster', redis.url, '--speed', '10', '--out', out, '--alerts-out', alertsOut, '--quiet-alerts']);
    await waitUntil(() => lineCount(out) >= 20, 'the first 20 updates', 60_000);
    return { replay, out, alertsOut };
  }

  async function startWorkers(count: number): Promise<void> {
    workers = Array.from({ length: count }, (_, k) => synergy(['worker', '--redis', redis.url, '--name', `w${k + 1}`]));
    let live = 0;
    const poll = setInterval(() => void probe.client.keys('synergy:worker:*').then((keys) => (live = keys.length)), 50);
    try {
      await waitUntil(() => live === count, `${count} workers registered`, 60_000);
    } finally {
      clearInterval(poll);
    }
  }

  it('kill -9 of one of 3 workers mid-replay: its tile is re-owned within 5 s, every update is made and equals the undisturbed run, worker-lost names it', async () => {
    await startWorkers(3);
    const { replay, out, alertsOut } = await startReplay('killed');
    // Who holds what now (one tile each).
    const [run] = await probe.client.smembers('synergy:runs');
    const keys = runKeys(run);
    const owners = await Promise.all([0, 1, 2].map((tile) => probe.client.get(keys.lease(tile))));
    expect(owners.every((owner) => owner !== null)).toBe(true);
    // The victim: the holder of tile 1 (one tile each, unless a lease moved on a loaded machine).
    const victimTile = 1;
    const victimName = owners[victimTile]!;
    const victim = workers[Number(victimName.slice(1)) - 1];
    victim.process.kill('SIGKILL');
    const killedAt = Date.now();
    let owner: string | null = victimName;
    const poll = setInterval(() => void probe.client.get(keys.lease(victimTile)).then((value) => (owner = value)), 25);
    try {
      await waitUntil(() => owner !== null && owner !== victimName, `tile ${victimTile} re-owned`, 30_000);
    } finally {
      clearInterval(poll);
    }
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(5_000);
    expect(await replay.exited, replay.stderr()).toBe(0);
    expect(parseUpdates(readFileSync(out, 'utf8'))).toEqual(undisturbed);
    const alerts = parseLines(readFileSync(alertsOut, 'utf8')).filter((line) => line.kind === 'worker-lost');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toMatch(new RegExp(`^worker ${victimName} stopped answering`));
    expect(replay.stderr()).toMatch(/synergy replay: the pairs were analyzed in tiles on Redis workers at redis:\/\/127\.0\.0\.1:/);
  }, 180_000);

  it('every worker killed mid-replay: the coordinator takes the tiles itself and every update is still made and equal', async () => {
    await startWorkers(2);
    const { replay, out, alertsOut } = await startReplay('all-killed');
    // Those holding tiles now are the ones to be named (on a loaded machine a lease may have moved before).
    const [run] = await probe.client.smembers('synergy:runs');
    const holders = new Set((await Promise.all([0, 1].map((tile) => probe.client.get(runKeys(run).lease(tile))))).filter((owner) => owner !== null));
    for (const worker of workers) worker.process.kill('SIGKILL');
    expect(await replay.exited, replay.stderr()).toBe(0);
    expect(parseUpdates(readFileSync(out, 'utf8'))).toEqual(undisturbed);
    expect(replay.stderr()).toMatch(/no worker is alive: this process takes the tiles itself/);
    const lost = parseLines(readFileSync(alertsOut, 'utf8')).filter((line) => line.kind === 'worker-lost');
    expect(holders.size).toBeGreaterThan(0);
    expect(new Set(lost.map((alert) => String(alert.message).split(' ')[1]))).toEqual(holders);
  }, 180_000);

  it('Redis restarted mid-run (its data lost): the coordinator reconnects, reports the gap, and every update is made and equal', async () => {
    await startWorkers(2);
    const { replay, out, alertsOut } = await startReplay('restarted');
    await redis.restart();
    expect(await replay.exited, replay.stderr()).toBe(0);
    expect(parseUpdates(readFileSync(out, 'utf8'))).toEqual(undisturbed);
    const gaps = parseLines(readFileSync(alertsOut, 'utf8')).filter((line) => line.kind === 'cluster-gap');
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    expect(gaps[0].message).toMatch(/was unreachable for \d+\.\d s; reconnected/);
    // The leases went with the data: no worker is taken for lost.
    expect(parseLines(readFileSync(alertsOut, 'utf8')).filter((line) => line.kind === 'worker-lost')).toEqual([]);
  }, 180_000);
});
