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
import { expectAlertsExplainedBy } from '../helpers/plantedAlerts.ts';
import { waitUntil } from '../helpers/waitUntil.ts';
import { unitPairKey as pairKey } from '../../src/stream/unitIds.ts';

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


describe('live, end to end over 127.0.0.1: rig simulator → synergy connect → subscriber', () => {
  it('alerts every planted synergistic pair within a minute of recording at the demo defaults, unplanted pairs stay quiet; a subscriber gets every alert and its top from the subscribed frame on', async () => {
    const alertsFile = join(folder, 'alerts.jsonl');
    const updatesFile = join(folder, 'updates.jsonl');
    // The demo's population and analysis defaults; the test moves the recording on, so what the subscriber sees does not hang on timing.
    const simulator = await RigSimulator.start({ units: 16, seed: 5, modeDwellSeconds: 1, synergisticPairs: 2, redundantPairs: 2, speed: 'manual', untilSeconds: 60 });
    const connect = start(['connect', simulator.url, '--serve', '0', '--window', '30', '--top', '20', '--alerts-out', alertsFile, '--out', updatesFile, '--quiet-alerts']);
    const [, subscribeUrl] = await connect.line(/subscribe at (ws:\/\/\S+)/);
    await simulator.clientsAreReady(1);

    const subscriber = new WebSocket(subscribeUrl);
    const received: Array<Record<string, unknown>> = [];
    subscriber.on('message', (data) => received.push(JSON.parse(String(data))));
    const updatesReceived = () => received.filter((frame) => frame.type === 'synergy').length;
    await waitUntil(() => received.some((frame) => frame.type === 'welcome'), 'the welcome frame');
    // Connected but not yet subscribed: updates come with the analysis' own top (20). (The update at 5 s is made once
    // the stream is complete up to 5 s + the lateness, 0.1 s; the one at 6 s needs data up to 6.1 s.)
    simulator.advanceTo(6);
    await waitUntil(() => updatesReceived() === 5, 'the first 5 updates at the subscriber');
    // Its top applies only once the server has answered the subscribe: a test must not count on it before.
    subscriber.send(JSON.stringify({ type: 'subscribe', topics: ['synergy', 'alerts'], top: 5 }));
    await waitUntil(() => received.some((frame) => frame.type === 'subscribed'), 'the subscribed frame');
    simulator.advanceTo(60);
    expect(await connect.exited, connect.output().stderr).toBe(0);
    await simulator.finished;
    subscriber.close();

    const population = simulator.population;
    const planted = new Map(population.truth.map((pair) => [pairKey(pair.a, pair.b), pair.kind]));
    const alerts = readFileSync(alertsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AlertEvent).filter((line) => line.type === 'alert');
    const pairAlerts = alerts.filter((alert) => alert.kind === 'synergy' || alert.kind === 'redundancy');
    for (const pair of population.truth.filter((p) => p.kind === 'synergistic')) {
      const raised = pairAlerts.find((alert) => alert.kind === 'synergy' && alert.state === 'raised' && pairKey(alert.a!, alert.b!) === pairKey(pair.a, pair.b));
      expect(raised, `synergistic pair ${pair.a}–${pair.b} alerted`).toBeDefined();
      expect(raised!.t).toBeLessThanOrEqual(60);
      expect(raised!.value!).toBeGreaterThan(0);
      expect(raised!.p_fwer!).toBeLessThanOrEqual(0.05);
    }
    // Every pair alert is explained by what was planted.
    expectAlertsExplainedBy(population.truth, pairAlerts);
    void planted;
    // One update per second of recording, up to its end.
    const updates = readFileSync(updatesFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SynergyUpdate).filter((line) => line.type === 'synergy');
    expect(updates.map((update) => update.t)).toEqual(Array.from({ length: 60 }, (_, k) => k + 1));
    // The subscriber got every alert the file holds, in order; every update, with 20 pairs before its subscribe was answered,
    // then the latest again and every later one, trimmed to 5.
    expect(received.filter((frame) => frame.type === 'alert')).toEqual(alerts);
    const subscribedAt = received.findIndex((frame) => frame.type === 'subscribed');
    const before = received.slice(0, subscribedAt).filter((frame) => frame.type === 'synergy') as unknown as SynergyUpdate[];
    const after = received.slice(subscribedAt).filter((frame) => frame.type === 'synergy') as unknown as SynergyUpdate[];
    expect(before).toEqual(updates.slice(0, 5));
    expect(before.every((update) => update.pairs.length === 20)).toBe(true);
    expect(after).toEqual(updates.slice(4).map((update) => ({ ...update, pairs: update.pairs.slice(0, 5) })));
    expect(connect.output().stderr).toMatch(new RegExp(`synergy connect: 60 updates; alerts: .*sources: sim-rig: \\d+ messages, ${simulator.spikesGenerated} spikes, 0 missing, 1 connection`));
  }, 60_000);
});

