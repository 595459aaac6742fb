import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFormatError } from '../../src/errors.ts';
import { DelimitedText, delimiterOf, splitCells } from '../../src/io/delimitedText.ts';
import { readLineChunks } from '../../src/io/textLines.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-delimited-text-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

interface BadRow {
  line: number;
  column: string | undefined;
  reason: string;
}

interface Read {
  table: DelimitedText;
  header: { names: readonly string[]; line: number } | undefined;
  rows: Array<{ line: number; cells: string[] }>;
  bad: BadRow[];
}

/** Reads a file as the spike, label and samples readers do; bad rows are collected (skipped), not thrown. */
async function read(file: string, format?: 'csv' | 'tsv'): Promise<Read> {
  const result: Read = { table: undefined as unknown as DelimitedText, header: undefined, rows: [], bad: [] };
  const table = new DelimitedText(file, {
    format,
    header: (names, line) => {
      result.header = { names, line };
    },
    badRow: (line, column, reason) => {
      result.bad.push({ line, column, reason });
    },
  });
  result.table = table;
  let lineNumber = 0;
  for await (const lines of readLineChunks(file)) {
    for (const line of lines) {
      const cells = table.cells(line, ++lineNumber);
      if (cells !== undefined) result.rows.push({ line: lineNumber, cells });
    }
  }
  return result;
}

describe('splitCells: RFC 4180 quoting on one line', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c,', ['a', '', 'c', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['""', ['']],
    ['"",""', ['', '']],
    [' "padded" , x', ['padded', ' x']],
    ['"1","2.5"', ['1', '2.5']],
    ['a "b" c,d', ['a "b" c', 'd']],
  ])('%s', (line, cells) => {
    expect(splitCells(line, ',')).toEqual(cells);
  });

  it('a tab-separated line may quote a tab or a comma', () => {
    expect(splitCells('"a\tb"\t"c,d"\te', '\t')).toEqual(['a\tb', 'c,d', 'e']);
  });

  it.each(['"unclosed,x', 'a,"b"c', 'a,"b""'])('broken quoting: %s', (line) => {
    expect(splitCells(line, ',')).toBeUndefined();
  });
});

describe('delimiterOf', () => {
  it.each([
    ['csv', 'a,b', ','],
    ['csv', 'a\tb', '\t'],
    ['csv', 'a', ','],
    ['csv', 'a,b\tc', ','],
    ['tsv', 'a\tb', '\t'],
    ['tsv', 'a,b', ','],
    ['tsv', 'a', '\t'],
    [undefined, 'a\tb', '\t'],
    [undefined, 'a,b', ','],
    [undefined, 'a,b\tc', '\t'],
    [undefined, 'a', ','],
  ] as const)('format %s, header %j: %j', (format, header, delimiter) => {
    expect(delimiterOf(format, header)).toBe(delimiter);
  });
});

