import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'npyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterGroupTable } from '../../adapters/phy/clusterGroupTable.ts';
import { parseKeptGroups } from '../../adapters/phy/keptGroups.ts';
import { parseSampleRate } from '../../adapters/phy/phyParams.ts';
import { PhyRecording } from '../../adapters/phy/phyRecording.ts';
import type { TimeRange } from '../../adapters/recording.ts';
import { NpyFile } from '../../adapters/files/npyFile.ts';
import { writePhyFolder, type PhyFolderOptions } from '../../simulators/writePhyFolder.ts';
import { expectSameReplayAsCsv, sampledSession, writeLabelsCsvFile, writeSpikesCsvFile, type SampledSession } from '../helpers/recordingFixtures.ts';
import { runCli, type CliResult } from '../helpers/runCli.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-phy-'));
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

/** The session's spikes of the units `keep` accepts within the range, named by cluster id: what a reader must yield. */
function expected(keep: (unitIndex: number) => boolean = () => true, range: TimeRange = {}): { t: number[]; id: string[] } {
  const t: number[] = [];
  const id: string[] = [];
  for (let i = 0; i < session.t.length; i++) {
    const time = session.t[i];
    if (!keep(session.unit[i]) || time < (range.start ?? -Infinity) || time >= (range.end ?? Infinity)) continue;
    t.push(time);
    id.push(String(CLUSTER_IDS[session.unit[i]]));
  }
  return { t, id };
}

/** The session's spikes of the units `keep` accepts, as a CSV reference with cluster ids as unit names. */
function referenceCsv(name: string, keep: (unitIndex: number) => boolean): { spikes: string; labels: string } {
  const { t, id } = expected(keep);
  return { spikes: writeSpikesCsvFile(join(folder, `${name}.csv`), t, id), labels };
}

async function collect(recording: PhyRecording, range?: TimeRange, batchSize?: number) {
  const t: number[] = [];
  const id: string[] = [];
  const sizes: number[] = [];
  const progress: number[] = [];
  for await (const batch of recording.spikes(range, batchSize)) {
    sizes.push(batch.t.length);
    progress.push(recording.progress());
    for (let i = 0; i < batch.t.length; i++) {
      t.push(batch.t[i]);
      id.push(batch.unitIds[batch.unit[i]]);
    }
  }
  return { t, id, sizes, progress, finalProgress: recording.progress() };
}

function spikesOfGroup(group: string): number {
  let count = 0;
  for (let i = 0; i < session.unit.length; i++) if (GROUPS[session.unit[i]] === group) count++;
  return count;
}

