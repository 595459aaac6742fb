import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecording, type OpenRecordingOptions } from '../../adapters/openRecording.ts';
import type { RecordingSource } from '../../adapters/recording.ts';
import { unitGroupsOf } from '../../adapters/unitGroups.ts';
import { writeNev } from '../../simulators/writeNev.ts';
import { writeNwb } from '../../simulators/writeNwb.ts';
import { openEphysRecordingFolder, writeOpenEphysFolder } from '../../simulators/writeOpenEphysFolder.ts';
import { writePhyFolder } from '../../simulators/writePhyFolder.ts';
import { EmptySelectionError, UsageError } from '../../src/errors.ts';
import { sampledSession, writeSessionCsv, type SampledSession } from '../helpers/recordingFixtures.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-unit-groups-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const file = (name: string) => join(folder, name);

/**
 * Electrodes 0–3: two in CA1 and two in PFC, on two shanks; units 0–5 on
 * electrodes 0, 1, 2, 3, 0 and none (unit 5 has no location).
 */
const ELECTRODES = { location: ['CA1', 'CA1', 'PFC', 'PFC'], groupName: ['shank0', 'shank1', 'shank0', 'shank1'] };
const UNIT_ELECTRODES = [[0], [1], [2], [3], [0], []];
const QUALITY = ['good', 'mua', 'good', 'good', 'good', 'mua'];

let session: SampledSession;
let nwb: string;
beforeAll(async () => {
  session = sampledSession({ seconds: 10 });
  nwb = file('regions.nwb');
  await writeNwb(nwb, session.write, { unitColumns: { quality: QUALITY }, electrodes: ELECTRODES, unitElectrodes: UNIT_ELECTRODES });
});

/** Opens a recording, groups it, closes it. */
async function groupsOf(path: string, by: string, options: OpenRecordingOptions = {}): ReturnType<typeof unitGroupsOf> {
  const recording: RecordingSource = await openRecording(path, options);
  try {
    return await unitGroupsOf(recording, by);
  } finally {
    await recording.close();
  }
}

async function groupError(path: string, by: string, options: OpenRecordingOptions = {}): Promise<Error> {
  try {
    await groupsOf(path, by, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`--group-by ${by} gave groups`);
}

describe('unitGroupsOf: NWB', () => {
  it('region: the electrodes’ locations give two groups with the right units; a unit without electrodes is left out', async () => {
    const { groups, column, notes } = await groupsOf(nwb, 'region');
    expect(column).toBe('location');
    expect(groups).toEqual([
      { name: 'CA1', units: ['0', '1', '4'] },
      { name: 'PFC', units: ['2', '3'] },
    ]);
    expect(notes).toEqual([`--group-by region: column location of ${nwb}`, 'groups by location: CA1 (3 units), PFC (2 units)', '1 unit has no location: left out of every group']);
  });

  it('shank and channel-group: the electrodes’ group_name, which describe() does not show', async () => {
    for (const by of ['shank', 'channel-group', 'group_name']) {
      const { groups, column } = await groupsOf(nwb, by);
      expect(column).toBe('group_name');
      expect(groups).toEqual([
        { name: 'shank0', units: ['0', '2', '4'] },
        { name: 'shank1', units: ['1', '3'] },
      ]);
    }
  });

  it('a units-table column by name, and only the units a unit filter keeps', async () => {
    expect((await groupsOf(nwb, 'quality')).groups).toEqual([
      { name: 'good', units: ['0', '2', '3', '4'] },
      { name: 'mua', units: ['1', '5'] },
    ]);
    const good = await groupsOf(nwb, 'region', { unitFilters: [{ column: 'quality', values: ['good'] }] });
    expect(good.groups).toEqual([
      { name: 'CA1', units: ['0', '4'] },
      { name: 'PFC', units: ['2', '3'] },
    ]);
  });

  it('a column the file lacks is a UsageError listing the columns it has', async () => {
    const error = await groupError(nwb, 'brain_area');
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`--group-by brain_area: ${nwb} (nwb) has no unit column 'brain_area'; its unit columns: location, quality, group_name. Group by one of those, or give --groups FILE`);
    const plain = file('plain.nwb');
    await writeNwb(plain, session.write, { unitColumns: { quality: QUALITY } });
    const region = await groupError(plain, 'region');
    expect(region).toBeInstanceOf(UsageError);
    expect(region.message).toBe(`--group-by region: ${plain} (nwb) has no region column (looked for location, brain_region, region, acronym, brain_area); its unit columns: quality. Group by one of those, or give --groups FILE`);
  });
});

