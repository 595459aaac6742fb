import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'npyjs';
import { afterAll, describe, expect, it } from 'vitest';
import { NpyFile, readNpyNumbers } from '../../adapters/files/npyFile.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-npy-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, bytes: ArrayBuffer | Uint8Array | string): string {
  const path = join(folder, name);
  writeFileSync(path, typeof bytes === 'string' ? bytes : Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
  return path;
}

describe('NpyFile', () => {
  it('reads slices of every numeric dtype as float64, 64-bit integers included', async () => {
    const values = [0, 1, 7, 30000, 123456789];
    const arrays = [
      Uint8Array.from(values.map((v) => v % 256)),
      Int16Array.from(values.map((v) => v % 30000)),
      Uint16Array.from(values.map((v) => v % 65536)),
      Int32Array.from(values),
      Uint32Array.from(values),
      BigInt64Array.from(values.map(BigInt)),
      BigUint64Array.from(values.map(BigInt)),
      Float32Array.from(values.map((v) => v / 8)),
      Float64Array.from(values.map((v) => v / 3)),
    ];
    for (const array of arrays) {
      const path = write(`${array.constructor.name}.npy`, dump(array));
      const file = await NpyFile.open(path);
      expect(file.length).toBe(values.length);
      const expected = Array.from(array as ArrayLike<number | bigint>, Number);
      expect(Array.from(await file.readNumbers(1, 4))).toEqual(expected.slice(1, 4));
      expect(Array.from(await file.readNumbers(3, 99))).toEqual(expected.slice(3));
      expect(Array.from(await file.readAllNumbers())).toEqual(expected);
      await file.close();
    }
  });

  it('accepts the (n, 1) column shape that some Kilosort versions write', async () => {
    const path = write('column.npy', dump(BigUint64Array.from([5n, 9n, 12n]), [3, 1]));
    expect(Array.from(await readNpyNumbers(path))).toEqual([5, 9, 12]);
  });

  it('names the file and what is wrong', async () => {
    const good = new Uint8Array(dump(Float64Array.from([1, 2, 3, 4])));
    await expect(NpyFile.open(write('text.npy', 'not numpy'))).rejects.toThrow(/text\.npy: not a NumPy \.npy file \(bad magic at byte 0/);
    await expect(NpyFile.open(write('short.npy', good.subarray(0, good.length - 5)))).rejects.toThrow(
      /short\.npy: truncated: the header says 4 values of 8 bytes \(32 bytes of data\), the file holds 27/,
    );
    await expect(NpyFile.open(write('header-cut.npy', good.subarray(0, 40)))).rejects.toThrow(/header-cut\.npy: truncated \.npy header/);
    await expect(NpyFile.open(write('matrix.npy', dump(Float64Array.from([1, 2, 3, 4]), [2, 2])))).rejects.toThrow(/one-dimensional/);
    const bigEndian = Buffer.from(good);
    bigEndian.write("'>f8'", bigEndian.indexOf("'<f8'"), 'latin1');
    await expect(NpyFile.open(write('big-endian.npy', bigEndian))).rejects.toThrow(/dtype '>f8' cannot hold spike data/);
    await expect(NpyFile.open(join(folder, 'absent.npy'))).rejects.toThrow(/absent\.npy: no such file/);
    const huge = write('huge.npy', dump(BigUint64Array.from([1n, 2n ** 60n])));
    await expect(readNpyNumbers(huge)).rejects.toThrow(/huge\.npy: value 1152921504606846976 at index 1 is beyond 2\^53/);
  });
});
