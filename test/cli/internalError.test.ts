import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EXIT_STATUS } from '../../src/errors.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

// A broken invariant deep in the library, as a bug would make one: measure's report throws a RangeError.
vi.mock('../../src/batch/measureReport.ts', () => ({
  measureReport: () => {
    throw new RangeError('target column 7 does not exist');
  },
}));

const folder = mkdtempSync(join(tmpdir(), 'synergy-internal-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('an error that is no SynergyError, through the CLI entry', () => {
  it('exits 70 and says it is an internal error to report, with the stack; not "bad data" (1) as a RangeError used to', async () => {
    const file = join(folder, 'good.csv');
    writeFileSync(file, 'a,b,y\n0,1,0\n1,0,1\n');
    const result = await runCliHere(['measure', file]);
    expect(result.code).toBe(EXIT_STATUS.internal);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('synergy: internal error: RangeError: target column 7 does not exist');
    expect(lines[1]).toMatch(/this is a bug in synergy-stream .*please report it/);
    expect(lines.slice(2).some((line) => line.includes('measureReport') || line.includes('internalError.test.ts'))).toBe(true);
  });
});
