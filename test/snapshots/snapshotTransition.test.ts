import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLANTED_PAIRS, simulateSnapshots } from '../../simulators/snapshotNetwork.ts';
import { writeSnapshotsNpzFolder } from '../../simulators/writeSnapshots.ts';
import type { PairUpdate } from '../../src/engine/synergyUpdate.ts';
import { SnapshotAnalyzer, type SnapshotUpdate } from '../../src/snapshots/snapshotAnalysis.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/stream/options.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const STEPS = Array.from({ length: 16 }, (_, k) => 250 * k);
const SWITCH = 2000;

function pairOf(update: SnapshotUpdate, [a, b]: readonly number[]): PairUpdate {
  const pair = update.pairs.find((p) => p.a === `n${a}` && p.b === `n${b}`);
  if (pair === undefined) throw new Error(`pair n${a}-n${b} missing at step ${update.step}`);
  return pair;
}

describe('snapshots of a network moving from redundant to synergistic coding', () => {
  const snapshots = simulateSnapshots({ neurons: 16, samples: 400, steps: STEPS, switchStep: SWITCH, seed: 7 });
  const options = { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 19, top: undefined };

  it('the planted pairs turn from significant redundancy to significant synergy at the planted step, and the series shows where', () => {
    const analyzer = new SnapshotAnalyzer(options);
    const updates = snapshots.map((snapshot) => analyzer.analyze(snapshot));
    expect(updates.map((update) => update.t)).toEqual(STEPS);
    for (const update of updates) {
      for (const planted of PLANTED_PAIRS) {
        const pair = pairOf(update, planted);
        if (update.step < SWITCH) expect(pair.synergy, `step ${update.step}`).toBeLessThan(-0.2);
        else expect(pair.synergy, `step ${update.step}`).toBeGreaterThan(0.2);
        // Both regimes are family-wise significant: beyond all 19 permutations.
        expect(pair.p_fwer).toBe(0.05);
      }
    }
    // The first step at which the planted pairs' mean synergy is positive is the planted one.
    const mean = updates.map((update) => PLANTED_PAIRS.reduce((sum, planted) => sum + pairOf(update, planted).synergy, 0) / PLANTED_PAIRS.length);
    expect(STEPS[mean.findIndex((value) => value > 0)]).toBe(SWITCH);
    // Pairs of noise neurons stay near 0 and are rarely significant (family-wise 5% per snapshot).
    const noise = updates.flatMap((update) => update.pairs.filter((pair) => Number(String(pair.a).slice(1)) >= 4 && Number(String(pair.b).slice(1)) >= 4));
    expect(Math.max(...noise.map((pair) => Math.abs(pair.synergy)))).toBeLessThan(0.05);
    expect(noise.filter((pair) => pair.p_fwer! <= 0.05).length).toBeLessThanOrEqual(3);
  });

  it('`synergy replay FOLDER --snapshots` on the .npz files gives the library\'s updates', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'synergy-snapshots-'));
    await writeSnapshotsNpzFolder(folder, snapshots);
    const out = join(folder, 'updates.jsonl');
    const result = await runCliHere(['replay', folder, '--snapshots', '--surrogates', '19', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/16 snapshots analyzed \(6400 samples, up to 16 neurons\)/);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: 'run', format: 'snapshots', options: { surrogates: 19 } });
    const analyzer = new SnapshotAnalyzer({ ...options, top: 100 });
    const want = snapshots.map((snapshot) => analyzer.analyze(snapshot));
    expect(lines.slice(1)).toEqual(JSON.parse(JSON.stringify(want)));
  });
});
