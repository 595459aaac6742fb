import { join } from 'node:path';
import { InputFormatError } from '../../src/errors.ts';
import { isValidEventTime } from '../../src/stream/binIndex.ts';
import { checkedSpikeClock } from '../spikeClock.ts';
import type { LabelChange } from '../../src/stream/events.ts';
import type { TimeRange } from '../recording.ts';
import { fileExists, withNpy } from './folderFiles.ts';

/**
 * One TTL event channel of an Open Ephys binary recording (GUI ≥ 0.6),
 * `events/<Processor>-<id>.<stream>/TTL/` (`TTL_1`, … for further TTL
 * channels of a stream), as BinaryRecording::writeEvent fills it, one value
 * per event (gui-docs › Binary format › Events; open-ephys/plugin-GUI
 * Source/Processors/RecordNode/BinaryFormat/BinaryRecording.cpp):
 *
 * - `states.npy` int16: +line when the line goes high, −line when it goes
 *   low, lines counted from 1 (the GUI writes (line + 1) · ±1);
 * - `sample_numbers.npy` int64: the event's sample on its stream;
 * - `timestamps.npy` float64: seconds on the synchronized clock;
 * - `full_words.npy` uint64: the state of all lines after the event
 *   (optional, "Record TTL full words"; length-checked only).
 */
export interface TtlFolderSpec {
  path: string;
  /** Its folder as a user reads it, e.g. 'events/Acquisition_Board-100.Rhythm Data/TTL'. */
  label: string;
  streamName?: string;
  sampleRate?: number;
  /** The TTL word when recording started (structure.oebin `initial_state`). */
  initialState?: number;
}

/** A folder's events in the order they take effect: by time, and at one time lines going low before lines going high. */
export interface TtlEvents {
  t: Float64Array;
  states: Int32Array;
  /** Events left out because their time is not valid (not a number, negative, beyond 2^32 s). */
  invalidTimes: number;
}

export class TtlFolder {
  private constructor(
    readonly spec: TtlFolderSpec,
    readonly eventCount: number,
    readonly hasTimestamps: boolean,
  ) {}

  static async open(spec: TtlFolderSpec): Promise<TtlFolder> {
    const lengths: Array<[string, number]> = [];
    for (const [name, what] of [
      ['states.npy', 'the line and direction of each event'],
      ['sample_numbers.npy', 'the sample number of each event'],
    ]) {
      const file = join(spec.path, name);
      if (!(await fileExists(file))) throw new InputFormatError(`missing: every TTL folder holds ${name} (${what})`, file);
      lengths.push([name, await withNpy(file, async (npy) => npy.length)]);
    }
    const hasTimestamps = await fileExists(join(spec.path, 'timestamps.npy'));
    for (const name of hasTimestamps ? ['timestamps.npy', 'full_words.npy'] : ['full_words.npy']) {
      const file = join(spec.path, name);
      if (await fileExists(file)) lengths.push([name, await withNpy(file, async (npy) => npy.length)]);
    }
    for (const [name, length] of lengths.slice(1)) {
      if (length !== lengths[0][1]) {
        throw new InputFormatError(`${lengths[0][0]} holds ${lengths[0][1]} values but ${name} holds ${length}: a TTL folder holds one value per event in each array`, spec.path);
      }
    }
    return new TtlFolder(spec, lengths[0][1], hasTimestamps);
  }

  /** The states of all events, in file order. */
  async readStates(): Promise<Int32Array> {
    const states = await withNpy(join(this.spec.path, 'states.npy'), (file) => file.readAllNumbers());
    const out = new Int32Array(states.length);
    for (let i = 0; i < states.length; i++) {
      if (!Number.isInteger(states[i]) || states[i] === 0) {
        throw new InputFormatError(`state ${states[i]} at index ${i}: expected +line or −line (lines counted from 1)`, join(this.spec.path, 'states.npy'));
      }
      out[i] = states[i];
    }
    return out;
  }

  /**
   * All events on a clock: timestamps.npy (seconds), or sample_numbers.npy
   * divided by the stream's sample rate; events whose time is not valid are
   * left out and counted.
   */
  async readEvents(clock: 'timestamps' | 'sample-numbers'): Promise<TtlEvents> {
    let times: Float64Array;
    if (clock === 'timestamps') {
      times = await withNpy(join(this.spec.path, 'timestamps.npy'), (file) => file.readAllNumbers());
    } else {
      const rate = this.spec.sampleRate;
      if (rate === undefined) throw new InputFormatError('no sample rate for sample_numbers.npy: structure.oebin gives none for this folder', this.spec.path);
      checkedSpikeClock(rate, 'sample_rate', this.spec.path);
      times = await withNpy(join(this.spec.path, 'sample_numbers.npy'), (file) => file.readAllNumbers());
      for (let i = 0; i < times.length; i++) times[i] /= rate;
    }
    const states = await this.readStates();
    const valid = Array.from(states, (_, i) => i).filter((i) => isValidEventTime(times[i]));
    const order = valid.sort((a, b) => times[a] - times[b] || Math.sign(states[a]) - Math.sign(states[b]) || a - b);
    return { t: Float64Array.from(order, (i) => times[i]), states: Int32Array.from(order, (i) => states[i]), invalidTimes: states.length - valid.length };
  }
}

/** Events per state, e.g. Map { 1 → 40, -1 → 40 }. */
export function countStates(states: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < states.length; i++) counts.set(states[i], (counts.get(states[i]) ?? 0) + 1);
  return counts;
}

/**
 * The mode changes a map of states (parseTtlLabels) makes of a folder's
 * events: each event of a mapped state changes the mode (null: a gap);
 * events of other states leave it as it is and are counted in `unmapped`
 * when they fall in the range. Changes after the range's end are left out;
 * those before its start are kept, as they say which mode holds at the start.
 */
export function ttlModeChanges(events: TtlEvents, map: ReadonlyMap<number, string | null>, range: TimeRange = {}): { changes: LabelChange[]; unmapped: number } {
  const start = range.start ?? -Infinity;
  const end = range.end ?? Infinity;
  const changes: LabelChange[] = [];
  let unmapped = 0;
  for (let i = 0; i < events.t.length; i++) {
    const t = events.t[i];
    if (t >= end) break;
    const label = map.get(events.states[i]);
    if (label !== undefined) changes.push({ kind: 'label', t, label });
    else if (t >= start) unmapped++;
  }
  return { changes, unmapped };
}
