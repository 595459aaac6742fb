import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputFormatError } from '../../src/errors.ts';
import { readSnapshots, stepFromFileName, type ReadSnapshotsOptions } from '../../src/snapshots/readSnapshots.ts';
import type { Snapshot } from '../../src/snapshots/snapshot.ts';
import { hasDebianNumpy, runPython } from './debianNumpy.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snapshots-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string, options?: ReadSnapshotsOptions): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for await (const snapshot of readSnapshots(path, options)) out.push(snapshot);
  return out;
}

/** A fresh folder under the test's temp dir. */
function folder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Expects readAll(path) to fail with an InputFormatError whose message matches. */
async function expectRefused(path: string, message: RegExp, options?: ReadSnapshotsOptions): Promise<void> {
  const error = await readAll(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, String(message)).toBeInstanceOf(InputFormatError);
  expect((error as Error).message).toMatch(message);
}

describe('readSnapshots from NumPy files', () => {
  it.skipIf(!hasDebianNumpy)('reads np.savez (int labels, float32, 0-d step) and np.savez_compressed (string labels, float64, 1-element step, neurons)', async () => {
    const here = folder('npz');
    runPython(
      `
import numpy as np
v = np.arange(6, dtype=np.float32).reshape(3, 2) / 4
np.savez('a.npz', values=v, labels=np.array([0, 1, -1]), step=np.int64(1200))
np.savez_compressed('b.npz', activations=np.arange(6.0).reshape(2, 3) + 0.1, y=np.array(['cat', 'dög', '']), step=np.array([7.5]), neurons=np.array(['n0', 'n1', 'n2']))
np.savez('c.npz', x=np.arange(4, dtype=np.int16).reshape(2, 2), labels=np.array([3, 4], dtype=np.uint8))
`,
      here,
    );
    const [a] = await readAll(join(here, 'a.npz'));
    expect(a).toEqual({ step: 1200, samples: 3, neurons: 2, values: Float64Array.from([0, 0.25, 0.5, 0.75, 1, 1.25]), labels: ['0', '1', null] });
    // b's labels are 3 for 2 rows: refused, naming the member.
    await expectRefused(join(here, 'b.npz'), /b\.npz: member 'y\.npy': 3 labels for 2 samples/);
    runPython(
      `
import numpy as np
np.savez_compressed('b.npz', activations=np.arange(6.0).reshape(2, 3) + 0.1, y=np.array(['cat', 'dög']), step=np.array([7.5]), neurons=np.array(['n0', 'n1', 'n2']))
`,
      here,
    );
    const [b] = await readAll(join(here, 'b.npz'));
    expect(b.step).toBe(7.5);
    expect(b.labels).toEqual(['cat', 'dög']);
    expect(b.neuronIds).toEqual(['n0', 'n1', 'n2']);
    expect(Array.from(b.values)).toEqual([0.1, 1.1, 2.1, 3.1, 4.1, 5.1]);
    const [c] = await readAll(join(here, 'c.npz'));
    expect(c).toMatchObject({ step: 0, samples: 2, neurons: 2, labels: ['3', '4'] });
    expect(Array.from(c.values)).toEqual([0, 1, 2, 3]);
  });

  it.skipIf(!hasDebianNumpy)('takes the step from the file name without a step array, and the keys given', async () => {
    const here = folder('named');
    runPython(
      `
import numpy as np
np.savez('step_001200.npz', acts=np.ones((2, 2)), cls=np.array([1, 2]))
`,
      here,
    );
    const [s] = await readAll(join(here, 'step_001200.npz'), { valuesKey: 'acts', labelsKey: 'cls' });
    expect(s.step).toBe(1200);
    await expectRefused(join(here, 'step_001200.npz'), /step_001200\.npz: has no values array 'values', 'activations', 'x'; it holds 'acts', 'cls'/);
    await expectRefused(join(here, 'step_001200.npz'), /has no labels array 'lab'; it holds 'acts', 'cls'/, { valuesKey: 'acts', labelsKey: 'lab' });
    expect(stepFromFileName('/a/run3/layer2_step_0042.npz')).toBe(42);
    expect(stepFromFileName('final.npz')).toBeUndefined();
  });

  it.skipIf(!hasDebianNumpy)('reads a Fortran-ordered .npy with labels beside it, and a large string label array', async () => {
    const here = folder('npy');
    runPython(
      `
import numpy as np
np.save('ckpt_300.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3)))
np.save('ckpt_300.labels.npy', np.array(['a', 'b']))
n = 30000
np.save('big_5.npy', np.arange(2 * n, dtype=np.float64).reshape(n, 2))
np.save('labels.npy', np.array(['class-%05d' % (i % 7) for i in range(n)]))
`,
      here,
    );
    const [s] = await readAll(join(here, 'ckpt_300.npy'));
    expect(s).toEqual({ step: 300, samples: 2, neurons: 3, values: Float64Array.from([0, 1, 2, 3, 4, 5]), labels: ['a', 'b'] });
    const [big] = await readAll(join(here, 'big_5.npy'));
    expect(big.samples).toBe(30000);
    expect(big.labels[29999]).toBe(`class-${String(29999 % 7).padStart(5, '0')}`);
    expect(big.values[59999]).toBe(59999);
  });

  it.skipIf(!hasDebianNumpy)('reads a folder of .npz and .npy in step order, skipping the labels files', async () => {
    const here = folder('run');
    runPython(
      `
import numpy as np
lab = np.array([0, 1, 1])
np.savez('b.npz', values=np.full((3, 2), 2.0), labels=lab, step=20)
np.savez_compressed('a.npz', values=np.full((3, 2), 3.0), labels=lab, step=np.array([30]))
np.savez('step_10.npz', values=np.full((3, 2), 1.0), labels=lab)
np.save('snap_25.npy', np.full((3, 2), 2.5))
np.save('labels.npy', lab)
`,
      here,
    );
    const steps = await readAll(here);
    expect(steps.map((s) => s.step)).toEqual([10, 20, 25, 30]);
    expect(steps.map((s) => s.values[0])).toEqual([1, 2, 2.5, 3]);
    expect(steps[2].labels).toEqual(['0', '1', '1']);
  });

  it.skipIf(!hasDebianNumpy)('refuses each malformed NumPy input, naming file and member', async () => {
    const here = folder('bad');
    runPython(
      `
import numpy as np
np.savez('oned.npz', values=np.ones(3), labels=np.array([0, 1, 2]))
np.savez('strvals.npz', values=np.array([['a']]), labels=np.array([0]))
np.savez('nan.npz', values=np.array([[1.0, np.nan]]), labels=np.array([0]))
np.savez('neg.npz', values=np.ones((2, 1)), labels=np.array([0, -2]))
np.savez('fraclab.npz', values=np.ones((2, 1)), labels=np.array([0, 0.5]))
np.savez('obj.npz', values=np.ones((1, 1)), labels=np.array([{'a': 1}], dtype=object))
np.savez('bigend.npz', values=np.ones((1, 1), dtype='>f8'), labels=np.array([0]))
np.savez('steps.npz', values=np.ones((1, 1)), labels=np.array([0]), step=np.array([1, 2]))
np.savez('empty.npz', values=np.ones((0, 3)), labels=np.array([], dtype=int))
np.savez('dupe.npz', values=np.ones((1, 2)), labels=np.array([0]), neurons=np.array(['a', 'a']))
np.save('alone.npy', np.ones((2, 2)))
`,
      here,
    );
    writeFileSync(join(here, 'notzip.npz'), 'hello, this is not a zip archive at all');
    await expectRefused(join(here, 'oned.npz'), /oned\.npz: member 'values\.npy': values must be 2-D \(samples × neurons\), the array has shape \(3\); reshape\(-1, 1\)/);
    await expectRefused(join(here, 'strvals.npz'), /values must be numbers, the array holds strings \('<U1'\)/);
    await expectRefused(join(here, 'nan.npz'), /value NaN at sample 0, neuron 1 is not finite/);
    await expectRefused(join(here, 'neg.npz'), /label -2 of sample 1 is not a class code/);
    await expectRefused(join(here, 'fraclab.npz'), /label 0.5 of sample 1 is not a class code/);
    await expectRefused(join(here, 'obj.npz'), /member 'labels\.npy': dtype '\|O': objects \(pickled Python values\) cannot be read/);
    await expectRefused(join(here, 'bigend.npz'), /dtype '>f8': big-endian data cannot be read/);
    await expectRefused(join(here, 'steps.npz'), /member 'step\.npy': step must be one number \(0-d or one element\), the array holds 2 numbers/);
    await expectRefused(join(here, 'empty.npz'), /values have shape \(0, 3\); a snapshot needs at least one sample/);
    await expectRefused(join(here, 'dupe.npz'), /dupe\.npz: snapshot: neuron id 'a' names both column 0 and column 1/);
    await expectRefused(join(here, 'alone.npy'), /alone\.npy: has no labels: .* alone\.labels\.npy or labels\.npy beside it/);
    await expectRefused(join(here, 'notzip.npz'), /notzip\.npz: not a zip archive \(an \.npz is one\): no end-of-central-directory record/);
    await expectRefused(join(here, 'missing.npz'), /missing\.npz: no such file or folder/);
    await expectRefused(folder('empty-folder'), /holds no \.npz or \.npy snapshot/);
  });

  it.skipIf(!hasDebianNumpy)('refuses a damaged archive: a flipped byte fails the CRC, a cut one its directory', async () => {
    const here = folder('damaged');
    runPython(
      `
import numpy as np
np.savez('ok.npz', values=np.arange(64.0).reshape(8, 8), labels=np.arange(8))
raw = bytearray(open('ok.npz', 'rb').read())
flip = bytearray(raw); flip[200] ^= 0xff; open('flip.npz', 'wb').write(flip)
open('cut.npz', 'wb').write(raw[: len(raw) // 2])
`,
      here,
    );
    expect((await readAll(join(here, 'ok.npz')))[0].samples).toBe(8);
    await expectRefused(join(here, 'flip.npz'), /flip\.npz: member 'values\.npy' fails its CRC-32 check/);
    await expectRefused(join(here, 'cut.npz'), /cut\.npz: not a zip archive/);
  });
});

