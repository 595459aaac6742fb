/**
 * The readout kernel alone, per estimator: nanoseconds per pair per hop on
 * the streaming benchmark's window (1,024 units by default: the simulated
 * population's last 60 s of 20 ms bins, levels 3), and the limit this
 * machine allows, estimated from two measurements:
 *
 * - table lookups: a pair's readout (levels 3, M modes) reads 9(M + 1)
 *   entries of the n·log2 n table at data-dependent places; the time of one
 *   such lookup is measured as the sum of T[index[k]] over a million random
 *   indices into a table of the window's size (it stays in the L1 cache);
 * - memory: a pair's stored cells (2 bytes each, M modes × 4 cells per
 *   quarter) stream in once per hop; the streaming rate is the sum over a
 *   64 MiB Uint16Array.
 *
 * The limit is the larger of lookups × ns per lookup and bytes / bandwidth:
 * the time of the lookups alone, with the cells' derivation, the sums and
 * the ranking free.
 *
 *   tsx bench/readoutKernel.ts [--units 1024] [--repeats 5] [--json]
 */
import { performance } from 'node:perf_hooks';
import { IncrementalReadout } from '../src/engine/incrementalReadout.ts';
import { ReadoutKernel } from '../src/engine/readoutKernel.ts';
import { PairCountTables } from '../src/engine/pairCountTables.ts';
import type { WindowBin } from '../src/engine/windowReadout.ts';
import { ESTIMATORS } from '../src/estimators/estimate.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../src/stream/options.ts';
import { flag } from './flags.ts';
import { labeledBins } from './peers/peerData.ts';
import { WORKLOAD_WINDOW, workloadChunks, workloadPopulationOptions } from './workloadEvents.ts';

const units = Number(flag('units', '1024'));
const repeats = Number(flag('repeats', '5'));
const window = WORKLOAD_WINDOW;
const windowBins = Math.round(window.windowSeconds / window.binSeconds);

// The window: the recording's first 61 s, its last windowBins labeled or unlabeled bins.
const { chunks } = workloadChunks(workloadPopulationOptions(units), window.windowSeconds + 1);
const data = labeledBins(chunks.flat(), window);
const entries: WindowBin[] = [];
for (let r = Math.max(0, data.bins - windowBins); r < data.bins; r++) {
  const fired: number[] = [];
  const symbols: number[] = [];
  for (let u = 0; u < data.unitIds.length; u++) {
    const s = data.symbols[r * data.unitIds.length + u];
    if (s > 0) {
      fired.push(u);
      symbols.push(s);
    }
  }
  entries.push({ bin: data.firstBin + r, label: data.labels[r], units: Uint32Array.from(fired), symbols: Uint8Array.from(symbols) });
}
const modes = data.modeNames.length;
const n = data.unitIds.length;
const pairs = (n * (n - 1)) / 2;

/** The fastest of `repeats` runs, after three that let the compiler optimize. */
function best(run: () => void): number {
  for (let k = 0; k < 3; k++) run();
  let fastest = Infinity;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

const results: Record<string, unknown>[] = [];
// --estimator NAME: that one only.
for (const estimator of ESTIMATORS.filter((name) => flag('estimator', name) === name)) {
  const readout = new IncrementalReadout({ ...DEFAULT_ANALYSIS_OPTIONS, ...window, estimator, surrogates: 0 }, windowBins);
  for (const entry of entries) readout.update(entry, 1, n, modes);
  const ms = best(() => readout.rank(entries, n, modes, 100));
  results.push({ name: `readout/${estimator}/${n}-units`, units: n, pairs, modes, msPerHop: ms, nsPerPair: (ms * 1e6) / pairs });
}

// The one-pass kernel alone (what plug-in, Miller–Madow, jackknife, PT and shuffle bounds run on).
const tables = new PairCountTables(window.levels, false, windowBins);
tables.ensureUnits(n);
tables.ensureModes(modes);
for (const entry of entries) if (entry.label >= 0) tables.updateBin(0, entry.label, entry.units, entry.symbols, 0, entry.units.length, 1);
const kernel = new ReadoutKernel(window.levels, windowBins);
const sums = { within: new Float64Array(pairs), across: new Float64Array(pairs), occupiedAcross: new Int32Array(pairs), occupiedWithin: new Int32Array(pairs) };
const passMs = best(() => kernel.pairSums(tables, n, modes, 'plugin', sums));
results.push({ name: `readout/pass/${n}-units`, units: n, pairs, modes, msPerHop: passMs, nsPerPair: (passMs * 1e6) / pairs });

// The limit: lookups and memory.
const lookups = 1 << 20;
const table = new Float64Array(windowBins + 2).map((_, k) => (k < 2 ? 0 : k * Math.log2(k)));
const index = new Int32Array(lookups);
let seed = 12345;
for (let k = 0; k < lookups; k++) {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  index[k] = (seed >>> 8) % table.length;
}
let sink = 0;
const lookupMs = best(() => {
  let sum = 0;
  for (let k = 0; k < lookups; k++) sum += table[index[k]];
  sink += sum;
});
const nsPerLookup = (lookupMs * 1e6) / lookups;
const stream = new Uint16Array(32 << 20).fill(1);
const streamMs = best(() => {
  let sum = 0;
  for (let k = 0; k < stream.length; k++) sum += stream[k];
  sink += sum;
});
const bytesPerNs = stream.byteLength / (streamMs * 1e6);
const lookupsPerPair = 9 * (modes + 1);
const bytesPerPair = 2 * 4 * modes;
const limitNs = Math.max(lookupsPerPair * nsPerLookup, bytesPerPair / bytesPerNs);
results.push({
  name: `readout/limit/${n}-units`,
  units: n,
  modes,
  lookupsPerPair,
  nsPerLookup,
  bytesPerPair,
  streamGBps: bytesPerNs,
  limitNsPerPair: limitNs,
  limitMsPerHop: (limitNs * pairs) / 1e6,
  checksum: sink > 0 ? 1 : 0,
});
const json = process.argv.includes('--json');
for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
void json;
