import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NwbRecording } from '../../adapters/nwb/nwbRecording.ts';
import { Hdf5File, loadH5wasm } from '../../adapters/nwb/hdf5File.ts';
import { findUnitsTables } from '../../adapters/nwb/unitsTable.ts';
import { writeNwb, type NwbWriteOptions } from '../../simulators/writeNwb.ts';
import { EmptySelectionError, InputFormatError, UsageError } from '../../src/errors.ts';
import type { LabelInterval, SpikeBatch } from '../../src/stream/events.ts';
import { expectSameReplayAsCsv, sampledSession, writeLabelsCsvFile, writeSessionCsv, writeSpikesCsvFile, type SampledSession } from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-nwb-selection-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const file = (name: string) => join(folder, name);

/** Units 1 and 4 are mua, the others good. */
const QUALITY = ['good', 'mua', 'good', 'good', 'mua', 'good'];
/** Electrodes 0–3 and the electrodes of each of the 6 units: unit 4 spans a CA1 and a CA3 electrode, unit 5 has none. */
const ELECTRODES = { location: ['CA1', 'CA1', 'CA3', 'DG'], groupName: ['shank0', 'shank0', 'shank1', 'shank1'] };
const UNIT_ELECTRODES = [[0], [1], [2], [3], [0, 2], []];
/** Each unit's location as the reader must give it (its electrodes' distinct locations joined with '+'). */
const LOCATION = ['CA1', 'CA1', 'CA3', 'DG', 'CA1+CA3', ''];
const ANALYSIS = ['--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'panzeri-treves'];

let session: SampledSession;
let reference: { spikes: string; labels: string };
let electrodesNwb: string;
beforeAll(async () => {
  session = sampledSession({ seconds: 40 });
  reference = writeSessionCsv(folder, session);
  electrodesNwb = file('electrodes.nwb');
  await writeNwb(electrodesNwb, session.write, { unitColumns: { quality: QUALITY }, electrodes: ELECTRODES, unitElectrodes: UNIT_ELECTRODES });
});

/** The session's spikes of the units `keep` accepts, as a reference CSV. */
function referenceSpikes(name: string, keep: (unit: number) => boolean): string {
  const t: number[] = [];
  const unit: string[] = [];
  for (let i = 0; i < session.t.length; i++) {
    if (!keep(session.unit[i])) continue;
    t.push(session.t[i]);
    unit.push(session.unitIds[session.unit[i]]);
  }
  return writeSpikesCsvFile(file(name), t, unit);
}

/** Expects the command line parser to refuse an option value (exit 2), naming it on the first line of stderr. */
async function expectRefusedOption(args: string[], pattern: RegExp): Promise<void> {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.split('\n')[0]).toMatch(pattern);
}

/** Expects a CLI run to fail with this exit code and one line `synergy: …` matching the pattern. */
async function expectOneLineError(args: string[], code: number, pattern: RegExp): Promise<void> {
  const result = await runCli(args, { timeoutMs: 120_000 });
  expect(result.code, result.stderr).toBe(code);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^synergy: /);
  expect(lines[0]).toMatch(pattern);
}

