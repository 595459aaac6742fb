import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float32Text, loadH5wasm, valuesAsText } from '../../adapters/nwb/hdf5File.ts';
import { subtractSpans } from '../../adapters/nwb/intervalTables.ts';
import { NwbRecording } from '../../adapters/nwb/nwbRecording.ts';
import { writeNwb } from '../../simulators/writeNwb.ts';
import type { LabelInterval, SpikeBatch } from '../../src/stream/events.ts';
import {
  expectSameReplayAsCsv,
  sampledSession,
  writeLabelsCsvFile,
  writeSessionCsv,
  writeSpikesCsvFile,
  type SampledSession,
} from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';
import { projectRoot } from '../helpers/shared.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-nwb-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const file = (name: string) => join(folder, name);
/** Analysis options of the replay comparisons (those of expectSameReplayAsCsv), with more flags. */
const analysis = (...more: string[]) => ['--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'panzeri-treves', ...more];
const quality = (unit: number) => (unit % 3 === 1 ? 'mua' : 'good');

let session: SampledSession;
let reference: { spikes: string; labels: string };
beforeAll(() => {
  session = sampledSession({ seconds: 40 });
  reference = writeSessionCsv(folder, session);
});

/** The session's spikes of the units a predicate keeps, as a reference CSV (units named as the NWB file names them). */
function referenceSpikes(name: string, keep: (unit: number) => boolean, unitName = (unit: number) => session.unitIds[unit], time = (t: number) => t): string {
  const t: number[] = [];
  const unit: string[] = [];
  for (let i = 0; i < session.t.length; i++) {
    if (!keep(session.unit[i])) continue;
    t.push(time(session.t[i]));
    unit.push(unitName(session.unit[i]));
  }
  return writeSpikesCsvFile(file(name), t, unit);
}

/** Every spike of a pass over a recording, with its batches' sizes. */
async function readAll(recording: NwbRecording, range = {}, batchSize?: number): Promise<{ t: number[]; ids: string[]; sizes: number[] }> {
  const t: number[] = [];
  const ids: string[] = [];
  const sizes: number[] = [];
  for await (const batch of recording.spikes(range, batchSize) as AsyncIterable<SpikeBatch>) {
    sizes.push(batch.t.length);
    batch.t.forEach((time, i) => {
      t.push(time);
      ids.push(batch.unitIds[batch.unit[i]]);
    });
  }
  return { t, ids, sizes };
}

/** Expects a CLI run to fail as a user should see it: the exit code and one line `synergy: <path>: …`, no stack. */
async function expectOneLineError(args: string[], code: number, pattern: RegExp): Promise<string> {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^synergy: /);
  expect(lines[0]).toMatch(pattern);
  return lines[0];
}

