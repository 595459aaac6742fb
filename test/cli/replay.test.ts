import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { spikeBatch, type SourceEvent } from '../../src/stream/events.ts';
import { runCli } from '../helpers/runCli.ts';
import { runCliHere } from '../helpers/runCliHere.ts';
import { sharedDir } from '../helpers/shared.ts';
import { referenceEmissions, type ReferenceOptions } from '../helpers/streamReference.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-replay-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
}

const parseUpdates = (text: string): SynergyUpdate[] =>
  text
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))
    .filter((line) => line.type === 'synergy');

/** A small recording: 4 units, XOR of units a and b codes the mode in 50 ms bins. */
function smallRecording(): { spikes: string; labels: string } {
  const rows = ['unit,t'];
  const labelRows = ['start,end,label'];
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let k = 0; k < 400; k++) {
    const t = k * 0.05;
    const a = random() < 0.5;
    const b = random() < 0.5;
    if (a) rows.push(`a,${(t + 0.01).toFixed(4)}`);
    if (b) rows.push(`b,${(t + 0.02).toFixed(4)}`);
    if (random() < 0.3) rows.push(`c,${(t + 0.03).toFixed(4)}`);
    if (random() < 0.3) rows.push(`d,${(t + 0.04).toFixed(4)}`);
    labelRows.push(`${t.toFixed(2)},${(t + 0.05).toFixed(2)},${a !== b ? 'go' : 'nogo'}`);
  }
  return { spikes: write('spikes.csv', `${rows.join('\n')}\n`), labels: write('labels.csv', `${labelRows.join('\n')}\n`) };
}