async function openError(path: string, options: Parameters<typeof NwbRecording.open>[1]): Promise<Error> {
  try {
    const recording = await NwbRecording.open(path, options);
    await recording.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('opened without error');
}

describe('NWB units in a processing module (--units-table)', () => {
  let moduleNwb: string;
  beforeAll(async () => {
    moduleNwb = file('module-units.nwb');
    await writeNwb(moduleNwb, session.write, { unitsTablePath: 'processing/ecephys/units' });
  });

  it('replays the table --units-table names exactly as the same spikes in CSV', async () => {
    await expectSameReplayAsCsv([moduleNwb, '--units-table', 'processing/ecephys/units', '--label-column', 'condition'], reference, ANALYSIS);
    await expectSameReplayAsCsv([moduleNwb, '--units-table', '/processing/ecephys/units/', '--label-column', 'condition'], reference, ANALYSIS);
  });

  it('without /units, the error lists the units tables the file holds and how to choose one', async () => {
    await expectOneLineError(
      ['replay', moduleNwb, '--label-column', 'condition'],
      1,
      /module-units\.nwb: missing group \/units; units tables in the file: \/processing\/ecephys\/units \(choose one with --units-table processing\/ecephys\/units\)$/,
    );
    await expectOneLineError(
      ['inspect', moduleNwb, '--units-table', 'processing/units'],
      2,
      /--units-table processing\/units: the file has no group \/processing\/units; units tables in the file: \/processing\/ecephys\/units/,
    );
  });

  it('inspect reads the table and says where the units came from', async () => {
    const result = await runCli(['inspect', moduleNwb, '--units-table', 'processing/ecephys/units', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const description = JSON.parse(result.stdout);
    expect(description.units.map((unit: { id: string }) => unit.id)).toEqual(session.unitIds);
    expect(description.units.reduce((sum: number, unit: { spikes: number }) => sum + unit.spikes, 0)).toBe(session.t.length);
    expect(description.notes).toContain('units from /processing/ecephys/units');
  });
});

describe('NWB unit filters: electrodes, several values, several filters', () => {
  it('--unit-filter location=CA1 selects through the electrodes table and replays exactly as those units in CSV', async () => {
    const spikes = referenceSpikes('ca1.csv', (unit) => LOCATION[unit] === 'CA1');
    await expectSameReplayAsCsv([electrodesNwb, '--label-column', 'condition', '--unit-filter', 'location=CA1'], { spikes, labels: reference.labels }, ANALYSIS);
  });

  it('a filter keeps a unit whose value is any of the values; repeated filters must all hold', async () => {
    const keep = (unit: number) => ['CA1', 'CA3'].includes(LOCATION[unit]) && QUALITY[unit] === 'good';
    const spikes = referenceSpikes('ca1-ca3-good.csv', keep);
    const args = [electrodesNwb, '--label-column', 'condition', '--unit-filter', 'location=CA1,CA3', '--unit-filter', 'quality=good'];
    await expectSameReplayAsCsv(args, { spikes, labels: reference.labels }, ANALYSIS);
    const run = await runCli(['replay', ...args, ...ANALYSIS]);
    const left = session.unitIds.filter((_, unit) => !keep(unit)).length;
    expect(run.stderr).toContain(`${left} units left out by --unit-filter location=CA1,CA3 --unit-filter quality=good`);
  });

  it('the reader gives each unit its electrodes’ location and group name, distinct values joined with +', async () => {
    const byGroup = await NwbRecording.open(electrodesNwb, { unitFilters: [{ column: 'group_name', values: ['shank1', 'shank0+shank1'] }] });
    expect(byGroup.unitIds).toEqual(['2', '3', '4']);
    await byGroup.close();
    const joined = await NwbRecording.open(electrodesNwb, { unitFilters: [{ column: 'location', values: ['CA1+CA3', ''] }] });
    expect(joined.unitIds).toEqual(['4', '5']);
    await joined.close();
  });

  it('inspect shows each unit’s location and lists the electrode columns', async () => {
    const result = await runCli(['inspect', electrodesNwb, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const description = JSON.parse(result.stdout);
    expect(description.units.map((unit: { location: string }) => unit.location)).toEqual(LOCATION);
    expect(description.units.map((unit: { quality: string }) => unit.quality)).toEqual(QUALITY);
    expect(description.notes).toContain('electrode columns (through /units/electrodes) for --unit-filter: location, group_name');
    const text = await runCli(['inspect', electrodesNwb]);
    expect(text.stdout).toMatch(/\n {4}4 +\d+ spikes {2}\(location CA1\+CA3, quality mua\)/);
    expect(text.stdout).toMatch(/\n {4}5 +\d+ spikes {2}\(quality good\)/);
  });

  it('an unknown column lists the units table’s columns and the electrode columns (exit 2)', async () => {
    await expectOneLineError(
      ['replay', electrodesNwb, '--unit-filter', 'locaton=CA1'],
      2,
      /\/units has no column 'locaton' \(its columns: id, spike_times, electrodes, quality; electrode columns through \/units\/electrodes: location, group_name\)/,
    );
    await expectRefusedOption(['replay', electrodesNwb, '--unit-filter', 'location'], /--unit-filter takes COLUMN=VALUE or COLUMN=VALUE1,VALUE2 \(e\.g\. quality=good\), got 'location'/);
  });

  it('an electrode index beyond the electrodes table is named with the dataset and entry', async () => {
    const broken = file('bad-region.nwb');
    await writeNwb(broken, session.write, { electrodes: ELECTRODES, unitElectrodes: [[0], [1], [2], [3], [0, 7], []] });
    const error = await openError(broken, { unitFilters: [{ column: 'location', values: ['CA1'] }] });
    expect(error).toBeInstanceOf(InputFormatError);
    expect(error.message).toMatch(/bad-region\.nwb: \/units\/electrodes\[5\] is 7, not a row of \/general\/extracellular_ephys\/electrodes \(0 to 3\)/);
  });
});

describe('NWB unit filters that keep no unit', () => {
  it('name the filter and the values present, exit 1, in replay and inspect', async () => {
    await expectOneLineError(
      ['replay', electrodesNwb, '--label-column', 'condition', '--unit-filter', 'quality=Good'],
      1,
      /electrodes\.nwb: --unit-filter quality=Good: no unit has quality = Good \(values present: good 4, mua 2; filters are case-sensitive\)$/,
    );
    await expectOneLineError(['inspect', electrodesNwb, '--unit-filter', 'location=CA2,CA4'], 1, /no unit has location = CA2 or CA4 \(values present: CA1 2, \(empty\) 1, CA1\+CA3 1, CA3 1, DG 1\)$/);
  });

  it('filters that each keep some units but never the same ones say so', async () => {
    const error = await openError(electrodesNwb, {
      unitFilters: [
        { column: 'location', values: ['DG'] },
        { column: 'quality', values: ['mua'] },
      ],
    });
    expect(error).toBeInstanceOf(EmptySelectionError);
    expect(error.message).toBe(`${electrodesNwb}: no unit passes every unit filter (each keeps some, together none: --unit-filter location=DG keeps 1, --unit-filter quality=mua keeps 2)`);
  });
});

describe('NWB intervals with several tags (--multi-tag)', () => {
  const rows = [
    { start: 1, end: 3 },
    { start: 3, end: 6 },
    { start: 8, end: 9 },
    { start: 10, end: 12 },
  ];
  const tags = [['go'], ['go', 'left'], [], ['stop', 'left', 'go']];
  let tagged: string;
  beforeAll(async () => {
    tagged = file('tags.nwb');
    await writeNwb(tagged, session.write, { trials: null, epochs: { rows, tags } });
  });

  const labelsOf = async (options: Partial<Parameters<typeof NwbRecording.open>[1]>) => {
    const recording = await NwbRecording.open(tagged, { labelColumn: 'tags', ...options });
    const labels = (await recording.labels()) as LabelInterval[];
    for await (const _batch of recording.spikes() as AsyncIterable<SpikeBatch>);
    const dropped = recording.readSummary().dropped;
    await recording.close();
    return { labels: labels.map(({ start, end, label }) => [start, end, label]), dropped };
  };

  it('join (the default) makes one mode of the tags; first takes the first; drop leaves the interval unlabeled and counts it', async () => {
    const joined = [
      [1, 3, 'go'],
      [3, 6, 'go+left'],
      [10, 12, 'stop+left+go'],
    ];
    expect((await labelsOf({})).labels).toEqual(joined);
    expect((await labelsOf({ multiTag: 'join' })).labels).toEqual(joined);
    expect((await labelsOf({ multiTag: 'first' })).labels).toEqual([
      [1, 3, 'go'],
      [3, 6, 'go'],
      [10, 12, 'stop'],
    ]);
    const dropped = await labelsOf({ multiTag: 'drop' });
    expect(dropped.labels).toEqual([[1, 3, 'go']]);
    expect(dropped.dropped).toEqual({ 'mode intervals with several tags (--multi-tag drop)': 2 });
  });

  it('a replay with --multi-tag first equals the CSV of the first tags; inspect notes the rows with several tags', async () => {
    const labels = writeLabelsCsvFile(file('first-tags.csv'), [
      { start: 1, end: 3, label: 'go' },
      { start: 3, end: 6, label: 'go' },
      { start: 10, end: 12, label: 'stop' },
    ]);
    await expectSameReplayAsCsv([tagged, '--label-column', 'tags', '--multi-tag', 'first'], { spikes: reference.spikes, labels }, ['--bin', '0.02', '--window', '4', '--hop', '2']);
    const drop = await runCli(['replay', tagged, '--label-column', 'tags', '--multi-tag', 'drop', '--window', '4', '--hop', '2']);
    expect(drop.code, drop.stderr).toBe(0);
    expect(drop.stderr).toContain('2 mode intervals with several tags (--multi-tag drop)');
    const inspect = await runCli(['inspect', tagged]);
    expect(inspect.stdout).toContain("2 rows of /intervals/epochs/tags have several values: each a mode of its own, the tags joined with '+' (--multi-tag join; join|first|drop)");
  });

  it('--multi-tag is refused where it cannot apply', async () => {
    await expectRefusedOption(['replay', tagged, '--label-column', 'tags', '--multi-tag', 'last'], /--multi-tag.*'last' is invalid. Allowed choices are join, first, drop/);
    await expectOneLineError(['replay', reference.spikes, '--multi-tag', 'first'], 2, /--multi-tag applies to nwb recordings, not csv/);
    await expectOneLineError(['replay', tagged, '--labels', reference.labels, '--multi-tag', 'first'], 2, /--multi-tag choose among the recording's own interval tables, which --labels FILE replaces/);
  });
});

describe('the units-table search', () => {
  it('finds units tables at any depth it searches, within its bounds', async () => {
    const h5wasm = await loadH5wasm();
    const path = file('two-tables.nwb');
    const rebuilt = new h5wasm.File(path, 'w');
    try {
      const processing = rebuilt.create_group('processing');
      const ecephys = processing.create_group('ecephys');
      const analysis = rebuilt.create_group('analysis');
      for (const [parent, name] of [
        [ecephys, 'kilosort'],
        [ecephys, 'curated'],
        [analysis, 'units_v2'],
      ] as const) {
        const group = parent.create_group(name);
        group.create_dataset({ name: 'id', data: BigInt64Array.from([1n]) });
        group.create_dataset({ name: 'spike_times', data: Float64Array.from([0.5]) });
        group.create_dataset({ name: 'spike_times_index', data: Int32Array.from([1]) });
      }
    } finally {
      rebuilt.close();
    }
    const error = await openError(path, {});
    expect(error).toBeInstanceOf(InputFormatError);
    expect(error.message).toContain('units tables in the file: /analysis/units_v2, /processing/ecephys/curated, /processing/ecephys/kilosort');
    // The search is bounded: by groups visited (root, analysis, units_v2, processing, …) and by depth.
    const h5 = await Hdf5File.open(path);
    try {
      expect(findUnitsTables(h5, 3)).toEqual(['/analysis/units_v2']);
      expect(findUnitsTables(h5, 100, 2)).toEqual(['/analysis/units_v2']);
      expect(findUnitsTables(h5, 100, 3)).toHaveLength(3);
    } finally {
      h5.close();
    }
    const chosen = await NwbRecording.open(path, { unitsTable: 'processing/ecephys/curated' });
    expect(chosen.unitIds).toEqual(['1']);
    await chosen.close();
    const missing = await openError(path, { unitsTable: 'units' });
    expect(missing).toBeInstanceOf(UsageError);
  });
});
