import { createReadStream } from 'node:fs';
import { InputFormatError } from '../errors.ts';

/** Longest line a text reader accepts: a file with no line breaks must not fill memory. */
export const MAX_LINE_CHARACTERS = 1 << 20;

/** Where a line reader stands: how many bytes of the file it has read (for progress bars). */
export interface LineProgress {
  bytesRead: number;
}

/**
 * Reads a text file as UTF-8 and yields its lines in chunks (one array per
 * block read from disk), so that callers parse lines in a plain loop rather
 * than awaiting once per line. Line breaks are LF, CRLF or a lone CR (as
 * Node's readline takes them: old Mac and some spreadsheet exports end lines
 * with CR alone); a leading byte order mark is dropped; a last line without
 * a break is still yielded. Memory holds one block and one partial line,
 * never the whole file.
 *
 * Errors: InputFormatError for a missing file, a folder, an unreadable file,
 * or a line longer than `maxLineCharacters` (naming the line).
 *
 * @example
 * let lineNumber = 0;
 * for await (const lines of readLineChunks('spikes.csv')) {
 *   for (const line of lines) { lineNumber++; ... }
 * }
 */
export async function* readLineChunks(
  file: string,
  progress?: LineProgress,
  maxLineCharacters = MAX_LINE_CHARACTERS,
): AsyncGenerator<string[], void, undefined> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let partial = '';
  let linesYielded = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      if (progress !== undefined) progress.bytesRead = stream.bytesRead;
      let text = partial + chunk;
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      // A CR that ends the block may be the first half of a CRLF: it waits for the next block.
      const heldReturn = text.charCodeAt(text.length - 1) === 13;
      const lines = splitLines(heldReturn ? text.slice(0, -1) : text);
      partial = heldReturn ? `${lines.pop() as string}\r` : (lines.pop() as string);
      if (partial.length > maxLineCharacters) {
        throw new InputFormatError(
          `line is longer than ${maxLineCharacters} characters (the limit of a text reader); expected one record per line`,
          file,
          linesYielded + lines.length + 1,
        );
      }
      if (lines.length === 0) continue;
      linesYielded += lines.length;
      yield lines;
    }
    if (partial !== '') yield [withoutCarriageReturn(partial)];
  } catch (error) {
    throw asReadError(error, file);
  } finally {
    stream.destroy();
  }
}

const LINE_BREAK = /\r\n|\r|\n/;

/** The lines of a block; the last is the part after the last break (maybe ''). */
function splitLines(text: string): string[] {
  // Most files have no CR at all: a plain split is the fast path.
  return text.indexOf('\r') < 0 ? text.split('\n') : text.split(LINE_BREAK);
}

function withoutCarriageReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

function asReadError(error: unknown, file: string): Error {
  if (error instanceof InputFormatError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputFormatError('no such file', file);
  if (code === 'EISDIR') return new InputFormatError('is a folder, expected a text file', file);
  return new InputFormatError(`cannot be read (${(error as Error).message})`, file);
}
