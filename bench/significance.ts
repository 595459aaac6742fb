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
 * Beside the alerts raised, each null run counts the updates where some
 * pair passes the alert's test at the per-hour level (alpha · hop / 1 h)
 * and at the per-window level alpha · window / 1 h (an earlier rule), and
 * how long the runs of such updates are.
 *
 *   npm run bench:significance [-- --units 64 --seconds 1800 --seed 101 --dwells 0.5,3,10 --null-only --planted-only --json]
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import type { AlertEvent } from '../src/alerts/alertEvent.ts';
import { alertLevel } from '../src/alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../src/operators/analyzeStream.ts';
import { raiseAlerts } from '../src/operators/raiseAlerts.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { unitPairKey } from '../src/stream/unitIds.ts';
import { Population } from '../simulators/population.ts';
import { flag } from './flags.ts';

const units = Number(flag('units', '64'));
const seconds = Number(flag('seconds', '1800'));
const seed = Number(flag('seed', '101'));
const dwells = process.argv.includes('--planted-only') ? [] : flag('dwells', '0.5,3,10').split(',').map(Number);
const json = process.argv.includes('--json');
const options: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, top: undefined };
const alerting = { alpha: options.alpha!, minSamples: Math.ceil(options.windowSeconds / options.binSeconds / 2) };

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${Object.entries(result).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
}

/** The smallest p_fwer_tail among the pairs that pass the alert's other conditions (beyond every surrogate, signs agree). */
function smallestTail(update: SynergyUpdate): number {
  let smallest = Infinity;
  for (const pair of update.pairs) {
    if (pair.p_fwer === undefined || pair.p_fwer_tail === undefined || update.min_p === undefined) continue;
    if (pair.p_fwer > update.min_p + 1e-12 || !(pair.synergy * (pair.excess ?? 0) > 0)) continue;
    smallest = Math.min(smallest, pair.p_fwer_tail);
  }
  return smallest;
}

for (const dwell of dwells) {
  const population = new Population({ units, meanRateHz: 5, modes: 3, seed, modeDwellSeconds: dwell, synergisticPairs: 0, redundantPairs: 0 });
  const started = performance.now();
  // Tallied as the updates stream by: a long null run holds no list of updates.
  let updates = 0;
  let n = 0;
  let p05 = 0;
  let p01 = 0;
  let withFwer05 = 0;
  let effective = 0;
  let minP = 0;
  let firstT: number | undefined;
  let previousT: number | undefined;
  let crossHop = 0;
  let crossWindow = 0;
  let runs = 0;
  let inRun = false;
  const alerts: AlertEvent[] = [];
  const alertTimes = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    from(population.stream({ chunkSeconds: 1, untilSeconds: seconds }))
      .pipe(analyzeStream(options), raiseAlerts(alerting))
      .subscribe({
        next: (item) => {
          if (item.type === 'alert') {
            if (item.state === 'raised' && (item.kind === 'synergy' || item.kind === 'redundancy')) {
              alerts.push(item);
              alertTimes.add(item.t);
            }
            return;
          }
          if (item.type !== 'synergy') return;
          const update = item as SynergyUpdate;
          const hop = previousT === undefined ? 0 : update.t - previousT;
          previousT = update.t;
          if (update.surrogates !== options.surrogates) return;
          firstT ??= update.t;
          updates++;
          effective += update.effective_surrogates!;
          minP += update.min_p!;
          if (update.significant! > 0) withFwer05++;
          for (const pair of update.pairs) {
            n++;
            if (pair.p! <= 0.05 + 1e-12) p05++;
            if (pair.p! <= 0.01 + 1e-12) p01++;
          }
          if (update.samples < alerting.minSamples) return;
          const tail = smallestTail(update);
          if (tail <= alertLevel(alerting.alpha, hop)) crossHop++;
          const crossing = tail <= alerting.alpha * Math.min(1, options.windowSeconds / 3600);
          if (crossing) {
            crossWindow++;
            if (!inRun) runs++;
          }
          inRun = crossing;
        },
        error: reject,
        complete: resolve,
      });
  });
  const pairs = (units * (units - 1)) / 2;
  const hours = updates / 3600;
  report({
    name: `significance/null/${dwell}s-modes`,
    units,
    seconds,
    seed,
    updates,
    effective: effective / updates,
    minP: minP / updates,
    rateP05: p05 / n,
    rateP01: p01 / n,
    updatesWithFwer05: withFwer05 / updates,
    alerts: alerts.length,
    hours,
    alertsPerHour: alerts.length / hours,
    alertsPerPairHour: alerts.length / hours / pairs,
    hoursWithAlert: `${new Set(alerts.map((alert) => Math.floor((alert.t - firstT!) / 3600))).size}/${Math.ceil(hours)}`,
    updatesWithAlert: [...alertTimes].filter((t) => t >= firstT!).length / updates,
    passHopLevel: crossHop,
    passWindowLevel: crossWindow,
    windowLevelRuns: runs,
    meanRunUpdates: runs === 0 ? 0 : crossWindow / runs,
    seconds_cpu: (performance.now() - started) / 1000,
  });
}

if (!process.argv.includes('--null-only')) {
  // 2 XOR and 2 shared-input pairs among `units` − 2 independent units, modes of 1 s (synergy simulate's default) and 2 s.
  for (const dwell of [1, 2]) {
    const population = new Population({ units: units + 6, meanRateHz: 5, modes: 3, seed: seed + 1, modeDwellSeconds: dwell, synergisticPairs: 2, redundantPairs: 2 });
    const items = await lastValueFrom(from(population.stream({ chunkSeconds: 1, untilSeconds: 300 })).pipe(analyzeStream({ ...options, top: 20 }), raiseAlerts(alerting), toArray()));
    const alerts = items.filter((item): item is AlertEvent => item.type === 'alert' && item.state === 'raised' && (item.kind === 'synergy' || item.kind === 'redundancy'));
    for (const pair of population.truth) {
      const first = alerts.find((alert) => unitPairKey(alert.a!, alert.b!) === unitPairKey(pair.a, pair.b));
      report({ name: `significance/planted/${dwell}s-modes/${pair.kind}`, independent: population.independentUnits.length, pair: `${pair.a}-${pair.b}`, firstAlert: first?.t ?? 'never', kind: first?.kind ?? '-' });
    }
    // Any two units that carry the mode (the redundant pairs' units) are redundant about it: those alerts are real too.
    const carriers = new Set(population.truth.filter((pair) => pair.kind === 'redundant').flatMap((pair) => [String(pair.a), String(pair.b)]));
    const plantedKeys = new Set(population.truth.map((pair) => unitPairKey(pair.a, pair.b)));
    const other = alerts.filter((alert) => !plantedKeys.has(unitPairKey(alert.a!, alert.b!)));
    report({
      name: `significance/planted/${dwell}s-modes/other-alerts`,
      betweenCarriers: other.filter((alert) => alert.kind === 'redundancy' && carriers.has(String(alert.a)) && carriers.has(String(alert.b))).length,
      unexplained: other.filter((alert) => !(alert.kind === 'redundancy' && carriers.has(String(alert.a)) && carriers.has(String(alert.b)))).length,
    });
  }
}
