import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenEphysRecording } from '../../adapters/openephys/openEphysRecording.ts';
import { readNpyNumbers } from '../../adapters/files/npyFile.ts';
import type { RecordingDescription } from '../../adapters/recording.ts';
import { changesToIntervals } from '../../adapters/openRecording.ts';
import {
  openEphysElectrodeNames,
  openEphysRecordingFolder,
  openEphysUnitIds,
  writeOpenEphysFolder,
  type OpenEphysFolderOptions,
} from '../../simulators/writeOpenEphysFolder.ts';
import type { LabelChange } from '../../src/stream/events.ts';
import { expectSameReplayAsCsv, sampledSession, writeLabelsCsvFile, writeSpikesCsvFile, type SampledSession } from '../helpers/recordingFixtures.ts';
import { runCli, type CliResult } from '../helpers/runCli.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const root = mkdtempSync(join(tmpdir(), 'synergy-openephys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ANALYSIS = ['--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'panzeri-treves'];
const SPIKES = 'spikes/Spike_Detector-102.Rhythm Data';
/** The fixture's synchronized clock starts this much before its stream's sample numbers (see the writer). */
const OFFSET = 0.25;
/** Session unit 4 is written as cluster 0 (unsorted), on Stereotrode 1 (4 mod 2 = 0). */
const UNSORTED_UNIT = 4;
const OPTIONS: OpenEphysFolderOptions = { electrodes: 2, unsortedUnits: [UNSORTED_UNIT], timestampOffsetSeconds: OFFSET };

let session: SampledSession;
/** Record Node folder of the main fixture, and its recording folder. */
let node: string;
let recording: string;
let ttlLabels: string;

beforeAll(async () => {
  session = sampledSession({ seconds: 40 });
  node = join(root, 'Record Node 101');
  ttlLabels = await writeOpenEphysFolder(node, session.write, OPTIONS);
  recording = openEphysRecordingFolder(node);
});

/** Reference CSVs of the session as the reader should see it: times from `timeOf(sample)`, units named (null: left out). */
function writeReference(name: string, unitName: (unit: number) => string | null, timeOf: (sample: number) => number): { spikes: string; labels: string } {
  const t: number[] = [];
  const units: string[] = [];
  for (let i = 0; i < session.samples.length; i++) {
    const id = unitName(session.unit[i]);
    if (id === null) continue;
    t.push(timeOf(session.samples[i]));
    units.push(id);
  }
  const rate = session.sampleRate;
  const labels = session.labels.map((l) => ({ start: timeOf(Math.round(l.start * rate)), end: timeOf(Math.round(l.end * rate)), label: l.label }));
  return {
    spikes: writeSpikesCsvFile(join(root, `${name}-spikes.csv`), t, units),
    labels: writeLabelsCsvFile(join(root, `${name}-labels.csv`), labels),
  };
}

const synchronized = (sample: number) => sample / session.sampleRate + OFFSET;
const sampleClock = (sample: number) => sample / session.sampleRate;
const sortedName = (unit: number) => (unit === UNSORTED_UNIT ? null : openEphysUnitIds(session.unitIds.length, OPTIONS)[unit]);
/** A whole .npy file (version 1.0) of a one-dimensional array. */
function npyBytes(descr: string, values: ArrayBufferView & { length: number }): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${values.length},), }`;
  const header = `${dict}${' '.repeat(63 - ((10 + dict.length) % 64))}\n`;
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);
}

const count = (values: ArrayLike<number>, value: number) => Array.prototype.filter.call(values, (v: number) => v === value).length;

/** A copy of the main recording folder to break. */
function copyRecording(name: string): string {
  const copy = join(root, name);
  cpSync(recording, copy, { recursive: true });
  return copy;
}

function expectOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toContain('\n    at ');
  expect(lines[0]).toMatch(/^synergy: /);
  expect(lines[0]).toMatch(pattern);
}

describe('Open Ephys binary recordings replay as the same spikes in CSV', () => {
  it('two interleaved electrodes on the synchronized clock, cluster 0 dropped and counted', async () => {
    // The electrodes' spikes alternate in time (so the reader merges, not concatenates).
    let switches = 0;
    for (let i = 1; i < session.unit.length; i++) if (session.unit[i] % 2 !== session.unit[i - 1] % 2) switches++;
    expect(switches).toBeGreaterThan(500);
    const reference = writeReference('sorted', sortedName, synchronized);
    await expectSameReplayAsCsv([node, '--ttl-labels', ttlLabels], reference);
    const replay = await runCli(['replay', recording, '--ttl-labels', ttlLabels, ...ANALYSIS, '--out', join(root, 'out.jsonl')]);
    expect(replay.stderr).toContain(`${count(session.unit, UNSORTED_UNIT)} unsorted spikes (cluster 0)`);
  }, 60_000);

  it('--unsorted channel counts cluster 0 as <electrode>:0', async () => {
    const names = openEphysUnitIds(session.unitIds.length, OPTIONS);
    expect(names[UNSORTED_UNIT]).toBe('Stereotrode 1:0');
    const reference = writeReference('channel', (unit) => names[unit], synchronized);
    await expectSameReplayAsCsv([recording, '--ttl-labels', ttlLabels, '--unsorted', 'channel'], reference);
  }, 60_000);

  it('--start and --end', async () => {
    const reference = writeReference('sorted-range', sortedName, synchronized);
    const updates = await expectSameReplayAsCsv([recording, '--ttl-labels', ttlLabels], reference, ['--start', '7.5', '--end', '31', ...ANALYSIS]);
    expect(updates[0].t).toBeGreaterThanOrEqual(8);
    expect(updates.at(-1)!.t).toBeLessThanOrEqual(31);
  }, 60_000);

  it('without timestamps.npy in one folder, every folder and the TTL events use sample_numbers / sample_rate', async () => {
    const copy = copyRecording('no-timestamps');
    rmSync(join(copy, SPIKES, 'Stereotrode 2', 'timestamps.npy'));
    const reference = writeReference('sample-clock', sortedName, sampleClock);
    await expectSameReplayAsCsv([copy, '--ttl-labels', ttlLabels], reference);
    const described = await describeRecording(copy, { ttlLabels });
    expect(described.notes.join('\n')).toMatch(/clock: sample_numbers\.npy ÷ sample_rate .*timestamps\.npy is missing in spikes\/Spike_Detector-102\.Rhythm Data\/Stereotrode 2/);
  }, 60_000);

  it('a single spike folder, with modes from --labels', async () => {
    const folder = join(recording, SPIKES, 'Stereotrode 2');
    const reference = writeReference('electrode-2', (unit) => (unit % 2 === 1 ? sortedName(unit) : null), synchronized);
    await expectSameReplayAsCsv([folder, '--labels', reference.labels], reference);
  }, 60_000);
});

async function describeRecording(path: string, options: { ttlLabels?: string; unsorted?: 'drop' | 'channel' } = {}): Promise<RecordingDescription> {
  const reader = await OpenEphysRecording.open(path, options);
  try {
    return await reader.describe();
  } finally {
    await reader.close();
  }
}

describe('OpenEphysRecording', () => {
  it('opens the recording from its Record Node, experiment, recording folder or structure.oebin', async () => {
    const paths = [node, join(node, 'experiment1'), recording, join(recording, 'structure.oebin')];
    const descriptions = await Promise.all(paths.map((path) => describeRecording(path)));
    for (const description of descriptions) expect(description.units).toEqual(descriptions[0].units);
    expect(descriptions[0].units.map((unit) => unit.id)).toEqual(['Stereotrode 1:1', 'Stereotrode 1:2', 'Stereotrode 2:1', 'Stereotrode 2:2', 'Stereotrode 2:3']);
  });

  it('describes units with spike counts, the clock, unsorted spikes, TTL states and modes', async () => {
    const d = await describeRecording(recording, { ttlLabels });
    const names = openEphysUnitIds(session.unitIds.length, OPTIONS);
    const expected = session.unitIds.map((_, u) => ({ id: names[u], spikes: count(session.unit, u) })).filter((unit) => !unit.id.endsWith(':0'));
    expect(d.units.map(({ id, spikes }) => ({ id, spikes })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
    expect(d.units[0]).toMatchObject({ electrode: 'Stereotrode 1', cluster: 1, stream: 'Rhythm Data' });
    expect(d.sampleRate).toBe(session.sampleRate);
    const kept = Array.from(session.samples).filter((_, i) => session.unit[i] !== UNSORTED_UNIT);
    expect(d.firstSpike).toBe(synchronized(kept[0]));
    expect(d.lastSpike).toBe(synchronized(kept.at(-1)!));
    const notes = d.notes.join('\n');
    expect(notes).toContain("clock: timestamps.npy, seconds on the Record Node's synchronized clock, which streams of different sample rates share");
    expect(notes).toContain(`${count(session.unit, UNSORTED_UNIT)} spikes of cluster 0 (unsorted) on Stereotrode 1 are dropped`);
    // TTL states: one rising and one falling event per interval of the mode on that line.
    const [states, modes] = d.labelSources;
    const intervalsOf = (label: string) => session.labels.filter((l) => l.label === label);
    expect(states.values).toContainEqual({ label: '+1 (line 1 high) → mode-0', count: intervalsOf('mode-0').length });
    expect(states.values).toContainEqual({ label: '-2 (line 2 low) → gap', count: intervalsOf('mode-1').length });
    for (const value of modes.values) {
      expect(value.count).toBe(intervalsOf(value.label).length);
      expect(value.seconds).toBeCloseTo(intervalsOf(value.label).reduce((sum, l) => sum + (l.end - l.start), 0), 9);
    }
  });

  it('without --ttl-labels lists the TTL lines so that a map can be written', async () => {
    const d = await describeRecording(recording);
    expect(d.labelSources).toHaveLength(1);
    expect(d.labelSources[0].values.map((value) => value.label)).toEqual([
      '+1 (line 1 high)',
      '-1 (line 1 low)',
      '+2 (line 2 high)',
      '-2 (line 2 low)',
      '+3 (line 3 high)',
      '-3 (line 3 low)',
    ]);
    expect(d.notes.join('\n')).toContain('TTL lines seen: 1, 2, 3; give --ttl-labels');
    const reader = await OpenEphysRecording.open(recording, {});
    expect(await reader.labels()).toEqual([]);
  });

  it('yields batches of at most batchSize in time order, progress reaching 1, and counts what it leaves out', async () => {
    const reader = await OpenEphysRecording.open(recording, { ttlLabels: '1=mode-0,-1=' });
    expect(reader.progress()).toBe(0);
    const changes = (await reader.labels()) as LabelChange[];
    // Lines 2 and 3 are not in the map: their events are left out and counted.
    const unmapped = 2 * session.labels.filter((l) => l.label !== 'mode-0').length;
    expect(reader.readSummary().dropped['TTL events of unmapped states']).toBe(unmapped);
    expect(changes).toHaveLength(2 * session.labels.filter((l) => l.label === 'mode-0').length);
    let spikes = 0;
    let previous = -Infinity;
    const sizes: number[] = [];
    for await (const batch of reader.spikes({}, 100)) {
      sizes.push(batch.t.length);
      for (const t of batch.t) {
        expect(t).toBeGreaterThanOrEqual(previous);
        previous = t;
      }
      spikes += batch.t.length;
      expect(reader.progress()).toBeLessThanOrEqual(1);
    }
    const kept = session.t.length - count(session.unit, UNSORTED_UNIT);
    expect(spikes).toBe(kept);
    expect(Math.max(...sizes)).toBe(100);
    expect(sizes.slice(0, -1).every((size) => size === 100)).toBe(true);
    expect(reader.progress()).toBe(1);
    expect(reader.readSummary()).toEqual({
      dropped: { 'TTL events of unmapped states': unmapped, 'unsorted spikes (cluster 0)': count(session.unit, UNSORTED_UNIT) },
      maxBackstepSeconds: 0,
    });
  });

  it('reads only the spikes of a range and counts only the unsorted ones in it', async () => {
    const reader = await OpenEphysRecording.open(recording, {});
    const range = { start: 10.5, end: 20 };
    let spikes = 0;
    for await (const batch of reader.spikes(range)) {
      for (const t of batch.t) expect(t >= range.start && t < range.end).toBe(true);
      spikes += batch.t.length;
    }
    const inRange = Array.from(session.samples, (sample, i) => ({ t: synchronized(sample), unit: session.unit[i] })).filter(
      ({ t }) => t >= range.start && t < range.end,
    );
    expect(spikes).toBe(inRange.filter(({ unit }) => unit !== UNSORTED_UNIT).length);
    expect(reader.readSummary().dropped['unsorted spikes (cluster 0)']).toBe(inRange.filter(({ unit }) => unit === UNSORTED_UNIT).length);
    expect(reader.progress()).toBe(1);
  });

  it('gives the new mode, not a gap, where one line goes low as another goes high', async () => {
    const reader = await OpenEphysRecording.open(recording, { ttlLabels });
    const intervals = changesToIntervals(await reader.labels());
    expect(intervals.map(({ start, end, label }) => ({ start, end, label }))).toEqual(
      session.labels.map((l) => ({ start: l.start + OFFSET, end: l.end + OFFSET, label: l.label })),
    );
  });

  it('a spike folder without timestamps.npy takes its sample rate from the structure.oebin above it', async () => {
    const copy = copyRecording('lone-folder');
    const folder = join(copy, SPIKES, 'Stereotrode 1');
    rmSync(join(folder, 'timestamps.npy'));
    const reader = await OpenEphysRecording.open(folder, {});
    const d = await reader.describe();
    expect(d.units.map((unit) => unit.id)).toEqual(['Stereotrode 1:1', 'Stereotrode 1:2']);
    expect(d.notes.join('\n')).toContain('clock: sample_numbers.npy ÷ sample_rate');
    const first = Array.from(session.samples).find((_, i) => session.unit[i] % 2 === 0 && session.unit[i] !== UNSORTED_UNIT)!;
    expect(d.firstSpike).toBe(sampleClock(first));
  });

  it('with several TTL folders, takes modes from the first holding a mapped state and counts the others', async () => {
    const copy = copyRecording('two-ttl');
    // A second TTL channel of the stream, listed first, whose line 8 is not in the map (4 events).
    const extra = join(copy, 'events/Acquisition_Board-100.Rhythm Data/TTL_1');
    mkdirSync(extra);
    writeFileSync(join(extra, 'states.npy'), npyBytes('<i2', Int16Array.from([8, -8, 8, -8])));
    writeFileSync(join(extra, 'sample_numbers.npy'), npyBytes('<i8', BigInt64Array.from([30000n, 60000n, 90000n, 120000n])));
    writeFileSync(join(extra, 'timestamps.npy'), npyBytes('<f8', Float64Array.from([1, 2, 3, 4])));
    const oebin = JSON.parse(readFileSync(join(copy, 'structure.oebin'), 'utf8'));
    oebin.events.unshift({ ...oebin.events[0], folder_name: 'Acquisition_Board-100.Rhythm Data/TTL_1/' }, { folder_name: 'MessageCenter/', type: 'string', stream_name: 'Rhythm Data' });
    writeFileSync(join(copy, 'structure.oebin'), JSON.stringify(oebin));
    const reader = await OpenEphysRecording.open(copy, { ttlLabels });
    const intervals = changesToIntervals(await reader.labels());
    expect(intervals).toHaveLength(session.labels.length);
    expect(reader.readSummary().dropped).toEqual({ 'TTL events of other TTL folders': 4 });
    const range = await (await OpenEphysRecording.open(copy, { ttlLabels })).labels({ start: 1.5, end: 3.5 });
    expect(range.length).toBeGreaterThan(0);
    const d = await reader.describe();
    const notes = d.notes.join('\n');
    expect(notes).toContain('modes come from events/Acquisition_Board-100.Rhythm Data/TTL (the first TTL folder with a mapped state); not used: events/Acquisition_Board-100.Rhythm Data/TTL_1');
    expect(notes).toContain('event folders that are not TTL channels, not read: MessageCenter');
    expect(d.labelSources.map((source) => source.name)).toEqual([
      'TTL states in events/Acquisition_Board-100.Rhythm Data/TTL_1',
      'TTL states in events/Acquisition_Board-100.Rhythm Data/TTL',
      '--ttl-labels on events/Acquisition_Board-100.Rhythm Data/TTL',
    ]);
  });

  it('leaves out spikes whose timestamps are NaN, negative or beyond 2^32 s, counted by cause and named with folder and index', async () => {
    const copy = copyRecording('corrupt-times');
    const path = join(copy, SPIKES, 'Stereotrode 2', 'timestamps.npy');
    const bytes = readFileSync(path);
    const times = new Float64Array(bytes.buffer.slice(bytes.byteOffset + 128, bytes.byteOffset + bytes.length));
    const valid = times.length - 3;
    times[10] = Number.NaN;
    times[11] = -1;
    times[12] = 1e300;
    writeFileSync(path, Buffer.concat([bytes.subarray(0, 128), Buffer.from(times.buffer)]));
    const reader = await OpenEphysRecording.open(copy, { unsorted: 'channel' });
    let spikes = 0;
    let previous = -Infinity;
    for await (const batch of reader.spikes()) {
      spikes += batch.t.length;
      for (const t of batch.t) {
        expect(t).toBeGreaterThanOrEqual(previous);
        previous = t;
      }
    }
    const summary = reader.readSummary();
    expect(summary.dropped).toMatchObject({
      'spikes with a time that is not a number': 1,
      'spikes with a negative time': 1,
      'spikes with a time beyond 2^32 s': 1,
    });
    expect(summary.droppedExamples).toHaveLength(3);
    expect(summary.droppedExamples![0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, index 10 \\(cluster \\d+\\): time NaN s is not a number; left out$`));
    expect(summary.droppedExamples![2]).toMatch(/, index 12 \(cluster \d+\): time 1e\+300 s is beyond 2\^32 s/);
    const otherFolder = (await readNpyNumbers(join(copy, SPIKES, 'Stereotrode 1', 'timestamps.npy'))).length;
    expect(spikes).toBe(otherFolder + valid);
  });

  it('measures how far spikes of a folder go back in time when its timestamps are not sorted', async () => {
    const copy = copyRecording('unsorted-times');
    const path = join(copy, SPIKES, 'Stereotrode 2', 'timestamps.npy');
    const bytes = readFileSync(path);
    const times = new Float64Array(bytes.buffer.slice(bytes.byteOffset + 128, bytes.byteOffset + bytes.length));
    const k = 100;
    [times[k], times[k + 1]] = [times[k + 1], times[k]];
    writeFileSync(path, Buffer.concat([bytes.subarray(0, 128), Buffer.from(times.buffer)]));
    const reader = await OpenEphysRecording.open(copy, {});
    for await (const _ of reader.spikes()) void _;
    expect(reader.readSummary().maxBackstepSeconds).toBe(times[k] - times[k + 1]);
    expect(reader.readSummary().maxBackstepSeconds).toBeGreaterThan(0);
  });

  it('names electrodes by folder when two streams have electrodes of one name', async () => {
    const copy = copyRecording('two-streams');
    const other = 'Spike_Detector-103.Probe B';
    mkdirSync(join(copy, 'spikes', other));
    cpSync(join(copy, SPIKES, 'Stereotrode 1'), join(copy, 'spikes', other, 'Stereotrode 1'), { recursive: true });
    const oebin = JSON.parse(readFileSync(join(copy, 'structure.oebin'), 'utf8'));
    oebin.spikes.push({ ...oebin.spikes[0], folder: `${other}/Stereotrode 1/`, stream_name: 'Probe B', sample_rate: 2500 });
    writeFileSync(join(copy, 'structure.oebin'), JSON.stringify(oebin));
    const d = await describeRecording(copy);
    expect(d.units.map((unit) => unit.id)).toContain(`${SPIKES.slice('spikes/'.length)}/Stereotrode 1:1`);
    expect(d.units.map((unit) => unit.id)).toContain(`${other}/Stereotrode 1:1`);
    expect(d.units.map((unit) => unit.id)).toContain('Stereotrode 2:1');
    expect(d.sampleRate).toBeUndefined();
    expect(d.notes.join('\n')).toMatch(/streams of different sample rates share \(Rhythm Data 30000 Hz, Probe B 2500 Hz\)/);
  });
});

