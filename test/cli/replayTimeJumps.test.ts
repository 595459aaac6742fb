import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { spikeBatch, type SourceEvent } from '../../src/stream/events.ts';
import { parseUpdates } from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';
import { referenceEmissions, type ReferenceOptions } from '../helpers/streamReference.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-time-jumps-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
}

const ANALYSIS = ['--bin', '0.05', '--window', '10', '--hop', '5', '--estimator', 'plugin', '--quiet-alerts'];
const REFERENCE: ReferenceOptions = {
  binSeconds: 0.05,
  windowSeconds: 10,
  hopSeconds: 5,
  levels: 3,
  estimator: 'plugin',
  latenessSeconds: 0.1,
  surrogates: 0,
  seed: 0,
};

interface Block {
  spikes: Array<{ unit: string; t: number }>;
  labels: Array<{ start: number; end: number; label: string }>;
}

/** 100 s of spikes from `from` on: the XOR of units a and b codes the mode in 50 ms bins, c is noise. */
function block(from: number, seed: number): Block {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const spikes: Block['spikes'] = [];
  const labels: Block['labels'] = [];
  for (let k = 0; k < 2000; k++) {
    const t = from + k * 0.05;
    const a = random() < 0.5;
    const b = random() < 0.5;
    if (a) spikes.push({ unit: 'a', t: Number((t + 0.01).toFixed(4)) });
    if (b) spikes.push({ unit: 'b', t: Number((t + 0.02).toFixed(4)) });
    if (random() < 0.3) spikes.push({ unit: 'c', t: Number((t + 0.03).toFixed(4)) });
    labels.push({ start: Number(t.toFixed(2)), end: Number((t + 0.05).toFixed(2)), label: a !== b ? 'go' : 'nogo' });
  }
  return { spikes, labels };
}

const labelsCsv = (labels: Block['labels']) => `start,end,label\n${labels.map((l) => `${l.start},${l.end},${l.label}`).join('\n')}\n`;

/** Spikes as a file of the format, with `extra` rows inserted after row `at` (0-based among spike rows). */
function spikesFile(name: string, format: 'csv' | 'tsv' | 'jsonl', spikes: Block['spikes'], extra: Array<{ at: number; unit: string; t: string }> = []): string {
  const rows = spikes.map((s) => ({ unit: s.unit, t: String(s.t) }));
  for (const row of [...extra].sort((x, y) => y.at - x.at)) rows.splice(row.at, 0, row);
  const text =
    format === 'jsonl'
      ? rows.map((r) => `{"unit":"${r.unit}","t":${r.t}}`).join('\n')
      : [format === 'csv' ? 'unit,t' : 'unit\tt', ...rows.map((r) => (format === 'csv' ? `${r.unit},${r.t}` : `${r.unit}\t${r.t}`))].join('\n');
  return write(name, `${text}\n`);
}

