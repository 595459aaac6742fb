import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_STATUS } from '../../src/errors.ts';
import { internalErrorReport } from '../../cli/main.ts';
import { runCli } from '../helpers/runCli.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-exit-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

/** A port on 127.0.0.1 that nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A port on 127.0.0.1 held by another server for the test's length. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

/** The one line a failure prints. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0];
}

describe('exit statuses through the CLI entry (README, "Exit statuses")', () => {
  const good = file('good.csv', 'a,b,y\n0,1,0\n1,0,1\n1,1,0\n0,0,1\n');

  it('2 for an option commander refuses, and for a UsageError', async () => {
    const malformed = await runCliHere(['measure', good, '--levels', 'x']);
    expect(malformed.code).toBe(EXIT_STATUS.usage);
    const noColumn = await runCliHere(['measure', good, '--target', 'mode']);
    expect(noColumn.code).toBe(EXIT_STATUS.usage);
    expect(oneLine(noColumn.stderr)).toMatch(/^synergy: .*good\.csv: no column 'mode'/);
  });

  it('1 for a malformed file (InputFormatError) and for data too large to tabulate (BadDataError)', async () => {
    const malformed = await runCliHere(['measure', file('ragged.csv', 'a,b,y\n0,1,0\n1,0\n')]);
    expect(malformed.code).toBe(EXIT_STATUS.badData);
    expect(oneLine(malformed.stderr)).toMatch(/ragged\.csv, line 3: 2 cells, but the header names 3 columns/);
    const header = Array.from({ length: 60 }, (_, k) => `c${k}`).join(',');
    // Every column takes two values: 2^60 words, past what a table can index.
    const row = (r: number) => Array.from({ length: 60 }, (_, k) => (k + r) % 2).join(',');
    const wide = await runCliHere(['measure', file('wide.csv', `${header}\n${row(0)}\n${row(1)}\n`)]);
    expect(wide.code).toBe(EXIT_STATUS.badData);
    expect(oneLine(wide.stderr)).toMatch(/^synergy: the joint alphabet .* is too large for a discrete table/);
  });

  it('69 for a live source that cannot be reached (ConnectionError), as a process exit status', async () => {
    const port = await closedPort();
    const result = await runCli(['connect', `ws://127.0.0.1:${port}`, '--max-retries', '1']);
    expect(result.code, result.stderr).toBe(EXIT_STATUS.connection);
    expect(result.stderr).toMatch(new RegExp(`synergy: could not reach ws://127\\.0\\.0\\.1:${port} after 1 attempt`));
  });

  it('2 for a port the simulator cannot listen on, naming the address and why', async () => {
    const { port, server } = await takenPort();
    try {
      const result = await runCli(['simulate', '--port', String(port), '--duration', '1']);
      expect(result.code, result.stderr).toBe(EXIT_STATUS.usage);
      expect(oneLine(result.stderr)).toBe(
        `synergy: cannot listen on 127.0.0.1:${port} (EADDRINUSE): the port is in use by another program: choose another port, or 0 for any free one`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('2 for a simulated rate the bursts cannot reach (a RangeError before)', async () => {
    const result = await runCliHere(['simulate', '--rate', '1000', '--port', '0', '--duration', '1']);
    expect(result.code).toBe(EXIT_STATUS.usage);
    expect(oneLine(result.stderr)).toMatch(/1000 Hz \(--rate\) is too high/);
  });

  it('73 for an output file that cannot be written, and the simulator that would serve it stops', async () => {
    const truth = join(folder, 'no-such-folder', 'truth.json');
    const result = await runCli(['simulate', '--port', '0', '--truth', truth, '--duration', '60']);
    expect(result.code, result.stderr).toBe(EXIT_STATUS.cannotWrite);
    expect(result.stderr).toMatch(/synergy: .*no-such-folder\/truth\.json: cannot write the planted pairs \(--truth\): ENOENT/);
    expect(existsSync(truth)).toBe(false);
  });

  it('73 for a replay whose --out or --alerts-out cannot be written, before anything is analyzed', async () => {
    const spikes = file('spikes.csv', 't,unit\n0.01,a\n0.02,b\n');
    for (const flag of ['--out', '--alerts-out']) {
      const out = join(folder, 'no-such-folder', 'out.jsonl');
      const result = await runCliHere(['replay', spikes, flag, out]);
      expect(result.code, result.stderr).toBe(EXIT_STATUS.cannotWrite);
      expect(result.stderr).toMatch(new RegExp(`no-such-folder/out\\.jsonl: cannot write the (updates|alerts) \\(${flag}\\): ENOENT`));
    }
  });
});

describe('an internal error is reported as one, never as bad data', () => {
  it('says "internal error", asks for a report and gives the stack', () => {
    const report = internalErrorReport(new RangeError('levels must be an integer ≥ 2, got 1'));
    const lines = report.trimEnd().split('\n');
    expect(lines[0]).toBe('synergy: internal error: RangeError: levels must be an integer ≥ 2, got 1');
    expect(lines[1]).toMatch(/^synergy: this is a bug in synergy-stream \S+, not a problem with the input or options; please report it/);
    expect(lines[2]).toMatch(/^\s+at /);
    // Something thrown that is no Error has no stack: the two lines alone.
    const [first, second, ...rest] = internalErrorReport('thrown text').split('\n');
    expect(first).toBe('synergy: internal error: thrown text');
    expect(second).toBe(lines[1]);
    expect(rest).toEqual(['']);
  });
});
