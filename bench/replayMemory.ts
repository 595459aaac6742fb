/**
 * Memory benchmark of replay (`npm run bench:replay-memory [-- --format nev
 * --spikes 50000000 --json]`): generates a recording of 50 million spikes in
 * the chosen format (csv, phy, nwb, openephys, nev, or `all`; cached in the
 * system's temp folder), replays it with `synergy replay` in a child process
 * and prints the child's peak RSS, which must stay under 500 MB: readers
 * stream the file and the engine's memory depends on units and window, not on
 * the recording's length. The writers in simulators/ stream too, so the
 * recording is never held in memory here either.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Population } from '../simulators/population.ts';
import { sampledPopulation, type SessionToWrite } from '../simulators/sampledSession.ts';
import { writeNev } from '../simulators/writeNev.ts';
import { writeNwb } from '../simulators/writeNwb.ts';
import { openEphysRecordingFolder, writeOpenEphysFolder } from '../simulators/writeOpenEphysFolder.ts';
import { writePhyFolder } from '../simulators/writePhyFolder.ts';
import { writeLabelIntervalsCsv, writeRecordingCsv } from '../simulators/writeSpikesCsv.ts';
import { flag } from './flags.ts';

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes('--json');
const targetSpikes = Number(flag('spikes', '50000000'));
const formatFlag = flag('format', 'csv');
const formats = formatFlag === 'all' ? ['csv', 'phy', 'nwb', 'openephys', 'nev'] : [formatFlag];
const units = 128;
const rateHz = 40;
const sampleRate = 30_000;
// Independent units fire at rateHz; planted units near half the bins; size the span for the target.
const seconds = Math.ceil(targetSpikes / (units * rateHz));
const population = () => new Population({ units, meanRateHz: rateHz, seed: 3, synergisticPairs: 2, redundantPairs: 2 });
const session = (): SessionToWrite => sampledPopulation(population(), { untilSeconds: seconds, sampleRate, chunkSeconds: 20 });

interface Written {
  /** What to replay, and the format options. */
  args: string[];
  /** Bytes on disk. */
  bytes: number;
}

function sizeOf(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

/** Writes the recording in `format` once (kept in the temp folder), returns the replay arguments. */
async function recording(format: string): Promise<Written> {
  const folder = join(tmpdir(), `synergy-bench-replay-${targetSpikes}`, format);
  const done = join(folder, 'complete.json');
  if (existsSync(done)) return JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(done, 'utf8'))) as Written;
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const started = performance.now();
  let args: string[];
  let target: string;
  const labels = join(folder, 'labels.csv');
  switch (format) {
    case 'csv': {
      target = join(folder, 'spikes.csv');
      await writeRecordingCsv(population(), { spikesPath: target, labelsPath: labels, untilSeconds: seconds, chunkSeconds: 20 });
      args = [target, '--labels', labels];
      break;
    }
    case 'phy': {
      target = join(folder, 'kilosort');
      const s = session();
      await writePhyFolder(target, s);
      await writeLabelsOf(s, labels);
      args = [target, '--labels', labels];
      break;
    }
    case 'nwb': {
      target = join(folder, 'session.nwb');
      const s = session();
      // The session's modes as /intervals/trials, column 'condition' (the writer's default).
      await writeNwb(target, s);
      args = [target, '--label-column', 'condition'];
      break;
    }
    case 'openephys': {
      target = join(folder, 'Record Node 101');
      // One channel per electrode and 2-sample waveforms: 50 M spikes of full waveforms would be 8 GB.
      const ttlLabels = await writeOpenEphysFolder(target, session(), { electrodes: 16, channelsPerElectrode: 1, prePeakSamples: 0, postPeakSamples: 2 });
      target = openEphysRecordingFolder(target);
      args = [target, '--ttl-labels', ttlLabels];
      break;
    }
    case 'nev': {
      target = join(folder, 'session.nev');
      // 4 waveform samples: 16-byte packets (48 samples would be 5 GB for 50 M spikes).
      const written = await writeNev(target, session(), { version: '3.0', waveformSamples: 4 });
      args = [target, '--ttl-labels', written.ttlLabels];
      break;
    }
    default:
      throw new Error(`unknown format ${format}: csv, phy, nwb, openephys, nev or all`);
  }
  const result: Written = { args, bytes: sizeOf(target) };
  writeFileSync(done, JSON.stringify(result));
  process.stderr.write(`wrote ${format} (${(result.bytes / 1e6).toFixed(0)} MB, ${seconds} s of recording) in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  return result;
}

async function writeLabelsOf(s: SessionToWrite, path: string): Promise<void> {
  await writeLabelIntervalsCsv(
    path,
    s.labels.map((interval) => ({ kind: 'label' as const, t: interval.start, label: interval.label })),
    s.seconds,
  );
}

for (const format of formats) {
  const { args, bytes } = await recording(format);
  const started = performance.now();
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', join(here, '..', 'bin', 'plainPackages.mjs'), join(here, 'replayChild.ts'), 'replay', ...args, '--window', '60', '--hop', '10', '--top', '20', '--out', '/dev/null'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const child = JSON.parse(output.trim().split('\n').at(-1)!) as { maxRssMB: number; summary: string };
  const spikes = Number(/: (\d+) spikes/.exec(child.summary)?.[1] ?? 0);
  const result = {
    name: `replay/${format}-memory`,
    spikes,
    fileMB: bytes / 1e6,
    recordingSeconds: seconds,
    peakRssMB: child.maxRssMB,
    wallSeconds,
    spikesPerSecond: spikes / wallSeconds,
    underTarget: child.maxRssMB < 500,
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${result.name.padEnd(24)} ${Object.entries(result).slice(1).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join('  ')}\n`);
}
