import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelIntervals } from '../../adapters/files/labelIntervalReader.ts';
import { writeNwb } from '../../simulators/writeNwb.ts';
import { UsageError } from '../../src/errors.ts';
import { expectSameReplayAsCsv, parseUpdates, sampledSession, writeSessionCsv, type SampledSession } from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-label-columns-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

async function usageError(run: Promise<unknown>): Promise<UsageError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('no error');
}

/** Three trials as pynwb's `nwbfile.trials.to_dataframe().to_csv('trials.csv')` writes them: the id index first, then the columns. */
const TRIALS_CSV = 'id,start_time,stop_time,condition\n0,0.5,1.5,left\n1,1.5,2.25,right\n2,3.0,4.0,left\n';
const TRIALS = [
  { kind: 'interval', start: 0.5, end: 1.5, label: 'left' },
  { kind: 'interval', start: 1.5, end: 2.25, label: 'right' },
  { kind: 'interval', start: 3, end: 4, label: 'left' },
];

describe('label files from NWB trial tables', () => {
  it('reads start_time/stop_time, and takes the one column that is not a bound or the index as the mode', async () => {
    const read = await readLabelIntervals(write('trials.csv', TRIALS_CSV));
    expect(read.intervals).toEqual(TRIALS);
    expect(read.summary.labelColumn).toBe('condition');
    expect(read.summary.ignoredFields).toEqual(['id']);
    const jsonl = write('trials.jsonl', TRIALS.map(({ start, end, label }, id) => JSON.stringify({ id, start_time: start, stop_time: end, condition: label })).join('\n'));
    expect((await readLabelIntervals(jsonl)).intervals).toEqual(TRIALS);
  });

  it('with several candidate columns and no label column, the error lists them and suggests --label-column; it then reads the one named', async () => {
    const several = write('several.csv', 'id,start_time,stop_time,condition,correct\n0,0.5,1.5,left,True\n1,1.5,2.25,right,False\n');
    const error = await usageError(readLabelIntervals(several));
    expect(error.message).toBe(`${several}: no 'label' column, and several columns could hold the mode (condition, correct): choose one with --label-column NAME`);
    const correct = await readLabelIntervals(several, { labelColumn: 'Correct' });
    expect(correct.intervals.map((interval) => interval.label)).toEqual(['True', 'False']);
    expect(correct.summary.ignoredFields).toEqual(['id', 'condition']);
    const jsonl = write('several.jsonl', '{"start_time":0,"stop_time":1,"condition":"a","correct":true}\n');
    expect((await usageError(readLabelIntervals(jsonl))).message).toContain(`no 'label' key, and several keys could hold the mode (condition, correct)`);
    expect((await readLabelIntervals(jsonl, { labelColumn: 'condition' })).intervals).toEqual([{ kind: 'interval', start: 0, end: 1, label: 'a' }]);
  });

  it('a --label-column the header does not have is a usage error listing the columns; a label column still wins by default', async () => {
    const error = await usageError(readLabelIntervals(write('named.csv', TRIALS_CSV), { labelColumn: 'conditon' }));
    expect(error.message).toContain('--label-column conditon: the header has no such column (its columns: id, start_time, stop_time, condition)');
    const both = await readLabelIntervals(write('both.csv', 'start,end,label,condition\n0,1,go,left\n'));
    expect(both.intervals[0].label).toBe('go');
  });
});

describe('synergy replay --labels with --label-column', () => {
  let session: SampledSession;
  let reference: { spikes: string; labels: string };
  beforeAll(() => {
    session = sampledSession({ seconds: 30 });
    reference = writeSessionCsv(folder, session);
  });
  const analysis = ['--bin', '0.02', '--window', '10', '--hop', '2'];

  it('a pandas trials CSV replays as the same modes as start,end,label', async () => {
    const pandas = write('pandas-trials.csv', `id,start_time,stop_time,condition,correct\n${session.labels.map((l, id) => `${id},${l.start},${l.end},${l.label},${id % 2 === 0}`).join('\n')}\n`);
    await expectSameReplayAsCsv([reference.spikes, '--labels', pandas, '--label-column', 'condition'], reference, analysis);
    const refused = await runCli(['replay', reference.spikes, '--labels', pandas, ...analysis]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('several columns could hold the mode (condition, correct): choose one with --label-column NAME');
  });

  it('with an NWB recording and --labels FILE, --label-column names the file’s column, not the NWB table’s', async () => {
    const nwb = join(folder, 'session.nwb');
    await writeNwb(nwb, session.write, { trials: { rows: session.labels, columns: { outcome: session.labels.map(() => 'same') } } });
    const file = write('modes.csv', `start_time,stop_time,mode_name\n${session.labels.map((l) => `${l.start},${l.end},${l.label}`).join('\n')}\n`);
    const run = await runCli(['replay', nwb, '--labels', file, '--label-column', 'mode_name', ...analysis]);
    expect(run.code, run.stderr).toBe(0);
    const updates = parseUpdates(run.stdout);
    expect(new Set(updates.flatMap((update) => Object.keys(update.labels)))).toEqual(new Set(session.labels.map((l) => l.label)));
    const inspect = await runCli(['inspect', reference.spikes, '--labels', file, '--label-column', 'mode_name']);
    expect(inspect.stdout).toContain(`modes from   ${file} (column mode_name)`);
  });
});
