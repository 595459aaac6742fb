import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFormatError } from '../../src/errors.ts';
import { readLineChunks } from '../../src/io/textLines.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-text-lines-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

async function linesOf(file: string, maxLineCharacters?: number): Promise<string[]> {
  const all: string[] = [];
  for await (const lines of readLineChunks(file, undefined, maxLineCharacters)) all.push(...lines);
  return all;
}

/** The file read one 64 KiB block at a time: a line break may fall across two blocks. */
const BLOCK = 1 << 16;

describe('readLineChunks', () => {
  it('LF, CRLF and lone CR all end a line; a blank line is a line; no final break is fine', async () => {
    expect(await linesOf(write('lf.txt', 'a\nb\n\nc\n'))).toEqual(['a', 'b', '', 'c']);
    expect(await linesOf(write('crlf.txt', 'a\r\nb\r\n\r\nc'))).toEqual(['a', 'b', '', 'c']);
    expect(await linesOf(write('cr.txt', 'a\rb\r\rc\r'))).toEqual(['a', 'b', '', 'c']);
    expect(await linesOf(write('mixed.txt', 'a\r\nb\nc\rd'))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('drops a leading byte order mark, and only a leading one', async () => {
    expect(await linesOf(write('bom.txt', '\uFEFFx,y\n\uFEFF1\n'))).toEqual(['x,y', '\uFEFF1']);
  });

  it('a CRLF split across two blocks is one line break', async () => {
    const first = 'x'.repeat(BLOCK - 1);
    const lines = await linesOf(write('crlf-boundary.txt', `${first}\r\nnext\r\nlast`));
    expect(lines).toEqual([first, 'next', 'last']);
  });

  it('a lone CR at the end of a block is still a line break', async () => {
    const first = 'x'.repeat(BLOCK - 1);
    expect(await linesOf(write('cr-boundary.txt', `${first}\rnext\rlast\r`))).toEqual([first, 'next', 'last']);
  });

  it('a line longer than the limit names its line', async () => {
    const file = write('long.txt', `short\n${'y'.repeat(BLOCK + 10)}\n`);
    const error = await linesOf(file, 1000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as InputFormatError).line).toBe(2);
    expect((error as Error).message).toMatch(/long\.txt, line 2: line is longer than 1000 characters/);
  });

  it('a missing file and a folder are InputFormatErrors naming them', async () => {
    await expect(linesOf(join(folder, 'absent.csv'))).rejects.toThrow(/absent\.csv: no such file/);
    await expect(linesOf(folder)).rejects.toThrow(/is a folder, expected a text file/);
  });
});
