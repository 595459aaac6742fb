import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { overlapNote, readLabelIntervals } from '../../adapters/files/labelIntervalReader.ts';
import type { LabelIntervalOptions } from '../../adapters/files/labelIntervalReader.ts';
import { InputFormatError } from '../../src/errors.ts';
import { sharedDir } from '../helpers/shared.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-label-intervals-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

async function errorOf(file: string, options: LabelIntervalOptions = {}): Promise<InputFormatError> {
  try {
    await readLabelIntervals(file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as InputFormatError).code).toBe('INPUT_FORMAT');
    return error as InputFormatError;
  }
  throw new Error(`${file} was read without error`);
}

const intervals = [
  { kind: 'interval', start: 0, end: 0.5, label: 'go' },
  { kind: 'interval', start: 0.5, end: 1.25, label: 'nogo' },
  { kind: 'interval', start: 2, end: 4397.1, label: '7' },
  { kind: 'interval', start: 4397.1, end: 4400, label: 'go' },
];

describe('readLabelIntervals: each format round-trips', () => {
  const expectRoundTrip = (read: Awaited<ReturnType<typeof readLabelIntervals>>) => {
    expect(read.intervals).toEqual(intervals);
    expect(read.summary).toMatchObject({
      intervals: 4,
      skipped: 0,
      ignoredFields: [],
      outOfOrder: 0,
      overlapping: 0,
      firstStart: 0,
      lastEnd: 4400,
    });
    expect(read.summary.labels.map((tally) => [tally.label, tally.intervals])).toEqual([
      ['go', 2],
      ['nogo', 1],
      ['7', 1],
    ]);
    expect(read.summary.labels[0].seconds).toBeCloseTo(0.5 + 2.9, 9);
  };
  const rows = intervals.map(({ start, end, label }) => [start, end, label]);

  it('CSV with start,end,label', async () => {
    const read = await readLabelIntervals(write('labels.csv', `start,end,label\n${rows.map((row) => row.join(',')).join('\n')}\n`));
    expectRoundTrip(read);
    expect(read.summary.format).toBe('csv');
  });

  it('CSV with start_s,end_s,label in another order and capitalized', async () => {
    const content = `Label,End_s,Start_s\n${rows.map(([start, end, label]) => `${label},${end},${start}`).join('\n')}\n`;
    expectRoundTrip(await readLabelIntervals(write('labels-s.csv', content)));
  });

  it('TSV', async () => {
    expectRoundTrip(await readLabelIntervals(write('labels.tsv', `start_s\tend_s\tlabel\n${rows.map((row) => row.join('\t')).join('\n')}\n`)));
  });

  it('JSONL, where a number label becomes its text', async () => {
    const lines = intervals.map(({ start, end, label }, i) =>
      JSON.stringify(i % 2 === 0 ? { start, end, label: /^\d+$/.test(label) ? Number(label) : label } : { start_s: start, end_s: end, label }),
    );
    const read = await readLabelIntervals(write('labels.jsonl', `${lines.join('\n')}\n`));
    expectRoundTrip(read);
    expect(read.summary.format).toBe('jsonl');
  });

  it('CRLF, byte order mark, blank lines, quoted labels, no final line break', async () => {
    const read = await readLabelIntervals(write('crlf.csv', '\uFEFFstart,end,label\r\n\r\n0,1,"left, fast"\r\n  \r\n1,2,right'));
    expect(read.intervals.map((interval) => interval.label)).toEqual(['left, fast', 'right']);
    expect(read.summary.lines).toBe(5);
  });

  it('lists extra columns and keys once', async () => {
    const csv = await readLabelIntervals(write('extra.csv', 'trial,start,end,label,note\n1,0,1,a,x\n2,1,2,b,y\n'));
    expect(csv.summary.ignoredFields).toEqual(['trial', 'note']);
    const jsonl = await readLabelIntervals(write('extra.jsonl', '{"start":0,"end":1,"label":"a","trial":1}\n{"start":1,"end":2,"label":"b","trial":2,"odor":"x"}\n'));
    expect(jsonl.summary.ignoredFields).toEqual(['trial', 'odor']);
  });

  it('keeps file order and reports unsorted and overlapping intervals', async () => {
    const read = await readLabelIntervals(write('unsorted.csv', 'start,end,label\n5,6,a\n0,2,b\n1,3,c\n2.5,2.75,d\n6,7,a\n'));
    expect(read.intervals.map((interval) => interval.start)).toEqual([5, 0, 1, 2.5, 6]);
    expect(read.summary).toMatchObject({ outOfOrder: 1, overlapping: 2, firstStart: 0, lastEnd: 7 });
    // Lines: 2 = [5,6) a, 3 = [0,2) b, 4 = [1,3) c, 5 = [2.5,2.75) d, 6 = [6,7) a.
    expect(read.summary.overlapExamples.map((o) => [o.line, o.otherLine])).toEqual([
      [4, 3],
      [5, 4],
    ]);
    expect(overlapNote(read.summary)).toBe(
      `${read.summary.file}: 2 label intervals overlap another: line 4 (c [1, 3) s) overlaps line 3 (b [0, 2) s), ` +
        'line 5 (d [2.5, 2.75) s) overlaps line 4 (c [1, 3) s); bins where two different labels meet are unlabeled',
    );
  });

  it('names the first five overlapping intervals and counts the rest; no note when none overlap', async () => {
    const rows = Array.from({ length: 8 }, (_, k) => `${k},${k + 1.5},m${k}`);
    const read = await readLabelIntervals(write('overlapping.csv', `start,end,label\n${rows.join('\n')}\n`));
    expect(read.summary.overlapping).toBe(7);
    expect(read.summary.overlapExamples.map((o) => o.line)).toEqual([3, 4, 5, 6, 7]);
    expect(overlapNote(read.summary)).toMatch(/: 7 label intervals overlap another: line 3 .*, …; bins where/);
    const apart = await readLabelIntervals(write('apart.csv', 'start,end,label\n0,1,a\n1,2,b\n'));
    expect(overlapNote(apart.summary)).toBeUndefined();
  });
});

