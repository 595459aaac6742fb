import { open, type FileHandle } from 'node:fs/promises';
import { InputFormatError } from '../../src/errors.ts';

/** Opens a file for reading; a missing or unreadable file is an InputFormatError naming it. */
export async function openReadable(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch {
    throw new InputFormatError('no such file (or it cannot be read)', path);
  }
}