describe('PhyRecording replay', () => {
  it('replays a Kilosort 4 folder (int64 times, int32 clusters) exactly as the same spikes in CSV', async () => {
    const phy = await phyFolder('ks4');
    const reference = referenceCsv('all', () => true);
    const updates = await expectSameReplayAsCsv([phy, '--labels', labels], reference, ANALYSIS);
    expect(updates.map((u) => u.t)).toEqual(Array.from({ length: 19 }, (_, k) => 2 * (k + 1)));
    expect(new Set(updates.flatMap((u) => u.pairs.flatMap((p) => [p.a, p.b])))).toEqual(new Set(CLUSTER_IDS));
  });

  it('replays a Kilosort 2 folder (uint64 (n, 1) times, uint32 clusters, sample_rate = 3e4) the same way', async () => {
    const phy = await phyFolder('ks2', { timesDtype: 'uint64', clustersDtype: 'uint32', columnShape: true, sampleRateText: '3e4  # Hz' });
    await expectSameReplayAsCsv([phy, '--labels', labels], referenceCsv('all', () => true), ANALYSIS);
  });

  it('--units good replays only good clusters, and the summary counts the rest by group', async () => {
    const phy = await phyFolder('groups');
    const reference = referenceCsv('good', (unit) => GROUPS[unit] === 'good');
    await expectSameReplayAsCsv([phy, '--units', 'good', '--labels', labels], reference, ANALYSIS);
    const run = await runCli(['replay', phy, '--units', 'good', '--labels', labels, ...ANALYSIS]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${spikesOfGroup('mua')} spikes of mua clusters (not kept)`);
    expect(run.stderr).toContain(`${spikesOfGroup('noise')} spikes of noise clusters (not kept)`);
  });

  it('--start/--end replay the same span as the CSV, a spike exactly at --start included', async () => {
    const phy = await phyFolder('range');
    const start = String(session.t[Math.floor(session.t.length / 4)]);
    const range = ['--start', start, '--end', '31.5'];
    await expectSameReplayAsCsv([phy, '--labels', labels], referenceCsv('all', () => true), [...ANALYSIS, ...range]);
    const reference = referenceCsv('good-mua', (unit) => GROUPS[unit] !== 'noise');
    await expectSameReplayAsCsv([phy, '--units', 'good,mua', '--labels', labels], reference, [...ANALYSIS, ...range]);
  });
});

describe('PhyRecording reader', () => {
  it('yields the spikes in batches of batchSize, progress reaching 1, nothing dropped without --units', async () => {
    const recording = await PhyRecording.open(await phyFolder('batches'));
    expect(recording.progress()).toBe(0);
    const got = await collect(recording, {}, 100);
    const want = expected();
    expect(got.t).toEqual(want.t);
    expect(got.id).toEqual(want.id);
    expect(got.sizes.slice(0, -1).every((size) => size === 100)).toBe(true);
    expect(got.sizes.at(-1)).toBe(want.t.length - 100 * (got.sizes.length - 1));
    expect(got.finalProgress).toBe(1);
    expect(got.progress.every((p, k) => p > 0 && p <= 1 && (k === 0 || p >= got.progress[k - 1]))).toBe(true);
    expect(recording.readSummary()).toEqual({ dropped: {}, maxBackstepSeconds: 0 });
    expect(await recording.labels()).toEqual([]);
    await recording.close();
  });

  it('cuts a range by binary search, a spike exactly at the start included', async () => {
    const recording = await PhyRecording.open(await phyFolder('reader-range'), { units: 'good' });
    let first = 777;
    while (GROUPS[session.unit[first]] !== 'good') first++;
    const range = { start: session.t[first], end: 23.456 };
    const got = await collect(recording, range);
    const want = expected((unit) => GROUPS[unit] === 'good', range);
    expect(got.t).toEqual(want.t);
    expect(got.id).toEqual(want.id);
    expect(got.t[0]).toBe(session.t[first]);
    expect(got.finalProgress).toBe(1);
    const inRange = (group: string) => {
      let count = 0;
      for (let i = 0; i < session.t.length; i++) if (GROUPS[session.unit[i]] === group && session.t[i] >= range.start && session.t[i] < range.end) count++;
      return count;
    };
    expect(recording.readSummary().dropped).toEqual({
      'spikes of mua clusters (not kept)': inRange('mua'),
      'spikes of noise clusters (not kept)': inRange('noise'),
    });
    // A range past the last spike yields nothing and is done.
    expect((await collect(recording, { start: 50, end: 60 })).t).toEqual([]);
    expect(recording.progress()).toBe(1);
    await recording.close();
  });

  it('passes unsorted spike times on in file order and reports how far back they go, ranges included', async () => {
    const path = await phyFolder('unsorted');
    // Move spike 500 to just after spike 1500: it then lies t[1500] − t[500] before the latest spike read.
    const order = Array.from(session.samples.keys());
    order.splice(1500, 0, ...order.splice(500, 1));
    writeFileSync(join(path, 'spike_times.npy'), Buffer.from(dump(BigInt64Array.from(order, (k) => BigInt(session.samples[k])))));
    writeFileSync(join(path, 'spike_clusters.npy'), Buffer.from(dump(Int32Array.from(order, (k) => CLUSTER_IDS[session.unit[k]]))));
    const recording = await PhyRecording.open(path);
    const got = await collect(recording);
    expect(got.t).toEqual(order.map((k) => session.t[k]));
    expect(recording.readSummary().maxBackstepSeconds).toBeCloseTo(session.t[1500] - session.t[500], 12);
    const range = { start: session.t[499], end: session.t[1200] };
    const ranged = await collect(recording, range);
    expect(ranged.t).toEqual(order.map((k) => session.t[k]).filter((t) => t >= range.start && t < range.end));
    const description = await recording.describe();
    expect(description.notes.join('\n')).toMatch(/spike_times\.npy is not sorted .* up to \d+\.\d{3} s/);
    await recording.close();
  });

  it('leaves out spikes whose sample number puts them beyond 2^32 s, counted and named with their index', async () => {
    const phy = await phyFolder('huge-sample');
    const samples = BigInt64Array.from(session.samples, (sample, k) => (k === 500 ? 2n ** 50n : BigInt(sample)));
    writeFileSync(join(phy, 'spike_times.npy'), Buffer.from(dump(samples)));
    const recording = await PhyRecording.open(phy);
    try {
      const { t } = await collect(recording);
      expect(t).toEqual(expected().t.filter((_, k) => k !== 500));
      const summary = recording.readSummary();
      expect(summary.dropped).toEqual({ 'spikes with a time beyond 2^32 s': 1 });
      expect(summary.droppedExamples).toEqual([
        `${join(phy, 'spike_times.npy')}, index 500 (cluster ${CLUSTER_IDS[session.unit[500]]}): time ${2 ** 50 / 30000} s is beyond 2^32 s (4294967296 s, about 136 years); left out`,
      ]);
    } finally {
      await recording.close();
    }
  });

  it('falls back to spike_templates.npy when spike_clusters.npy is absent, and says so', async () => {
    const recording = await PhyRecording.open(await phyFolder('templates-only', { spikeClusters: false }));
    const got = await collect(recording);
    expect(got.id).toEqual(expected().id);
    expect((await recording.describe()).notes).toContain(
      "spike_clusters.npy absent: using spike_templates.npy (Kilosort's template of each spike, before any curation in Phy)",
    );
    await recording.close();
  });

  it('takes groups from cluster_KSLabel.tsv or cluster_info.tsv when cluster_group.tsv is absent', async () => {
    for (const table of ['cluster_KSLabel.tsv', 'cluster_info.tsv'] as const) {
      const recording = await PhyRecording.open(await phyFolder(`only-${table}`, { tables: [table] }), { units: 'good,noise' });
      const got = await collect(recording);
      expect(got.id).toEqual(expected((unit) => GROUPS[unit] !== 'mua').id);
      expect(recording.readSummary().dropped).toEqual({ 'spikes of mua clusters (not kept)': spikesOfGroup('mua') });
      const description = await recording.describe();
      expect(description.notes.some((note) => note.startsWith(`cluster groups from ${table} (column ${table === 'cluster_info.tsv' ? 'group' : 'KSLabel'})`))).toBe(true);
      expect(description.units.map((unit) => [unit.id, unit.group])).toEqual(
        [...new Set(expected((unit) => GROUPS[unit] !== 'mua').id)].map((id) => [id, GROUPS[CLUSTER_IDS.indexOf(Number(id))]]),
      );
      await recording.close();
    }
  });

  it('counts clusters no table lists as unsorted, and refuses --units good when there is no table at all', async () => {
    const partial = await phyFolder('partial', { tables: ['cluster_group.tsv'] });
    // Cluster 40 (unit 3) and 2 (unit 5) not listed.
    writeFileSync(join(partial, 'cluster_group.tsv'), 'cluster_id\tgroup\n3\tgood\n17\tgood\n5\tmua\n8\tgood\n');
    const recording = await PhyRecording.open(partial, { units: 'unsorted' });
    expect((await collect(recording)).id).toEqual(expected((unit) => unit === 3 || unit === 5).id);
    expect((await recording.describe()).notes).toContain("2 clusters with spikes not listed in cluster_group.tsv: counted as unsorted (Phy's default)");
    await recording.close();

    const bare = await phyFolder('no-table', { tables: [] });
    await expect(PhyRecording.open(bare, { units: 'good' })).rejects.toThrow(/no cluster group table .* every cluster is unsorted/);
    const all = await PhyRecording.open(bare, { units: 'unsorted' });
    expect((await collect(all)).t).toEqual(expected().t);
    expect((await all.describe()).units.every((unit) => unit.group === 'unsorted')).toBe(true);
    await all.close();
  });
});

describe('params.py, cluster tables and --units, read by pattern', () => {
  it('reads sample_rate written as Python writes numbers, never executing the file', () => {
    const variants: Array<[string, number]> = [
      ['sample_rate = 30000.0\n', 30000],
      ['sample_rate = 30000.\n', 30000],
      ['sample_rate=3e4', 30000],
      ['sample_rate   =   30_000   # Hz\r\n', 30000],
      ["dat_path = 'a.dat'\nsample_rate = 25000  # comment\nhp_filtered = False\n", 25000],
      ['sample_rate = float(20000)\n', 20000],
      ['sample_rate = np.float64(30000.0)\n', 30000],
      ['# sample_rate = 1\nsample_rate = 19531.25\n', 19531.25],
      ['sample_rate = 1000\nsample_rate = 2000\n', 2000],
      ['sample_rate = 30000; dtype = "int16"\n', 30000],
    ];
    for (const [text, rate] of variants) expect(parseSampleRate(text, 'params.py'), text).toBe(rate);
    expect(() => parseSampleRate("dat_path = 'x'\n", 'p/params.py')).toThrow(/^p\/params\.py: the sample rate is missing/);
    expect(() => parseSampleRate('sample_rate = 3 * 10000\n', 'params.py')).toThrow(/params\.py, line 1: sample_rate = '3 \* 10000' is not a plain number; params\.py is read by pattern, never executed/);
    expect(() => parseSampleRate('x = 1\nsample_rate = __import__("os")\n', 'params.py')).toThrow(/line 2: .* is not a plain number/);
    expect(() => parseSampleRate('sample_rate = 0\n', 'params.py')).toThrow(/sample_rate 0 Hz is not a plausible spike clock/);
    expect(() => parseSampleRate('sample_rate = -30000\n', 'params.py')).toThrow(/sample_rate -30000 Hz is not a plausible spike clock/);
    expect(() => parseSampleRate('sample_rate == 3\n', 'params.py')).toThrow(/missing/);
  });

  it('reads only top-level sample_rate lines: not indented ones, nor any inside a docstring, brackets or a continued line', () => {
    const variants: Array<[string, number]> = [
      ['if hp_filtered:\n    sample_rate = 15000.\nsample_rate = 30000.\n', 30000],
      ['sample_rate = 30000.\nif False:\n    sample_rate = 15000.\n', 30000],
      ['"""Written by hand.\nsample_rate = 15000.\n"""\nsample_rate = 30000.\n', 30000],
      ["sample_rate = 30000.\nnotes = '''\nsample_rate = 15000\n'''\n", 30000],
      ['sample_rate = 30000.\nextra = dict(\nsample_rate=15000)\n', 30000],
      ['sample_rate = 30000.\nx = 1 + \\\nsample_rate\n', 30000],
      ['quote = "a \\" \'\'\' b"\nsample_rate = 30000\n', 30000],
      ['def f():\n    """\n    sample_rate = 15000\n    """\n    sample_rate = 15000\nsample_rate = 25000\n', 25000],
    ];
    for (const [text, rate] of variants) expect(parseSampleRate(text, 'params.py'), text).toBe(rate);
    expect(() => parseSampleRate('if True:\n    sample_rate = 30000\n', 'params.py')).toThrow(/missing: expected a top-level line/);
  });

  it('refuses a sample rate that is not a plausible spike clock, naming params.py and the line', () => {
    expect(() => parseSampleRate("dat_path = 'a.dat'\nsample_rate = 1e-300\n", 'k/params.py')).toThrow(
      'k/params.py, line 2: sample_rate 1e-300 Hz is not a plausible spike clock: expected 1 kHz – 1 GHz, e.g. 30000',
    );
    expect(() => parseSampleRate('sample_rate = 1\n', 'params.py')).toThrow(/1 Hz is not a plausible spike clock/);
    expect(() => parseSampleRate('sample_rate = 1e12\n', 'params.py')).toThrow(/1000000000000 Hz is not a plausible spike clock/);
    expect(parseSampleRate('sample_rate = 1e9\n', 'params.py')).toBe(1e9);
    expect(parseSampleRate('sample_rate = 1000\n', 'params.py')).toBe(1000);
  });

  it('reads cluster tables tab- or comma-separated, with an empty group as unsorted', () => {
    const tab = parseClusterGroupTable('\uFEFFcluster_id\tgroup\r\n0\tgood\r\n12\t\r\n7\tMUA\r\n\r\n', 'cluster_group.tsv', 'group');
    expect([...tab!.groupOf]).toEqual([
      [0, 'good'],
      [12, 'unsorted'],
      [7, 'mua'],
    ]);
    expect([...parseClusterGroupTable('cluster_id,group\n4,noise\n', 'cluster_groups.csv', 'group')!.groupOf]).toEqual([[4, 'noise']]);
    expect([...parseClusterGroupTable('id\tamp\tgroup\n9\t3.5\tgood\n', 'cluster_info.tsv', 'group')!.groupOf]).toEqual([[9, 'good']]);
    expect(parseClusterGroupTable('cluster_id\tamp\n9\t3.5\n', 'cluster_info.tsv', 'group')).toBeUndefined();
    expect(() => parseClusterGroupTable('cluster\tgroup\n1\tgood\n', 'cg.tsv', 'group')).toThrow(
      "cg.tsv, line 1: the header has 'cluster' and 'group' but no 'cluster_id' column: expected columns 'cluster_id' and 'group' (tab-separated)",
    );
    expect(() => parseClusterGroupTable('cluster_id\tgroup\n1\tgood\nx\tmua\n', 'cg.tsv', 'group')).toThrow(/^cg\.tsv, line 3: cluster_id 'x' is not a cluster id/);
    expect(() => parseClusterGroupTable('cluster_id\tgroup\n1\n', 'cg.tsv', 'group')).toThrow(/^cg\.tsv, line 2: has 1 cell, the header 2/);
  });

  it('--units takes all, Phy groups and groups the table uses; anything else is a usage error listing the groups found', () => {
    const table = parseClusterGroupTable('cluster_id\tgroup\n1\tgood\n2\tmua\n3\tartifact\n', 'cluster_group.tsv', 'group');
    expect(parseKeptGroups(undefined, table)).toBeUndefined();
    expect(parseKeptGroups('all', table)).toBeUndefined();
    expect(parseKeptGroups(' Good , mua ', table)).toEqual(new Set(['good', 'mua']));
    expect(parseKeptGroups('artifact,noise', table)).toEqual(new Set(['artifact', 'noise']));
    expect(() => parseKeptGroups('gud', table)).toThrow("--units: unknown cluster group 'gud': the groups in cluster_group.tsv are artifact, good, mua; Phy's groups are good, mua, noise, unsorted (or 'all')");
    expect(() => parseKeptGroups(',', table)).toThrow(/--units takes 'all' or cluster groups/);
    expect(() => parseKeptGroups('all,good', table)).toThrow(/cannot be combined/);
  });
});

describe('Phy folders that are incomplete or corrupt', () => {
  it('stop with exit 1 and one line naming the file and what is wrong', async () => {
    const good = await phyFolder('pristine');
    const spikes = session.t.length;
    const variant = (name: string, change: (path: string) => void): string => {
      const path = join(folder, name);
      cpSync(good, path, { recursive: true });
      change(path);
      return path;
    };
    const cases: Array<{ path: string; args?: string[]; file: string; error: RegExp; code?: number; command?: string }> = [];
    const add = (name: string, change: (path: string) => void, file: string, error: RegExp, extra: { args?: string[]; code?: number; command?: string } = {}) => {
      const path = variant(name, change);
      cases.push({ path, file: file === '' ? path : join(path, file), error, ...extra });
    };
    add('no-times', (p) => unlinkSync(join(p, 'spike_times.npy')), '', /no spike_times\.npy in this folder/);
    add('no-clusters', (p) => ['spike_clusters.npy', 'spike_templates.npy'].forEach((f) => unlinkSync(join(p, f))), '', /neither spike_clusters\.npy nor spike_templates\.npy/);
    add('no-params', (p) => unlinkSync(join(p, 'params.py')), 'params.py', /missing: .*sample rate/);
    add('no-rate', (p) => writeFileSync(join(p, 'params.py'), "dat_path = 'x.dat'\n"), 'params.py', /the sample rate is missing/);
    add('rate-expression', (p) => writeFileSync(join(p, 'params.py'), 'sample_rate = 3 * 10000\n'), 'params.py, line 1', /is not a plain number/);
    add('rate-1e-300', (p) => writeFileSync(join(p, 'params.py'), 'sample_rate = 1e-300\n'), 'params.py, line 1', /sample_rate 1e-300 Hz is not a plausible spike clock: expected 1 kHz – 1 GHz, e.g\. 30000/);
    add('rate-indented-only', (p) => writeFileSync(join(p, 'params.py'), 'if True:\n    sample_rate = 30000.\n'), 'params.py', /the sample rate is missing: expected a top-level line/);
    add('short-clusters', (p) => writeFileSync(join(p, 'spike_clusters.npy'), Buffer.from(dump(new Int32Array(spikes - 1)))), 'spike_clusters.npy', new RegExp(`holds ${spikes - 1} values, spike_times\\.npy ${spikes}`));
    add('bad-magic', (p) => writeFileSync(join(p, 'spike_times.npy'), 'unit,t\n3,0.5\n'), 'spike_times.npy', /not a NumPy \.npy file \(bad magic at byte 0/);
    add('cut-header', (p) => truncateSync(join(p, 'spike_times.npy'), 40), 'spike_times.npy', /truncated \.npy header/);
    add('cut-data', (p) => truncateSync(join(p, 'spike_times.npy'), 128 + 8 * 1000), 'spike_times.npy', /truncated: the header says \d+ values of 8 bytes/);
    add('cut-value', (p) => truncateSync(join(p, 'spike_times.npy'), 128 + 8 * 1000 + 3), 'spike_times.npy', /truncated: .* the file holds 8003/);
    add('cut-clusters', (p) => truncateSync(join(p, 'spike_clusters.npy'), 128 + 4 * 10 + 1), 'spike_clusters.npy', /truncated/);
    add('negative', (p) => writeFileSync(join(p, 'spike_times.npy'), Buffer.from(dump(BigInt64Array.from(session.samples, (s, k) => (k === 1234 ? -5n : BigInt(s)))))), 'spike_times.npy', /value -5 at index 1234 is negative: expected sample numbers/);
    add('float-clusters', (p) => writeFileSync(join(p, 'spike_clusters.npy'), Buffer.from(dump(Float64Array.from(session.unit, (u, k) => (k === 99 ? 1.5 : u))))), 'spike_clusters.npy', /value 1\.5 at index 99 is not a whole number: expected cluster ids/);
    add('table-columns', (p) => writeFileSync(join(p, 'cluster_group.tsv'), 'id_of_cluster\tgroup\n3\tgood\n'), 'cluster_group.tsv, line 1', /no 'cluster_id' column: expected columns 'cluster_id' and 'group'/);
    add('table-row', (p) => writeFileSync(join(p, 'cluster_group.tsv'), 'cluster_id\tgroup\n3\tgood\n17\tgood\nfive\tmua\n'), 'cluster_group.tsv, line 4', /cluster_id 'five' is not a cluster id/);
    add('inspect-cut', (p) => truncateSync(join(p, 'spike_clusters.npy'), 1000), 'spike_clusters.npy', /truncated/, { command: 'inspect' });
    add('unknown-group', () => undefined, '', /--units: unknown cluster group 'gud': the groups in cluster_group\.tsv are good, mua, noise/, { args: ['--units', 'gud'], code: 2 });
    const file = join(good, 'params.py');
    // In this process (the same main, no process start each: 18 processes at once took half a minute on a loaded
    // machine); the last case as a process, for the exit code and stderr a user sees.
    const results: CliResult[] = [];
    for (const c of cases) results.push(await runCliHere(c.command === 'inspect' ? ['inspect', c.path] : ['replay', c.path, ...(c.args ?? []), ...ANALYSIS]));
    results.push(await runCli(['replay', file, '--format', 'phy']));
    cases.push({ path: file, file, error: /is a file: a Phy\/Kilosort recording is the output folder/ });
    cases.forEach((c, k) => {
      const { code, stderr } = results[k];
      const context = `${c.path}: ${stderr}`;
      expect(code, context).toBe(c.code ?? 1);
      expect(stderr.trimEnd().split('\n'), context).toHaveLength(1);
      expect(stderr, context).not.toContain('\n    at ');
      if (c.code === 2) expect(stderr, context).toMatch(c.error);
      else expect(stderr.startsWith(`synergy: ${c.file}: `), context).toBe(true);
      expect(stderr, context).toMatch(c.error);
    });
  });
});

describe('synergy inspect on a Phy folder', () => {
  it('shows the sample rate, units with their spike counts and groups, the group table and what --units leaves out', async () => {
    const phy = await phyFolder('inspect');
    const written = { spikes: session.t.length, perUnit: CLUSTER_IDS.map((_, unit) => session.unit.filter((u) => u === unit).length) };
    const [text, json] = await Promise.all([runCli(['inspect', phy, '--units', 'good', '--labels', labels]), runCli(['inspect', phy, '--json'])]);
    expect(json.code, json.stderr).toBe(0);
    const description = JSON.parse(json.stdout);
    expect(description.format).toBe('phy');
    expect(description.sampleRate).toBe(30000);
    expect(description.firstSpike).toBe(session.t[0]);
    expect(description.lastSpike).toBe(session.t[session.t.length - 1]);
    expect(description.labelSources).toEqual([]);
    const byId = new Map(description.units.map((unit: { id: string }) => [unit.id, unit]));
    expect(byId.size).toBe(6);
    CLUSTER_IDS.forEach((id, unit) => expect(byId.get(String(id))).toEqual({ id: String(id), spikes: written.perUnit[unit], group: GROUPS[unit] }));
    expect(description.notes).toContain('cluster groups from cluster_group.tsv (column group); clusters with spikes: good 3, mua 2, noise 1');

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('format       phy, 30000 samples/s');
    const goodSpikes = written.perUnit.filter((_, unit) => GROUPS[unit] === 'good').reduce((a, b) => a + b, 0);
    expect(text.stdout).toMatch(new RegExp(`spikes {7}${goodSpikes} from`));
    expect(text.stdout).toContain('units        3\n');
    for (const unit of [0, 1, 4]) expect(text.stdout).toMatch(new RegExp(`\\n {4}${CLUSTER_IDS[unit]} +${written.perUnit[unit]} spikes  \\(group good\\)`));
    expect(text.stdout).not.toMatch(/group mua\)|group noise\)/);
    expect(text.stdout).toContain(`--units good: left out ${spikesOfGroup('mua')} spikes of mua clusters (not kept), ${spikesOfGroup('noise')} spikes of noise clusters (not kept)`);
    expect(text.stdout).toContain(`modes from   ${labels}`);
    for (const label of new Set(session.labels.map((l) => l.label))) expect(text.stdout).toContain(`    ${label}`);
  });
});

describe('writePhyFolder', () => {
  it('writes .npy files NumPy reads: 128-byte headers, the dtypes and shapes asked for, the session in order', async () => {
    const path = await phyFolder('writer', { timesDtype: 'uint64', clustersDtype: 'int64', columnShape: true, bufferBytes: 64 });
    const times = await NpyFile.open(join(path, 'spike_times.npy'));
    const clusters = await NpyFile.open(join(path, 'spike_clusters.npy'));
    expect([times.dtype, times.shape]).toEqual(['u8', [session.t.length, 1]]);
    expect([clusters.dtype, clusters.shape]).toEqual(['i8', [session.t.length, 1]]);
    expect(Array.from(await times.readAllNumbers())).toEqual(Array.from(session.samples));
    expect(Array.from(await clusters.readAllNumbers())).toEqual(Array.from(session.unit, (u) => CLUSTER_IDS[u]));
    await Promise.all([times.close(), clusters.close()]);
    const header = readFileSync(join(path, 'spike_times.npy')).subarray(0, 128).toString('latin1');
    expect(header).toMatch(new RegExp(`^\\x93NUMPY\\x01\\x00\\x76\\x00\\{'descr': '<u8', 'fortran_order': False, 'shape': \\(${session.t.length}, 1\\), \\} +\\n$`));
    expect(readFileSync(join(path, 'cluster_group.tsv'), 'utf8')).toBe(
      `cluster_id\tgroup\n${CLUSTER_IDS.map((id, unit) => [id, GROUPS[unit]] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([id, group]) => `${id}\t${group}\n`)
        .join('')}`,
    );
    expect(readFileSync(join(path, 'params.py'), 'utf8')).toContain('\nsample_rate = 30000.0\n');
  });
});
