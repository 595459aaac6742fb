import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RigConnection } from '../../adapters/ws/rigConnection.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { runLiveAnalysis } from '../../src/live/liveAnalysis.ts';
import { timeJumpLimitsFor } from '../../src/live/ingestSession.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { referenceEmissions } from '../helpers/streamReference.ts';

const options: AnalysisOptions = { binSeconds: 0.02, windowSeconds: 5, hopSeconds: 1, levels: 3, estimator: 'plugin', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: undefined };

/** One run of a rig that serves the protocol: hello, then (on ready) its whole recording, then end or nothing. */
async function serveRun(port: number, run: string, label: string, seconds: number, seed: number, end: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'hello', protocol: 1, source: 'lab-rig', run }));
    socket.once('message', () => {
      // Its clock starts at 0, whatever the analyzer saw before.
      let seq = 0;
      let state = seed;
      const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      socket.send(JSON.stringify({ type: 'label', seq: seq++, t: 0, label }));
      for (let second = 0; second < seconds; second++) {
        const t: number[] = [];
        const unit: string[] = [];
        for (let k = 0; k < 20; k++) {
          t.push(second + k / 20 + random() / 40);
          unit.push(`u${Math.floor(random() * 4)}`);
        }
        socket.send(JSON.stringify({ type: 'spikes', seq: seq++, t, unit }));
      }
      socket.send(JSON.stringify({ type: 'heartbeat', seq: seq++, t: seconds }));
      if (end) socket.send(JSON.stringify({ type: 'end', seq: seq++ }));
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('synergy connect: a rig restarted with its clock back at 0', () => {
  it('raises one clock-reset, drops nothing as late, resumes within one hop, and equals the batch computation over what arrived', async () => {
    const first = await serveRun(0, 'r1', 'before', 30, 1, false);
    const rig = new RigConnection({ url: `ws://127.0.0.1:${first.port}`, reconnect: { initialMs: 20, maxMs: 100 }, limits: { timeJumps: timeJumpLimitsFor(options) } });
    const received: SourceEvent[] = [];
    rig.events.subscribe((event) => received.push(event));
    const items: Array<SynergyUpdate | AlertEvent> = [];
    let firstRunDone!: () => void;
    const firstRunAnalyzed = new Promise<void>((resolve) => (firstRunDone = resolve));
    const done = runLiveAnalysis(rig.events, rig.alerts, options, { alpha: 0.05 }, {
      observe: (item) => {
        items.push(item);
        if (item.type === 'synergy' && item.t >= 29) firstRunDone();
      },
    });
    rig.start();
    await firstRunAnalyzed;
    await first.close();
    const second = await serveRun(first.port, 'r2', 'after', 20, 2, true);
    await done;
    await second.close();

    const alerts = items.filter((item): item is AlertEvent => item.type === 'alert');
    const updates = items.filter((item): item is SynergyUpdate => item.type === 'synergy');
    expect(alerts.filter((alert) => alert.kind === 'clock-reset')).toHaveLength(1);
    expect(alerts.filter((alert) => alert.kind === 'time-jump' || alert.kind === 'late-data')).toEqual([]);
    const reset = alerts.find((alert) => alert.kind === 'clock-reset')!;
    expect(reset.t).toBeCloseTo(30, 9);
    // The first update after the new run's first hop already holds its bins.
    const resumed = updates.find((update) => (update.labels.after ?? 0) > 0)!;
    expect(resumed.t).toBeLessThanOrEqual(reset.t + options.hopSeconds + options.latenessSeconds + 1e-9);
    expect(updates.at(-1)!.t).toBe(50);
    expect(updates.at(-1)!.dropped.late).toBe(0);
    // Every emission equals the batch computation over the events that arrived.
    const reference = referenceEmissions(received, options);
    expect(updates.map((update) => update.t)).toEqual(reference.emissions.map((emission) => emission.t));
    let checked = 0;
    updates.forEach((update, n) => {
      expect(update.samples).toBe(reference.emissions[n].samples);
      for (const pair of update.pairs) {
        expect(Math.abs(pair.synergy - reference.emissions[n].pair(pair.a, pair.b).synergy)).toBeLessThan(1e-9);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(200);
  }, 60_000);
});
