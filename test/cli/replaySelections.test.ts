import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertLine, type AlertEvent } from '../../src/alerts/alertEvent.ts';
import { writeNwb } from '../../simulators/writeNwb.ts';
import { writePhyFolder } from '../../simulators/writePhyFolder.ts';
import { sampledSession, writeSessionCsv, type SampledSession } from '../helpers/recordingFixtures.ts';
import { runCli, type CliResult } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-replay-selections-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
}

/**
 * 20 s of 4 units in 50 ms steps, the mode the XOR of units a and b (a
 * strongly synergistic pair), spikes from 0.01 s to 19.99 s; `labelRow`
 * writes each step's mode interval.
 */
function xorRecording(name: string, labelRow: (start: number, label: string) => string | undefined = (start, label) => `${start.toFixed(2)},${(start + 0.05).toFixed(2)},${label}`) {
  const rows = ['unit,t'];
  const labelRows = ['start,end,label'];
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 0; k < 400; k++) {
    const t = k * 0.05;
    const a = random() < 0.5;
    const b = random() < 0.5;
    if (a) rows.push(`a,${(t + 0.01).toFixed(4)}`);
    if (b) rows.push(`b,${(t + 0.02).toFixed(4)}`);
    if (random() < 0.3) rows.push(`c,${(t + 0.03).toFixed(4)}`);
    if (random() < 0.3 || k === 399) rows.push(`d,${(t + 0.04).toFixed(4)}`);
    const row = labelRow(t, a !== b ? 'go' : 'nogo');
    if (row !== undefined) labelRows.push(row);
  }
  rows.splice(1, 0, 'c,0.0100');
  return { spikes: write(`${name}-spikes.csv`, `${rows.join('\n')}\n`), labels: write(`${name}-labels.csv`, `${labelRows.join('\n')}\n`) };
}

/** Expects the summary line first, then one error line; returns the error line. */
function expectSummaryThenError(result: CliResult): string {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^synergy replay /);
  expect(lines[0]).not.toContain('give --labels');
  expect(lines[1]).toMatch(/^synergy: /);
  return lines[1];
}

describe('replay selections that leave nothing to measure exit 1 and say why', () => {
  const { spikes, labels } = xorRecording('xor');

  it('--start past the last spike names the range and the recording’s span (CSV)', async () => {
    const result = await runCli(['replay', spikes, '--labels', labels, '--start', '6000']);
    expect(expectSummaryThenError(result)).toBe(`synergy: ${spikes}: no spikes in --start 6000: the recording's spikes span 0.0–20.0 s`);
  });

  it('modes that do not overlap the spikes name both spans', async () => {
    const shifted = write('shifted-labels.csv', readFileSync(labels, 'utf8').replace(/^(\d+\.\d+),(\d+\.\d+),/gm, (_, start, end) => `${Number(start) + 5000},${Number(end) + 5000},`));
    const result = await runCli(['replay', spikes, '--labels', shifted]);
    expect(expectSummaryThenError(result)).toBe(
      `synergy: ${spikes}: no mode interval overlaps the spikes: the modes (${shifted}) span 5000.0–5020.0 s, the spikes 0.0–20.0 s (are both on the same clock?)`,
    );
  });

  it('modes outside --start/--end, and modes too short for a bin, are named as such', async () => {
    const late = write('late-labels.csv', 'start,end,label\n12,16,go\n16,19,nogo\n');
    const outside = await runCli(['replay', spikes, '--labels', late, '--start', '2', '--end', '8']);
    expect(expectSummaryThenError(outside)).toBe(`synergy: ${spikes}: no mode interval (${late}) lies in --start 2 --end 8: the modes span 12.0–19.0 s`);
    const short = xorRecording('short', (start, label) => (Math.round(start / 0.05) % 4 === 0 ? `${start.toFixed(2)},${(start + 0.05).toFixed(2)},${label}` : undefined));
    const tooShort = await runCli(['replay', short.spikes, '--labels', short.labels, '--bin', '0.1', '--window', '2', '--hop', '1']);
    expect(expectSummaryThenError(tooShort)).toBe(
      `synergy: ${short.spikes}: no bin of 0.1 s lies wholly within a mode interval (${short.labels}): those that overlap the spikes last at most 0.0500 s; use a shorter --bin`,
    );
  });

  it('without modes the replay still ends with exit 0 and says to give them', async () => {
    const result = await runCli(['replay', spikes]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('no modes (give --labels');
  });
});

describe('empty time ranges in binary formats (read by binary search)', () => {
  let session: SampledSession;
  let span: string;
  beforeAll(() => {
    session = sampledSession({ seconds: 20 });
    span = `${session.t[0].toFixed(1)}–${session.t[session.t.length - 1].toFixed(1)} s`;
  });

  it('NWB: --start/--end beyond the spikes; modes from the file that miss the spikes', async () => {
    const nwb = join(folder, 'range.nwb');
    await writeNwb(nwb, session.write, { trials: { rows: [{ start: 500, end: 600 }], columns: { condition: ['late'] } } });
    const result = await runCli(['replay', nwb, '--label-column', 'condition', '--start', '100', '--end', '200'], { timeoutMs: 120_000 });
    expect(expectSummaryThenError(result)).toBe(`synergy: ${nwb}: no spikes in --start 100 --end 200: the recording's spikes span ${span}`);
    const outside = await runCli(['replay', nwb, '--label-column', 'condition', '--start', '1', '--end', '5'], { timeoutMs: 120_000 });
    expect(expectSummaryThenError(outside)).toBe(`synergy: ${nwb}: no mode interval (--label-column condition) lies in --start 1 --end 5: the modes span 500.0–600.0 s`);
    const missing = await runCli(['replay', nwb, '--label-column', 'condition'], { timeoutMs: 120_000 });
    expect(expectSummaryThenError(missing)).toBe(
      `synergy: ${nwb}: no mode interval overlaps the spikes: the modes (--label-column condition) span 500.0–600.0 s, the spikes ${span} (are both on the same clock?)`,
    );
  });

  it('Phy: --start past the last spike', async () => {
    const phy = join(folder, 'phy');
    await writePhyFolder(phy, session.write);
    const { labels } = writeSessionCsv(folder, session);
    const result = await runCli(['replay', phy, '--labels', labels, '--start', '6000'], { timeoutMs: 120_000 });
    expect(expectSummaryThenError(result)).toBe(`synergy: ${phy}: no spikes in --start 6000: the recording's spikes span ${span}`);
  });
});

describe('alerts in replay', () => {
  const { spikes, labels } = xorRecording('alerts');
  // Lags 0.5 s apart: the 20 s recording reaches enough of them for a family-wise p of 0.05 and below.
  const args = [spikes, '--labels', labels, '--bin', '0.05', '--window', '5', '--hop', '1', '--estimator', 'plugin', '--lag-step', '0.5'];

  it('are printed on stderr one line each, as the live commands print them, and --quiet-alerts silences them', async () => {
    const alertsOut = join(folder, 'alerts.jsonl');
    const [loud, quiet] = await Promise.all([runCli(['replay', ...args, '--alerts-out', alertsOut]), runCli(['replay', ...args, '--quiet-alerts'])]);
    expect(loud.code, loud.stderr).toBe(0);
    const alerts = readFileSync(alertsOut, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AlertEvent).filter((line) => line.type === 'alert');
    expect(alerts.length).toBeGreaterThan(0);
    const lines = loud.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(alerts.map(alertLine));
    expect(lines.at(-1)).toMatch(/^synergy replay .*; alerts: 1 synergy$/);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr.trimEnd().split('\n')).toEqual([lines.at(-1)]);
  });
});
