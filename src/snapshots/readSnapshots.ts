import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { InputFormatError } from '../errors.ts';
import { parseNpyArray, type NpyContents } from './npyArray.ts';
import { readSnapshotJsonl } from './readSnapshotJsonl.ts';
import { readSnapshotTable } from './readSnapshotTable.ts';
import { checkSnapshot, type Snapshot } from './snapshot.ts';
import { ZipArchive } from './zipArchive.ts';

/**
 * Reads snapshots (src/snapshots/snapshot.ts) from files, in step order:
 *
 * - `.npz` (np.savez or np.savez_compressed): one snapshot. Its values are
 *   the 2-D array `values` (else `activations`, else `x`; any integer, float
 *   or boolean dtype, any order), its labels the 1-D array `labels` (else
 *   `y`) of integer class codes or strings (`<U…`, `|S…`), its step the
 *   array `step` (0-d or one element); without `step`, the last number in the
 *   file's name (`step_001200.npz` → 1200), else 0. An optional `neurons`
 *   array (strings or numbers) names the columns. Other arrays are ignored.
 * - `.npy`: the 2-D values alone; the labels come from `<name>.labels.npy`
 *   beside it, else from `labels.npy` in the same folder (one probe set for
 *   every snapshot); the step from the file's name, else 0.
 * - a folder: every `.npz` and `.npy` in it (not `labels.npy` nor
 *   `*.labels.npy`, which are labels), sorted by step (then by name), read
 *   one at a time.
 * - `.csv`, `.tsv` (`.tab`): readSnapshotTable (a header `step,label,<neurons…>`, a row per sample).
 * - `.jsonl`, `.ndjson`: readSnapshotJsonl (one snapshot per line, the JSON form).
 *
 * Labels: integer code −1 and the empty string mean unlabeled (null), as in
 * the binary frame; other codes must be whole numbers ≥ 0 and are named by
 * their decimal text ('3'). Every defect is an InputFormatError naming the
 * file (and member, line or row) and what is wrong.
 *
 * @example
 * for await (const snapshot of readSnapshots('checkpoints/')) analyze(snapshot);
 */
export interface ReadSnapshotsOptions {
  /** The .npz array that holds the labels (default: `labels`, else `y`). */
  labelsKey?: string;
  /** The .npz array that holds the values (default: `values`, else `activations`, else `x`). */
  valuesKey?: string;
  /** Told what was read but ignored (JSONL fields outside the form), one line each naming file and line. */
  onWarning?: (message: string) => void;
}

export const VALUES_KEYS = ['values', 'activations', 'x'] as const;
export const LABELS_KEYS = ['labels', 'y'] as const;
const STEP_KEY = 'step';
const NEURONS_KEY = 'neurons';