describe('NWB replay', () => {
  it('labels from a trials column replay exactly as the same spikes and labels in CSV', async () => {
    const nwb = file('trials.nwb');
    await writeNwb(nwb, session.write);
    await expectSameReplayAsCsv([nwb, '--label-column', 'condition'], reference);
  });

  it('labels from epoch tags, with invalid_times subtracted, replay as the subtracted intervals in CSV', async () => {
    // Spans that cut an interval in two, trim the ends of two, and remove short ones whole.
    const invalid = [
      { start: 1, end: 2.2 },
      { start: 5, end: 7.3 },
      { start: 20.5, end: 21 },
      { start: 30, end: 31.5 },
      { start: 33.333, end: 36 },
    ];
    const nwb = file('epochs.nwb');
    await writeNwb(nwb, session.write, {
      trials: null,
      epochs: { rows: session.labels, tags: session.labels.map((interval) => [interval.label]) },
      invalidTimes: { rows: invalid },
    });
    const kept = session.labels.flatMap((interval) => subtractIndependently(interval, invalid));
    expect(session.labels.filter((interval) => subtractIndependently(interval, invalid).length > 1).length).toBeGreaterThanOrEqual(2);
    expect(session.labels.filter((interval) => subtractIndependently(interval, invalid).length === 0).length).toBeGreaterThanOrEqual(2);
    const labels = writeLabelsCsvFile(file('epochs-labels.csv'), kept);
    await expectSameReplayAsCsv([nwb, '--label-column', 'tags'], { spikes: reference.spikes, labels });
  });

  it('--unit-filter keeps the units whose column holds the value and counts the others in the summary', async () => {
    const nwb = file('quality.nwb');
    await writeNwb(nwb, session.write, { unitColumns: { quality: session.unitIds.map((_, unit) => quality(unit)) } });
    const spikes = referenceSpikes('good-spikes.csv', (unit) => quality(unit) === 'good');
    await expectSameReplayAsCsv([nwb, '--label-column', 'condition', '--unit-filter', 'quality=good'], { spikes, labels: reference.labels });
    const excludedUnits = session.unitIds.filter((_, unit) => quality(unit) !== 'good').length;
    const excludedSpikes = Array.from(session.unit).filter((unit) => quality(unit) !== 'good').length;
    const run = await runCli(['replay', nwb, '--label-column', 'condition', '--unit-filter', 'quality=good', ...analysis()]);
    expect(run.stderr).toContain(`${excludedUnits} units left out by --unit-filter quality=good`);
    expect(run.stderr).toContain(`${excludedSpikes} spikes of units left out by --unit-filter quality=good`);
  });

  it('--start/--end replay the same range as the CSV', async () => {
    const nwb = file('range.nwb');
    await writeNwb(nwb, session.write);
    await expectSameReplayAsCsv([nwb, '--label-column', 'condition'], reference, analysis('--start', '12.5', '--end', '31'));
  });

  it('reads 64-bit and 32-bit spike_times_index, float32 spike times and the ids the file gives', async () => {
    const unitName = (unit: number) => String(101 + 7 * unit);
    const unitIds = session.unitIds.map((_, unit) => Number(unitName(unit)));
    const wide = file('index-u64.nwb');
    await writeNwb(wide, session.write, { indexDtype: 'uint64', unitIds });
    await expectSameReplayAsCsv([wide, '--label-column', 'condition'], { spikes: referenceSpikes('named.csv', () => true, unitName), labels: reference.labels });
    const narrow = file('index-i32-f32.nwb');
    await writeNwb(narrow, session.write, { indexDtype: 'int32', spikeTimesDtype: 'float32' });
    const single = referenceSpikes('float32.csv', () => true, undefined, Math.fround);
    await expectSameReplayAsCsv([narrow, '--label-column', 'condition'], { spikes: single, labels: reference.labels });
  });
});

/** [start, end) minus spans, computed here by sampling the clock, not with the reader's code. */
function subtractIndependently(interval: { start: number; end: number; label: string }, spans: Array<{ start: number; end: number }>) {
  const inSpan = (t: number) => spans.some((span) => t >= span.start && t < span.end);
  const cuts = [interval.start, interval.end, ...spans.flatMap((span) => [span.start, span.end])]
    .filter((t) => t >= interval.start && t <= interval.end)
    .sort((a, b) => a - b);
  const pieces: Array<{ start: number; end: number; label: string }> = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [start, end] = [cuts[k], cuts[k + 1]];
    if (end > start && !inSpan((start + end) / 2)) pieces.push({ start, end, label: interval.label });
  }
  return pieces;
}

