import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.ts';
import { sharedDir } from '../helpers/shared.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-inspect-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('synergy inspect', () => {
  it('lists units with spike counts, the time span, label values and notes', async () => {
    const spikes = join(folder, 'spikes.csv');
    writeFileSync(spikes, 'unit,t,amplitude\na,0.5,1\nb,0.7,2\na,0.6,3\na,2.5,4\n');
    const labels = join(folder, 'labels.csv');
    writeFileSync(labels, 'start,end,label\n0,1,go\n1,3,nogo\n3,4,go\n');
    const result = await runCli(['inspect', spikes, '--labels', labels]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/format\s+csv/);
    expect(result.stdout).toMatch(/spikes\s+4 from 0\.500 s to 2\.500 s/);
    expect(result.stdout).toMatch(/a\s+3 spikes/);
    expect(result.stdout).toMatch(/go\s+2, 2\.0 s/);
    expect(result.stdout).toMatch(/earlier than a spike above them/);
    expect(result.stdout).toMatch(/ignored columns: amplitude/);
    const json = JSON.parse((await runCli(['inspect', spikes, '--json'])).stdout);
    expect(json.units).toEqual([{ id: 'a', spikes: 3 }, { id: 'b', spikes: 1 }]);
  });

  it('names what is wrong when a format cannot be told or does not match', async () => {
    const unknown = join(folder, 'data.bin');
    writeFileSync(unknown, 'not a recording');
    const a = await runCli(['inspect', unknown]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/data\.bin: cannot tell the format/);
    const fakeNwb = join(folder, 'fake.nwb');
    writeFileSync(fakeNwb, 'plain text');
    const b = await runCli(['inspect', fakeNwb]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/fake\.nwb: .*not an HDF5 file \(bad magic at byte 0\)/);
    const empty = join(folder, 'empty-folder');
    mkdirSync(empty);
    const c = await runCli(['inspect', empty]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/cannot tell the format of this folder/);
    const d = await runCli(['inspect', join(folder, 'absent.csv')]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/absent\.csv: no such file/);
  });

  it('refuses a format option that does not apply', async () => {
    const spikes = join(folder, 'spikes2.csv');
    writeFileSync(spikes, 'unit,t\na,0.5\n');
    const result = await runCli(['inspect', spikes, '--label-column', 'condition']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--label-column names a column of an NWB file's interval tables or of a --labels FILE; a csv recording has neither/);
  });

  const track = resolve(sharedDir, 'data/real/linear-track-place-cells');
  it.skipIf(!existsSync(join(track, 'spikes.csv')))('describes the real linear-track recording', async () => {
    const result = await runCli(['inspect', join(track, 'spikes.csv'), '--labels', join(track, 'labels_direction.csv')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/spikes\s+28829 from 4397\.002 s/);
    expect(result.stdout).toMatch(/units\s+31/);
    expect(result.stdout).toMatch(/stationary/);
  });
});

describe('synergy replay off a terminal', () => {
  it('writes no control characters to stderr', async () => {
    const spikes = join(folder, 'spikes3.csv');
    writeFileSync(spikes, `unit,t\n${Array.from({ length: 200 }, (_, k) => `u${k % 3},${(k * 0.05).toFixed(2)}`).join('\n')}\n`);
    const labels = join(folder, 'labels3.csv');
    writeFileSync(labels, 'start,end,label\n0,5,go\n5,10,nogo\n');
    const result = await runCli(['replay', spikes, '--labels', labels, '--window', '2', '--hop', '1', '--start', '1', '--end', '8']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/\x1b|\r/);
    const updates = result.stdout.trim().split('\n').map((line) => JSON.parse(line)).filter((line) => line.type === 'synergy');
    expect(updates[0].t).toBe(2);
    expect(updates.at(-1).t).toBe(7);
  });
});