describe('DelimitedText', () => {
  it('the first line that is not blank is the header; blank lines are skipped and counted', async () => {
    const { header, rows, table } = await read(write('blank-first.csv', '\n  \nunit, t\n\n1,0.5\n \n2,0.75\n'));
    expect(header).toEqual({ names: ['unit', 't'], line: 3 });
    expect(table.headerLine).toBe(3);
    expect(rows).toEqual([
      { line: 5, cells: ['1', '0.5'] },
      { line: 7, cells: ['2', '0.75'] },
    ]);
    expect(table.dataRows).toBe(2);
  });

  it('quoted cells hold commas and doubled quotes, in the header and in rows', async () => {
    const { header, rows } = await read(write('quoted.csv', '"unit, id","the ""t"""\n"a,b",1\n"say ""hi""", "2.5"\n'));
    expect(header?.names).toEqual(['unit, id', 'the "t"']);
    expect(rows.map((row) => row.cells)).toEqual([
      ['a,b', '1'],
      ['say "hi"', '2.5'],
    ]);
  });

  it('CRLF line ends and a byte order mark are not part of any cell', async () => {
    const { header, rows } = await read(write('crlf-bom.csv', '\uFEFFx,y\r\n0,1\r\n\r\n"1,5",0\r\n'));
    expect(header).toEqual({ names: ['x', 'y'], line: 1 });
    expect(rows).toEqual([
      { line: 2, cells: ['0', '1'] },
      { line: 4, cells: ['1,5', '0'] },
    ]);
  });

  it('the header decides the delimiter: the format\'s own, else the one it holds', async () => {
    const tabbed = await read(write('tabbed.csv', 'a\tb\n1\t"2,3"\n'), 'csv');
    expect(tabbed.table.delimiter).toBe('\t');
    expect(tabbed.rows[0].cells).toEqual(['1', '2,3']);
    const commas = await read(write('commas.tsv', 'a,b\n1,2\n'), 'tsv');
    expect(commas.table.delimiter).toBe(',');
    expect(commas.rows[0].cells).toEqual(['1', '2']);
    const unnamed = await read(write('unnamed.txt', 'a\tb\n1\t2\n'));
    expect(unnamed.table.delimiter).toBe('\t');
  });

  it('reports bad rows with their line: too few cells (the first missing column), too many (the first extra position), broken quoting', async () => {
    const { rows, bad, table } = await read(write('bad.csv', 'unit,t,amp\n1,0.5,3\n2,0.6\n3,0.7,1,9\n"4,0.8,1\n5,0.9,"2"x\n6,1.0,2\n'));
    expect(rows.map((row) => row.line)).toEqual([2, 7]);
    expect(bad).toEqual([
      { line: 3, column: 'amp', reason: '2 cells, but the header names 3 columns' },
      { line: 4, column: '4', reason: '4 cells, but the header names 3 columns' },
      { line: 5, column: undefined, reason: 'has an unclosed quote or text after a closing quote' },
      { line: 6, column: undefined, reason: 'has an unclosed quote or text after a closing quote' },
    ]);
    expect(table.dataRows).toBe(6);
  });

  it('a missing cell of an unnamed column is named by its position', async () => {
    const { bad } = await read(write('unnamed-column.csv', 't,\n1\n'));
    expect(bad).toEqual([{ line: 2, column: '2', reason: '1 cells, but the header names 2 columns' }]);
  });

  it('a bad row can stop the reading: the error names file, line and column', () => {
    const file = write('stop.csv', 'x,y\n0,1\n1\n');
    const table = new DelimitedText(file, {
      header: () => {},
      badRow: (line, column, reason) => {
        throw new InputFormatError(reason, file, line, column);
      },
    });
    expect(table.cells('x,y', 1)).toBeUndefined();
    expect(table.cells('0,1', 2)).toEqual(['0', '1']);
    expect(() => table.cells('1', 3)).toThrow(/stop\.csv, line 3, column y: 1 cells, but the header names 2 columns/);
  });

  it('a header with broken quoting is an error naming its line (a line of blanks is not the header)', () => {
    const table = new DelimitedText('h.csv', { header: () => {}, badRow: () => {} });
    expect(table.cells('\t ', 3)).toBeUndefined();
    expect(() => table.cells('"a,b', 4)).toThrow(/h\.csv, line 4: the header has an unclosed quote/);
  });

  it('the header callback may refuse the header; missingColumnsError names the columns found and how they were split', () => {
    const file = write('no-time.tsv', 'unit\tamp\n1\t2\n');
    const table: DelimitedText = new DelimitedText(file, {
      format: 'tsv',
      header: (names) => {
        if (!names.includes('t')) throw table.missingColumnsError(["a time column ('t')"]);
      },
      badRow: () => {},
    });
    expect(() => table.cells('unit\tamp', 1)).toThrow(
      /no-time\.tsv, line 1: the header has columns 'unit' and 'amp' \(tab-separated\) but is missing a time column \('t'\); the first line must be the header/,
    );
  });

  it('noRowsError: an empty file, a header alone, or undefined once rows came', async () => {
    const expected = 'a header, then one row per thing';
    expect((await read(write('empty.csv', ''))).table.noRowsError(expected, 'thing rows')?.message).toMatch(/empty\.csv: is empty; expected a header, then one row per thing/);
    expect((await read(write('blank.csv', '\n \r\n'))).table.noRowsError(expected, 'thing rows')?.message).toMatch(/blank\.csv: is empty/);
    expect((await read(write('header.csv', 'a,b\n\n'))).table.noRowsError(expected, 'thing rows')?.message).toMatch(/header\.csv: has a header but no thing rows/);
    expect((await read(write('all-bad.csv', 'a,b\n1\n'))).table.noRowsError(expected, 'thing rows')).toBeUndefined();
  });
});
