/**
 * Memory benchmark of replay (`npm run bench:replay-memory [-- --spikes 50000000]`):
 * generates a recording of 50 million spikes as CSV (cached in the system's
 * temp folder), replays it with `synergy replay` in a child process and
 * prints the child's peak RSS, which must stay under 500 MB: readers stream
 * the file and the engine's memory depends on units and window, not on the
 * recording's length.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Population } from '../simulators/population.ts';
import { writeRecordingCsv } from '../simulators/writeSpikesCsv.ts';

const here = dirname(fileURLToPath(import.meta.url));
function flag(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
}
const targetSpikes = Number(flag('spikes', '50000000'));
const units = 128;
const rateHz = 40;
// Independent units fire at rateHz; planted units near half the bins; size the span for the target.
const seconds = Math.ceil(targetSpikes / (units * rateHz));
const folder = join(tmpdir(), `synergy-bench-replay-${targetSpikes}`);
const spikesPath = join(folder, 'spikes.csv');
const labelsPath = join(folder, 'labels.csv');

if (!existsSync(spikesPath) || !existsSync(labelsPath)) {
  mkdirSync(folder, { recursive: true });
  const started = performance.now();
  const population = new Population({ units, meanRateHz: rateHz, seed: 3, synergisticPairs: 2, redundantPairs: 2 });
  const written = await writeRecordingCsv(population, { spikesPath, labelsPath, untilSeconds: seconds, chunkSeconds: 20 });
  process.stderr.write(`generated ${written.spikes} spikes over ${seconds} s in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

const started = performance.now();
const output = execFileSync(
  process.execPath,
  ['--import', 'tsx', join(here, 'replayChild.ts'), 'replay', spikesPath, '--labels', labelsPath, '--window', '60', '--hop', '10', '--top', '20', '--out', '/dev/null'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 },
);
const wallSeconds = (performance.now() - started) / 1000;
const child = JSON.parse(output.trim().split('\n').at(-1)!) as { maxRssMB: number; summary: string };
const spikes = Number(/: (\d+) spikes/.exec(child.summary)?.[1] ?? 0);
process.stdout.write(
  `${JSON.stringify({
    name: 'replay/csv-memory',
    spikes,
    fileMB: statSync(spikesPath).size / 1e6,
    recordingSeconds: seconds,
    peakRssMB: child.maxRssMB,
    wallSeconds,
    spikesPerSecond: spikes / wallSeconds,
    underTarget: child.maxRssMB < 500,
  })}\n`,
);
