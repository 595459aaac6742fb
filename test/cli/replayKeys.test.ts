import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNwb } from '../../simulators/writeNwb.ts';
import { writePhyFolder } from '../../simulators/writePhyFolder.ts';
import { compareUnitIds, outputUnitId, unitPairKey } from '../../src/stream/unitIds.ts';
import { parseLines, parseUpdates, sampledSession, writeLabelsCsvFile } from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-keys-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('unit ids in the output (DESIGN §7)', () => {
  it('are numbers where the source’s ids are whole numbers, text otherwise, and a pair is named in one order', () => {
    expect(['12', '0', '-3', '007', '1.5', '1e3', 'A-000', '3:1', '99999999999999999'].map(outputUnitId)).toEqual([12, 0, -3, '007', '1.5', '1e3', 'A-000', '3:1', '99999999999999999']);
    const ids = ['b', '12', 'A-000', '7', 'a', '-1', '100'];
    expect([...ids].sort(compareUnitIds)).toEqual(['-1', '7', '12', '100', 'A-000', 'a', 'b']);
    expect(unitPairKey('12', 7)).toBe('7|12');
    expect(unitPairKey(7, '12')).toBe('7|12');
    expect(unitPairKey('x', '3')).toBe('3|x');
  });

  it('NWB and Phy replays of the same spikes give identical updates, keys included', async () => {
    const session = sampledSession({ units: 12, seconds: 30 });
    // Unit ids that sort differently as text and as numbers (9 < 10 < 100), the same in both files.
    const ids = [9, 10, 100, 2, 33, 4, 5, 60, 7, 8, 11, 1];
    const phy = join(folder, 'phy');
    await writePhyFolder(phy, session.write, { clusterIds: ids });
    const nwb = join(folder, 'session.nwb');
    const write = session.write;
    await writeNwb(nwb, { sampleRate: write.sampleRate, unitIds: ids.map(String), chunks: () => write.chunks(), labels: write.labels, seconds: write.seconds });
    const labels = writeLabelsCsvFile(join(folder, 'labels.csv'), session.labels);
    const args = ['--labels', labels, '--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'plugin', '--top', 'all', '--quiet-alerts'];
    const [fromNwb, fromPhy] = await Promise.all([runCli(['replay', nwb, ...args]), runCli(['replay', phy, ...args])]);
    expect(fromNwb.code, fromNwb.stderr).toBe(0);
    expect(fromPhy.code, fromPhy.stderr).toBe(0);
    const nwbUpdates = parseUpdates(fromNwb.stdout);
    const phyUpdates = parseUpdates(fromPhy.stdout);
    expect(nwbUpdates.length).toBeGreaterThan(10);
    for (const update of nwbUpdates) {
      for (const pair of update.pairs) {
        expect(typeof pair.a).toBe('number');
        expect(pair.a as number).toBeLessThan(pair.b as number);
      }
    }
    expect(phyUpdates).toEqual(nwbUpdates);
    expect(parseLines(fromNwb.stdout)[0]).toMatchObject({ type: 'run', format: 'nwb' });
    expect(parseLines(fromPhy.stdout)[0]).toMatchObject({ type: 'run', format: 'phy' });
  }, 120_000);
});
