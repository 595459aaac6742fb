import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHeader } from '../../cli/runHeader.ts';
import { MIN_THREADED_UNITS } from '../../src/parallel/tileSource.ts';
import { parseLines, parseUpdates, sampledSession, writeSessionCsv } from '../helpers/recordingFixtures.ts';
import { runCliHere } from '../helpers/runCliHere.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-workers-'));
// Enough units for the tiles to go to worker threads.
const session = sampledSession({ units: MIN_THREADED_UNITS + 8, seconds: 60 });
const files = writeSessionCsv(folder, session);

describe('synergy replay --workers', () => {
  it('gives the same updates in the main thread and on 1 and 2 worker threads, surrogates included', async () => {
    const outputs: string[] = [];
    for (const workers of ['0', '1', '2']) {
      const out = join(folder, `updates-${workers}.jsonl`);
      const result = await runCliHere(['replay', files.spikes, '--labels', files.labels, '--window', '10', '--hop', '2', '--surrogates', '19', '--lag-step', '0.5', '--top', '20', '--workers', workers, '--out', out, '--quiet-alerts']);
      expect(result.code, result.stderr).toBe(0);
      if (workers !== '0') expect(result.stderr).toContain(`synergy replay: the pairs were analyzed in tiles on ${workers} worker thread`);
      outputs.push(readFileSync(out, 'utf8'));
    }
    const [main, one, two] = outputs.map(parseUpdates);
    expect(main.length).toBeGreaterThan(20);
    expect(main.at(-1)!.units).toBe(MIN_THREADED_UNITS + 8);
    expect(main.some((update) => (update.surrogates ?? 0) > 0)).toBe(true);
    expect(one).toEqual(main);
    expect(two).toEqual(main);
    // The run header says how it ran.
    expect(parseLines(outputs[2])[0]).toMatchObject({ type: 'run', options: { workers: 2 } });
  }, 120_000);

  it('--max-surrogate-cells bounds the surrogates over all tiles: threads keep what the main thread keeps', async () => {
    const counts: number[][] = [];
    for (const workers of ['0', '2']) {
      const out = join(folder, `capped-${workers}.jsonl`);
      const result = await runCliHere(['replay', files.spikes, '--labels', files.labels, '--window', '10', '--hop', '5', '--surrogates', '19', '--lag-step', '0.5', '--max-surrogate-cells', '2000000', '--workers', workers, '--out', out, '--quiet-alerts']);
      expect(result.code, result.stderr).toBe(0);
      counts.push(parseUpdates(readFileSync(out, 'utf8')).map((update) => update.surrogates ?? 0));
    }
    expect(Math.max(...counts[0])).toBeGreaterThan(0);
    expect(Math.max(...counts[0])).toBeLessThan(19);
    expect(counts[1]).toEqual(counts[0]);
  }, 120_000);

  it('writes a --cluster URL into the run header without its password', () => {
    expect(runHeader('replay', 'x.csv', 'csv', { cluster: 'redis://synergy:secret@redis-host:6379/0', workers: 2 }, 0).options).toEqual({ cluster: 'redis://synergy:***@redis-host:6379/0', workers: 2 });
  });

  it('rejects a worker count that is not a whole number', async () => {
    const result = await runCliHere(['replay', files.spikes, '--workers', 'many']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--workers takes a whole number or 'auto', got 'many'/);
  });
});