describe('NwbRecording', () => {
  it('yields every spike once, in time order, in batches of at most batchSize; progress reaches 1', async () => {
    const nwb = file('direct.nwb');
    await writeNwb(nwb, session.write, { unitColumns: { quality: session.unitIds.map((_, unit) => quality(unit)) } });
    const recording = await NwbRecording.open(nwb, {});
    expect(recording.progress()).toBe(0);
    const { t, ids, sizes } = await readAll(recording, {}, 1000);
    expect(recording.progress()).toBe(1);
    expect(sizes.every((size) => size <= 1000)).toBe(true);
    expect(sizes.slice(0, -1).every((size) => size === 1000)).toBe(true);
    expect(t).toEqual(Array.from(session.t));
    // Spikes at the same time may come in another unit order; per time, the units are the same.
    const key = (time: number, id: string) => `${time}/${id}`;
    expect(t.map((time, i) => key(time, ids[i])).sort()).toEqual(Array.from(session.t, (time, i) => key(time, session.unitIds[session.unit[i]])).sort());
    expect(recording.readSummary()).toEqual({ dropped: {}, maxBackstepSeconds: 0 });
    await recording.close();
  });

  it('reads a time range by binary search and counts filtered units within it', async () => {
    const nwb = file('direct.nwb');
    const recording = await NwbRecording.open(nwb, { unitFilters: [{ column: 'quality', values: ['mua'] }] });
    const range = { start: 7.25, end: 19.5 };
    const { t, ids } = await readAll(recording, range);
    const inRange = (i: number) => session.t[i] >= range.start && session.t[i] < range.end;
    const expected = Array.from(session.t).filter((_, i) => inRange(i) && quality(session.unit[i]) === 'mua');
    expect(t).toEqual(expected);
    expect(new Set(ids)).toEqual(new Set(session.unitIds.filter((_, unit) => quality(unit) === 'mua')));
    const left = Array.from(session.t).filter((_, i) => inRange(i) && quality(session.unit[i]) !== 'mua').length;
    expect(recording.readSummary().dropped).toEqual({
      'units left out by --unit-filter quality=mua': session.unitIds.filter((_, unit) => quality(unit) !== 'mua').length,
      'spikes of units left out by --unit-filter quality=mua': left,
    });
    await recording.close();
  });

  it('labels: a trials column as intervals; tags of several values joined with +; invalid times cut out', async () => {
    const rows = [
      { start: 1, end: 3 },
      { start: 3, end: 6 },
      { start: 8, end: 9 },
      { start: 9, end: 9 },
    ];
    const nwb = file('labels.nwb');
    await writeNwb(nwb, session.write, {
      trials: { rows, columns: { reward: [0.5, 1, 0.5, 2], side: ['left', '', 'right', 'left'] } },
      epochs: { rows, tags: [['go'], ['go', 'left'], [], ['stop']] },
      invalidTimes: { rows: [{ start: 2, end: 2.5 }] },
    });
    const labelsOf = async (labelColumn: string, labelTable?: 'trials' | 'epochs') => {
      const recording = await NwbRecording.open(nwb, { labelColumn, labelTable });
      const labels = (await recording.labels()) as LabelInterval[];
      await recording.close();
      return labels.map(({ start, end, label }) => [start, end, label]);
    };
    expect(await labelsOf('reward')).toEqual([
      [1, 2, '0.5'],
      [2.5, 3, '0.5'],
      [3, 6, '1'],
      [8, 9, '0.5'],
    ]);
    expect(await labelsOf('side', 'trials')).toEqual([
      [1, 2, 'left'],
      [2.5, 3, 'left'],
      [8, 9, 'right'],
    ]);
    expect(await labelsOf('tags')).toEqual([
      [1, 2, 'go'],
      [2.5, 3, 'go'],
      [3, 6, 'go+left'],
    ]);
    const none = await NwbRecording.open(nwb, {});
    expect(await none.labels()).toEqual([]);
    await none.close();
  });

  it('leaves out spike times that are not valid (1e300, NaN, negative), counted by cause, the first named with index and unit', async () => {
    const nwb = file('corrupt-times.nwb');
    // Unit 7: 0.1, 1e300, 0.3, NaN; unit 8: 0.15, -1, 0.25.
    await writeUnits(nwb, { ids: [7, 8], times: [0.1, 1e300, 0.3, Number.NaN, 0.15, -1, 0.25], index: [4, 7] });
    const recording = await NwbRecording.open(nwb, {});
    const { t, ids } = await readAll(recording);
    expect(t).toEqual([0.1, 0.15, 0.25, 0.3]);
    expect(ids).toEqual(['7', '8', '8', '7']);
    const summary = recording.readSummary();
    expect(summary.dropped).toEqual({
      'spikes with a time that is not a number': 1,
      'spikes with a negative time': 1,
      'spikes with a time beyond 2^32 s': 1,
    });
    expect(summary.droppedExamples).toEqual([
      `${nwb}, /units/spike_times[1] (unit 7): time 1e+300 s is beyond 2^32 s (4294967296 s, about 136 years); left out`,
      `${nwb}, /units/spike_times[3] (unit 7): time NaN s is not a number; left out`,
      `${nwb}, /units/spike_times[5] (unit 8): time -1 s is negative; left out`,
    ]);
    const description = await recording.describe();
    expect(description.firstSpike).toBe(0.1);
    expect(description.lastSpike).toBe(0.3);
    expect(description.notes.join('\n')).toMatch(/3 spike times are not valid/);
    await recording.close();
  });

  it('a replay of a file with corrupt spike times runs, leaving them out and naming them on stderr', async () => {
    const nwb = file('corrupt-replay.nwb');
    const times = [...Array.from({ length: 400 }, (_, k) => k * 0.1), 1e300, Number.NaN, -1];
    await writeUnits(nwb, { ids: [5], times, index: [times.length] });
    const result = await runCli(['replay', nwb, ...analysis()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/Invalid typed array length/);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `synergy replay: warning: ${nwb}, /units/spike_times[400] (unit 5): time 1e+300 s is beyond 2^32 s (4294967296 s, about 136 years); left out`,
      `synergy replay: warning: ${nwb}, /units/spike_times[401] (unit 5): time NaN s is not a number; left out`,
      `synergy replay: warning: ${nwb}, /units/spike_times[402] (unit 5): time -1 s is negative; left out`,
    ]);
    expect(lines[3]).toMatch(/: 400 spikes of 1 units; .*1 spikes with a time that is not a number, 1 spikes with a negative time, 1 spikes with a time beyond 2\^32 s/);
  });

  it('reports spikes out of order within a unit as a step back', async () => {
    const nwb = file('unsorted.nwb');
    await writeUnits(nwb, { ids: [3, 4], times: [1, 0.4, 2, 0.5, 1.5], index: [3, 5] });
    const recording = await NwbRecording.open(nwb, {});
    const { t } = await readAll(recording);
    expect(t).toHaveLength(5);
    expect(recording.readSummary().maxBackstepSeconds).toBeCloseTo(0.6, 12);
    const description = await recording.describe();
    expect(description.notes.join('\n')).toMatch(/1 units have spike times out of order \(up to 0\.600 s back\)/);
    await recording.close();
  });

  it('converts values to text as a user types them', () => {
    expect(valuesAsText(Int8Array.from([1, 0, 1]), { kind: 'enum', bytes: 1, shape: [3], enumNames: new Map([[0, 'FALSE'], [1, 'TRUE']]) }, '/units/x', 'f')).toEqual([
      'true',
      'false',
      'true',
    ]);
    expect(valuesAsText(BigInt64Array.from([2n ** 60n, -3n]), { kind: 'int', bytes: 8, shape: [2] }, '/units/id', 'f')).toEqual(['1152921504606846976', '-3']);
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(1 / 3))).toBe('0.33333334');
    expect(subtractSpans(0, 10, [{ start: -1, end: 1 }, { start: 4, end: 5 }, { start: 9, end: 12 }])).toEqual([
      { start: 1, end: 4 },
      { start: 5, end: 9 },
    ]);
  });
});

