/**
 * Calibration of the significance (docs/MEASURES.md, "Significance" and
 * "Alerts"): on null recordings — independent units, modes independent of
 * the spikes, mean dwell 0.5, 3 and 10 s — the share of pairs with p ≤ 0.05
 * and ≤ 0.01, the share of updates in which some pair has p_fwer ≤ 0.05,
 * and the pair alerts per hour and per pair-hour, at the default analysis
 * (60 s window, 1 s hop, 99 label-lag surrogates 1 s apart, alpha 0.05).
 * Then planted pairs (XOR synergy and shared-input redundancy among
 * independent units): when each is first alerted.
 *
 *   npm run bench:significance [-- --units 64 --seconds 1800 --json]
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import type { AlertEvent } from '../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../src/operators/analyzeStream.ts';
import { raiseAlerts } from '../src/operators/raiseAlerts.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { unitPairKey } from '../src/stream/unitIds.ts';
import { Population } from '../simulators/population.ts';

function flag(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
}
const units = Number(flag('units', '64'));
const seconds = Number(flag('seconds', '1800'));
const json = process.argv.includes('--json');
const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, top: undefined };
const alerting = { alpha: options.alpha!, minSamples: Math.ceil(options.windowSeconds / options.binSeconds / 2) };

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${Object.entries(result).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
}

for (const dwell of [0.5, 3, 10]) {
  const population = new Population({ units, meanRateHz: 5, modes: 3, seed: 101, modeDwellSeconds: dwell, synergisticPairs: 0, redundantPairs: 0 });
  const started = performance.now();
  const items = await lastValueFrom(from(population.stream({ chunkSeconds: 1, untilSeconds: seconds })).pipe(analyzeStream(options), raiseAlerts(alerting), toArray()));
  const updates = items.filter((item): item is SynergyUpdate => item.type === 'synergy' && item.surrogates === options.surrogates);
  const alerts = items.filter((item): item is AlertEvent => item.type === 'alert' && item.state === 'raised' && (item.kind === 'synergy' || item.kind === 'redundancy'));
  let n = 0;
  let p05 = 0;
  let p01 = 0;
  for (const update of updates) {
    for (const pair of update.pairs) {
      n++;
      if (pair.p! <= 0.05 + 1e-12) p05++;
      if (pair.p! <= 0.01 + 1e-12) p01++;
    }
  }
  const pairs = (units * (units - 1)) / 2;
  const hours = updates.length / 3600;
  report({
    name: `significance/null/${dwell}s-modes`,
    units,
    seconds,
    updates: updates.length,
    effective: updates.reduce((sum, update) => sum + update.effective_surrogates!, 0) / updates.length,
    minP: updates.reduce((sum, update) => sum + update.min_p!, 0) / updates.length,
    rateP05: p05 / n,
    rateP01: p01 / n,
    updatesWithFwer05: updates.filter((update) => update.significant! > 0).length / updates.length,
    alerts: alerts.length,
    alertsPerHour: alerts.length / hours,
    alertsPerPairHour: alerts.length / hours / pairs,
    updatesWithAlert: new Set(alerts.filter((alert) => alert.t >= updates[0].t).map((alert) => alert.t)).size / updates.length,
    seconds_cpu: (performance.now() - started) / 1000,
  });
}

{
  const population = new Population({ units: units + 4, meanRateHz: 5, modes: 3, seed: 102, modeDwellSeconds: 2, synergisticPairs: 2, redundantPairs: 2 });
  const items = await lastValueFrom(from(population.stream({ chunkSeconds: 1, untilSeconds: 300 })).pipe(analyzeStream({ ...options, top: 20 }), raiseAlerts(alerting), toArray()));
  const alerts = items.filter((item): item is AlertEvent => item.type === 'alert' && item.state === 'raised' && (item.kind === 'synergy' || item.kind === 'redundancy'));
  for (const pair of population.truth) {
    const first = alerts.find((alert) => unitPairKey(alert.a!, alert.b!) === unitPairKey(pair.a, pair.b));
    report({ name: `significance/planted/${pair.kind}`, pair: `${pair.a}-${pair.b}`, firstAlert: first?.t ?? 'never', kind: first?.kind ?? '-' });
  }
  const plantedKeys = new Set(population.truth.map((pair) => unitPairKey(pair.a, pair.b)));
  report({ name: 'significance/planted/other-alerts', count: alerts.filter((alert) => !plantedKeys.has(unitPairKey(alert.a!, alert.b!))).length });
}
