/**
 * Planted pairs among at least 62 independent units are alerted with the
 * right sign within 120 s of recording, at the default settings (jackknife,
 * 60 s window, 1 s hop, 99 label-lag surrogates with the automatic step,
 * alpha 0.05 per hour, half a window of labeled bins), and no alert names
 * anything but what was planted. The population is `synergy simulate`'s
 * defaults: 5 Hz, 3 modes of 1 s on average.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { raiseAlerts } from '../../src/operators/raiseAlerts.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/stream/options.ts';
import { unitPairKey } from '../../src/stream/unitIds.ts';
import { Population } from '../../simulators/population.ts';
import { expectAlertsExplainedBy } from '../helpers/plantedAlerts.ts';

describe('planted pairs at the default settings', () => {
  it('2 XOR and 2 shared-input pairs among 62 independent units: each alerted with its sign within 120 s, nothing else', async () => {
    const population = new Population({ units: 70, meanRateHz: 5, modes: 3, seed: 17, modeDwellSeconds: 1, synergisticPairs: 2, redundantPairs: 2 });
    expect(population.independentUnits.length).toBe(62);
    const options = { ...DEFAULT_ANALYSIS_OPTIONS };
    const alerting = { alpha: options.alpha!, minSamples: Math.ceil(options.windowSeconds / options.binSeconds / 2) };
    const items = await lastValueFrom(from([...population.stream({ chunkSeconds: 1, untilSeconds: 120 })]).pipe(analyzeStream(options), raiseAlerts(alerting), toArray()));
    const alerts = items.filter((item): item is AlertEvent => item.type === 'alert' && item.state === 'raised' && (item.kind === 'synergy' || item.kind === 'redundancy'));
    for (const pair of population.truth) {
      const first = alerts.find((alert) => unitPairKey(alert.a!, alert.b!) === unitPairKey(pair.a, pair.b));
      expect(first, `${pair.kind} ${pair.a}-${pair.b}`).toBeDefined();
      expect(first!.kind).toBe(pair.kind === 'synergistic' ? 'synergy' : 'redundancy');
      expect(first!.t).toBeLessThanOrEqual(120);
    }
    expectAlertsExplainedBy(population.truth, alerts);
  }, 120_000);
});
