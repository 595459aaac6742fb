import { from, lastValueFrom, toArray } from 'rxjs';
import { analyzeStream } from '/work/wt-13/src/operators/analyzeStream.ts';
import { raiseAlerts } from '/work/wt-13/src/operators/raiseAlerts.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '/work/wt-13/src/stream/options.ts';
import { Population } from '/work/wt-13/simulators/population.ts';
const units = Number(process.argv[2] ?? 64), seconds = Number(process.argv[3] ?? 600), dwell = Number(process.argv[4] ?? 2), seed = Number(process.argv[5] ?? 0), estimator = (process.argv[6] ?? 'panzeri-treves') as any, window = Number(process.argv[7] ?? 60);
const population = new Population({ units, meanRateHz: 5, modes: 3, seed, modeDwellSeconds: dwell, synergisticPairs: 0, redundantPairs: 0 });
const events = [...population.stream({ chunkSeconds: 1, untilSeconds: seconds })];
const options = { ...DEFAULT_ANALYSIS_OPTIONS, estimator, top: undefined, windowSeconds: window };
const items = await lastValueFrom(from(events).pipe(analyzeStream(options), raiseAlerts({ alpha: 0.05, minSamples: Math.ceil(window / 0.04) }), toArray()));
const updates = (items.filter((i: any) => i.type === 'synergy') as any[]).filter((u) => u.effective_surrogates >= 19);
const alerts = items.filter((i: any) => i.type === 'alert' && i.state === 'raised' && (i.kind === 'synergy' || i.kind === 'redundancy')) as any[];
let n = 0, p01 = 0, p05 = 0, pos = 0, f05 = 0;
for (const u of updates) for (const p of u.pairs) { n++; if (p.p <= 0.01) p01++; if (p.p <= 0.05) p05++; if (p.p_fwer <= 0.05) f05++; }
const withSig = updates.filter((u) => u.significant > 0).length;
const alertUpdates = new Set(alerts.map((a) => a.t)).size;
console.log(JSON.stringify({ units, seconds, dwell, seed, estimator, window, updates: updates.length, meanEff: updates.reduce((s, u) => s + u.effective_surrogates, 0) / updates.length, meanMinP: updates.reduce((s, u) => s + u.min_p, 0) / updates.length, rate01: p01 / n, rate05: p05 / n, pairFwer05: f05 / n, updatesWithSignificant: withSig / updates.length, alerts: alerts.length, updatesWithAlert: alertUpdates / updates.length }));