describe('the CLI loads h5wasm as shipped', () => {
  it('reading an NWB file through bin/synergy costs tens of MB, not the 700 MB of h5wasm through tsx', async () => {
    // The same loaders as bin/synergy (tsx, then plainPackages.mjs), in a child that reports its own peak memory.
    const script = `import { Hdf5File } from './adapters/nwb/hdf5File.ts';
const file = await Hdf5File.open(process.argv[1]);
file.readNumbers('/units/spike_times', 0, 10);
file.close();
console.log(process.resourceUsage().maxRSS / 1024);`;
    const nwb = file('memory.nwb');
    await writeNwb(nwb, session.write);
    const peakMB = Number(
      execFileSync(process.execPath, ['--import', 'tsx', '--import', './bin/plainPackages.mjs', '--input-type=module', '-e', script, nwb], { cwd: projectRoot, encoding: 'utf8' }).trim(),
    );
    expect(peakMB).toBeGreaterThan(20);
    expect(peakMB).toBeLessThan(300);
  });
});

describe('synergy inspect on NWB', () => {
  it('shows units with spike counts, label columns with values, counts and seconds, and excluded spans', async () => {
    const nwb = file('inspect.nwb');
    const invalid = { start: 10, end: 12 };
    await writeNwb(nwb, session.write, {
      unitColumns: { quality: session.unitIds.map((_, unit) => quality(unit)) },
      epochs: { rows: [{ start: 0, end: 20 }, { start: 20, end: 40 }], tags: [['awake'], ['sleep', 'dark']] },
      invalidTimes: { rows: [invalid] },
    });
    const run = await runCli(['inspect', nwb, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const description = JSON.parse(run.stdout);
    const counts = session.unitIds.map((_, unit) => Array.from(session.unit).filter((u) => u === unit).length);
    expect(description.units).toEqual(session.unitIds.map((id, unit) => ({ id, spikes: counts[unit], quality: quality(unit) })));
    expect(description.firstSpike).toBe(session.t[0]);
    expect(description.lastSpike).toBe(session.t[session.t.length - 1]);
    expect(description.sampleRate).toBe(session.sampleRate);
    const condition = description.labelSources.find((source: { name: string }) => source.name === '/intervals/trials/condition');
    const expected = new Map<string, { count: number; seconds: number }>();
    for (const interval of session.labels) {
      const entry = expected.get(interval.label) ?? { count: 0, seconds: 0 };
      entry.count++;
      entry.seconds += subtractIndependently(interval, [invalid]).reduce((sum, piece) => sum + piece.end - piece.start, 0);
      expected.set(interval.label, entry);
    }
    expect(condition.values).toHaveLength(expected.size);
    for (const value of condition.values) {
      expect(value.count).toBe(expected.get(value.label)!.count);
      expect(value.seconds).toBeCloseTo(expected.get(value.label)!.seconds, 9);
    }
    const tags = description.labelSources.find((source: { name: string }) => source.name === '/intervals/epochs/tags');
    expect(tags.values).toEqual([
      { label: 'awake', count: 1, seconds: 18 },
      { label: 'sleep+dark', count: 1, seconds: 20 },
    ]);
    expect(description.notes.join('\n')).toContain('1 spans of /intervals/invalid_times (2.0 s) are left unlabeled');

    const text = await runCli(['inspect', nwb]);
    expect(text.stdout).toMatch(new RegExp(`\\n    ${session.unitIds[0]}\\s+${counts[0]} spikes  \\(quality good\\)`));
    expect(text.stdout).toContain('modes from   /intervals/trials/condition');
    expect(text.stdout).toMatch(/sleep\+dark\s+1, 20\.0 s/);
  });
});

describe('broken NWB files', () => {
  let good: string;
  beforeAll(async () => {
    good = file('good.nwb');
    await writeNwb(good, session.write, { epochs: { rows: session.labels, columns: { condition: session.labels.map((interval) => interval.label) } } });
  });

  it('not HDF5: bad magic', async () => {
    const text = file('spikes-as.nwb');
    writeFileSync(text, 'unit,t\n0,1.5\n');
    await expectOneLineError(['replay', text], 1, /spikes-as\.nwb: has the \.nwb extension but is not an HDF5 file \(bad magic at byte 0\)/);
    const forced = file('forced.csv');
    writeFileSync(forced, 'unit,t\n0,1.5\n');
    await expectOneLineError(['inspect', forced, '--format', 'nwb'], 1, /forced\.csv: not an HDF5 file \(bad magic at byte 0/);
  });

  it('truncated at several offsets: in the superblock, in the metadata, in the spike data, at the last byte', async () => {
    const bytes = readFileSync(good);
    const offsets = [4, 40, 1500, Math.floor(bytes.length / 2), bytes.length - 1];
    await Promise.all(
      offsets.map(async (offset) => {
        const cut = file(`cut-${offset}.nwb`);
        writeFileSync(cut, bytes.subarray(0, offset));
        const pattern = offset < 8 ? /not an HDF5 file/ : new RegExp(`cut-${offset}\\.nwb: truncated: the file has ${offset} bytes, its HDF5 superblock says ${bytes.length}`);
        await expectOneLineError(['replay', cut, '--format', 'nwb', '--label-column', 'condition'], 1, pattern);
      }),
    );
  });

  it('corrupt object headers and a corrupt chunk index: one line naming the object', async () => {
    const bytes = readFileSync(good);
    // Every object header but the root group's fails its checksum (HDF5 spec: version 2 object headers, signature OHDR).
    const headers = Buffer.from(bytes);
    const signatures = allOffsets(bytes, 'OHDR');
    expect(signatures.length).toBeGreaterThan(10);
    for (const offset of signatures.slice(1)) headers.fill(0xa5, offset + 6, offset + 14);
    writeFileSync(file('headers.nwb'), headers);
    await expectOneLineError(['inspect', file('headers.nwb')], 1, /headers\.nwb: cannot read \/units: corrupt or unreadable HDF5 data \(HDF5: .*checksum/);
    // The chunk index of spike_times is a version 1 B-tree (signature TREE): a bad signature, or garbage in its keys.
    const trees = allOffsets(bytes, 'TREE');
    expect(trees.length).toBeGreaterThan(0);
    const signature = Buffer.from(bytes);
    for (const offset of trees) signature.write('XXXX', offset);
    writeFileSync(file('tree-signature.nwb'), signature);
    await expectOneLineError(['inspect', file('tree-signature.nwb')], 1, /tree-signature\.nwb: cannot read \/units\/spike_times \[\d+, \d+\): corrupt or unreadable HDF5 data \(HDF5: wrong B-tree signature\)/);
    const keys = Buffer.from(bytes);
    for (const offset of trees) keys.fill(0xff, offset + 24, offset + 80);
    writeFileSync(file('tree-keys.nwb'), keys);
    await expectOneLineError(['replay', file('tree-keys.nwb'), '--label-column', 'condition', '--label-table', 'epochs'], 1, /tree-keys\.nwb: cannot read \/units\/spike_times .*corrupt or unreadable HDF5 data/);
  });

  it('missing groups and datasets are named with their paths', async () => {
    await writeUnits(file('no-units.nwb'), { omit: ['units'] });
    await writeUnits(file('no-index.nwb'), { omit: ['spike_times_index'] });
    await writeUnits(file('no-times.nwb'), { omit: ['spike_times'] });
    await writeUnits(file('no-id.nwb'), { omit: ['id'] });
    await Promise.all([
      expectOneLineError(['replay', file('no-units.nwb')], 1, /no-units\.nwb: missing group \/units/),
      expectOneLineError(['replay', file('no-index.nwb')], 1, /no-index\.nwb: missing dataset \/units\/spike_times_index/),
      expectOneLineError(['replay', file('no-times.nwb')], 1, /no-times\.nwb: missing dataset \/units\/spike_times\b/),
      expectOneLineError(['inspect', file('no-id.nwb')], 1, /no-id\.nwb: missing dataset \/units\/id/),
    ]);
  });

  it('inconsistent lengths: index going back, index beyond spike_times, id and index of different lengths', async () => {
    await writeUnits(file('back.nwb'), { index: [3, 2, 5] , ids: [1, 2, 3] });
    await writeUnits(file('beyond.nwb'), { index: [3, 9] });
    await writeUnits(file('lengths.nwb'), { ids: [1, 2, 3], index: [2, 5] });
    await Promise.all([
      expectOneLineError(['replay', file('back.nwb')], 1, /back\.nwb: \/units\/spike_times_index is not non-decreasing: entry 1 \(2\) is below entry 0 \(3\)/),
      expectOneLineError(['replay', file('beyond.nwb')], 1, /beyond\.nwb: \/units\/spike_times_index entry 1 is 9, beyond the 5 values of \/units\/spike_times/),
      expectOneLineError(['replay', file('lengths.nwb')], 1, /lengths\.nwb: \/units\/id has 3 rows but \/units\/spike_times_index has 2/),
    ]);
  });

  it('bad option values are usage errors (exit 2) that list what the file has', async () => {
    await Promise.all([
      expectOneLineError(['replay', good, '--label-column', 'conditon', '--label-table', 'trials'], 2, /no column 'conditon' \(\/intervals\/trials has condition\)/),
      expectOneLineError(['replay', good, '--label-column', 'condition'], 2, /both \/intervals\/trials and \/intervals\/epochs have a column 'condition': choose one with --label-table/),
      expectOneLineError(['replay', good, '--label-column', 'start_time'], 2, /'start_time' is not a column of modes/),
      expectOneLineError(['inspect', good, '--unit-filter', 'qualty=good'], 2, /\/units has no column 'qualty' \(its columns: id, spike_times\)/),
      expectOneLineError(['replay', good, '--unit-filter', 'spike_times=1'], 2, /\/units\/spike_times holds a list per unit/),
    ]);
    await writeUnits(file('no-intervals.nwb'), {});
    await expectOneLineError(['replay', file('no-intervals.nwb'), '--label-column', 'condition'], 2, /no \/intervals\/trials or \/intervals\/epochs table/);
  });
});

/** Offsets of every occurrence of a 4-byte signature. */
function allOffsets(bytes: Buffer, signature: string): number[] {
  const offsets: number[] = [];
  for (let at = bytes.indexOf(signature); at >= 0; at = bytes.indexOf(signature, at + 1)) offsets.push(at);
  return offsets;
}

/** A minimal /units table written straight with h5wasm, to make files the writer would never make. */
async function writeUnits(
  path: string,
  { ids = [1, 2], times = [0.1, 0.2, 0.3, 0.15, 0.25], index = [3, 5], omit = [] as string[] }: { ids?: number[]; times?: number[]; index?: number[]; omit?: string[] },
): Promise<void> {
  const h5wasm = await loadH5wasm();
  const out = new h5wasm.File(path, 'w');
  try {
    out.create_attribute('neurodata_type', 'NWBFile');
    if (omit.includes('units')) return;
    const units = out.create_group('units');
    if (!omit.includes('id')) units.create_dataset({ name: 'id', data: BigInt64Array.from(ids, BigInt) });
    if (!omit.includes('spike_times')) units.create_dataset({ name: 'spike_times', data: Float64Array.from(times) });
    if (!omit.includes('spike_times_index')) units.create_dataset({ name: 'spike_times_index', data: Int32Array.from(index) });
  } finally {
    out.close();
  }
}
