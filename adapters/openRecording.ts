import { open, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InputFormatError, UsageError } from '../src/errors.ts';
import type { LabelChange, LabelInterval } from '../src/stream/events.ts';
import { TextRecording } from './files/textRecording.ts';
import { NevRecording } from './nev/nevRecording.ts';
import { NwbRecording } from './nwb/nwbRecording.ts';
import { OpenEphysRecording } from './openephys/openEphysRecording.ts';
import { PhyRecording } from './phy/phyRecording.ts';
import type { OpenRecordingOptions, RecordingFormat, RecordingSource } from './recording.ts';

// Re-exported: callers open recordings with these options.
export type { OpenRecordingOptions } from './recording.ts';

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Tells a recording's format from its content (magic bytes, folder layout) and name. */
export async function detectFormat(path: string): Promise<RecordingFormat> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputFormatError('no such file or folder', path);
  }
  if (info.isDirectory()) {
    const names = new Set(await readdir(path));
    if (names.has('params.py') || names.has('spike_times.npy')) return 'phy';
    if (
      names.has('structure.oebin') ||
      names.has('spikes') ||
      names.has('events') ||
      (names.has('sample_numbers.npy') && names.has('clusters.npy')) ||
      (await containsOpenEphys(path, 4))
    ) {
      return 'openephys';
    }
    throw new InputFormatError(
      'cannot tell the format of this folder: expected a Phy/Kilosort folder (params.py, spike_times.npy) or an Open Ephys recording (structure.oebin, spikes/, events/); use --format',
      path,
    );
  }
  if (basename(path) === 'structure.oebin') return 'openephys';
  const head = Buffer.alloc(8);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 8, 0);
  } finally {
    await handle.close();
  }
  if (head.equals(HDF5_MAGIC)) return 'nwb';
  const magic = head.toString('latin1');
  if (magic === 'NEURALEV' || magic === 'BREVENTS') return 'nev';
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.tsv' || extension === '.tab') return 'tsv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.nwb') throw new InputFormatError('has the .nwb extension but is not an HDF5 file (bad magic at byte 0)', path);
  if (extension === '.nev') throw new InputFormatError("has the .nev extension but does not start with 'NEURALEV' (bad magic at byte 0)", path);
  throw new InputFormatError(
    `cannot tell the format of '${basename(path)}': expected .csv, .tsv, .jsonl, an NWB (HDF5) or NEV file, or a Phy / Open Ephys folder; use --format`,
    path,
  );
}

async function containsOpenEphys(folder: string, depth: number): Promise<boolean> {
  if (depth === 0) return false;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === 'structure.oebin') return true;
    if (!entry.isDirectory()) continue;
    if (entry.name === 'spikes' || entry.name === 'events') return true;
    if (await containsOpenEphys(join(folder, entry.name), depth - 1)) return true;
  }
  return false;
}

/** Opens a recording of any supported format as a RecordingSource. */
export async function openRecording(path: string, options: OpenRecordingOptions = {}): Promise<RecordingSource> {
  const format = options.format ?? (await detectFormat(path));
  const needs = (what: string, formats: RecordingFormat[]) => {
    if (!formats.includes(format)) throw new UsageError(`${what} applies to ${formats.join(' and ')} recordings, not ${format}`);
  };
  if (options.labelColumn !== undefined && format !== 'nwb') {
    throw new UsageError(`--label-column names a column of an NWB file's interval tables or of a --labels FILE; a ${format} recording has neither (give --labels FILE)`);
  }
  if (options.labelTable !== undefined) needs('--label-table', ['nwb']);
  if (options.multiTag !== undefined) needs('--multi-tag', ['nwb']);
  if (options.unitsTable !== undefined) needs('--units-table', ['nwb']);
  if (options.unitFilters !== undefined && options.unitFilters.length > 0) needs('--unit-filter', ['nwb', 'phy']);
  if (options.units !== undefined) needs('--units (--unit-filter group=GROUPS)', ['phy']);
  if (options.ttlLabels !== undefined) needs('--ttl-labels', ['openephys', 'nev']);
  if (options.unsorted !== undefined) needs('--unsorted', ['openephys', 'nev']);
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'jsonl':
      return new TextRecording(path, { format, skipBad: options.skipBad });
    case 'nwb':
      return NwbRecording.open(path, options);
    case 'phy':
      return PhyRecording.open(path, options);
    case 'openephys':
      return OpenEphysRecording.open(path, options);
    case 'nev':
      return NevRecording.open(path, options);
  }
}

/**
 * Label change points known up front (a TTL or digital-input channel) as
 * intervals: each holds until the next change (the last one on), a null
 * label is a gap. Intervals do not advance the stream's clock, so a replay
 * can hand all of them over before the spikes.
 */
export function changesToIntervals(events: ReadonlyArray<LabelInterval | LabelChange>): LabelInterval[] {
  const intervals: LabelInterval[] = [];
  const changes = events.filter((e): e is LabelChange => e.kind === 'label').sort((a, b) => a.t - b.t);
  changes.forEach((change, k) => {
    if (change.label === null) return;
    const end = k + 1 < changes.length ? changes[k + 1].t : Infinity;
    if (end > change.t) intervals.push({ kind: 'interval', start: change.t, end, label: change.label });
  });
  for (const event of events) if (event.kind === 'interval') intervals.push(event);
  return intervals;
}
