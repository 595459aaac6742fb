import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTrials } from '../../adapters/trials/readTrials.ts';
import type { SessionToWrite } from '../../simulators/sampledSession.ts';
import { writeNwb, type IntervalTableToWrite } from '../../simulators/writeNwb.ts';
import { InputFormatError, UsageError } from '../../src/errors.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-read-trials-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

/** A few spikes of two units: the NWB file needs a units table; the trials are what is read here. */
const SESSION: SessionToWrite = {
  sampleRate: 30_000,
  unitIds: ['0', '1'],
  labels: [],
  seconds: 10,
  *chunks() {
    yield { samples: Float64Array.from([3_000, 6_000, 90_000]), unit: Uint32Array.from([0, 1, 0]) };
  },
};

/** Four trials as a task's NWB file holds them: a condition, a numeric stimulus, and a cue time (NaN where no cue came). */
const TRIALS: IntervalTableToWrite = {
  rows: [
    { start: 0.5, end: 1.5 },
    { start: 2, end: 3 },
    { start: 3.25, end: 4 },
    { start: 5, end: 6.5 },
  ],
  columns: {
    condition: ['left', 'right', 'left', 'right'],
    stimulus: [1, 2.5, 1, 2.5],
    cue_time: [0.75, 2.125, Number.NaN, 5.5],
  },
};

async function nwbFile(name: string, trials: IntervalTableToWrite | null = TRIALS): Promise<string> {
  const path = join(folder, name);
  await writeNwb(path, SESSION, { trials });
  return path;
}

async function rejection(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
}

describe('readTrials: an NWB file’s /intervals/trials', () => {
  it('takes start_time as the onset and the named column as the condition, in file order', async () => {
    const path = await nwbFile('trials.nwb');
    const read = await readTrials(path, { labelColumn: 'condition' });
    expect(read.trials).toEqual([
      { onset: 0.5, label: 'left' },
      { onset: 2, label: 'right' },
      { onset: 3.25, label: 'left' },
      { onset: 5, label: 'right' },
    ]);
    expect(read).toMatchObject({ skipped: 0, onsetColumn: 'start_time', labelColumn: 'condition' });
    expect(read.columns).toEqual(['id', 'start_time', 'stop_time', 'condition', 'stimulus', 'cue_time']);
  });

  it('a numeric condition column gives its values as decimal text', async () => {
    const read = await readTrials(await nwbFile('numeric.nwb'), { labelColumn: 'stimulus' });
    expect(read.trials.map((trial) => trial.label)).toEqual(['1', '2.5', '1', '2.5']);
  });

  it('an event column as the onset: its times, and a NaN skips the trial and is counted', async () => {
    const read = await readTrials(await nwbFile('cue.nwb'), { onsetColumn: 'cue_time', labelColumn: 'condition' });
    expect(read.trials).toEqual([
      { onset: 0.75, label: 'left' },
      { onset: 2.125, label: 'right' },
      { onset: 5.5, label: 'right' },
    ]);
    expect(read.skipped).toBe(1);
    expect(read.onsetColumn).toBe('cue_time');
  });

  it('takes the one column that could hold conditions without --label-column (not a time column)', async () => {
    const path = await nwbFile('one.nwb', { rows: TRIALS.rows, columns: { condition: TRIALS.columns!.condition, cue_time: TRIALS.columns!.cue_time } });
    expect((await readTrials(path)).labelColumn).toBe('condition');
  });

  it('errors name the file and list the table’s columns', async () => {
    const path = await nwbFile('errors.nwb');
    // Two columns could hold the condition: the user must choose.
    const ambiguous = await rejection(readTrials(path));
    expect(ambiguous).toBeInstanceOf(UsageError);
    expect(ambiguous.message).toBe(
      `${path}: /intervals/trials has no 'label' column and several that could (condition, stimulus): name the trials' condition with --label-column NAME (its columns: id, start_time, stop_time, condition, stimulus, cue_time)`,
    );
    const unknownLabel = await rejection(readTrials(path, { labelColumn: 'outcome' }));
    expect(unknownLabel).toBeInstanceOf(UsageError);
    expect(unknownLabel.message).toBe(`${path}: --label-column outcome: /intervals/trials has no column 'outcome' (its columns: id, start_time, stop_time, condition, stimulus, cue_time)`);
    const unknownOnset = await rejection(readTrials(path, { onsetColumn: 'go_time', labelColumn: 'condition' }));
    expect(unknownOnset).toBeInstanceOf(UsageError);
    expect(unknownOnset.message).toContain(`--trial-onset-column go_time: /intervals/trials has no such column (its columns of times: start_time, stop_time, stimulus, cue_time; all: id, start_time, stop_time, condition, stimulus, cue_time)`);
    const textOnset = await rejection(readTrials(path, { onsetColumn: 'condition', labelColumn: 'condition' }));
    expect(textOnset).toBeInstanceOf(UsageError);
    expect(textOnset.message).toContain('/intervals/trials/condition holds string values, not one number per trial');
    const none = await rejection(readTrials(await nwbFile('none.nwb', null)));
    expect(none).toBeInstanceOf(InputFormatError);
    expect(none.message).toMatch(/none\.nwb: has no \/intervals\/trials table/);
  });
});

