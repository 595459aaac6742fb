/**
 * Emergence alerts in the stream (docs/EMERGENCE.md): a group that switches
 * from redundant to synergistic coding raises an `emergence` alert crossing
 * from redundancy to synergy within 10 hops of the switch, on spikes and on
 * training snapshots; stationary recordings raise fewer than one an hour.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { EmergenceAlerts } from '../../src/alerts/emergenceAlerts.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { raiseAlerts } from '../../src/operators/raiseAlerts.ts';
import { SnapshotAnalyzer } from '../../src/snapshots/snapshotAnalysis.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { GroupPopulation } from '../../simulators/groupPopulation.ts';
import { simulateSnapshots } from '../../simulators/snapshotNetwork.ts';

const HOP = 5;
function options(seed: number, groups: AnalysisOptions['groups']): AnalysisOptions {
  // Tumbling 5-s windows: W = 1.
  return { binSeconds: 0.02, windowSeconds: HOP, hopSeconds: HOP, levels: 3, estimator: 'jackknife', surrogates: 9, lagStepSeconds: 'auto', seed, latenessSeconds: 0.1, top: 3, groups };
}

async function emergenceAlerts(population: GroupPopulation, seconds: number, seed: number): Promise<AlertEvent[]> {
  const events = [...population.stream({ chunkSeconds: 1, untilSeconds: seconds })];
  const analysis = options(seed, population.groups());
  const emergence = { hopSeconds: HOP, windowHops: 1 };
  const out = await lastValueFrom(from(events).pipe(analyzeStream(analysis), raiseAlerts({ alpha: 0.05, emergence }), toArray()));
  return out.filter((item): item is AlertEvent => item.type === 'alert' && item.kind === 'emergence');
}

describe('emergence alerts', () => {
  it('a group switching from redundant to synergistic coding raises one crossing alert within 10 hops, with the change time', async () => {
    const switchSeconds = 400;
    const population = new GroupPopulation({ seed: 2, switchSeconds, switchUnits: 4, regions: [{ name: 'background', kind: 'independent', units: 4 }] });
    const alerts = await emergenceAlerts(population, 600, 2);
    const crossing = alerts.filter((alert) => alert.series === 'group:switch' && alert.crossing === 'redundancy-to-synergy');
    expect(crossing.length).toBeGreaterThan(0);
    for (const alert of crossing) {
      expect(alert.t).toBeGreaterThan(switchSeconds);
      expect(alert.t).toBeLessThanOrEqual(switchSeconds + 10 * HOP);
      expect(Math.abs(alert.change_t! - switchSeconds)).toBeLessThanOrEqual(2 * HOP);
      expect(alert.message).toMatch(/group:switch .*from redundancy- to synergy-dominated/);
    }
    // Nothing else changed: the background group raises nothing.
    expect(alerts.filter((alert) => alert.series === 'group:background')).toEqual([]);
  }, 120_000);

  it('training snapshots switching at a known step: the planted group crosses within 10 snapshots', () => {
    const steps = Array.from({ length: 60 }, (_, k) => 100 * k);
    const switchStep = 4000;
    const snapshots = simulateSnapshots({ neurons: 8, samples: 300, steps, switchStep, seed: 5 });
    const analyzer = new SnapshotAnalyzer({ binSeconds: 1, windowSeconds: 1, hopSeconds: 1, levels: 3, estimator: 'jackknife', surrogates: 9, seed: 5, latenessSeconds: 0, top: 3, groups: [{ name: 'planted', units: ['n0', 'n1', 'n2', 'n3'] }, { name: 'others', units: ['n4', 'n5', 'n6', 'n7'] }] });
    const emergence = new EmergenceAlerts({ hopSeconds: 1, windowHops: 1 });
    const alerts = snapshots.flatMap((snapshot) => emergence.next(analyzer.analyze(snapshot)));
    const planted = alerts.filter((alert) => alert.series === 'group:planted' && alert.crossing === 'redundancy-to-synergy');
    expect(planted.length).toBeGreaterThan(0);
    for (const alert of planted) {
      expect(alert.change_t).toBe(switchStep);
      expect(alert.t).toBeGreaterThanOrEqual(switchStep);
      expect(alert.t).toBeLessThanOrEqual(switchStep + 10 * 100);
    }
    expect(alerts.filter((alert) => alert.series === 'group:others')).toEqual([]);
  }, 120_000);

  it('drops the detectors of dissolved sub-networks, so memory does not grow with the multiplets seen', () => {
    const emergence = new EmergenceAlerts({ hopSeconds: 1, windowHops: 60 });
    for (let hop = 1; hop <= 200; hop++) {
      // A fresh id every hop beside one that stays.
      const subnetworks = [1, 1000 + hop].map((id) => ({ id, units: [1, 2, 3], order: 3, criterion: 'doinfo_y' as const, oinfo: 0.01, doinfo_y: -0.1, p: 0.5, since: 1, hops: 1 }));
      emergence.next({ type: 'synergy', t: hop, window: [hop - 60, hop], samples: 100, labels: {}, estimator: 'plugin', levels: 3, dropped: { unlabeled: 0, late: 0 }, units: 3, pairsComputed: 3, pairs: [], subnetworks });
    }
    // Two measures for the lasting one and for each id seen within the grace.
    expect(emergence.detectorCount).toBeLessThanOrEqual(2 * (1 + 11));
  });

  it('a stationary recording raises fewer than one emergence alert an hour (2 simulated hours, every series)', async () => {
    const population = new GroupPopulation({
      seed: 9,
      regions: [
        { name: 'cortex', kind: 'synergistic', units: 4, strength: 0.5 },
        { name: 'striatum', kind: 'redundant', units: 4, strength: 0.5 },
        { name: 'other', kind: 'independent', units: 4 },
      ],
    });
    const alerts = await emergenceAlerts(population, 7200, 9);
    console.log(`stationary, 2 h, tumbling 5-s windows: ${alerts.length} emergence alerts${alerts.map((a) => ` [${a.message}]`).join('')}`);
    expect(alerts.length).toBeLessThan(2);
  }, 240_000);
});
