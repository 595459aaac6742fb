import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RigConnection } from '../../adapters/ws/rigConnection.ts';
import { Population } from '../../simulators/population.ts';
import { RigSimulator } from '../../simulators/rigSimulator.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { runLiveAnalysis } from '../../src/live/liveAnalysis.ts';
import type { SourceEvent, SpikeBatch } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { projectRoot } from '../helpers/shared.ts';
import { referenceEmissions } from '../helpers/streamReference.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-live-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

/** Runs bin/synergy in the background; `line(pattern)` waits for a stderr line that matches. */
function start(args: string[]) {
  const child = spawn(process.execPath, [resolve(projectRoot, 'bin', 'synergy'), ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  let stdout = '';
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number>((resolvePromise) => child.on('exit', (code) => resolvePromise(code ?? -1)));
  const line = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolvePromise, reject) => {
      const check = () => {
        const match = pattern.exec(stderr);
        if (match !== null) {
          waiters.splice(waiters.indexOf(check), 1);
          resolvePromise(match);
        }
      };
      waiters.push(check);
      check();
      void exited.then((code) => reject(new Error(`synergy ${args[0]} exited ${code} before printing ${pattern}: ${stderr}`)));
    });
  return { child, line, exited, output: () => ({ stdout, stderr }) };
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

describe('live, end to end over 127.0.0.1: synergy simulate → synergy connect → subscriber', () => {
  it('alerts every planted synergistic pair within 120 s of simulated time at the demo defaults; unplanted pairs stay quiet', async () => {
    const truthFile = join(folder, 'truth.json');
    const alertsFile = join(folder, 'alerts.jsonl');
    const updatesFile = join(folder, 'updates.jsonl');
    // The demo's population and analysis defaults, 10 times faster than real time.
    const simulate = start(['simulate', '--port', '0', '--speed', '10', '--seed', '5', '--truth', truthFile, '--duration', '125']);
    const [, rigUrl] = await simulate.line(/serving (ws:\/\/\S+)/);
    const connect = start(['connect', rigUrl, '--serve', '0', '--window', '30', '--top', '20', '--alerts-out', alertsFile, '--out', updatesFile, '--quiet-alerts']);
    const [, subscribeUrl] = await connect.line(/subscribe at (ws:\/\/\S+)/);

    const subscriber = new WebSocket(subscribeUrl);
    const received: Array<Record<string, unknown>> = [];
    subscriber.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolvePromise) => subscriber.once('open', resolvePromise));
    subscriber.send(JSON.stringify({ type: 'subscribe', topics: ['synergy', 'alerts'], top: 5 }));

    expect(await connect.exited, connect.output().stderr).toBe(0);
    expect(await simulate.exited).toBe(0);
    subscriber.close();

    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { pairs: Array<{ a: string; b: string; kind: string }>; independent: string[] };
    const planted = new Map(truth.pairs.map((pair) => [pairKey(pair.a, pair.b), pair.kind]));
    const alerts = readFileSync(alertsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AlertEvent);
    const pairAlerts = alerts.filter((alert) => alert.kind === 'synergy' || alert.kind === 'redundancy');
    for (const pair of truth.pairs.filter((p) => p.kind === 'synergistic')) {
      const raised = pairAlerts.find((alert) => alert.kind === 'synergy' && alert.state === 'raised' && pairKey(alert.a!, alert.b!) === pairKey(pair.a, pair.b));
      expect(raised, `synergistic pair ${pair.a}–${pair.b} alerted`).toBeDefined();
      expect(raised!.t).toBeLessThanOrEqual(120);
      expect(raised!.value!).toBeGreaterThanOrEqual(0.05);
      expect(raised!.p!).toBeLessThanOrEqual(0.01);
    }
    // Every pair alert names a planted pair, of its own kind.
    for (const alert of pairAlerts) {
      expect(planted.get(pairKey(alert.a!, alert.b!)), `alert on ${alert.a}–${alert.b}`).toBe(alert.kind === 'synergy' ? 'synergistic' : 'redundant');
    }
    // The subscriber got every alert the file holds, in order, and trimmed updates.
    const subscriberAlerts = received.filter((frame) => frame.type === 'alert');
    expect(subscriberAlerts).toEqual(alerts);
    const subscriberUpdates = received.filter((frame) => frame.type === 'synergy') as unknown as SynergyUpdate[];
    expect(subscriberUpdates.length).toBeGreaterThan(50);
    expect(subscriberUpdates.every((update) => update.pairs.length <= 5)).toBe(true);
    const updates = readFileSync(updatesFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SynergyUpdate);
    expect(updates.at(-1)!.t).toBeGreaterThanOrEqual(120);
    expect(connect.output().stderr).toMatch(/synergy connect: \d+ updates; alerts: .*sources: sim-rig: \d+ messages, \d+ spikes, 0 missing, 1 connection/);
  }, 60_000);
});

