import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrialWindow } from '../../cli/trialReplay.ts';
import { spikeBatch } from '../../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/stream/options.ts';
import { TrialAnalyzer } from '../../src/trials/trialAnalysis.ts';
import { mulberry32 } from '../helpers/randomTables.ts';
import { parseUpdates } from '../helpers/recordingFixtures.ts';
import { runCliHere } from '../helpers/runCliHere.ts';
import { sharedDir } from '../helpers/shared.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-replay-trials-'));
const auditory = resolve(sharedDir, 'data/real/auditory-cortex-18-sounds');

describe('synergy replay --trials', () => {
  it('gives the updates of the trial analysis of the same spikes and trials', async () => {
    const random = mulberry32(9);
    const spikes: [number, string][] = [];
    const trials: { start: number; end: number; label: string }[] = [];
    let onset = 0.2;
    for (let k = 0; k < 120; k++) {
      const sound = Math.floor(random() * 3);
      trials.push({ start: Number(onset.toFixed(3)), end: Number((onset + 0.3).toFixed(3)), label: `s${sound}` });
      const together = random() < 0.5;
      if (together) spikes.push([onset + 0.01, 'u1']);
      if (sound === 0 ? together : !together) spikes.push([onset + 0.02, 'u2']);
      for (let u = 3; u <= 6; u++) if (random() < 0.4) spikes.push([onset + random() * 0.08, `u${u}`]);
      onset += 0.4;
    }
    spikes.sort((a, b) => a[0] - b[0]);
    const spikesFile = join(folder, 'spikes.csv');
    const trialsFile = join(folder, 'trials.csv');
    writeFileSync(spikesFile, `unit,t\n${spikes.map(([t, unit]) => `${unit},${t}`).join('\n')}\n`);
    writeFileSync(trialsFile, `start,end,label\n${trials.map((trial) => `${trial.start},${trial.end},${trial.label}`).join('\n')}\n`);
    const out = join(folder, 'updates.jsonl');
    const result = await runCliHere(['replay', spikesFile, '--trials', trialsFile, '--trial-window', '0:0.05', '--trial-count', '60', '--trial-hop', '20', '--surrogates', '0', '--top', '5', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/120 trials of \[onset\+0, onset\+0\.05\) s, 6 updates over the last 60 trials every 20/);
    // The same through the library, from the file's own numbers.
    const written = readFileSync(spikesFile, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const analyzer = new TrialAnalyzer(
      trials.map((trial) => ({ onset: trial.start, label: trial.label })),
      parseTrialWindow('0:0.05'),
      { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 0, top: 5 },
      { count: 60, hop: 20 },
    );
    const expected = [...analyzer.push(spikeBatch(written.map(([, t]) => Number(t)), written.map(([unit]) => unit))), ...analyzer.finish()];
    expect(parseUpdates(readFileSync(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(expected.at(-1)!.pairs[0]).toMatchObject({ a: 'u1', b: 'u2' });
  });

  it('refuses a window that is not A:B with A < B, and --trials without a window', async () => {
    expect(() => parseTrialWindow('0.05:0')).toThrow(/--trial-window takes A:B/);
    expect(parseTrialWindow('-0.01:0.05')).toEqual({ from: -0.01, to: 0.05 });
    const result = await runCliHere(['replay', join(folder, 'spikes.csv'), '--trials', join(folder, 'trials.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--trials needs --trial-window/);
  });

  it.skipIf(!existsSync(join(auditory, 'D_E_III_spikes.csv')))('runs on the real auditory-cortex recording: 0–50 ms after each sound onset, the sound as the condition', async () => {
    const out = join(folder, 'auditory.jsonl');
    const result = await runCliHere([
      'replay', join(auditory, 'D_E_III_spikes.csv'), '--trials', join(auditory, 'D_E_III_labels.csv'),
      '--trial-window', '0:0.05', '--trial-count', '486', '--trial-hop', '162', '--top', '10', '--out', out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const updates = parseUpdates(readFileSync(out, 'utf8'));
    // 1,458 trials (18 sounds × 81), an update every 162 trials over the last 486.
    expect(updates).toHaveLength(9);
    const last = updates.at(-1)!;
    expect(last.samples).toBe(486);
    expect(Object.keys(last.labels)).toHaveLength(18);
    expect(last.units).toBe(70);
    expect(last.pairs).toHaveLength(10);
    for (const pair of last.pairs) expect(Number.isFinite(pair.synergy)).toBe(true);
  });
});
