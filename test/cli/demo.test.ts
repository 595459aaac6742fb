import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { alertLine } from '../../src/alerts/alertEvent.ts';
import { DEMO_ANALYSIS_DEFAULTS, plainLine } from '../../cli/demoCommand.ts';
import { renderLiveTable } from '../../cli/liveTable.ts';
import { main } from '../../cli/main.ts';
import { populationOptions } from '../../cli/simulateCommand.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { raiseAlerts } from '../../src/operators/raiseAlerts.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../../src/stream/options.ts';
import { unitPairKey } from '../../src/stream/unitIds.ts';
import { Population } from '../../simulators/population.ts';
import { expectAlertsExplainedBy } from '../helpers/plantedAlerts.ts';
import { runCli } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-demo-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The demo's population and analysis at their defaults (seed 0). */
const demoPopulation = populationOptions({ units: 16, rate: 5, seed: 0, modes: 3, dwell: 1, synergistic: 2, redundant: 2 });
const demoAnalysis: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, ...DEMO_ANALYSIS_DEFAULTS };
const demoAlerts = { alpha: 0.05, minSamples: 750 };

/**
 * What the demo must print for `--duration seconds`, computed apart from any
 * socket: the population's recording up to exactly that time (in 1 s chunks,
 * not the simulator's steps) through the analysis and the pair alerts.
 */
async function expectedDemo(seconds: number) {
  const population = new Population(demoPopulation);
  const events = [...population.stream({ chunkSeconds: 1, untilSeconds: seconds })];
  const items = await lastValueFrom(from(events).pipe(analyzeStream(demoAnalysis), raiseAlerts(demoAlerts), toArray()));
  const truth = new Map(population.truth.map((pair) => [unitPairKey(pair.a, pair.b), pair.kind]));
  const updates = items.filter((item): item is SynergyUpdate => item.type === 'synergy');
  const lines: string[] = [];
  let count = 0;
  for (const item of items) {
    if (item.type === 'alert') lines.push(alertLine(item));
    else if (++count % 5 === 0 || item === updates.at(-1)) lines.push(plainLine(item, truth));
  }
  const spikes = events.reduce((sum, event) => sum + (event.kind === 'spikes' ? event.t.length : 0), 0);
  return { items, updates, lines, spikes, truth };
}

describe('synergy demo', () => {
  it('runs simulator, analyzer and server in one process; --duration 60 prints exactly the lines of the recording up to 60 s, whatever the pace', async () => {
    const outFile = join(folder, 'updates.jsonl');
    // The reference is computed here while the demo runs in its own process.
    const [result, want] = await Promise.all([runCli(['demo', '--speed', '500', '--duration', '60', '--port', '0', '--out', outFile], { timeoutMs: 120_000 }), expectedDemo(60)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/\x1b/);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^synergy-stream demo — simulated rig: 16 units, 3 modes; planted: .*synergistic.*redundant/);
    expect(lines[1]).toBe('analysis: 0.02 s bins, 30 s window, an update every 1 s, jackknife, 99 surrogates');
    expect(lines[3]).toMatch(/^page: http:\/\/127\.0\.0\.1:\d+\/ {3}subscribe: ws:\/\/127\.0\.0\.1:\d+\/subscribe {3}\(Ctrl-C to stop\)$/);
    // Every 5th update and every alert, in the order they were made; the last line is the update at t = 60.
    expect(lines.slice(4)).toEqual(want.lines);
    expect(lines.at(-1)).toMatch(/^t=60 s, 1500 labeled bins: .*\(planted synergistic\)/);
    expect(want.lines.filter((line) => line.startsWith('[ALERT]')).length).toBeGreaterThan(0);
    // Every update, to the last bit, as the analysis of the same recording computed apart.
    const [header, ...written] = readFileSync(outFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SynergyUpdate);
    expect(header).toMatchObject({ type: 'run', command: 'demo', format: 'protocol', options: { duration: 60, window: 30 } });
    expect((header as unknown as { planted: unknown[] }).planted).toEqual([
      { a: 3, b: 11, kind: 'synergistic' },
      { a: 0, b: 5, kind: 'synergistic' },
      { a: 10, b: 12, kind: 'redundant' },
      { a: 14, b: 15, kind: 'redundant' },
    ]);
    expect(written).toEqual(JSON.parse(JSON.stringify(want.updates)));
    // Every pair alert is explained by what was planted.
    expectAlertsExplainedBy(new Population(demoPopulation).truth, want.items.filter((item): item is AlertEvent => item.type === 'alert'));
    expect(result.stderr).toMatch(new RegExp(`^synergy demo: 60 updates; alerts: .*sources: demo-rig: \\d+ messages, ${want.spikes} spikes, 0 missing, 1 connection\n$`));
  }, 120_000);

  it('--duration that is not a whole hop: the last update is the last whole hop before it, and it is printed', async () => {
    let stdout = '';
    let stderr = '';
    const code = await main(['demo', '--speed', '500', '--duration', '7.5', '--port', '0'], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    expect(code, stderr).toBe(0);
    const want = await expectedDemo(7.5);
    expect(want.updates.map((update) => update.t)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(stdout.trimEnd().split('\n').slice(4)).toEqual(want.lines);
    expect(stdout).toMatch(/\nt=5 s, .*\nt=7 s, /);
    expect(stderr).toMatch(/^synergy demo: 7 updates; /);
  }, 60_000);
});

describe('the live table', () => {
  it('shows the strongest pairs with p, alert state and what was planted, then recent alerts', () => {
    const update: SynergyUpdate = {
      type: 'synergy',
      t: 42,
      window: [12, 42],
      samples: 1490,
      labels: { 'mode-0': 700, 'mode-1': 790 },
      estimator: 'panzeri-treves',
      levels: 3,
      dropped: { unlabeled: 10, late: 0 },
      units: 16,
      pairsComputed: 120,
      surrogates: 99,
      pairs: [
        { a: 3, b: 11, joint: 0.2, ia: 0.01, ib: 0.02, synergy: 0.17, normalized: 0.85, p: 0.01 },
        { a: '7', b: '9', joint: 0.01, ia: 0, ib: 0, synergy: 0.004, normalized: 0.4, p: 0.6 },
      ],
    };
    const alert: AlertEvent = { type: 'alert', state: 'raised', kind: 'synergy', t: 40, a: 3, b: 11, value: 0.17, p: 0.01, message: 'units 3 and 11: synergy' };
    const lines = renderLiveTable({ title: ['demo'], update, alerts: [alert], raised: new Map([['3|11', 'synergy']]), truth: new Map([['3|11', 'synergistic']]), rows: 10 });
    expect(lines).toContain('t = 42.0 s   window [12.0, 42.0) s: 1490 labeled bins (mode-0 700, mode-1 790), 10 unlabeled   units 16, pairs 120');
    const row = lines.find((line) => line.startsWith('3 – 11'))!;
    expect(row).toMatch(/\+0\.1700\s+0\.010\s+0\.2000\s+0\.0100\s+0\.0200\s+synergy\s+synergistic/);
    expect(lines.find((line) => line.startsWith('7 – 9'))).toMatch(/\+0\.0040\s+0\.600/);
    expect(lines.at(-1)).toMatch(/\[ALERT\] t=40\.000 s synergy: units 3 and 11/);
    expect(renderLiveTable({ title: ['demo'], update: undefined, alerts: [], raised: new Map(), rows: 10 })).toContain('waiting for the first update (the first hop of data)…');
  });
});
