import { readFile } from 'node:fs/promises';
import { InputFormatError } from '../../src/errors.ts';
import { checkedSpikeClock } from '../spikeClock.ts';

/**
 * What a recording's `structure.oebin` says about its spike and event
 * folders (Open Ephys GUI ≥ 0.6, binary format). The file is JSON, written
 * by the GUI's BinaryRecording::openFiles (open-ephys/plugin-GUI,
 * Source/Processors/RecordNode/BinaryFormat/BinaryRecording.cpp):
 *
 * ```json
 * {"GUI version": "0.6.7",
 *  "continuous": [{"folder_name": "Acquisition_Board-100.Rhythm Data/", "sample_rate": 30000.0, ...}],
 *  "events": [{"folder_name": "Acquisition_Board-100.Rhythm Data/TTL/", "channel_name": "...",
 *              "sample_rate": 30000.0, "type": "int16", "stream_name": "Rhythm Data", "initial_state": 0, ...}],
 *  "spikes": [{"name": "Stereotrode 1", "folder": "Spike_Detector-102.Rhythm Data/Stereotrode 1/",
 *              "stream_name": "Rhythm Data", "sample_rate": 30000.0, "num_channels": 2, ...}]}
 * ```
 *
 * Spike entries name their folder (relative to `spikes/`) in `folder`, event
 * entries (relative to `events/`) in `folder_name`; the schema is
 * open-ephys/open-ephys-python-tools `src/open_ephys/analysis/formats/oebin_schema.json`.
 * GUI 0.5 wrote another layout (`spike_times.npy`, `folder_name` for spikes);
 * it is refused with a message that says so.
 */
export interface OebinStructure {
  /** The `GUI version` string, when present. */
  guiVersion: string | undefined;
  spikes: OebinSpikeEntry[];
  events: OebinEventEntry[];
}

/** One electrode (spike channel) of a Spike Detector or Spike Sorter. */
export interface OebinSpikeEntry {
  /** The electrode's name, e.g. 'Stereotrode 1' (undefined when the entry has none). */
  name: string | undefined;
  /** Its folder relative to `spikes/`, without a trailing slash. */
  folder: string;
  streamName: string | undefined;
  sampleRate: number | undefined;
}

/** One event channel: a TTL channel, the MessageCenter (text) or a binary event group. */
export interface OebinEventEntry {
  /** Its folder relative to `events/`, without a trailing slash, e.g. 'Acquisition_Board-100.Rhythm Data/TTL'. */
  folder: string;
  streamName: string | undefined;
  sampleRate: number | undefined;
  /** 'int16' for TTL channels, 'string' for the MessageCenter. */
  type: string | undefined;
  /** The TTL word when the files were opened (GUI ≥ 0.6.2), or undefined. */
  initialState: number | undefined;
}

/** Reads and checks `structure.oebin`; every problem is an InputFormatError naming the file and the JSON path. */
export async function readOebinStructure(path: string): Promise<OebinStructure> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputFormatError('missing: a recording folder holds structure.oebin, the JSON description of its spike and event folders', path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(`malformed JSON: ${(error as Error).message}`, path);
  }
  if (!isObject(json)) throw new InputFormatError('malformed: expected a JSON object with "spikes" and "events" arrays', path);
  const guiVersion = typeof json['GUI version'] === 'string' ? json['GUI version'] : undefined;
  const version = /^(\d+)\.(\d+)/.exec(guiVersion ?? '');
  if (version !== null && Number(version[1]) === 0 && Number(version[2]) < 6) {
    throw new InputFormatError(
      `written by Open Ephys GUI ${guiVersion}, whose binary layout (spike_times.npy, spike_clusters.npy) is not read: only GUI 0.6 and later (sample_numbers.npy, timestamps.npy, clusters.npy)`,
      path,
    );
  }
  return {
    guiVersion,
    spikes: arrayAt(json, 'spikes', path).map((entry, k) => spikeEntry(entry, `spikes[${k}]`, path)),
    events: arrayAt(json, 'events', path).map((entry, k) => eventEntry(entry, `events[${k}]`, path)),
  };
}

function spikeEntry(entry: unknown, where: string, path: string): OebinSpikeEntry {
  if (!isObject(entry)) throw new InputFormatError(`${where} is not a JSON object`, path);
  if (typeof entry.folder !== 'string' && typeof entry.folder_name === 'string') {
    throw new InputFormatError(`${where} names its folder in "folder_name": that is the GUI 0.5 layout, which is not read (GUI 0.6 and later write "folder")`, path);
  }
  return {
    name: optionalString(entry, 'name', where, path),
    folder: folderAt(entry, 'folder', where, path),
    streamName: optionalString(entry, 'stream_name', where, path),
    sampleRate: optionalRate(entry, where, path, true),
  };
}

function eventEntry(entry: unknown, where: string, path: string): OebinEventEntry {
  if (!isObject(entry)) throw new InputFormatError(`${where} is not a JSON object`, path);
  const initialState = entry.initial_state;
  const folder = folderAt(entry, 'folder_name', where, path);
  return {
    folder,
    streamName: optionalString(entry, 'stream_name', where, path),
    // TTL times are sample numbers on the same clocks as spikes; other event channels carry text.
    sampleRate: optionalRate(entry, where, path, /(^|\/)TTL(_\d+)?$/.test(folder)),
    type: optionalString(entry, 'type', where, path),
    initialState: typeof initialState === 'number' && Number.isFinite(initialState) ? initialState : undefined,
  };
}

function arrayAt(json: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = json[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InputFormatError(`"${key}" is not an array`, path);
  return value;
}

function folderAt(entry: Record<string, unknown>, key: string, where: string, path: string): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.replace(/\/+$/, '') === '') throw new InputFormatError(`${where}.${key} is missing or not a folder name`, path);
  const folder = value.replace(/\/+$/, '');
  if (folder.split('/').includes('..') || folder.startsWith('/')) throw new InputFormatError(`${where}.${key} '${value}' leaves the recording folder`, path);
  return folder;
}

function optionalString(entry: Record<string, unknown>, key: string, where: string, path: string): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InputFormatError(`${where}.${key} is not a string`, path);
  return value;
}

/** An entry's sample_rate; that of a spike or TTL channel must be a plausible spike clock (1 kHz – 1 GHz). */
function optionalRate(entry: Record<string, unknown>, where: string, path: string, spikeClock: boolean): number | undefined {
  const value = entry.sample_rate;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InputFormatError(`${where}.sample_rate is ${JSON.stringify(value)}: expected samples per second > 0`, path);
  }
  return spikeClock ? checkedSpikeClock(value, `${where}.sample_rate`, path) : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
