import { spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { decodeSnapshotFrame } from '../../src/snapshots/binarySnapshotFrame.ts';
import { DEBIAN_PYTHON, hasDebianNumpy, runPython } from '../snapshots/debianNumpy.ts';

/**
 * The Python client (clients/python/synergy_client.py): its own unit tests
 * (frame layout, WebSocket framing against an in-process server), and the
 * frames it encodes decoded by the analyzer's decoder. Skipped where
 * Debian's python3 has no numpy.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const clientDir = join(root, 'clients', 'python');
const dir = mkdtempSync(join(tmpdir(), 'python-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Python client', () => {
  it.skipIf(!hasDebianNumpy)('passes its unittest suite', () => {
    const result = spawnSync(DEBIAN_PYTHON, ['-m', 'unittest', 'discover', '-s', 'clients/python'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/\nOK\s*$/);
  });

  it.skipIf(!hasDebianNumpy)('encodes frames that decodeSnapshotFrame reads back (float32 and float64, odd and even rows)', () => {
    runPython(
      `
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import synergy_client as sc
rng = np.random.default_rng(5)
a = rng.normal(size=(5, 3)).astype(np.float64)
np.save('a.npy', a)
open('f32.bin', 'wb').write(sc.encode_snapshot_frame(12, 3400.5, a, np.array([0, 1, -1, 7, 2])))
open('f64.bin', 'wb').write(sc.encode_snapshot_frame(0, -2, a[:4].T, [1, 1, 0], dtype=np.float64))
`,
      dir,
      [clientDir],
    );
    const [rows, cols] = [5, 3];
    const a = readNpyFloat64(join(dir, 'a.npy'), rows * cols);
    const f32 = decodeSnapshotFrame(new Uint8Array(readFileSync(join(dir, 'f32.bin'))));
    expect(f32.seq).toBe(12);
    expect(f32.snapshot).toEqual({ step: 3400.5, samples: 5, neurons: 3, labels: ['0', '1', null, '7', '2'], values: Float64Array.from(a, Math.fround) });
    const f64 = decodeSnapshotFrame(new Uint8Array(readFileSync(join(dir, 'f64.bin'))));
    expect(f64.seq).toBe(0);
    expect(f64.snapshot.step).toBe(-2);
    expect([f64.snapshot.samples, f64.snapshot.neurons]).toEqual([3, 4]);
    // a[:4].T: row i is column i of a's first four rows, exactly (float64).
    const transposed = Array.from({ length: 12 }, (_, k) => a[(k % 4) * cols + Math.floor(k / 4)]);
    expect(Array.from(f64.snapshot.values)).toEqual(transposed);
  });

  it.skipIf(!hasDebianNumpy)('speaks to a server of the ws library (the one synergy serve uses): hello, ready, frames with one seq, end, close', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    const seen: unknown[] = [];
    server.on('connection', (socket, request) => {
      seen.push(request.url);
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          const { seq, snapshot } = decodeSnapshotFrame(new Uint8Array(data as Buffer));
          seen.push({ seq, step: snapshot.step, shape: [snapshot.samples, snapshot.neurons], labels: snapshot.labels, first: snapshot.values[0] });
          return;
        }
        const message = JSON.parse(String(data));
        seen.push(message);
        if (message.type === 'hello') socket.send(JSON.stringify({ type: 'ready', protocol: 1, source: message.source, lastSeq: 9 }));
        if (message.type === 'end') socket.close(1000);
      });
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const script = `
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import synergy_client as sc
with sc.SnapshotSender('ws://127.0.0.1:' + sys.argv[2], 'net') as sender:
    for step in (100, 200):
        sender.send(step, np.full((600, 40), step / 8.0), np.arange(600) % 3)
print('done', sender.seq)
`;
    const child = spawn(DEBIAN_PYTHON, ['-c', script, clientDir, String(port)], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const status = await new Promise((resolve) => child.on('close', resolve));
    server.close();
    expect(status, err).toBe(0);
    expect(out.trim()).toBe('done 13');
    const labels = Array.from({ length: 600 }, (_, i) => String(i % 3));
    expect(seen).toEqual([
      '/ingest',
      { type: 'hello', protocol: 1, source: 'net', kind: 'snapshots' },
      { seq: 10, step: 100, shape: [600, 40], labels, first: 12.5 },
      { seq: 11, step: 200, shape: [600, 40], labels, first: 25 },
      { type: 'end', seq: 12 },
    ]);
  });
});

/** The float64 data of a small C-ordered .npy written by np.save (version 1.0 header). */
function readNpyFloat64(path: string, count: number): Float64Array {
  const bytes = readFileSync(path);
  const dataOffset = 10 + bytes.readUInt16LE(8);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset + dataOffset, bytes.byteOffset + dataOffset + 8 * count));
}
