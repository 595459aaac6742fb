import { from, lastValueFrom, toArray } from 'rxjs';
import { analyzeStream } from '/work/wt-13/src/operators/analyzeStream.ts';
import { raiseAlerts } from '/work/wt-13/src/operators/raiseAlerts.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '/work/wt-13/src/stream/options.ts';
import { Population } from '/work/wt-13/simulators/population.ts';
const units = Number(process.argv[2] ?? 64), seconds = Number(process.argv[3] ?? 180), syn = Number(process.argv[4] ?? 2), dwell = Number(process.argv[5] ?? 2), seed = Number(process.argv[6] ?? 0), estimator = (process.argv[7] ?? 'panzeri-treves') as any;
const population = new Population({ units, meanRateHz: 5, modes: 3, seed, modeDwellSeconds: dwell, synergisticPairs: syn, redundantPairs: syn });
const events = [...population.stream({ chunkSeconds: 1, untilSeconds: seconds })];
const options = { ...DEFAULT_ANALYSIS_OPTIONS, estimator, top: 20 };
const t0 = Date.now();
const items = await lastValueFrom(from(events).pipe(analyzeStream(options), raiseAlerts({ alpha: 0.05, minSamples: 1500 }), toArray()));
const updates = items.filter((i: any) => i.type === 'synergy') as any[];
const alerts = items.filter((i: any) => i.type === 'alert' && (i.kind === 'synergy' || i.kind === 'redundancy')) as any[];
console.log('truth', JSON.stringify(population.truth), 'ms', Date.now() - t0);
for (const a of alerts) console.log(a.t, a.state, a.kind, a.a, a.b, a.value?.toFixed(4), a.p_fwer);
const withSig = updates.filter((u) => u.significant > 0).length;
console.log('updates', updates.length, 'with significant>0', withSig, 'last', JSON.stringify({ t: updates.at(-1).t, s: updates.at(-1).surrogates, e: updates.at(-1).effective_surrogates, minp: updates.at(-1).min_p, sig: updates.at(-1).significant }));
for (const t of [61, 70, 90, 100, 120]) { const u = updates.find((x) => x.t === t); if (u) console.log(t, u.surrogates, u.effective_surrogates, u.significant, u.pairs.slice(0, 4).map((p: any) => `${p.a}-${p.b} ${p.synergy.toFixed(3)} p=${p.p.toFixed(3)} pf=${p.p_fwer.toFixed(3)}`).join(' | ')); }