describe('unitGroupsOf: Phy', () => {
  /** Cluster ids unlike unit indices; shanks from a cluster_info.tsv as Phy writes it (ch, sh, depth). */
  const CLUSTER_IDS = [3, 17, 5, 40, 8, 2];
  const INFO = [
    { id: 2, ch: 40, sh: 1, depth: 400 },
    { id: 3, ch: 3, sh: 0, depth: 60 },
    { id: 5, ch: 3, sh: 0, depth: 70 },
    { id: 8, ch: 12, sh: 0, depth: 240 },
    { id: 17, ch: 41, sh: 1, depth: 420 },
    { id: 40, ch: 90, sh: '', depth: 900 },
  ];
  let phy: string;
  beforeAll(async () => {
    phy = file('phy');
    await writePhyFolder(phy, session.write, { clusterIds: CLUSTER_IDS, tables: ['cluster_group.tsv'] });
    const rows = INFO.map((row) => `${row.id}\t${row.ch}\t${row.sh}\t${row.depth}\tgood`);
    writeFileSync(join(phy, 'cluster_info.tsv'), `cluster_id\tch\tsh\tdepth\tgroup\n${rows.join('\n')}\n`);
  });

  it('shank: cluster_info.tsv `sh`, groups of cluster ids sorted by shank; a cluster without a shank is left out', async () => {
    const { groups, column, notes } = await groupsOf(phy, 'shank');
    expect(column).toBe('sh');
    // Units in the reader's order: clusters as their first spikes come.
    expect(groups.map((group) => ({ name: group.name, units: [...group.units].sort() }))).toEqual([
      { name: '0', units: ['3', '5', '8'] },
      { name: '1', units: ['17', '2'] },
    ]);
    expect(notes).toContain('1 unit has no sh: left out of every group');
  });

  it('channel-group: the peak channel `ch` (no channel_group column); a channel of one cluster is reported, not a group', async () => {
    const { groups, column, notes } = await groupsOf(phy, 'channel-group');
    expect(column).toBe('ch');
    expect(groups.map((group) => ({ name: group.name, units: [...group.units].sort() }))).toEqual([{ name: '3', units: ['3', '5'] }]);
    expect(notes.at(-1)).toMatch(/^4 ch values have a single unit, no group \(measures need 2 units\): 12 \(unit 8\), 40 \(unit 2\), 41 \(unit 17\), 90 \(unit 40\)$/);
  });

  it('region: a UsageError listing the cluster-table columns', async () => {
    const error = await groupError(phy, 'region');
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(`--group-by region: ${phy} (phy) has no region column (looked for location, brain_region, region, acronym, brain_area); its unit columns: group, ch, sh, depth`);
  });

  it('a column whose every value is unique gives no group: EmptySelectionError', async () => {
    const error = await groupError(phy, 'depth');
    expect(error).toBeInstanceOf(EmptySelectionError);
    expect(error.message).toMatch(/^grouping by depth gives no group of 2 or more units \(values: /);
  });
});

describe('unitGroupsOf: Open Ephys, NEV, CSV', () => {
  it('Open Ephys channel-group: units by electrode (stereotrode)', async () => {
    const node = file('Record Node 101');
    await writeOpenEphysFolder(node, session.write, { electrodes: 2 });
    const { groups, column } = await groupsOf(openEphysRecordingFolder(node), 'channel-group');
    expect(column).toBe('electrode');
    expect(groups.map((group) => ({ name: group.name, units: [...group.units].sort() }))).toEqual([
      { name: 'Stereotrode 1', units: ['Stereotrode 1:1', 'Stereotrode 1:2', 'Stereotrode 1:3'] },
      { name: 'Stereotrode 2', units: ['Stereotrode 2:1', 'Stereotrode 2:2', 'Stereotrode 2:3'] },
    ]);
    const error = await groupError(openEphysRecordingFolder(node), 'shank');
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('has no shank column (looked for shank, sh, shank_id, group_name); its unit columns: electrode, cluster');
  });

  it('NEV channel-group: units by electrode (4 units per electrode)', async () => {
    const nev = file('session.nev');
    await writeNev(nev, session.write, { version: '3.0' });
    const { groups, column } = await groupsOf(nev, 'channel-group');
    expect(column).toBe('electrode');
    expect(groups.map((group) => ({ name: group.name, units: [...group.units].sort() }))).toEqual([
      { name: '1', units: ['1:1', '1:2', '1:3', '1:4'] },
      { name: '2', units: ['2:1', '2:2'] },
    ]);
  });

  it('a CSV has no unit columns: the error says so and points to --groups FILE', async () => {
    const { spikes } = writeSessionCsv(folder, session);
    const error = await groupError(spikes, 'region');
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/has no region column \(looked for .*\); its units have no metadata columns\. Group by one of those, or give --groups FILE$/);
  });
});
