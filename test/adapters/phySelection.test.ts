import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterColumns } from '../../adapters/phy/clusterTables.ts';
import { PhyRecording } from '../../adapters/phy/phyRecording.ts';
import { writePhyFolder, type PhyFolderOptions } from '../../simulators/writePhyFolder.ts';
import { EmptySelectionError, InputFormatError, UsageError } from '../../src/errors.ts';
import { expectSameReplayAsCsv, sampledSession, writeLabelsCsvFile, writeSpikesCsvFile, type SampledSession } from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-phy-selection-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Cluster ids unlike the unit indices, so that a reader mixing the two up fails. */
const CLUSTER_IDS = [3, 17, 5, 40, 8, 2];
const GROUPS = ['good', 'good', 'mua', 'noise', 'good', 'mua'];
const ANALYSIS = ['--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'panzeri-treves'];

let session: SampledSession;
let labels: string;
beforeAll(() => {
  session = sampledSession({ seconds: 40 });
  labels = writeLabelsCsvFile(join(folder, 'labels.csv'), session.labels);
});

async function phyFolder(name: string, options: PhyFolderOptions = {}): Promise<string> {
  const path = join(folder, name);
  await writePhyFolder(path, session.write, { clusterIds: CLUSTER_IDS, groups: GROUPS, ...options });
  return path;
}

/** The session's spikes of the units `keep` accepts, named by cluster id, as a CSV reference. */
function referenceCsv(name: string, keep: (unit: number) => boolean): { spikes: string; labels: string } {
  const t: number[] = [];
  const id: string[] = [];
  for (let i = 0; i < session.t.length; i++) {
    if (!keep(session.unit[i])) continue;
    t.push(session.t[i]);
    id.push(String(CLUSTER_IDS[session.unit[i]]));
  }
  return { spikes: writeSpikesCsvFile(join(folder, `${name}.csv`), t, id), labels };
}

async function openError(path: string, options: Parameters<typeof PhyRecording.open>[1]): Promise<Error> {
  try {
    await (await PhyRecording.open(path, options)).close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('opened without error');
}

/** Writes Phy's cluster_info.tsv: channel `ch` and shank `sh` per cluster, and the KSLabel and group columns. */
function writeClusterInfo(path: string, rows: Array<{ id: number; ch: number; sh: number; ks: string; group: string }>): void {
  writeFileSync(
    join(path, 'cluster_info.tsv'),
    `cluster_id\tAmplitude\tContamPct\tKSLabel\tamp\tch\tdepth\tfr\tgroup\tn_spikes\tsh\n${rows
      .map((row) => `${row.id}\t50.1\t12.0\t${row.ks}\t70.2\t${row.ch}\t${20 * row.ch}\t4.5\t${row.group}\t100\t${row.sh}`)
      .join('\n')}\n`,
  );
}

/** Channel and shank of each unit in cluster_info.tsv. */
const CHANNEL = [0, 2, 2, 5, 7, 9];
const SHANK = [0, 0, 0, 1, 1, 1];

describe('Phy: --unit-filter by any cluster table column', () => {
  let curated: string;
  beforeAll(async () => {
    curated = await phyFolder('curated', { tables: ['cluster_group.tsv', 'cluster_KSLabel.tsv'] });
    writeClusterInfo(
      curated,
      CLUSTER_IDS.map((id, unit) => ({ id, ch: CHANNEL[unit], sh: SHANK[unit], ks: unit === 0 ? 'mua' : GROUPS[unit], group: GROUPS[unit] })),
    );
  });

  it('--unit-filter group=good replays as --units good does, and as those clusters in CSV', async () => {
    const reference = referenceCsv('good', (unit) => GROUPS[unit] === 'good');
    await expectSameReplayAsCsv([curated, '--unit-filter', 'group=good', '--labels', labels], reference, ANALYSIS);
    await expectSameReplayAsCsv([curated, '--units', 'GOOD', '--labels', labels], reference, ANALYSIS);
  });

  it('columns of cluster_info.tsv (ch, sh, KSLabel) select clusters; values are any-of and filters must all hold', async () => {
    const keep = (unit: number) => [0, 2, 7].includes(CHANNEL[unit]) && SHANK[unit] === 0 && GROUPS[unit] !== 'noise';
    const args = [curated, '--unit-filter', 'ch=0,2,7', '--unit-filter', 'sh=0', '--units', 'good,mua', '--labels', labels];
    await expectSameReplayAsCsv(args, referenceCsv('ch-sh', keep), ANALYSIS);
    const ks = await PhyRecording.open(curated, { unitFilters: [{ column: 'KSLabel', values: ['good'] }] });
    const ids: string[] = [];
    for await (const batch of ks.spikes()) for (let i = 0; i < batch.t.length; i++) ids.push(batch.unitIds[batch.unit[i]]);
    // cluster_info.tsv says cluster 3 is mua for Kilosort (it is read before cluster_KSLabel.tsv).
    expect(new Set(ids)).toEqual(new Set(['17', '8']));
    await ks.close();
  });

  it('inspect lists the columns a filter can use and what the filters leave out', async () => {
    const result = await runCli(['inspect', curated, '--unit-filter', 'sh=1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('columns for --unit-filter: group, Amplitude, ContamPct, KSLabel, amp, ch, depth, fr, n_spikes, sh');
    expect(result.stdout).toMatch(/--unit-filter sh=1: left out \d+ spikes of good clusters \(not kept\), \d+ spikes of mua clusters \(not kept\)/);
    expect(result.stdout).toContain('units        3\n');
  });

  it('an unknown column is a usage error listing the columns present', async () => {
    const error = await openError(curated, { unitFilters: [{ column: 'shank', values: ['0'] }] });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `${curated}: --unit-filter shank=0: no cluster table has a column 'shank' (columns: group, Amplitude, ContamPct, KSLabel, amp, ch, depth, fr, n_spikes, sh)`,
    );
    const run = await runCli(['replay', curated, '--unit-filter', 'shank=0', '--labels', labels]);
    expect(run.code).toBe(2);
  });

  it('--units and --unit-filter are refused on formats without units to select, naming the formats they apply to', async () => {
    const csv = referenceCsv('all', () => true).spikes;
    const unitsOnCsv = await runCli(['replay', csv, '--units', 'good', '--labels', labels]);
    expect(unitsOnCsv.code).toBe(2);
    expect(unitsOnCsv.stderr).toContain('--units (--unit-filter group=GROUPS) applies to phy recordings, not csv');
    const filterOnCsv = await runCli(['replay', csv, '--unit-filter', 'quality=good', '--labels', labels]);
    expect(filterOnCsv.code).toBe(2);
    expect(filterOnCsv.stderr).toContain('--unit-filter applies to nwb and phy recordings, not csv');
  });
});

describe('Phy selections that keep no cluster', () => {
  it('--units good on a folder without good clusters: exit 1 naming the groups present', async () => {
    const noGood = await phyFolder('no-good', { groups: ['mua', 'mua', 'noise', 'mua', 'noise', 'mua'] });
    const run = await runCli(['replay', noGood, '--units', 'good', '--labels', labels]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([`synergy: ${noGood}: --units good: no cluster is in group good (groups present: mua 4, noise 2)`]);
    const inspect = await runCli(['inspect', noGood, '--unit-filter', 'group=Mua']);
    expect(inspect.code).toBe(1);
    expect(inspect.stderr).toContain(`--unit-filter group=Mua: no cluster is in group Mua (groups present: mua 4, noise 2; filters are case-sensitive)`);
  });

  it('filters that no listed cluster passes, with and without a group table', async () => {
    const plain = await phyFolder('plain', { tables: ['cluster_info.tsv'] });
    const error = await openError(plain, { unitFilters: [{ column: 'ch', values: ['99'] }] });
    expect(error).toBeInstanceOf(EmptySelectionError);
    expect(error.message).toBe(`${plain}: --unit-filter ch=99: no cluster has ch = 99 (values present: 0 1, 1 1, 2 1, 3 1, 4 1, 5 1)`);
    const bare = await phyFolder('bare', { tables: [] });
    const none = await openError(bare, { unitFilters: [{ column: 'group', values: ['good'] }] });
    expect(none).toBeInstanceOf(EmptySelectionError);
    expect(none.message).toContain('no cluster is in group good (this folder has no cluster group table, so every cluster is unsorted)');
    // Clusters no table lists are unsorted, so a filter that keeps unsorted clusters keeps them.
    const unsorted = await PhyRecording.open(bare, { unitFilters: [{ column: 'group', values: ['unsorted'] }] });
    await unsorted.close();
  });

  it('a filter that keeps only clusters without spikes stops the replay with exit 1 after its summary', async () => {
    const silent = await phyFolder('silent-cluster', { tables: ['cluster_group.tsv'] });
    writeClusterInfo(silent, [
      ...CLUSTER_IDS.map((id, unit) => ({ id, ch: CHANNEL[unit], sh: SHANK[unit], ks: GROUPS[unit], group: GROUPS[unit] })),
      { id: 99, ch: 42, sh: 3, ks: 'good', group: 'good' },
    ]);
    const run = await runCli(['replay', silent, '--unit-filter', 'ch=42', '--labels', labels]);
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^synergy replay .*: 0 spikes of 0 units/);
    expect(lines[1]).toMatch(
      new RegExp(`^synergy: ${silent}: no spikes to analyze: no unit with spikes is selected \\(left out: \\d+ spikes of good clusters \\(not kept\\), \\d+ spikes of mua clusters \\(not kept\\), \\d+ spikes of noise clusters \\(not kept\\)\\)$`),
    );
  });

  it('an unreadable cluster table stops only a filter that needs the tables, and inspect notes it', async () => {
    const broken = await phyFolder('broken-link');
    symlinkSync(join(broken, 'nowhere.tsv'), join(broken, 'cluster_ContamPct.tsv'));
    const error = await openError(broken, { unitFilters: [{ column: 'ch', values: ['1'] }] });
    expect(error).toBeInstanceOf(InputFormatError);
    expect(error.message).toBe(`${join(broken, 'cluster_ContamPct.tsv')}: cannot be read (a broken link, or no permission)`);
    const byGroup = await PhyRecording.open(broken, { units: 'good' });
    expect((await byGroup.describe()).notes).toContain(`cluster tables cannot be read for --unit-filter: ${error.message}`);
    await byGroup.close();
  });

  it('a cluster table larger than the limit is refused, naming the file', async () => {
    const big = await phyFolder('big-table');
    // Every other table of the folder is under 120 bytes.
    writeFileSync(join(big, 'cluster_extra.tsv'), `cluster_id\tnote\n${'1\tx\n'.repeat(50)}`);
    await expect(readClusterColumns(big, undefined, 120)).rejects.toThrow(InputFormatError);
    await expect(readClusterColumns(big, undefined, 120)).rejects.toThrow(/cluster_extra\.tsv: has 216 bytes, more than a cluster table can hold \(120 bytes at most\)/);
    const columns = await readClusterColumns(big, undefined);
    expect(columns.columns).toContain('note');
  });
});
