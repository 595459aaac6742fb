import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSamplesCsv } from '../../src/batch/readSamplesCsv.ts';
import { InputFormatError } from '../../src/errors.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-samples-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

async function errorOf(file: string): Promise<InputFormatError> {
  const error = await readSamplesCsv(file).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputFormatError);
  return error as InputFormatError;
}

describe('readSamplesCsv', () => {
  it('reads named integer columns', async () => {
    expect(await readSamplesCsv(write('pair.csv', 'x1,x2,y\n0,1,1\n1,1,0\n-2,+3,0\n'))).toEqual({
      names: ['x1', 'x2', 'y'],
      columns: [
        [0, 1, -2],
        [1, 1, 3],
        [1, 0, 0],
      ],
    });
  });

  it('a quoted name holding a comma is one column (the old reader split it at the comma into two)', async () => {
    // Split naively, this header was '"x', ' left"' and 'y': three columns, and line 2 a ragged row.
    const table = await readSamplesCsv(write('quoted-name.csv', '"x, left",y\n0,1\n1,0\n'));
    expect(table.names).toEqual(['x, left', 'y']);
    expect(table.columns).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('quoted cells and doubled quotes, as a spreadsheet writes them', async () => {
    const table = await readSamplesCsv(write('spreadsheet.csv', '"unit ""a""","mode, 1=run"\n"1","0"\n 2 , "1" \n'));
    expect(table.names).toEqual(['unit "a"', 'mode, 1=run']);
    expect(table.columns).toEqual([
      [1, 2],
      [0, 1],
    ]);
  });

  it('TSV, CRLF, CR alone, a byte order mark and blank lines', async () => {
    const expected = { names: ['a', 'b'], columns: [[0, 1], [1, 1]] };
    expect(await readSamplesCsv(write('tabs.tsv', 'a\tb\n0\t1\n1\t1\n'))).toEqual(expected);
    expect(await readSamplesCsv(write('crlf.csv', '\uFEFFa,b\r\n\r\n0,1\r\n1,1'))).toEqual(expected);
    expect(await readSamplesCsv(write('cr.csv', 'a,b\r0,1\r\r1,1\r'))).toEqual(expected);
  });

  it('a tab in the header makes the file tab-separated, whatever its name', async () => {
    const table = await readSamplesCsv(write('tabbed.csv', '"x,1"\ty\n0\t1\n'));
    expect(table.names).toEqual(['x,1', 'y']);
  });

  it.each([
    ['ragged row', 'x1,x2,y\n0,1,0\n1,0\n', /ragged-row\.csv, line 3: 2 cells, but the header names 3 columns/, 3, undefined],
    ['non-integer cell', 'x1,x2,y\n0,1,0\n1,0.5,1\n', /line 3, column x2: '0\.5' is not an integer symbol/, 3, 'x2'],
    ['quoted non-integer', 'x1,y\n"1,5",0\n', /line 2, column x1: '1,5' is not an integer symbol/, 2, 'x1'],
    ['unclosed quote', 'x1,y\n0,1\n"1,0\n', /line 3: has an unclosed quote/, 3, undefined],
    ['header with an unclosed quote', '"x1,y\n0,1\n', /line 1: the header has an unclosed quote/, 1, undefined],
    ['empty header cell', 'x1,,y\n0,1,1\n', /line 1: header cell 2 is empty/, 1, undefined],
    ['a name twice', 'x,"x"\n0,1\n', /line 1: column name 'x' appears twice/, 1, undefined],
    ['empty file', '', /empty-file\.csv: is empty; expected a header line naming the columns/, undefined, undefined],
    ['blank file', '\n \n', /is empty/, undefined, undefined],
    ['header only', 'x1,x2,y\n\n', /has a header but no sample rows/, undefined, undefined],
  ])('%s: an InputFormatError naming file, line and column', async (name, content, message, line, column) => {
    const error = await errorOf(write(`${name.replace(/\W+/g, '-')}.csv`, content));
    expect(error.message).toMatch(message);
    expect(error.line).toBe(line);
    expect(error.column).toBe(column);
  });

  it('a missing file', async () => {
    expect((await errorOf(join(folder, 'absent.csv'))).message).toMatch(/absent\.csv: no such file/);
  });
});