describe('readTrials: CSV, TSV and JSONL', () => {
  it('reads a file with an onset and a label only (no end column)', async () => {
    const read = await readTrials(write('onsets.csv', 'onset,label\n0.5,go\n1.25,stop\n2,go\n'));
    expect(read.trials).toEqual([
      { onset: 0.5, label: 'go' },
      { onset: 1.25, label: 'stop' },
      { onset: 2, label: 'go' },
    ]);
    expect(read).toMatchObject({ skipped: 0, columns: ['onset', 'label'], onsetColumn: 'onset', labelColumn: 'label' });
  });

  it('still reads a label file’s start and end columns, and takes the one other column as the condition', async () => {
    const read = await readTrials(write('intervals.tsv', 'id\tstart_time\tstop_time\tcondition\n0\t0.5\t1.5\tleft\n1\t2\t3\tright\n'));
    expect(read.trials).toEqual([
      { onset: 0.5, label: 'left' },
      { onset: 2, label: 'right' },
    ]);
    expect(read).toMatchObject({ onsetColumn: 'start_time', labelColumn: 'condition' });
  });

  it('an event column as the onset: empty or NaN skips the trial; an empty condition leaves it unlabeled', async () => {
    const file = write('events.csv', 'start,end,cue_time,Condition\n0,1,0.25,a\n1,2,,b\n2,3,NaN,a\n3,4,3.5,\n');
    const read = await readTrials(file, { onsetColumn: 'CUE_TIME' });
    expect(read.trials).toEqual([
      { onset: 0.25, label: 'a' },
      { onset: 3.5, label: null },
    ]);
    expect(read).toMatchObject({ skipped: 2, onsetColumn: 'cue_time', labelColumn: 'Condition' });
  });

  it('reads JSONL: numbers or text, a null onset skipped, numeric conditions as text', async () => {
    const file = write('trials.jsonl', '{"onset": 0.5, "stimulus": 3}\n\n{"onset": "1.5", "stimulus": "7"}\n{"onset": null, "stimulus": 3}\n');
    const read = await readTrials(file);
    expect(read.trials).toEqual([
      { onset: 0.5, label: '3' },
      { onset: 1.5, label: '7' },
    ]);
    expect(read).toMatchObject({ skipped: 1, columns: ['onset', 'stimulus'], onsetColumn: 'onset', labelColumn: 'stimulus' });
  });

  it('errors name the file, line and column, or list the columns', async () => {
    const bad = write('bad.csv', 'onset,label\n0.5,go\nsoon,stop\n');
    const badOnset = await rejection(readTrials(bad));
    expect(badOnset).toBeInstanceOf(InputFormatError);
    expect(badOnset.message).toBe(`${bad}, line 3, column onset: 'soon' is not a number; expected a number of seconds from 0 to 2^32 (4294967296)`);
    const noOnset = write('no-onset.csv', 'time,label\n0.5,go\n');
    expect((await rejection(readTrials(noOnset))).message).toBe(
      `${noOnset}: has no onset column ('start', 'start_s', 'start_time', 'onset' or 'onset_s', or name one with --trial-onset-column NAME; its columns: time, label)`,
    );
    const unknown = await rejection(readTrials(bad, { onsetColumn: 'cue' }));
    expect(unknown).toBeInstanceOf(UsageError);
    expect(unknown.message).toBe(`${bad}: --trial-onset-column cue: no such column (its columns: onset, label)`);
    const several = write('several.csv', 'onset,condition,correct\n0.5,left,1\n');
    expect((await rejection(readTrials(several))).message).toBe(
      `${several}: no 'label' column and several that could (condition, correct): name the trials' condition with --label-column NAME (its columns: onset, condition, correct)`,
    );
    expect((await readTrials(several, { labelColumn: 'correct' })).trials).toEqual([{ onset: 0.5, label: '1' }]);
    const allNaN = write('all-nan.csv', 'onset,label\nNaN,go\n,stop\n');
    expect((await rejection(readTrials(allNaN))).message).toBe(`${allNaN}: holds no trial: all 2 rows have no onset in 'onset'`);
    const short = write('short.csv', 'onset,label\n0.5\n');
    expect((await rejection(readTrials(short))).message).toBe(`${short}, line 2, column label: 1 cells, but the header names 2 columns`);
    const empty = write('empty.csv', '');
    expect((await rejection(readTrials(empty))).message).toMatch(/empty\.csv: is empty; expected a header naming an onset column/);
    const other = write('trials.txt', 'onset,label\n');
    expect((await rejection(readTrials(other))).message).toMatch(/trials\.txt: cannot tell the format of a trials file from the extension '\.txt'; expected \.nwb/);
  });
});
