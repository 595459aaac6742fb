import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionToWrite } from '../../simulators/sampledSession.ts';
import { writeNwb } from '../../simulators/writeNwb.ts';
import { mulberry32 } from '../helpers/randomTables.ts';
import { parseUpdates } from '../helpers/recordingFixtures.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-replay-trials-nwb-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const RATE = 30_000;
const UNITS = 6;

/**
 * 150 trials 0.3 s apart with one of 3 conditions and a cue 0.1 s after the
 * start (none in about one trial in 12: NaN); units 0 and 1 fire together
 * 10–20 ms after start and cue under condition 'a', apart otherwise; the
 * others at random. Spikes on a 30 kHz sample clock, as an NWB file holds them.
 */
function taskSession() {
  const random = mulberry32(17);
  const samples: Array<[number, number]> = [];
  const start: number[] = [];
  const cue: number[] = [];
  const condition: string[] = [];
  for (let k = 0; k < 150; k++) {
    const onset = 0.5 + 0.3 * k;
    const label = ['a', 'b', 'c'][Math.floor(random() * 3)];
    start.push(onset);
    cue.push(random() < 1 / 12 ? Number.NaN : onset + 0.1);
    condition.push(label);
    for (const event of [onset, onset + 0.1]) {
      const first = random() < 0.5;
      if (first) samples.push([Math.round((event + 0.01) * RATE), 0]);
      if (label === 'a' ? first : !first) samples.push([Math.round((event + 0.02) * RATE), 1]);
      for (let u = 2; u < UNITS; u++) if (random() < 0.4) samples.push([Math.round((event + random() * 0.06) * RATE), u]);
    }
  }
  samples.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const session: SessionToWrite = {
    sampleRate: RATE,
    unitIds: Array.from({ length: UNITS }, (_, u) => String(u)),
    labels: [],
    seconds: 46,
    *chunks() {
      yield { samples: Float64Array.from(samples, ([sample]) => sample), unit: Uint32Array.from(samples, ([, unit]) => unit) };
    },
  };
  return { session, start, cue, condition };
}

let nwb: string;
let task: ReturnType<typeof taskSession>;
beforeAll(async () => {
  task = taskSession();
  nwb = join(folder, 'task.nwb');
  await writeNwb(nwb, task.session, {
    trials: {
      rows: task.start.map((start) => ({ start, end: start + 0.25 })),
      columns: { condition: task.condition, cue_time: task.cue, stimulus: task.condition.map((label) => label.charCodeAt(0)) },
    },
  });
});

async function replayUpdates(name: string, args: string[]) {
  const out = join(folder, `${name}.jsonl`);
  const result = await runCliHere(['replay', nwb, ...args, '--trial-window', '0:0.05', '--trial-count', '60', '--trial-hop', '20', '--surrogates', '19', '--top', '5', '--out', out]);
  expect(result.code, result.stderr).toBe(0);
  return { updates: parseUpdates(readFileSync(out, 'utf8')), stderr: result.stderr };
}

describe('synergy replay --trials FILE.nwb: the trials of an NWB file’s /intervals/trials', () => {
  it('gives exactly the updates of the same onsets and conditions given as CSV', async () => {
    const csv = join(folder, 'trials.csv');
    writeFileSync(csv, `onset,label\n${task.start.map((onset, k) => `${onset},${task.condition[k]}`).join('\n')}\n`);
    const fromNwb = await replayUpdates('nwb', ['--trials', nwb, '--label-column', 'condition']);
    const fromCsv = await replayUpdates('csv', ['--trials', csv]);
    expect(fromNwb.updates).toHaveLength(7);
    expect(fromNwb.updates).toEqual(fromCsv.updates);
    expect(fromNwb.stderr).toMatch(/150 trials of \[onset\+0, onset\+0\.05\) s, 7 updates over the last 60 trials every 20; onsets from 'start_time', conditions from 'condition'/);
    // The planted pair is found (the trial analysis works, not only agrees).
    expect(fromNwb.updates.at(-1)!.pairs[0]).toMatchObject({ a: 0, b: 1 });
  });

  it('an event column as the onset (--trial-onset-column cue_time): trials without a cue are skipped and counted on stderr', async () => {
    const kept = task.cue.map((cue, k) => ({ cue, label: task.condition[k] })).filter(({ cue }) => !Number.isNaN(cue));
    expect(kept.length).toBeLessThan(150);
    const csv = join(folder, 'cues.csv');
    writeFileSync(csv, `cue_time,condition\n${kept.map(({ cue, label }) => `${cue},${label}`).join('\n')}\n`);
    const fromNwb = await replayUpdates('nwb-cue', ['--trials', nwb, '--trial-onset-column', 'cue_time', '--label-column', 'condition']);
    const fromCsv = await replayUpdates('csv-cue', ['--trials', csv, '--trial-onset-column', 'cue_time']);
    expect(fromNwb.updates).toEqual(fromCsv.updates);
    expect(fromNwb.updates.length).toBeGreaterThan(0);
    expect(fromNwb.stderr).toContain(`${kept.length} trials of [onset+0, onset+0.05) s`);
    expect(fromNwb.stderr).toContain(`${150 - kept.length} trials without an onset in 'cue_time' skipped`);
  });

  it('without --label-column, an NWB trials table with several condition columns is a usage error listing them', async () => {
    const result = await runCliHere(['replay', nwb, '--trials', nwb, '--trial-window', '0:0.05']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/intervals/trials has no 'label' column and several that could (condition, stimulus): name the trials' condition with --label-column NAME");
  });
});
