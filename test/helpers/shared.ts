import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared` beside the project: contracts, test vectors and real recordings. */
export const sharedDir = resolve(projectRoot, '..', 'shared');

/** Whether the shared folder is present (tests that need it skip cleanly when it is not). */
export const hasShared = existsSync(resolve(sharedDir, 'testvectors'));

export function readSharedJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(resolve(sharedDir, relativePath), 'utf8')) as T;
}