describe('live faults: the rig is killed and restarted mid-stream', () => {
  it('reports the loss and the gap, reconnects, and every emission equals the batch computation over what arrived', async () => {
    const originMs = Date.now();
    const population = { units: 8, seed: 3, synergisticPairs: 1, redundantPairs: 1, meanRateHz: 5 };
    const first = await RigSimulator.start({ ...population, speed: 10, originMs, run: 'first' });
    const port = first.port;
    const rig = new RigConnection({ url: first.url, reconnect: { initialMs: 50, maxMs: 400 } });
    const received: SourceEvent[] = [];
    rig.events.subscribe((event) => received.push(event));
    const items: Array<SynergyUpdate | AlertEvent> = [];
    const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: undefined };
    const done = runLiveAnalysis(rig.events, rig.alerts, options, { thresholdBits: 0.05, maxP: 0.01, forUpdates: 3 }, { observe: (item) => items.push(item) });
    rig.start();

    const waitFor = (condition: () => boolean) =>
      new Promise<void>((resolvePromise) => {
        const check = setInterval(() => {
          if (condition()) {
            clearInterval(check);
            resolvePromise();
          }
        }, 10);
      });
    await waitFor(() => first.now() >= 30);
    await first.kill();
    const killedAt = first.now();
    // 1.5 s of wall time (15 s of recording) without the rig.
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1500));
    const second = await RigSimulator.start({ ...population, speed: 10, originMs, port, run: 'second' });
    const restartedAt = second.now();
    await waitFor(() => second.now() >= restartedAt + 25);
    await second.stop();
    await done;

    const alerts = items.filter((item): item is AlertEvent => item.type === 'alert');
    const lost = alerts.find((alert) => alert.kind === 'source-lost' && alert.state === 'raised')!;
    expect(lost).toBeDefined();
    expect(lost.t).toBeGreaterThan(killedAt - 1);
    expect(alerts.find((alert) => alert.kind === 'source-lost' && alert.state === 'cleared')!.message).toMatch(/new run/);
    const gap = alerts.find((alert) => alert.kind === 'data-gap')!;
    expect(gap.value!).toBeGreaterThan(10);
    expect(gap.value!).toBeLessThan(25);

    // The stream the analyzer saw: a gap event, then data from the restarted rig.
    const gaps = received.filter((event) => event.kind === 'gap');
    expect(gaps.map((event) => event.kind === 'gap' && event.end === Infinity)).toEqual([true, false]);
    const closedGap = gaps[1] as { start: number; end: number };

    // Every emission equals the independent batch computation over the events that arrived.
    const updates = items.filter((item): item is SynergyUpdate => item.type === 'synergy');
    const reference = referenceEmissions(received, options);
    expect(updates.map((u) => u.t)).toEqual(reference.emissions.map((e) => e.t));
    let checked = 0;
    updates.forEach((update, n) => {
      const expected = reference.emissions[n];
      expect(update.samples, `samples at ${update.t}`).toBe(expected.samples);
      for (const pair of update.pairs) {
        const want = expected.pair(pair.a, pair.b);
        expect(Math.abs(pair.synergy - want.synergy), `synergy ${pair.a}-${pair.b} at ${update.t}`).toBeLessThan(1e-9);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(500);
    // Windows inside the gap hold no labeled bin from it; windows after it are full again.
    const during = updates.find((u) => u.window[0] >= closedGap.start && u.window[1] <= closedGap.end);
    if (during !== undefined) expect(during.samples).toBe(0);
    const after = updates.filter((u) => u.window[0] > closedGap.end + 0.1);
    expect(after.length).toBeGreaterThan(5);
    for (const u of after) expect(u.samples + u.dropped.unlabeled).toBe(500);

    // What arrived after the restart is the recording itself: the same spikes the population generates there.
    const resumedFrom = closedGap.end;
    const lastTime = Math.max(...received.filter((e): e is SpikeBatch => e.kind === 'spikes').map((b) => b.t[b.t.length - 1]));
    const afterRestart = received
      .filter((e): e is SpikeBatch => e.kind === 'spikes')
      .flatMap((batch) => Array.from(batch.t, (t, i) => `${t}:${batch.unitIds[batch.unit[i]]}`))
      .filter((entry) => Number(entry.split(':')[0]) >= resumedFrom);
    const truth = new Population(population).generate(resumedFrom, lastTime + 1e-9).spikes;
    expect(afterRestart).toEqual(Array.from(truth.t, (t, i) => `${t}:${truth.unitIds[truth.unit[i]]}`));
  }, 60_000);
});
