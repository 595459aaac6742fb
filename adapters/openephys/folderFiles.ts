import { access } from 'node:fs/promises';
import { NpyFile } from '../files/npyFile.ts';

/**
 * File access shared by the spike and TTL folders. A recording may hold
 * hundreds of electrode folders, all read at once by the merge: handles are
 * opened for one read and closed again, never held (a default limit of 256
 * or 1024 open files would otherwise be reached).
 */

/** Opens a .npy file for one use and closes it. */
export async function withNpy<T>(path: string, use: (file: NpyFile) => Promise<T>): Promise<T> {
  const file = await NpyFile.open(path);
  try {
    return await use(file);
  } finally {
    await file.close();
  }
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
