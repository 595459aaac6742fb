import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';

/**
 * Where an Open Ephys recording is, from the path a user gives. The GUI
 * writes `<Record Node NNN>/experiment<E>/recording<R>/` with
 * `structure.oebin`, `continuous/`, `events/` and `spikes/` inside
 * (gui-docs, User Manual › Recording data › Binary format). A user may give:
 *
 * - the recording folder (it holds `structure.oebin`), or that file itself;
 * - an experiment, Record Node or session folder with exactly one recording
 *   below it (several: an error listing them, asking for one);
 * - one electrode's spike folder (`sample_numbers.npy` and `clusters.npy`).
 */
export type RecordingLocation =
  | { kind: 'recording'; folder: string }
  | {
      kind: 'spike-folder';
      folder: string;
      /** The recording folder above it (its structure.oebin may give the folder's sample rate and name). */
      recordingFolder: string | undefined;
    };

/** Levels below the given folder searched for recordings: session › Record Node › experiment › recording. */
const SEARCH_DEPTH = 3;
/** Folders of a recording's data, never searched for further recordings. */
const DATA_FOLDERS = new Set(['continuous', 'events', 'spikes']);

export async function locateRecording(path: string): Promise<RecordingLocation> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputFormatError('no such file or folder', path);
  }
  if (info.isFile()) {
    if (basename(path) === 'structure.oebin') return { kind: 'recording', folder: dirname(path) };
    throw new InputFormatError('not an Open Ephys recording: give the recording folder (the one holding structure.oebin), or a spike folder', path);
  }
  let names: Set<string>;
  try {
    names = new Set(await readdir(path));
  } catch (error) {
    throw new InputFormatError(`cannot read this folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, path);
  }
  if (names.has('structure.oebin')) return { kind: 'recording', folder: path };
  if (names.has('sample_numbers.npy') && names.has('clusters.npy')) {
    return { kind: 'spike-folder', folder: path, recordingFolder: await recordingAbove(path) };
  }
  if (names.has('spikes') || names.has('events') || names.has('continuous')) {
    throw new InputFormatError(
      'structure.oebin is missing: an Open Ephys recording folder holds structure.oebin, the JSON description of its spikes/ and events/ folders',
      path,
    );
  }
  const found = await recordingsBelow(path, SEARCH_DEPTH);
  if (found.length === 1) return { kind: 'recording', folder: found[0] };
  if (found.length === 0) {
    throw new InputFormatError(
      'no Open Ephys recording here: expected a recording folder (structure.oebin, spikes/, events/), an experiment or Record Node folder holding one, or a spike folder (sample_numbers.npy, clusters.npy)',
      path,
    );
  }
  const listed = found.map((folder) => relative(path, folder));
  throw new InputFormatError(
    `holds ${found.length} recordings (${listed.join(', ')}): give the recording folder to read, e.g. ${join(path, listed[0])}`,
    path,
  );
}

async function recordingsBelow(folder: string, depth: number): Promise<string[]> {
  if (depth === 0) return [];
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  const folders = entries.filter((entry) => entry.isDirectory() && !DATA_FOLDERS.has(entry.name)).map((entry) => entry.name);
  for (const name of folders.sort(naturalOrder)) {
    const child = join(folder, name);
    const childNames = await readdir(child).catch(() => [] as string[]);
    if (childNames.includes('structure.oebin')) found.push(child);
    else found.push(...(await recordingsBelow(child, depth - 1)));
  }
  return found;
}

/** The recording folder holding a spike folder (`spikes/<stream>/<electrode>` or `spikes/<electrode>`), if any. */
async function recordingAbove(spikeFolder: string): Promise<string | undefined> {
  let folder = dirname(spikeFolder);
  for (let level = 0; level < 3; level++) {
    const names = await readdir(folder).catch(() => [] as string[]);
    if (names.includes('structure.oebin')) return folder;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

/** 'recording2' before 'recording10'. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