describe('synergy inspect on an Open Ephys recording', () => {
  it('prints units, spike counts, TTL states and the clock', async () => {
    const result = await runCli(['inspect', node, '--ttl-labels', `${ttlLabels},7=`]);
    expect(result.code, result.stderr).toBe(0);
    const names = openEphysUnitIds(session.unitIds.length, OPTIONS);
    expect(result.stdout).toMatch(new RegExp(`${names[1]}\\s+${count(session.unit, 1)} spikes`));
    expect(result.stdout).toContain('+1 (line 1 high) → mode-0');
    expect(result.stdout).toContain('--ttl-labels on events/Acquisition_Board-100.Rhythm Data/TTL');
    expect(result.stdout).toContain('clock: timestamps.npy');
    // A map naming a line never seen is a warning, not an error.
    expect(result.stdout).toContain('warning: --ttl-labels names +7 (line 7 high), which no TTL event has');
  }, 30_000);
});

describe('corrupt and truncated Open Ephys recordings', () => {
  const electrode = (copy: string, name = 'Stereotrode 1') => join(copy, SPIKES, name);

  it('each gives exit code 1 and one line naming the file and what is wrong', async () => {
    const cases: Array<{ name: string; breakIt: (copy: string) => string | void; pattern: RegExp; args?: string[] }> = [
      {
        name: 'no-oebin',
        breakIt: (copy) => rmSync(join(copy, 'structure.oebin')),
        pattern: /no-oebin: structure\.oebin is missing/,
      },
      {
        name: 'bad-json',
        breakIt: (copy) => writeFileSync(join(copy, 'structure.oebin'), '{"GUI version": "0.6.7", "spikes": [ {"name": "x",'),
        pattern: /structure\.oebin: malformed JSON: /,
      },
      {
        name: 'no-folder-key',
        breakIt: (copy) => writeFileSync(join(copy, 'structure.oebin'), JSON.stringify({ 'GUI version': '0.6.7', spikes: [{ name: 'Stereotrode 1' }] })),
        pattern: /structure\.oebin: spikes\[0\]\.folder is missing/,
      },
      {
        name: 'gui-0.5',
        breakIt: (copy) => writeFileSync(join(copy, 'structure.oebin'), JSON.stringify({ 'GUI version': '0.5.5', spikes: [] })),
        pattern: /structure\.oebin: written by Open Ephys GUI 0\.5\.5/,
      },
      {
        name: 'rate-1e-300',
        breakIt: (copy) => {
          const path = join(copy, 'structure.oebin');
          const structure = JSON.parse(readFileSync(path, 'utf8'));
          structure.spikes[0].sample_rate = 1e-300;
          writeFileSync(path, JSON.stringify(structure));
        },
        pattern: /structure\.oebin: spikes\[0\]\.sample_rate 1e-300 Hz is not a plausible spike clock: expected 1 kHz – 1 GHz, e\.g\. 30000/,
      },
      {
        name: 'no-clusters',
        breakIt: (copy) => rmSync(join(electrode(copy), 'clusters.npy')),
        pattern: /Stereotrode 1\/clusters\.npy: missing: every spike folder holds clusters\.npy/,
      },
      {
        name: 'no-electrode-folder',
        breakIt: (copy) => rmSync(electrode(copy, 'Stereotrode 2'), { recursive: true }),
        pattern: /Stereotrode 2: missing: structure\.oebin lists this spike folder \(spikes\[1\]\.folder/,
      },
      {
        name: 'no-states',
        breakIt: (copy) => rmSync(join(copy, 'events/Acquisition_Board-100.Rhythm Data/TTL/states.npy')),
        pattern: /TTL\/states\.npy: missing: every TTL folder holds states\.npy/,
      },
      {
        name: 'lengths',
        breakIt: (copy) => {
          // clusters.npy one value short: a whole file of a shorter array.
          const path = join(electrode(copy), 'clusters.npy');
          const bytes = readFileSync(path);
          const header = bytes.subarray(0, 128).toString('latin1').replace(/\((\d+),\)/, (_, n) => `(${Number(n) - 1},)`.padEnd(`(${n},)`.length, ' '));
          writeFileSync(path, Buffer.concat([Buffer.from(header, 'latin1'), bytes.subarray(128, bytes.length - 2)]));
        },
        pattern: /Stereotrode 1: sample_numbers\.npy holds (\d+) values but clusters\.npy holds (\d+)/,
      },
      {
        name: 'truncated-header',
        breakIt: (copy) => truncateSync(join(electrode(copy), 'timestamps.npy'), 60),
        pattern: /timestamps\.npy: truncated \.npy header/,
      },
      {
        name: 'truncated-data',
        breakIt: (copy) => {
          const path = join(electrode(copy), 'sample_numbers.npy');
          truncateSync(path, 128 + 8 * Math.floor((statSync(path).size - 128) / 16));
        },
        pattern: /sample_numbers\.npy: truncated: the header says \d+ values of 8 bytes/,
      },
      {
        name: 'truncated-mid-value',
        breakIt: (copy) => {
          const path = join(electrode(copy, 'Stereotrode 2'), 'timestamps.npy');
          truncateSync(path, statSync(path).size - 4);
        },
        pattern: /Stereotrode 2\/timestamps\.npy: truncated: /,
      },
      {
        name: 'bad-magic',
        breakIt: (copy) => writeFileSync(join(electrode(copy), 'clusters.npy'), 'cluster,spike\n1,2\n'),
        pattern: /clusters\.npy: not a NumPy \.npy file \(bad magic at byte 0/,
      },
      {
        name: 'float-clusters',
        breakIt: (copy) => renameSync(join(electrode(copy), 'timestamps.npy'), join(electrode(copy), 'clusters.npy')),
        pattern: /clusters\.npy: dtype 'f8': expected integers/,
      },
      {
        name: 'empty-folder',
        breakIt: (copy) => {
          rmSync(copy, { recursive: true });
          mkdirSync(copy);
        },
        pattern: /empty-folder: no Open Ephys recording here/,
        args: ['--format', 'openephys'],
      },
      {
        name: 'lone-folder-no-rate',
        breakIt: (copy) => {
          const lone = join(copy, 'lone');
          cpSync(electrode(copy), lone, { recursive: true });
          rmSync(join(lone, 'timestamps.npy'));
          return lone;
        },
        pattern: /lone: no timestamps\.npy, and no structure\.oebin above this folder gives its sample_rate/,
      },
    ];
    // The first case as a process (exit code and stderr as a user sees them), the others in this process: the same
    // main, without a process start each (16 of them took over a minute on a loaded 2-core machine).
    const results: CliResult[] = [];
    for (const [k, { name, breakIt, args = [] }] of cases.entries()) {
      const copy = copyRecording(name);
      const path = breakIt(copy) ?? copy;
      results.push(await (k === 0 ? runCli : runCliHere)(['replay', path, ...args, ...ANALYSIS]));
    }
    results.forEach((result, k) => expectOneLineError(result, 1, cases[k].pattern));
    const lengths = /holds (\d+) values but clusters\.npy holds (\d+)/.exec(results[cases.findIndex((c) => c.name === 'lengths')].stderr)!;
    expect(Number(lengths[1]) - Number(lengths[2])).toBe(1);
  }, 120_000);

  it('several recordings in a Record Node: an error listing them', async () => {
    const twoNode = join(root, 'Record Node 102');
    cpSync(node, twoNode, { recursive: true });
    cpSync(join(twoNode, 'experiment1', 'recording1'), join(twoNode, 'experiment1', 'recording2'), { recursive: true });
    expectOneLineError(
      await runCli(['inspect', twoNode]),
      1,
      /Record Node 102: holds 2 recordings \(experiment1\/recording1, experiment1\/recording2\): give the recording folder/,
    );
  }, 30_000);

  it('bad option values are usage errors (exit 2)', async () => {
    const [badMap, loneMap] = await Promise.all([
      runCli(['replay', recording, '--ttl-labels', '1=go,high=rest']),
      runCli(['replay', join(recording, SPIKES, 'Stereotrode 1'), '--ttl-labels', '1=go']),
    ]);
    expectOneLineError(badMap, 2, /--ttl-labels takes STATE=MODE entries/);
    expectOneLineError(loneMap, 2, /--ttl-labels needs the recording folder/);
  }, 30_000);
});

describe('writeOpenEphysFolder', () => {
  it('names electrodes as the Spike Detector does and spreads units over them', () => {
    expect(openEphysElectrodeNames({ electrodes: 2 })).toEqual(['Stereotrode 1', 'Stereotrode 2']);
    expect(openEphysElectrodeNames({ electrodes: 1, channelsPerElectrode: 4 })).toEqual(['Tetrode 1']);
    expect(openEphysUnitIds(5, { electrodes: 2, unsortedUnits: [2] })).toEqual(['Stereotrode 1:1', 'Stereotrode 2:1', 'Stereotrode 1:0', 'Stereotrode 2:2', 'Stereotrode 1:3']);
  });
});