describe('synergy replay', () => {
  const { spikes, labels } = smallRecording();

  it('emits one update per hop and a summary line on stderr', async () => {
    const result = await runCli(['replay', spikes, '--labels', labels, '--bin', '0.05', '--window', '5', '--hop', '1', '--estimator', 'plugin']);
    expect(result.code).toBe(0);
    // First the run header (DESIGN §7): what made the lines that follow.
    expect(JSON.parse(result.stdout.split('\n')[0])).toMatchObject({
      type: 'run',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      command: 'replay',
      source: spikes,
      format: 'csv',
      seed: 0,
      options: { bin: 0.05, window: 5, hop: 1, estimator: 'plugin', levels: 3, surrogates: 99, lagStep: 'auto', lateness: 0.1, top: 100, labels, speed: 'max', maxTimeJump: 600, alertAlpha: 0.05 },
    });
    const updates = parseUpdates(result.stdout);
    expect(updates.map((u) => u.t)).toEqual([...Array(19).keys()].map((k) => k + 1));
    const last = updates.at(-1)!;
    expect(last.samples).toBe(100);
    expect([last.pairs[0].a, last.pairs[0].b].sort()).toEqual(['a', 'b']);
    const top = last.pairs[0];
    expect(top.synergy).toBeCloseTo(top.joint - top.ia - top.ib, 12);
    // The XOR of a and b is the mode, so the pair's joint information is all of H(Y).
    const counts = Object.values(last.labels);
    const entropy = -counts.reduce((h, n) => h + (n / last.samples) * Math.log2(n / last.samples), 0);
    expect(top.joint).toBeCloseTo(entropy, 9);
    // Alert lines, then the summary line.
    const lines = result.stderr.trim().split('\n');
    expect(lines.slice(0, -1).every((line) => /^\[(ALERT|clear)\] t=/.test(line)), result.stderr).toBe(true);
    expect(lines.at(-1)).toMatch(/spikes of 4 units; 400 bins of 0\.05 s \(400 labeled, 0 unlabeled\); 19 updates; dropped: 0 late/);
  });

  it('--out writes JSONL to a file; --surrogates sets the label lags; planted XOR is significant', async () => {
    const out = join(folder, 'updates.jsonl');
    // 19 lags 0.5 s apart: all in reach of the last window (10–15 s); the modes change every bin or so.
    const result = await runCli(['replay', spikes, '--labels', labels, '--bin', '0.05', '--window', '5', '--hop', '5', '--surrogates', '19', '--lag-step', '0.5', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const updates = parseUpdates(readFileSync(out, 'utf8'));
    const last = updates.at(-1)!;
    expect(last).toMatchObject({ surrogates: 19, effective_surrogates: 19, min_p: 0.05, alpha: 0.05 });
    expect([last.pairs[0].a, last.pairs[0].b].sort()).toEqual(['a', 'b']);
    expect(last.pairs[0]).toMatchObject({ p: 0.05, p_fwer: 0.05 });
    expect(last.pairs[0].excess).toBeGreaterThan(0.5);
    for (const pair of last.pairs) expect(pair.p).toBeGreaterThan(0);
  });

  it('a malformed row stops with file and line; --skip-bad counts it', async () => {
    const bad = write('bad.csv', 'unit,t\na,0.1\nb,abc\na,0.2\n');
    const failed = await runCli(['replay', bad, '--labels', labels]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/bad\.csv.*line 3/);
    const skipped = await runCli(['replay', bad, '--labels', labels, '--skip-bad']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/1 bad rows skipped/);
  });

  it('reports spikes later than the lateness and says the file is not sorted', async () => {
    const unsorted = write('unsorted.csv', 'unit,t\na,0.1\nb,2.5\na,0.5\nb,3.2\n');
    const result = await runCli(['replay', unsorted, '--labels', labels, '--lateness', '0.1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/1 late/);
    expect(result.stderr).toMatch(/not sorted by time/);
  });

  it('refuses options that do not fit together', async () => {
    const result = await runCli(['replay', spikes, '--labels', labels, '--bin', '0.03', '--window', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--window \(1 s\) must be a whole multiple of the bin/);
  });
});

const track = resolve(sharedDir, 'data/real/linear-track-place-cells');

describe.skipIf(!existsSync(join(track, 'spikes.csv')))('replaying the real linear-track recording', () => {
  it('every checked emission equals the batch library over the same bins', async () => {
    const options: ReferenceOptions = {
      binSeconds: 0.05,
      windowSeconds: 30,
      hopSeconds: 10,
      levels: 3,
      estimator: 'jackknife', // the default: the replay below names none
      latenessSeconds: 0.1,
      surrogates: 0,
      seed: 0,
    };
    const result = await runCli(
      ['replay', join(track, 'spikes.csv'), '--labels', join(track, 'labels_direction.csv'), '--bin', '0.05', '--window', '30', '--hop', '10', '--top', '10'],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    const updates = parseUpdates(result.stdout);
    expect(updates.length).toBeGreaterThan(100);
    // The same events, read independently, for the reference.
    const lines = readFileSync(join(track, 'spikes.csv'), 'utf8').trim().split('\n').slice(1);
    const t = lines.map((line) => Number(line.split(',')[1]));
    const unit = lines.map((line) => line.split(',')[0].trim());
    const events: SourceEvent[] = readFileSync(join(track, 'labels_direction.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [start, end, label] = line.split(',');
        return { kind: 'interval' as const, start: Number(start), end: Number(end), label: label.trim() };
      });
    for (let k = 0; k < t.length; k += 8192) events.push(spikeBatch(t.slice(k, k + 8192), unit.slice(k, k + 8192)));
    const reference = referenceEmissions(events, options);
    expect(updates.map((u) => u.t)).toEqual(reference.emissions.map((e) => e.t));
    let checkedPairs = 0;
    for (let n = 0; n < updates.length; n += Math.ceil(updates.length / 12)) {
      const update = updates[n];
      const expected = reference.emissions[n];
      expect(update.samples).toBe(expected.samples);
      expect(update.dropped.unlabeled).toBe(expected.unlabeled);
      for (const pair of update.pairs) {
        const want = expected.pair(pair.a, pair.b);
        for (const key of ['joint', 'ia', 'ib', 'synergy'] as const) {
          expect(Math.abs(pair[key] - want[key]), `${key} ${pair.a}-${pair.b} at ${update.t}`).toBeLessThan(1e-9);
        }
        checkedPairs++;
      }
      if (update.samples > 0) {
        const ranked = expected.ranked(update.units).slice(0, 10);
        expect(update.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(ranked.map((p) => `${p.a}-${p.b}`));
      }
    }
    expect(checkedPairs).toBeGreaterThan(50);
  });
});

describe.skipIf(!existsSync(join(track, 'labels_direction.csv')))('the real linear-track recording with its labels shifted by 500 s (a null)', () => {
  it('raises no pair alert over the whole recording at the default settings', async () => {
    // The direction intervals moved 500 s later, circularly over the recording (an interval across the end wraps).
    const rows = readFileSync(join(track, 'labels_direction.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const intervals = rows.map(([start, end, label]) => ({ start: Number(start), end: Number(end), label: label.trim() }));
    const first = intervals[0].start;
    const last = intervals.at(-1)!.end;
    const span = last - first;
    const shifted: string[] = [];
    for (const { start, end, label } of intervals) {
      const from = first + ((start - first + 500) % span);
      const to = from + (end - start);
      if (to <= last) shifted.push(`${from.toFixed(5)},${to.toFixed(5)},${label}`);
      else shifted.push(`${from.toFixed(5)},${last.toFixed(5)},${label}`, `${first.toFixed(5)},${(first + to - last).toFixed(5)},${label}`);
    }
    const labels = write('shifted-direction.csv', `start_s,end_s,label\n${shifted.join('\n')}\n`);
    const alertsOut = join(folder, 'shifted-alerts.jsonl');
    const result = await runCliHere(['replay', join(track, 'spikes.csv'), '--labels', labels, '--top', '5', '--out', join(folder, 'shifted-updates.jsonl'), '--alerts-out', alertsOut, '--quiet-alerts']);
    expect(result.code, result.stderr).toBe(0);
    const updates = parseUpdates(readFileSync(join(folder, 'shifted-updates.jsonl'), 'utf8'));
    // Most updates have all 99 lags in reach: the test had its chance.
    expect(updates.filter((update) => update.surrogates === 99).length).toBeGreaterThan(500);
    const pairAlerts = readFileSync(alertsOut, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((item) => item.type === 'alert' && (item.kind === 'synergy' || item.kind === 'redundancy'));
    expect(pairAlerts).toEqual([]);
  }, 120_000);
});