export async function* readSnapshots(path: string, options: ReadSnapshotsOptions = {}): AsyncGenerator<Snapshot, void, undefined> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFormatError(code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code ?? (error as Error).message})`, path);
  }
  if (isFolder) {
    yield* readSnapshotFolder(path, options);
    return;
  }
  const extension = extname(path).toLowerCase();
  switch (extension) {
    case '.npz':
      yield await readNpzSnapshot(path, options);
      return;
    case '.npy':
      yield await readNpySnapshot(path);
      return;
    case '.csv':
      yield* readSnapshotTable(path, 'csv');
      return;
    case '.tsv':
    case '.tab':
      yield* readSnapshotTable(path, 'tsv');
      return;
    case '.jsonl':
    case '.ndjson':
      yield* readSnapshotJsonl(path, options.onWarning);
      return;
    default:
      throw new InputFormatError(
        `cannot tell the snapshot format from the extension '${extension}'; expected .npz, .npy, .csv, .tsv, .jsonl or .ndjson, or a folder of .npz/.npy files`,
        path,
      );
  }
}

/** The last whole number in a file's name (without its extension): `step_001200.npz` → 1200; undefined if none. */
export function stepFromFileName(path: string): number | undefined {
  const name = basename(path, extname(path));
  const match = /(\d+)(?!.*\d)/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** Whether a file of a folder holds labels rather than a snapshot. */
function isLabelsFile(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'labels.npy' || lower.endsWith('.labels.npy');
}

async function* readSnapshotFolder(folder: string, options: ReadSnapshotsOptions): AsyncGenerator<Snapshot, void, undefined> {
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && /\.(npz|npy)$/i.test(entry.name) && !isLabelsFile(entry.name))
    .map((entry) => entry.name);
  if (names.length === 0) throw new InputFormatError('holds no .npz or .npy snapshot (labels.npy and *.labels.npy are labels, not snapshots)', folder);
  // Steps first (an .npz's own `step` array, read alone), then the snapshots one at a time in step order.
  const files = await Promise.all(
    names.map(async (name) => {
      const path = join(folder, name);
      return { name, path, step: /\.npz$/i.test(name) ? await npzStep(path) : (stepFromFileName(path) ?? 0) };
    }),
  );
  files.sort((a, b) => a.step - b.step || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of files) yield /\.npz$/i.test(file.name) ? await readNpzSnapshot(file.path, options) : await readNpySnapshot(file.path);
}

/** An .npz's members by array name (`values.npy` → `values`). */
function arrayNames(archive: ZipArchive): Map<string, string> {
  const arrays = new Map<string, string>();
  for (const name of archive.entries.keys()) if (name.endsWith('.npy')) arrays.set(name.slice(0, -4), name);
  return arrays;
}

async function npzStep(path: string): Promise<number> {
  const archive = await ZipArchive.open(path);
  try {
    const member = arrayNames(archive).get(STEP_KEY);
    return member === undefined ? (stepFromFileName(path) ?? 0) : stepOf(parseNpyArray(await archive.read(member), path, member), path, member);
  } finally {
    await archive.close();
  }
}

async function readNpzSnapshot(path: string, options: ReadSnapshotsOptions): Promise<Snapshot> {
  const archive = await ZipArchive.open(path);
  try {
    const arrays = arrayNames(archive);
    const present = [...arrays.keys()];
    const pick = (given: string | undefined, candidates: readonly string[], what: string): string => {
      const key = given ?? candidates.find((candidate) => arrays.has(candidate));
      if (key === undefined || !arrays.has(key)) {
        const wanted = given === undefined ? candidates.map((c) => `'${c}'`).join(', ') : `'${given}'`;
        throw new InputFormatError(
          `has no ${what} array ${wanted}; it holds ${present.length === 0 ? 'no arrays' : present.map((name) => `'${name}'`).join(', ')}`,
          path,
        );
      }
      return arrays.get(key) as string;
    };
    const valuesMember = pick(options.valuesKey, VALUES_KEYS, 'values');
    const labelsMember = pick(options.labelsKey, LABELS_KEYS, 'labels');
    const values = valuesFrom(parseNpyArray(await archive.read(valuesMember), path, valuesMember), path, valuesMember);
    const labels = labelsFrom(parseNpyArray(await archive.read(labelsMember), path, labelsMember), values.samples, path, labelsMember);
    const stepMember = arrays.get(STEP_KEY);
    const step = stepMember === undefined ? (stepFromFileName(path) ?? 0) : stepOf(parseNpyArray(await archive.read(stepMember), path, stepMember), path, stepMember);
    const snapshot: Snapshot = { step, ...values, labels };
    const neuronsMember = arrays.get(NEURONS_KEY);
    if (neuronsMember !== undefined) snapshot.neuronIds = neuronIdsFrom(parseNpyArray(await archive.read(neuronsMember), path, neuronsMember), values.neurons, path, neuronsMember);
    return checkSnapshot(snapshot, path);
  } finally {
    await archive.close();
  }
}

async function readNpySnapshot(path: string): Promise<Snapshot> {
  const values = valuesFrom(parseNpyArray(await readWhole(path), path), path);
  const name = basename(path).replace(/\.npy$/i, '');
  const candidates = [join(dirname(path), `${name}.labels.npy`), join(dirname(path), 'labels.npy')];
  let labelsPath: string | undefined;
  for (const candidate of candidates) {
    if (await stat(candidate).then((s) => s.isFile(), () => false)) {
      labelsPath = candidate;
      break;
    }
  }
  if (labelsPath === undefined) {
    throw new InputFormatError(`has no labels: an .npy holds the values alone, its labels must be in ${basename(candidates[0])} or labels.npy beside it`, path);
  }
  const labels = labelsFrom(parseNpyArray(await readWhole(labelsPath), labelsPath), values.samples, labelsPath);
  return checkSnapshot({ step: stepFromFileName(path) ?? 0, ...values, labels }, path);
}

async function readWhole(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InputFormatError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, path);
  }
}

/** What an error about an array says it is: the file, and the .npz member if any. */
function arrayError(message: string, file: string, member?: string): InputFormatError {
  return new InputFormatError(member === undefined ? message : `member '${member}': ${message}`, file);
}

function valuesFrom(array: NpyContents, file: string, member?: string): { samples: number; neurons: number; values: Float64Array } {
  if (array.kind !== 'numbers') throw arrayError(`values must be numbers, the array holds strings ('${array.descr}')`, file, member);
  if (array.shape.length !== 2) {
    throw arrayError(
      `values must be 2-D (samples × neurons), the array has shape (${array.shape.join(', ')})${array.shape.length === 1 ? '; reshape(-1, 1) for one neuron' : ''}`,
      file,
      member,
    );
  }
  const [samples, neurons] = array.shape;
  if (samples < 1 || neurons < 1) throw arrayError(`values have shape (${samples}, ${neurons}); a snapshot needs at least one sample and one neuron`, file, member);
  for (let i = 0; i < array.data.length; i++) {
    if (!Number.isFinite(array.data[i])) {
      throw arrayError(`value ${array.data[i]} at sample ${Math.floor(i / neurons)}, neuron ${i % neurons} is not finite`, file, member);
    }
  }
  return { samples, neurons, values: array.data };
}

/** The shape of a one-dimensional list (n,), or (n, 1): its length, undefined otherwise. */
function listLength(shape: readonly number[]): number | undefined {
  if (shape.length === 1) return shape[0];
  if (shape.length === 2 && shape[1] === 1) return shape[0];
  return undefined;
}

function labelsFrom(array: NpyContents, samples: number, file: string, member?: string): (string | null)[] {
  const length = listLength(array.shape);
  if (length === undefined) throw arrayError(`labels must be 1-D (one per sample), the array has shape (${array.shape.join(', ')})`, file, member);
  if (length !== samples) throw arrayError(`${length} labels for ${samples} samples (rows of the values); expected one per sample`, file, member);
  if (array.kind === 'strings') return array.data.map((label) => (label === '' ? null : label));
  return Array.from(array.data, (code, i) => {
    if (code === -1) return null;
    if (!Number.isInteger(code) || code < 0) {
      throw arrayError(`label ${code} of sample ${i} is not a class code: expected whole numbers ≥ 0, or −1 for unlabeled`, file, member);
    }
    return String(code);
  });
}

function stepOf(array: NpyContents, file: string, member: string): number {
  if (array.kind !== 'numbers' || array.data.length !== 1) {
    throw arrayError(`step must be one number (0-d or one element), the array holds ${array.kind === 'numbers' ? `${array.data.length} numbers` : 'strings'}`, file, member);
  }
  const step = array.data[0];
  if (!Number.isFinite(step)) throw arrayError(`step ${step} is not finite`, file, member);
  return step;
}

function neuronIdsFrom(array: NpyContents, neurons: number, file: string, member: string): string[] {
  const length = listLength(array.shape);
  if (length !== neurons) throw arrayError(`${length ?? `shape (${array.shape.join(', ')})`} neuron names for ${neurons} neurons (columns of the values); expected one per column`, file, member);
  return array.kind === 'strings' ? array.data : Array.from(array.data, String);
}
