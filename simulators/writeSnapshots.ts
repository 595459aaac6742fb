import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { dump } from 'npyjs';
import { OutputError } from '../src/errors.ts';
import type { Snapshot } from '../src/snapshots/snapshot.ts';

/**
 * Writers of snapshots in the formats readSnapshots reads
 * (src/snapshots/readSnapshots.ts), for simulated runs and tests:
 *
 * - writeSnapshotsJsonl: one JSON snapshot per line (`step`, `labels`,
 *   `values` as rows, `neurons` when the snapshot names them); numbers in
 *   JavaScript's shortest round-trip form, so they read back exactly.
 * - writeSnapshotsNpzFolder: one `step_<step>.npz` per snapshot, as
 *   np.savez writes it (stored entries): `values` (float64, samples ×
 *   neurons), `labels` (unicode strings, '' for unlabeled), `step` (0-d
 *   float64) and `neurons` when named. np.load reads them.
 *
 * A file that cannot be written is an OutputError naming it.
 */
export async function writeSnapshotsJsonl(path: string, snapshots: readonly Snapshot[]): Promise<void> {
  const lines = snapshots.map((s) => {
    const rows = Array.from({ length: s.samples }, (_, i) => Array.from(s.values.subarray(i * s.neurons, (i + 1) * s.neurons)));
    return JSON.stringify({ step: s.step, labels: s.labels, values: rows, ...(s.neuronIds === undefined ? {} : { neurons: s.neuronIds }) });
  });
  await writeOrFail(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

/** Writes each snapshot to `dir/step_<step>.npz` (the folder is made if missing); returns the paths written, in order. */
export async function writeSnapshotsNpzFolder(dir: string, snapshots: readonly Snapshot[]): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(`cannot make the folder (${(error as Error).message})`, dir);
  }
  const paths: string[] = [];
  for (const s of snapshots) {
    const members: [string, Uint8Array][] = [
      ['values.npy', new Uint8Array(dump(s.values, [s.samples, s.neurons]))],
      ['labels.npy', unicodeNpy(s.labels.map((label) => label ?? ''))],
      ['step.npy', new Uint8Array(dump(Float64Array.of(s.step), []))],
    ];
    if (s.neuronIds !== undefined) members.push(['neurons.npy', unicodeNpy(s.neuronIds)]);
    const path = join(dir, `step_${String(s.step).replace(/[^0-9A-Za-z.+-]/g, '_')}.npz`);
    await writeOrFail(path, storedZip(members));
    paths.push(path);
  }
  return paths;
}

/** A 1-D `<U…` array (npyjs's own string encoding splits characters beyond the BMP). */
function unicodeNpy(texts: readonly string[]): Uint8Array {
  const points = texts.map((text) => Array.from(text, (c) => c.codePointAt(0) as number));
  const width = Math.max(1, ...points.map((p) => p.length));
  const data = new Uint32Array(texts.length * width);
  points.forEach((p, i) => data.set(p, i * width));
  return new Uint8Array(dump(new Uint8Array(data.buffer), [texts.length], { dtype: `U${width}` }));
}

/** A zip archive of stored (uncompressed) members, as np.savez writes one. */
function storedZip(members: readonly [string, Uint8Array][]): Uint8Array {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(8, 0, true); // stored
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const directorySize = centrals.reduce((sum, c) => sum + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + directorySize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function writeOrFail(path: string, content: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, content);
  } catch (error) {
    throw new OutputError(`cannot be written (${(error as Error).message})`, path);
  }
}