describe('readSnapshots from text', () => {
  it('groups consecutive CSV rows of one step into a snapshot, empty label = unlabeled', async () => {
    const path = join(folder('csv'), 'run.csv');
    writeFileSync(path, 'step,label,n0,n1\n100,cat,0.1,0.2\n100,,0.3,0.4\n200,dog,1,2\n200,cat,3,4\n200,cat,5,6\n');
    const snapshots = await readAll(path);
    expect(snapshots).toEqual([
      { step: 100, samples: 2, neurons: 2, values: Float64Array.from([0.1, 0.2, 0.3, 0.4]), labels: ['cat', null], neuronIds: ['n0', 'n1'] },
      { step: 200, samples: 3, neurons: 2, values: Float64Array.from([1, 2, 3, 4, 5, 6]), labels: ['dog', 'cat', 'cat'], neuronIds: ['n0', 'n1'] },
    ]);
    const tsv = join(folder('csv'), 'run.tsv');
    writeFileSync(tsv, 'a\tLabel\tStep\n1.5\tx\t3\n');
    expect(await readAll(tsv)).toEqual([{ step: 3, samples: 1, neurons: 1, values: Float64Array.from([1.5]), labels: ['x'], neuronIds: ['a'] }]);
  });

  it('refuses each malformed table naming file, line and column', async () => {
    const here = folder('badcsv');
    const cases: [string, string, RegExp][] = [
      ['nostep.csv', 'label,n0\ncat,1\n', /nostep\.csv, line 1: the header has columns 'label' and 'n0' \(comma-separated\) but is missing a 'step' column/],
      ['noneuron.csv', 'step,label\n1,cat\n', /noneuron\.csv, line 1: the header names no neuron column/],
      ['twice.csv', 'step,label,n,n\n1,a,1,2\n', /twice\.csv, line 1: neuron column 'n' appears twice/],
      ['short.csv', 'step,label,n0,n1\n1,a,1\n', /short\.csv, line 2, column n1: 3 cells, but the header names 4 columns/],
      ['value.csv', 'step,label,n0\n1,a,1\n1,b,x\n', /value\.csv, line 3, column n0: value 'x' is not a finite decimal number/],
      ['inf.csv', 'step,label,n0\n1,a,Infinity\n', /value 'Infinity' is not a finite decimal number/],
      ['step.csv', 'step,label,n0\nfirst,a,1\n', /step\.csv, line 2, column step: step 'first' is not a finite decimal number/],
      ['order.csv', 'step,label,n0\n2,a,1\n1,a,1\n', /order\.csv, line 3, column step: step 1 comes after step 2: rows must be in step order/],
      ['empty.csv', '', /empty\.csv: is empty/],
      ['header.csv', 'step,label,n0\n', /header\.csv: has a header but no sample rows/],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(join(here, name), text);
      await expectRefused(join(here, name), message);
    }
  });

  it('reads JSONL, passing unknown fields to onWarning', async () => {
    const path = join(folder('jsonl'), 'run.jsonl');
    const lines = [
      JSON.stringify({ step: 1, labels: ['a', 0], values: [[1], [2]] }),
      '',
      JSON.stringify({ type: 'snapshot', seq: 4, step: 2, labels: [null, 'b'], values: [[3], [4]], neurons: ['u'], epoch: 1 }),
    ];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const warnings: string[] = [];
    const snapshots = await readAll(path, { onWarning: (w) => warnings.push(w) });
    expect(snapshots.map((s) => [s.step, s.labels, Array.from(s.values), s.neuronIds])).toEqual([
      [1, ['a', '0'], [1, 2], undefined],
      [2, [null, 'b'], [3, 4], ['u']],
    ]);
    expect(warnings).toEqual([`${path}, line 3: snapshot: field "epoch" is not part of the snapshot form and was ignored`]);
  });

  it('refuses each malformed JSONL line naming file and line', async () => {
    const here = folder('badjsonl');
    const cases: [string, string, RegExp][] = [
      ['json.jsonl', '{"step":1,\n', /json\.jsonl, line 1: is not valid JSON/],
      ['field.ndjson', '{"step":1,"labels":["a"],"values":[[1]]}\n{"step":2,"labels":["a","b"],"values":[[1]]}\n', /field\.ndjson, line 2: snapshot: "labels" has 2 entries for 1 rows/],
      ['order.jsonl', '{"step":2,"labels":["a"],"values":[[1]]}\n{"step":1,"labels":["a"],"values":[[1]]}\n', /order\.jsonl, line 2: snapshot: step 1 comes after step 2/],
      ['none.jsonl', '\n\n', /none\.jsonl: holds no snapshot/],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(join(here, name), text);
      await expectRefused(join(here, name), message);
    }
    writeFileSync(join(here, 'run.txt'), '');
    await expectRefused(join(here, 'run.txt'), /run\.txt: cannot tell the snapshot format from the extension '\.txt'/);
  });
});
