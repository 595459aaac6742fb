import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PluginSource } from '../../src/estimators/pluginSource.ts';
import { discretize, estimationData, pairSynergy } from '../../src/measures/index.ts';
import { readSnapshots } from '../../src/snapshots/readSnapshots.ts';
import { checkSnapshot, type Snapshot } from '../../src/snapshots/snapshot.ts';
import { simulateSnapshots } from '../../simulators/snapshotNetwork.ts';
import { writeSnapshotsJsonl, writeSnapshotsNpzFolder } from '../../simulators/writeSnapshots.ts';
import { hasDebianNumpy, runPython } from '../snapshots/debianNumpy.ts';

/** Neuron j's values cut at its own quantiles into `levels` equally filled levels 0 … levels − 1. */
function quantileLevels(s: Snapshot, j: number, levels: number): Int32Array {
  const column = Array.from({ length: s.samples }, (_, i) => s.values[i * s.neurons + j]);
  const sorted = [...column].sort((a, b) => a - b);
  const cuts = Array.from({ length: levels - 1 }, (_, k) => sorted[Math.floor(((k + 1) * s.samples) / levels)]);
  return Int32Array.from(column, (x) => cuts.filter((cut) => x >= cut).length);
}

/** Plug-in synergy of neurons a and b about the label, after quantile quantization (the batch library's pairSynergy). */
function pairSynergyOf(s: Snapshot, a: number, b: number, levels: number) {
  const labels = Int32Array.from(s.labels, (label) => Number(label));
  const data = estimationData(discretize([quantileLevels(s, a, levels), quantileLevels(s, b, levels), labels]));
  return pairSynergy(new PluginSource(data.table), 0, 1, 2);
}

const dir = mkdtempSync(join(tmpdir(), 'snapshot-network-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulateSnapshots', () => {
  const snapshots = simulateSnapshots({ neurons: 8, samples: 2000, steps: [0, 500, 1000, 1500], switchStep: 1000, seed: 3 });

  it('makes well-formed snapshots over one probe set, at the steps asked for', () => {
    expect(snapshots.map((s) => s.step)).toEqual([0, 500, 1000, 1500]);
    for (const s of snapshots) {
      checkSnapshot(s, `step ${s.step}`);
      expect(s.labels).toEqual(snapshots[0].labels);
    }
    expect(snapshots[0].labels.filter((label) => label === '0').length).toBe(1000);
    // A step's snapshot is the same whichever steps were asked with it.
    const alone = simulateSnapshots({ neurons: 8, samples: 2000, steps: [1500], switchStep: 1000, seed: 3 });
    expect(alone[0].values).toEqual(snapshots[3].values);
  });

  it('plants redundant pairs before switchStep and synergistic ones from it on (2 and 3 quantile levels)', () => {
    for (const levels of [2, 3]) {
      for (const s of snapshots) {
        for (const [a, b] of [
          [0, 1],
          [2, 3],
        ]) {
          const { synergy, ia, ib, joint } = pairSynergyOf(s, a, b, levels);
          if (s.step < 1000) {
            expect(synergy, `step ${s.step} pair ${a}-${b} levels ${levels}`).toBeLessThan(-0.3);
            expect(ia).toBeGreaterThan(0.5);
          } else {
            expect(synergy, `step ${s.step} pair ${a}-${b} levels ${levels}`).toBeGreaterThan(0.3);
            expect(ia).toBeLessThan(0.02);
            expect(ib).toBeLessThan(0.02);
            expect(joint).toBeGreaterThan(0.3);
          }
        }
        // A noise pair, and a planted neuron with a noise one: nothing beyond plug-in bias.
        expect(Math.abs(pairSynergyOf(s, 4, 5, levels).synergy)).toBeLessThan(0.02);
        expect(Math.abs(pairSynergyOf(s, 1, 6, levels).synergy)).toBeLessThan(0.02);
      }
    }
  });

  it('codes the class bit (class mod 2) with more classes', () => {
    const [before, after] = simulateSnapshots({ neurons: 4, samples: 3000, classes: 4, steps: [0, 1], switchStep: 1, seed: 9 });
    expect(new Set(before.labels)).toEqual(new Set(['0', '1', '2', '3']));
    expect(pairSynergyOf(before, 0, 1, 2).synergy).toBeLessThan(-0.3);
    expect(pairSynergyOf(after, 0, 1, 2).synergy).toBeGreaterThan(0.3);
  });

  it('writes JSONL and an .npz folder that readSnapshots reads back exactly', async () => {
    const small = simulateSnapshots({ neurons: 5, samples: 7, steps: [20, 10], switchStep: 15, seed: 1 });
    small[0].labels[2] = null;
    const jsonl = join(dir, 'run.jsonl');
    await writeSnapshotsJsonl(jsonl, [small[1], small[0]]);
    const fromJsonl: Snapshot[] = [];
    for await (const s of readSnapshots(jsonl)) fromJsonl.push(s);
    expect(fromJsonl).toEqual([small[1], small[0]]);
    const folder = join(dir, 'npz');
    const paths = await writeSnapshotsNpzFolder(folder, small);
    expect(paths.map((p) => p.slice(folder.length + 1))).toEqual(['step_20.npz', 'step_10.npz']);
    const fromNpz: Snapshot[] = [];
    for await (const s of readSnapshots(folder)) fromNpz.push(s);
    expect(fromNpz).toEqual([small[1], small[0]]);
  });

  it.skipIf(!hasDebianNumpy)('writes .npz files that np.load reads', async () => {
    const [s] = simulateSnapshots({ neurons: 3, samples: 4, steps: [42], switchStep: 0, seed: 2 });
    const folder = join(dir, 'numpy');
    await writeSnapshotsNpzFolder(folder, [s]);
    const out = runPython(
      `
import numpy as np, json
z = np.load('step_42.npz')
print(json.dumps({'values': z['values'].tolist(), 'labels': z['labels'].tolist(), 'step': float(z['step']), 'neurons': z['neurons'].tolist(), 'shape': list(z['values'].shape)}))
`,
      folder,
    );
    const parsed = JSON.parse(out);
    expect(parsed.shape).toEqual([4, 3]);
    expect(parsed.values.flat()).toEqual(Array.from(s.values));
    expect(parsed.labels).toEqual(s.labels);
    expect(parsed.step).toBe(42);
    expect(parsed.neurons).toEqual(['n0', 'n1', 'n2']);
  });
});