describe('replay: outlier times', () => {
  const data = block(0, 12345);
  const labels = write('labels.csv', labelsCsv(data.labels));

  it('a row far after data in 0–100 s (CSV, TSV, JSONL) is left out as an outlier named by file and line; the updates are those without it', async () => {
    const runs = (['csv', 'tsv', 'jsonl'] as const).map(async (format, k) => {
      const at = 1500 + k;
      const outlierTime = ['1e7', '4e9', '1e7'][k];
      const clean = spikesFile(`clean.${format}`, format, data.spikes);
      const dirty = spikesFile(`outlier.${format}`, format, data.spikes, [{ at, unit: 'a', t: outlierTime }]);
      const [cleanRun, dirtyRun] = await Promise.all([
        runCli(['replay', clean, '--labels', labels, ...ANALYSIS], { timeoutMs: 120_000 }),
        runCli(['replay', dirty, '--labels', labels, ...ANALYSIS], { timeoutMs: 120_000 }),
      ]);
      expect(cleanRun.code, cleanRun.stderr).toBe(0);
      expect(dirtyRun.code, dirtyRun.stderr).toBe(0);
      const updates = parseUpdates(dirtyRun.stdout);
      expect(updates.map((u) => u.t)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95]);
      expect(updates).toEqual(parseUpdates(cleanRun.stdout));
      // The header is line 1 of CSV/TSV; JSONL has none.
      const line = at + (format === 'jsonl' ? 1 : 2);
      const stderr = dirtyRun.stderr.trimEnd().split('\n');
      expect(stderr).toHaveLength(2);
      expect(stderr[0]).toBe(
        `synergy replay: warning: ${dirty}, line ${line}: ${Number(outlierTime)} s lies more than the time jump limit (600 s) from the spikes around it; left out as an outlier`,
      );
      expect(stderr[1]).toMatch(/; 19 updates; dropped: 0 late, 0 with invalid time, 0 late labels, 0 bad rows skipped, 1 with outlier time/);
    });
    await Promise.all(runs);
  }, 300_000);

  it('times 1e300, NaN and -1 stop the replay with file and line; --skip-bad counts them instead', async () => {
    const cases = ['1e300', 'NaN', '-1'].map((bad, k) => ({ bad, file: spikesFile(`bad-${k}.csv`, 'csv', data.spikes.slice(0, 300), [{ at: 100, unit: 'b', t: bad }]) }));
    const results = await Promise.all(cases.map(({ file }) => runCli(['replay', file, '--labels', labels, ...ANALYSIS])));
    results.forEach((result, k) => {
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^synergy: ${cases[k].file}, line 102, column t: '${cases[k].bad}' is `));
      expect(lines[0]).not.toMatch(/Invalid typed array length/);
    });
    const skipped = await runCli(['replay', cases[0].file, '--labels', labels, '--skip-bad', ...ANALYSIS]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(/1 bad rows skipped/);
  });

  it('--max-time-jump must be at least --window', async () => {
    const result = await runCli(['replay', labels, '--labels', labels, ...ANALYSIS, '--max-time-jump', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-time-jump \(5 s\) must be at least --window \(10 s\)/);
  });
});

describe('replay: a real pause', () => {
  it('two blocks, 0–100 s and 5000–5100 s: two segments, a warning naming the pause, no update between, each segment equal to the batch over its bins', async () => {
    const first = block(0, 777);
    const second = block(5000, 4242);
    const spikes = spikesFile('paused.csv', 'csv', [...first.spikes, ...second.spikes]);
    const labels = write('paused-labels.csv', labelsCsv([...first.labels, ...second.labels]));
    const result = await runCli(['replay', spikes, '--labels', labels, ...ANALYSIS]);
    expect(result.code, result.stderr).toBe(0);
    const stderr = result.stderr.trimEnd().split('\n');
    expect(stderr).toHaveLength(2);
    const firstRowOfSecond = first.spikes.length + 2;
    expect(stderr[0]).toBe(
      `synergy replay: warning: the recording pauses from ${first.spikes.at(-1)!.t} s to ${second.spikes[0].t} s (${spikes}, line ${firstRowOfSecond}): a new segment starts there; no update covers the pause`,
    );
    expect(stderr[1]).toMatch(/; 2 segments \(the recording pauses once for more than --max-time-jump\)/);

    const updates = parseUpdates(result.stdout);
    expect(updates.filter((u) => u.t > 100 && u.t <= 5000)).toEqual([]);
    // Each segment against the batch library over its own bins; the second's labels start at its first spike.
    const segments: Array<[Block, SynergyUpdate[], number]> = [
      [first, updates.filter((u) => u.t <= 100), -Infinity],
      [second, updates.filter((u) => u.t > 5000), second.spikes[0].t],
    ];
    let pairsChecked = 0;
    for (const [data, got, labelsFrom] of segments) {
      const events: SourceEvent[] = data.labels
        .filter((l) => l.end > labelsFrom)
        .map((l) => ({ kind: 'interval' as const, start: Math.max(l.start, labelsFrom), end: l.end, label: l.label }));
      events.push(spikeBatch(data.spikes.map((s) => s.t), data.spikes.map((s) => s.unit)));
      const reference = referenceEmissions(events, REFERENCE);
      expect(got.map((u) => u.t)).toEqual(reference.emissions.map((e) => e.t));
      expect(got.length).toBe(19);
      got.forEach((update, n) => {
        expect(update.samples).toBe(reference.emissions[n].samples);
        for (const pair of update.pairs) {
          const want = reference.emissions[n].pair(pair.a, pair.b);
          for (const key of ['joint', 'ia', 'ib', 'synergy'] as const) expect(Math.abs(pair[key] - want[key])).toBeLessThan(1e-9);
          pairsChecked++;
        }
      });
    }
    expect(pairsChecked).toBeGreaterThan(100);
  });
});

describe('replay and inspect: overlapping label intervals', () => {
  it('name the lines that overlap on stderr, in the summary and in inspect', async () => {
    const data = block(0, 99);
    const spikes = spikesFile('overlap-spikes.csv', 'csv', data.spikes);
    const rows = data.labels.slice(0, 200);
    rows.splice(50, 0, { start: 2.475, end: 2.6, label: 'go' });
    const labels = write('overlap-labels.csv', labelsCsv(rows));
    const [replay, inspect] = await Promise.all([
      runCli(['replay', spikes, '--labels', labels, ...ANALYSIS]),
      runCli(['inspect', spikes, '--labels', labels]),
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    const stderr = replay.stderr.trimEnd().split('\n');
    expect(stderr).toHaveLength(2);
    // Line 52 holds [2.475, 2.6); it overlaps line 51 ([2.45, 2.5)), and lines 53–54 ([2.5, 2.55), [2.55, 2.6)) overlap it.
    expect(stderr[0]).toBe(
      `synergy replay: warning: ${labels}: 3 label intervals overlap another: line 52 (go [2.475, 2.6) s) overlaps line 51 (${rows[49].label} [2.45, 2.5) s), ` +
        `line 53 (${rows[51].label} [2.5, 2.55) s) overlaps line 52 (go [2.475, 2.6) s), line 54 (${rows[52].label} [2.55, 2.6) s) overlaps line 52 (go [2.475, 2.6) s); ` +
        'bins where two different labels meet are unlabeled',
    );
    expect(stderr[1]).toMatch(/; 3 overlapping label intervals \(line 52 overlaps line 51, line 53 overlaps line 52, line 54 overlaps line 52\)$/);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain(`  note         ${labels}: 3 label intervals overlap another: line 52 (go [2.475, 2.6) s) overlaps line 51`);
  });
});
