import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { hasShared } from '../helpers/shared.ts';
import {
  expandWeighted,
  giantBitColumns,
  loadExact,
  loadSmallSample,
  parityColumns,
  threeInputXorColumns,
} from '../helpers/testVectors.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-measure-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeCsv(name: string, header: string[], columns: number[][]): string {
  const rows = columns[0].map((_, i) => columns.map((column) => column[i]).join(','));
  const file = join(folder, name);
  writeFileSync(file, `${header.join(',')}\n${rows.join('\n')}\n`);
  return file;
}

async function measure(args: string[]): Promise<Record<string, any>> {
  const result = await runCli(['measure', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

const close = (actual: number, expected: number, tolerance: number, label: string) =>
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThan(tolerance);

describe.skipIf(!hasShared)('bin/synergy measure reproduces the test vectors', () => {
  const exact = hasShared ? loadExact() : { pairs: [], multivariate: [], three_input_xor: {} };
  const small = hasShared ? loadSmallSample() : undefined;

  it.each(exact.pairs.map((v) => [v.name, v] as const))('exact pair %s', async (name, vector) => {
    const file = writeCsv(`${name}.csv`, ['x1', 'x2', 'y'], expandWeighted(vector.samples));
    const report = await measure([file]);
    expect(report.estimator).toBe('plugin');
    expect(report.samples).toBe(vector.samples.reduce((n, s) => n + s.weight, 0));
    for (const [key, value] of Object.entries(vector.bits)) close(report[key], value, 1e-9, key);
    close(report.single.x1, vector.bits.ia, 1e-9, 'single.x1');
    for (const kind of ['imin', 'mmi'] as const) {
      for (const [key, value] of Object.entries(vector.pid[kind])) close(report.pid[kind][key], value, 1e-9, `${kind}.${key}`);
    }
    // Reported only above the floor (|X1||X2| − 1)(|Y| − 1) / (N ln 2): the 4-sample truth tables fall below it.
    const n = vector.samples.reduce((sum, s) => sum + s.weight, 0);
    const symbols = (key: 'x1' | 'x2' | 'y') => new Set(vector.samples.filter((s) => s.weight > 0).map((s) => s[key])).size;
    const floor = ((symbols('x1') * symbols('x2') - 1) * (symbols('y') - 1)) / (n * Math.LN2);
    close(report.normalized_floor, floor, 1e-12, 'normalized_floor');
    if (vector.bits.joint > floor) close(report.normalized, vector.bits.synergy / vector.bits.joint, 1e-9, 'normalized');
    else expect(report.normalized).toBeNull();
    const { lin, sig_sim, cor_ind, cor_dep } = report.breakdown;
    close(lin + sig_sim + cor_ind + cor_dep, vector.bits.joint, 1e-9, 'breakdown sum');
  });

  it.each(exact.multivariate.map((v) => [v.name, v] as const))('exact multivariate %s', async (name, vector) => {
    const columns = name.startsWith('parity') ? parityColumns(vector.n) : giantBitColumns(vector.n);
    const file = writeCsv(`${name}.csv`, columns.map((_, i) => `x${i + 1}`), columns);
    const report = await measure([file]);
    close(report.entropy, vector.H, 1e-9, 'H');
    for (const key of ['tc', 'dtc', 'oinfo', 'sinfo'] as const) close(report[key], vector[key], 1e-9, key);
  });

  it('exact three-input XOR', async () => {
    const file = writeCsv('xor3.csv', ['x1', 'x2', 'x3', 'y'], threeInputXorColumns());
    const report = await measure([file]);
    const expected = exact.three_input_xor;
    close(report.joint, expected.joint, 1e-9, 'joint');
    close(report.synergy, expected.rsi, 1e-9, 'rsi');
    close(report.single.x1 + report.single.x2 + report.single.x3, expected.sum_single, 1e-9, 'sum_single');
    close(report.oinfo, expected.oinfo_with_y, 1e-9, 'oinfo with y');
    close(report.oinfo_sources, expected.oinfo_sources, 1e-9, 'oinfo sources');
    close(report.doinfo_y, expected.doinfo_y, 1e-9, 'doinfo_y');
  });

  it.each(small ? Object.keys(small.values) : [])('small sample, estimator %s', async (estimator) => {
    const file = writeCsv('small.csv', ['x1', 'x2', 'y'], [small!.x1, small!.x2, small!.y]);
    const report = await measure([file, '--estimator', estimator, '--levels', '3']);
    expect(report.estimator).toBe(estimator);
    for (const [key, value] of Object.entries(small!.values[estimator])) {
      const actual = key === 'sum_single' ? report.ia + report.ib : report[key];
      close(actual, value, 1e-6, `${estimator} ${key}`);
    }
    if (estimator !== 'plugin') close(report.plugin.joint, small!.values.plugin.joint, 1e-6, 'plugin beside');
  });
});

describe('bin/synergy measure options', () => {
  const file = writeCsv('mode-first.csv', ['mode', 'a', 'b'], [
    [0, 1, 1, 0, 0, 1, 1, 0],
    [0, 0, 1, 1, 0, 0, 1, 1],
    [0, 1, 0, 1, 0, 1, 0, 1],
  ]);
  it('--target names the mode column; the others are sources', async () => {
    const report = await measure([file, '--target', 'mode']);
    expect(report.target).toBe('mode');
    expect(report.sources).toEqual(['a', 'b']);
    close(report.synergy, 1, 1e-12, 'xor synergy');
  });
  it('--target takes a 1-based position', async () => {
    const report = await measure([file, '--target', '1']);
    expect(report.target).toBe('mode');
  });
  it('shuffle is reproducible with --seed', async () => {
    const [first, second] = await Promise.all([
      measure([file, '--target', 'mode', '--estimator', 'shuffle', '--seed', '3']),
      measure([file, '--target', 'mode', '--estimator', 'shuffle', '--seed', '3']),
    ]);
    expect(first).toEqual(second);
    expect(first.seed).toBe(3);
  });
  it('--qe-split shuffled is pyentropy\'s split, seeded by --seed; contiguous is the default', async () => {
    const rows = 40;
    const trend = writeCsv('trend.csv', ['a', 'b', 'y'], [
      Array.from({ length: rows }, (_, i) => (i < rows / 2 ? i % 2 : Math.floor(i / 4) % 2)),
      Array.from({ length: rows }, (_, i) => Math.floor(i / 3) % 2),
      Array.from({ length: rows }, (_, i) => Math.floor(i / 4) % 2),
    ]);
    const [byDefault, contiguous, shuffled, again, otherSeed] = await Promise.all([
      measure([trend, '--estimator', 'qe']),
      measure([trend, '--estimator', 'qe', '--qe-split', 'contiguous']),
      measure([trend, '--estimator', 'qe', '--qe-split', 'shuffled', '--seed', '5']),
      measure([trend, '--estimator', 'qe', '--qe-split', 'shuffled', '--seed', '5']),
      measure([trend, '--estimator', 'qe', '--qe-split', 'shuffled', '--seed', '6']),
    ]);
    expect(byDefault).toEqual(contiguous);
    expect(contiguous.qe_split).toBe('contiguous');
    expect(shuffled.qe_split).toBe('shuffled');
    expect(shuffled.seed).toBe(5);
    expect(shuffled).toEqual(again);
    expect(shuffled.joint).not.toBe(contiguous.joint);
    expect(shuffled.joint).not.toBe(otherSeed.joint);
    const bad = await runCli(['measure', trend, '--estimator', 'qe', '--qe-split', 'random']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are contiguous, shuffled/);
  });
  it('the chi-squared screen says what it assumes', async () => {
    const report = await measure([file, '--target', 'mode']);
    expect(report.chi2.assumes).toBe('independent samples');
    expect(report.chi2.df).toBe(3);
    expect(report.chi2.p).toBeGreaterThan(0);
    expect(report.chi2.p).toBeLessThan(1);
  });
  it('--help documents every output field and estimator', async () => {
    const result = await runCli(['measure', '--help']);
    expect(result.code).toBe(0);
    for (const word of ['--target', '--estimator', '--seed', '--qe-split', '--levels', 'joint', 'synergy', 'normalized', 'coinfo', 'pid', 'breakdown', 'single', 'oinfo', 'tc', 'dtc', 'sinfo', 'doinfo_y', 'chi2', 'plugin', 'miller-madow', 'panzeri-treves', 'qe', 'shuffle', 'jackknife']) {
      expect(result.stdout).toContain(word);
    }
  });
});

describe('bin/synergy measure on bad input', () => {
  const cases: Array<[string, string, string[], RegExp]> = [
    ['missing column', 'x1,x2,y\n0,1,0\n1,0,1\n', ['--target', 'mode'], /no column 'mode'/],
    ['non-integer cell', 'x1,x2,y\n0,1,0\n1,0.5,1\n', [], /line 3, column x2: '0\.5' is not an integer/],
    ['ragged row', 'x1,x2,y\n0,1,0\n1,0\n0,0,1\n', [], /line 3: 2 cells, but the header names 3 columns/],
    ['empty file', '', [], /is empty/],
    ['header only', 'x1,x2,y\n', [], /no sample rows/],
    ['symbol outside --levels', 'x1,x2,y\n0,1,0\n3,0,1\n', ['--levels', '3'], /column x1: symbol 3 is outside 0\.\.2/],
  ];
  it.each(cases)('%s', async (name, content, args, message) => {
    const file = join(folder, `${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(file, content);
    const result = await runCli(['measure', file, ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(message);
  });
  it('a missing file', async () => {
    const result = await runCli(['measure', join(folder, 'absent.csv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/absent\.csv: no such file/);
  });
  it('an unknown estimator is a usage error', async () => {
    const file = writeCsv('ok.csv', ['a', 'y'], [[0, 1], [0, 1]]);
    const result = await runCli(['measure', file, '--estimator', 'nsb']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Allowed choices are plugin, miller-madow, panzeri-treves, qe, shuffle, jackknife/);
  });
});