describe('readLabelIntervals: bad input names file, line and column', () => {
  const cases: [string, string, number, string | undefined, RegExp][] = [
    ['end before start', 'start,end,label\n0,1,a\n2,1,b\n', 3, 'end', /end 1 is not after start 2/],
    ['empty interval', 'start,end,label\n2,2,b\n', 2, 'end', /end 2 is not after start 2/],
    ['negative start', 'start,end,label\n-1,1,a\n', 2, 'start', /is negative/],
    ['text end', 'start_s,end_s,label\n0,soon,a\n', 2, 'end_s', /'soon' is not a number/],
    ['NaN start', 'start,end,label\nNaN,1,a\n', 2, 'start', /not a number/],
    ['end 1e300', 'start,end,label\n0,1e300,a\n', 2, 'end', /'1e300' is beyond 2\^32 s/],
    ['empty end', 'start,end,label\n0,,a\n', 2, 'end', /is empty/],
    ['empty label', 'start,end,label\n0,1,\n', 2, 'label', /expected a label/],
    ['ragged row', 'start,end,label\n0,1\n', 2, 'label', /2 cells, but the header names 3/],
  ];
  for (const [name, content, line, column, reason] of cases) {
    it(`CSV: ${name}`, async () => {
      const fileName = `bad-${name.replace(/\W+/g, '-')}.csv`;
      const error = await errorOf(write(fileName, content));
      expect(error.message).toContain(`${fileName}, line ${line}`);
      if (column !== undefined) expect(error.message).toContain(`column ${column}`);
      expect(error.message).toMatch(reason);
    });
  }

  const jsonCases: [string, string, number, string | undefined, RegExp][] = [
    ['bad JSON', '{"start":0,"end":1,"label":"a"}\n{"start":0,\n', 2, undefined, /not valid JSON/],
    ['missing end', '{"start":0,"label":"a"}\n', 1, 'end', /no key 'end', 'end_s', 'stop_time' or 'end_time'/],
    ['missing label', '{"start":0,"end":1}\n', 1, 'label', /label is missing|is missing; expected a label/],
    ['end before start', '{"start":3,"end":1,"label":"a"}\n', 1, 'end', /not after start/],
    ['object label', '{"start":0,"end":1,"label":{"a":1}}\n', 1, 'label', /expected a label/],
  ];
  for (const [name, content, line, key, reason] of jsonCases) {
    it(`JSONL: ${name}`, async () => {
      const fileName = `bad-${name.replace(/\W+/g, '-')}.jsonl`;
      const error = await errorOf(write(fileName, content));
      expect(error.message).toContain(`${fileName}, line ${line}`);
      if (key !== undefined) expect(error.message).toContain(`column ${key}`);
      expect(error.message).toMatch(reason);
    });
  }

  it('a header without the needed columns names those found and those expected', async () => {
    const error = await errorOf(write('no-end.csv', 'start,stop,mode\n0,1,a\n'));
    expect(error.message).toContain(`no-end.csv, line 1`);
    expect(error.message).toContain(`'start', 'stop' and 'mode'`);
    expect(error.message).toContain(`is missing an end column ('end', 'end_s', 'stop_time' or 'end_time') and a 'label' column (or --label-column NAME)`);
  });

  it('empty and header-only files are clear errors', async () => {
    expect((await errorOf(write('empty.csv', ''))).message).toMatch(/empty\.csv: is empty; expected a header/);
    expect((await errorOf(write('empty.jsonl', '\n'))).message).toMatch(/empty\.jsonl: is empty/);
    expect((await errorOf(write('header-only.csv', 'start,end,label\n'))).message).toMatch(/has a header but no interval rows/);
  });
});

