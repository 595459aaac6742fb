import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Population } from '../../simulators/population.ts';
import { sampledPopulation, type SessionToWrite } from '../../simulators/sampledSession.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { runCli } from './runCli.ts';

/**
 * A small recorded session for format tests: spikes of a seeded population
 * with one planted synergistic and one redundant pair, on a sample clock,
 * sorted by time, and its modes as intervals; `write` is the same session
 * for the format writers in simulators/.
 */
export interface SampledSession {
  sampleRate: number;
  /** Unit ids, as the population names them ('0', '1', …). */
  unitIds: string[];
  /** Per spike, in time order: sample number, time (sample / sampleRate) and unit index into unitIds. */
  samples: Float64Array;
  t: Float64Array;
  unit: Uint32Array;
  /** Mode intervals [start, end), seconds on the sample clock. */
  labels: Array<{ start: number; end: number; label: string }>;
  /** The session's span, seconds from 0. */
  seconds: number;
  /** The same session as the format writers take it. */
  write: SessionToWrite;
}

export interface SampledSessionOptions {
  units?: number;
  seconds?: number;
  sampleRate?: number;
  seed?: number;
  meanRateHz?: number;
  /** Seconds per chunk handed to writers (default 10). */
  chunkSeconds?: number;
}

/**
 * Generates a session (default: 6 units, 60 s, 30 kHz, 20 Hz) whose spike
 * and label times lie exactly on the sample clock, so that every format
 * (samples or seconds) holds the same float64 times: t = sample / sampleRate.
 */
export function sampledSession(options: SampledSessionOptions = {}): SampledSession {
  const seconds = options.seconds ?? 60;
  const population = new Population({
    units: options.units ?? 6,
    seed: options.seed ?? 11,
    meanRateHz: options.meanRateHz ?? 20,
    binSecondsHint: 0.02,
    synergisticPairs: 1,
    redundantPairs: 1,
  });
  const write = sampledPopulation(population, { untilSeconds: seconds, sampleRate: options.sampleRate ?? 30_000, chunkSeconds: options.chunkSeconds });
  const chunks = [...write.chunks()];
  const samples = new Float64Array(chunks.reduce((n, chunk) => n + chunk.samples.length, 0));
  const unit = new Uint32Array(samples.length);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk.samples, offset);
    unit.set(chunk.unit, offset);
    offset += chunk.samples.length;
  }
  const t = samples.map((sample) => sample / write.sampleRate);
  return { sampleRate: write.sampleRate, unitIds: [...write.unitIds], samples, t, unit, labels: [...write.labels], seconds, write };
}

/** Writes spikes as a `unit,t` CSV with times printed to round-trip exactly (the reference every format is compared with). */
export function writeSpikesCsvFile(path: string, t: ArrayLike<number>, unit: ArrayLike<string>): string {
  const rows = ['unit,t'];
  for (let i = 0; i < t.length; i++) rows.push(`${unit[i]},${t[i]}`);
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

/** Writes label intervals as a `start,end,label` CSV. */
export function writeLabelsCsvFile(path: string, intervals: ReadonlyArray<{ start: number; end: number; label: string }>): string {
  writeFileSync(path, `start,end,label\n${intervals.map((i) => `${i.start},${i.end},${i.label}`).join('\n')}\n`);
  return path;
}

/** The session as CSV files in `folder` (spikes with units named by `unitName`, and labels). */
export function writeSessionCsv(
  folder: string,
  session: SampledSession,
  unitName: (index: number) => string = (index) => session.unitIds[index],
): { spikes: string; labels: string } {
  return {
    spikes: writeSpikesCsvFile(join(folder, 'reference-spikes.csv'), session.t, Array.from(session.unit, unitName)),
    labels: writeLabelsCsvFile(join(folder, 'reference-labels.csv'), session.labels),
  };
}

/** The updates of a JSONL output (its run header and any other line left out). */
export function parseUpdates(text: string): SynergyUpdate[] {
  return parseLines(text).filter((line) => line.type === 'synergy') as unknown as SynergyUpdate[];
}

/** Every line of a JSONL output, parsed. */
export function parseLines(text: string): Array<{ type?: unknown } & Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type?: unknown } & Record<string, unknown>);
}

/** An update with its pairs in a canonical order (a < b, sorted), so that two sources that meet units in another order compare equal. */
function canonical(update: SynergyUpdate): unknown {
  const pairs = update.pairs
    .map((pair) => (pair.a <= pair.b ? pair : { ...pair, a: pair.b, b: pair.a, ia: pair.ib, ib: pair.ia }))
    .sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
  return { ...update, pairs };
}

/**
 * Replays a recording and the same spikes as CSV with the same analysis
 * options, and expects the same emissions: the same update times, samples,
 * labels and drops, and the same pairs with the same values. Returns the
 * updates (for further checks). Fails if the replay measured nothing, so
 * that an empty pair of runs cannot pass.
 */
export async function expectSameReplayAsCsv(
  recordingArgs: readonly string[],
  reference: { spikes: string; labels: string },
  analysisArgs: readonly string[] = ['--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'panzeri-treves'],
): Promise<SynergyUpdate[]> {
  const [format, csv] = await Promise.all([
    runCli(['replay', ...recordingArgs, ...analysisArgs], { timeoutMs: 60_000 }),
    runCli(['replay', reference.spikes, '--labels', reference.labels, ...analysisArgs], { timeoutMs: 60_000 }),
  ]);
  expect(csv.code, csv.stderr).toBe(0);
  expect(format.code, format.stderr).toBe(0);
  const got = parseUpdates(format.stdout);
  const want = parseUpdates(csv.stdout);
  expect(want.length).toBeGreaterThan(0);
  expect(want.some((update) => update.samples > 0 && update.pairs.length > 0)).toBe(true);
  expect(got.map(canonical)).toEqual(want.map(canonical));
  const spikesRead = (stderr: string) => /: (\d+) spikes of/.exec(stderr)?.[1];
  expect(spikesRead(format.stderr)).toBe(spikesRead(csv.stderr));
  return got;
}
