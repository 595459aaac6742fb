import { lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeLive } from '../../src/live/liveAnalysis.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';

const options: AnalysisOptions = { binSeconds: 0.1, windowSeconds: 5, hopSeconds: 1, levels: 3, estimator: 'plugin', surrogates: 0, seed: 0, latenessSeconds: 0.1, top: undefined };

/** Feeds one heartbeat a second of source time, `wallPerSecond` ms of a virtual wall clock apart; returns the lag alerts. */
async function lagAlerts(wallPerSecond: (second: number) => number): Promise<AlertEvent[]> {
  let now = 0;
  const events = new Subject<SourceEvent>();
  const items = lastValueFrom(events.pipe(analyzeLive(options, { alpha: 0.05 }, 'rig', () => now), toArray()));
  events.next({ kind: 'label', t: 0, label: 'go' });
  for (let second = 1; second <= 60; second++) {
    now += wallPerSecond(second);
    events.next({ kind: 'heartbeat', t: second });
  }
  events.complete();
  return (await items).filter((item: SynergyUpdate | AlertEvent): item is AlertEvent => item.type === 'alert' && item.kind === 'analysis-lag');
}

describe('analysis-lag: the analysis of a live source falls behind the wall clock', () => {
  it('stays quiet for a source in real time or faster', async () => {
    expect(await lagAlerts(() => 1000)).toEqual([]);
    expect(await lagAlerts(() => 10)).toEqual([]);
  });

  it('is raised when the data come ever later, with the seconds behind, and cleared once it has caught up', async () => {
    // Seconds 11–30 of source time take 1.5 s each to arrive (10 s behind by second 30); then a burst catches up.
    const alerts = await lagAlerts((second) => (second > 10 && second <= 30 ? 1500 : second > 30 && second <= 40 ? 0 : 1000));
    expect(alerts.map((alert) => alert.state)).toEqual(['raised', 'cleared']);
    expect(alerts[0]).toMatchObject({ source: 'rig', value: expect.any(Number) });
    expect(alerts[0].value!).toBeGreaterThan(5);
    expect(alerts[0].message).toMatch(/behind the wall clock/);
  });

  it('stays quiet for a source faster than real time that delivers seconds of its clock in one batch', async () => {
    // A simulator at speed 40: each 10 s of source time arrives as one batch, 250 ms of wall time apart; the analysis
    // makes the batch's ten updates at once, in time.
    let now = 0;
    const events = new Subject<SourceEvent>();
    const items = lastValueFrom(events.pipe(analyzeLive(options, { alpha: 0.05 }, 'rig', () => now), toArray()));
    events.next({ kind: 'label', t: 0, label: 'go' });
    for (let start = 0; start < 60; start += 10) {
      now += 250;
      const t = Float64Array.from({ length: 100 }, (_, k) => start + k / 10);
      events.next({ kind: 'spikes', t, unit: Uint32Array.from(t, (_, k) => k % 2), unitIds: ['1', '2'] });
    }
    events.complete();
    const all = await items;
    expect(all.filter((item) => item.type === 'synergy').length).toBeGreaterThan(40);
    expect(all.filter((item) => item.type === 'alert' && item.kind === 'analysis-lag')).toEqual([]);
  });

  it('starts afresh after a gap or a restart (a source away is not an analysis behind)', async () => {
    let now = 0;
    const events = new Subject<SourceEvent>();
    const items = lastValueFrom(events.pipe(analyzeLive(options, { alpha: 0.05 }, 'rig', () => now), toArray()));
    for (let second = 1; second <= 10; second++) {
      now += 1000;
      events.next({ kind: 'heartbeat', t: second });
    }
    // Away for a minute of wall time, back 2 s later on its own clock.
    now += 60_000;
    events.next({ kind: 'gap', start: 10, end: 12 });
    for (let second = 12; second <= 20; second++) {
      now += 1000;
      events.next({ kind: 'heartbeat', t: second });
    }
    events.complete();
    expect((await items).filter((item) => item.type === 'alert' && item.kind === 'analysis-lag')).toEqual([]);
  });
});
