/**
 * `synergy replay --groups/--group-by/--subnetworks` end to end: real files,
 * the command line, the JSONL it writes (docs/MEASURES.md, "Groups").
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGroupPopulation } from '../../simulators/groupPopulation.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

describe('synergy replay with groups', () => {
  it('writes every group, the population, the comparison and the sub-networks; the run header lists the groups; a switching group raises an emergence alert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synergy-groups-'));
    const files = await writeGroupPopulation(dir, {
      seed: 6,
      untilSeconds: 300,
      switchSeconds: 200,
      regions: [
        { name: 'cortex', kind: 'synergistic', units: 4, strength: 0.6 },
        { name: 'striatum', kind: 'independent', units: 4 },
      ],
    });
    const out = join(dir, 'out.jsonl');
    const alertsOut = join(dir, 'alerts.jsonl');
    const result = await runCliHere(['replay', files.spikesPath, '--labels', files.labelsPath, '--groups', files.groupsPath, '--subnetworks', '2', '--bin', '0.02', '--window', '5', '--hop', '5', '--surrogates', '19', '--out', out, '--alerts-out', alertsOut]);
    expect(result.code, result.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const header = lines[0];
    expect(header.type).toBe('run');
    expect(header.options.groups).toBe(files.groupsPath);
    expect(header.options.groupUnits.map((group: { name: string }) => group.name)).toEqual(['cortex', 'striatum', 'switch']);
    const updates: SynergyUpdate[] = lines.filter((line) => line.type === 'synergy');
    expect(updates.length).toBeGreaterThanOrEqual(58);
    const last = updates.at(-1)!;
    expect(last.groups!.map((group) => group.name)).toEqual(['cortex', 'striatum', 'switch']);
    expect(last.groups![0]).toMatchObject({ method: 'discrete', estimator: 'jackknife', units: 4 });
    expect(last.groups![0].pairs!.pairs).toBe(6);
    expect(last.population!.units).toBe(12);
    expect(last.regions!.map((comparison) => `${comparison.a}-${comparison.b}`)).toEqual(['cortex-striatum', 'cortex-switch', 'striatum-switch']);
    expect(last.subnetworks!.length).toBeGreaterThan(0);
    for (const subnetwork of last.subnetworks!) expect(subnetwork.units.length).toBeGreaterThanOrEqual(3);
    // The switching group: redundant before 200 s, synergistic after.
    const before = updates.find((update) => update.t === 150)!.groups![2];
    const after = updates.at(-1)!.groups![2];
    expect(before.synergy!).toBeLessThan(0);
    expect(after.synergy!).toBeGreaterThan(0);
    const alerts = readFileSync(alertsOut, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const emergence = alerts.filter((line) => line.type === 'alert' && line.kind === 'emergence' && line.series === 'group:switch');
    expect(emergence.length).toBeGreaterThan(0);
    expect(emergence[0].t).toBeGreaterThan(200);
    expect(emergence[0].t).toBeLessThanOrEqual(250);
    expect(result.stderr).toMatch(/emergence: group:switch/);
  }, 120_000);

  it('refuses --subnetworks without groups, groups on Gaussian-copula snapshots, and a bad groups file, each in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synergy-groups-bad-'));
    const files = await writeGroupPopulation(dir, { seed: 1, untilSeconds: 10, regions: [{ name: 'a', kind: 'independent', units: 3 }] });
    const noGroups = await runCliHere(['replay', files.spikesPath, '--labels', files.labelsPath, '--subnetworks', '3']);
    expect(noGroups.code).toBe(2);
    expect(noGroups.stderr).toMatch(/--subnetworks searches among grouped units/);
    const bad = join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, '{"CA1": [1]}');
    const badFile = await runCliHere(['replay', files.spikesPath, '--labels', files.labelsPath, '--groups', bad]);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toMatch(/bad\.json/);
    const snapshots = await runCliHere(['replay', dir, '--snapshots', '--snapshot-values', 'gaussian-copula', '--groups', files.groupsPath]);
    expect(snapshots.code).toBe(2);
    expect(snapshots.stderr).toMatch(/--snapshot-values quantiles/);
  });
});