describe('readLabelIntervals: skipBad', () => {
  it('counts bad rows and keeps the good ones', async () => {
    const read = await readLabelIntervals(write('skip.csv', 'start,end,label\n0,1,a\n2,1,b\n1,2,\n2,3,c\nx,4,d\n'), { skipBad: true });
    expect(read.intervals.map((interval) => interval.label)).toEqual(['a', 'c']);
    expect(read.summary.skipped).toBe(3);
    expect(read.summary.skippedExamples.map((example) => [example.line, example.column])).toEqual([
      [3, 'end'],
      [4, 'label'],
      [6, 'start'],
    ]);
  });

  it('still fails when every row is bad', async () => {
    const error = await errorOf(write('all-bad.csv', 'start,end,label\n1,0,a\n'), { skipBad: true });
    expect(error.message).toMatch(/has no valid interval row/);
  });
});

const realFolder = resolve(sharedDir, 'data', 'real', 'linear-track-place-cells');

describe.skipIf(!existsSync(join(realFolder, 'labels_epoch.csv')))('readLabelIntervals: real recording (linear track)', () => {
  it('reads labels_epoch.csv: run then rest', async () => {
    const { intervals: epochs, summary } = await readLabelIntervals(join(realFolder, 'labels_epoch.csv'));
    expect(epochs.map((interval) => interval.label)).toEqual(['run', 'rest']);
    expect(epochs[0].start).toBeCloseTo(4397.0023, 6);
    expect(epochs[0].end).toBe(epochs[1].start);
    expect(summary).toMatchObject({ intervals: 2, overlapping: 0, outOfOrder: 0, skipped: 0 });
  });

  it('reads labels_direction.csv and labels_position.csv: sorted, non-overlapping, within the run', async () => {
    const direction = await readLabelIntervals(join(realFolder, 'labels_direction.csv'));
    expect(direction.summary.intervals).toBe(88 + 108 + 197);
    expect(direction.summary.labels.map((tally) => tally.label).sort()).toEqual(['decreasing', 'increasing', 'stationary']);
    const seconds = Object.fromEntries(direction.summary.labels.map((tally) => [tally.label, tally.seconds]));
    expect(seconds.increasing).toBeCloseTo(100.6, 0);
    expect(seconds.stationary).toBeCloseTo(783.4, 0);

    const position = await readLabelIntervals(join(realFolder, 'labels_position.csv'));
    expect(position.summary.labels.map((tally) => tally.label).sort()).toEqual(['pos0', 'pos1', 'pos2', 'pos3', 'pos4']);
    for (const { summary } of [direction, position]) {
      expect(summary).toMatchObject({ overlapping: 0, outOfOrder: 0, skipped: 0 });
      expect(summary.firstStart).toBeGreaterThan(4397);
      expect(summary.lastEnd).toBeLessThan(5383);
    }
  });
});