/** The latest event time among `events` (spike, label or heartbeat). */
function latestTime(events: readonly SourceEvent[]): number {
  let latest = -Infinity;
  for (const event of events) {
    if (event.kind === 'spikes' && event.t.length > 0) latest = Math.max(latest, event.t[event.t.length - 1]);
    else if (event.kind === 'label' || event.kind === 'heartbeat') latest = Math.max(latest, event.t);
  }
  return latest;
}

describe('live faults: the rig is killed and restarted mid-stream', () => {
  it('reports the loss and the exact gap, reconnects, and every emission equals the batch computation over what arrived', async () => {
    const population = { units: 8, seed: 3, synergisticPairs: 1, redundantPairs: 1, meanRateHz: 5 };
    const first = await RigSimulator.start({ ...population, speed: 'manual', run: 'first' });
    const port = first.port;
    const rig = new RigConnection({ url: first.url, reconnect: { initialMs: 50, maxMs: 400 } });
    const received: SourceEvent[] = [];
    rig.events.subscribe((event) => received.push(event));
    const items: Array<SynergyUpdate | AlertEvent> = [];
    const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, estimator: 'panzeri-treves', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: undefined };
    const done = runLiveAnalysis(rig.events, rig.alerts, options, { alpha: 0.05 }, { observe: (item) => items.push(item) });
    rig.start();
    const alerts = () => items.filter((item): item is AlertEvent => item.type === 'alert');

    // 30 s of recording, all of it read; then the rig dies.
    await first.clientsAreReady(1);
    first.advanceTo(30);
    await waitUntil(() => latestTime(received) === 30, 'the first 30 s of recording at the analyzer');
    await first.kill();
    await waitUntil(() => alerts().some((alert) => alert.kind === 'source-lost' && alert.state === 'raised'), 'the source-lost alert');
    // It comes back on the same port as a new run, 15 s of recording later, and records 25 s more.
    const second = await RigSimulator.start({ ...population, speed: 'manual', port, run: 'second', startSeconds: 45, untilSeconds: 70 });
    await second.clientsAreReady(1);
    second.advanceTo(70);
    await done;

    const lost = alerts().find((alert) => alert.kind === 'source-lost' && alert.state === 'raised')!;
    expect(lost.t).toBe(30);
    expect(alerts().find((alert) => alert.kind === 'source-lost' && alert.state === 'cleared')!.message).toMatch(/new run/);
    const gap = alerts().find((alert) => alert.kind === 'data-gap')!;
    expect(gap.value).toBe(15);

    // The stream the analyzer saw: a gap event, then data from the restarted rig.
    const gaps = received.filter((event) => event.kind === 'gap');
    expect(gaps).toEqual([
      { kind: 'gap', start: 30, end: Infinity },
      { kind: 'gap', start: 30, end: 45 },
    ]);
    const closedGap = gaps[1] as { start: number; end: number };

    // Every emission equals the independent batch computation over the events that arrived.
    const updates = items.filter((item): item is SynergyUpdate => item.type === 'synergy');
    const reference = referenceEmissions(received, options);
    expect(updates.map((u) => u.t)).toEqual(reference.emissions.map((e) => e.t));
    expect(updates.at(-1)!.t).toBe(70);
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
    expect(during!.samples).toBe(0);
    const after = updates.filter((u) => u.window[0] > closedGap.end + 0.1);
    expect(after.length).toBeGreaterThan(5);
    for (const u of after) expect(u.samples + u.dropped.unlabeled).toBe(500);

    // What arrived is the recording itself: the same spikes the population generates up to 30 s and from 45 s on.
    const arrived = received
      .filter((e): e is SpikeBatch => e.kind === 'spikes')
      .flatMap((batch) => Array.from(batch.t, (t, i) => `${t}:${batch.unitIds[batch.unit[i]]}`));
    const truth = [new Population(population).generate(0, 30).spikes, new Population(population).generate(45, 70).spikes];
    expect(arrived).toEqual(truth.flatMap((spikes) => Array.from(spikes.t, (t, i) => `${t}:${spikes.unitIds[spikes.unit[i]]}`)));
  }, 60_000);
});
