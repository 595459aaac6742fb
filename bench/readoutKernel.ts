/**
 * The readout kernel alone, per estimator: nanoseconds per pair per hop on
 * the streaming benchmark's window (1,024 units by default: the simulated
 * population's last 60 s of 20 ms bins, levels 3), and the limit this
 * machine allows, estimated from two measurements:
 *
 * - table lookups: a pair's readout (levels 3, M modes) reads 9(M + 1)
 *   entries of the n·log2 n table at data-dependent places; the time of one
 *   such lookup is measured, in the WebAssembly kernel's own code, as the
 *   sum of T[index[k]] over 4 million random indices into a table of the
 *   window's size (it stays in the L1 cache);
 * - memory: a pair's cells (2 bytes each, M modes × 4 cells) stream in once
 *   per hop; the streaming rate is the kernel's sum over 64 MiB of them.
 *
 * The limit is the larger of lookups × ns per lookup and bytes / rate: the
 * time of the lookups alone, with the cells' derivation, the sums and the
 * ranking free. `--pass` measures the one-pass kernel and the limit.
 *
 *   tsx bench/readoutKernel.ts [--units 1024] [--repeats 5] [--estimator NAME]
 *
 * Prints one JSON line per measurement (bench/run.ts runs it and reports
 * them). Each estimator is timed in the WebAssembly kernel (the default)
 * and in its JavaScript reference.
 */
import { performance } from 'node:perf_hooks';
import { IncrementalReadout } from '../src/engine/incrementalReadout.ts';
import { ReadoutKernel } from '../src/engine/readoutKernel.ts';
import { measureKernelRates } from '../src/engine/wasm/readoutKernel.ts';
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
// --estimator NAME: that one only (--pass: none). Each in the WebAssembly kernel (the default) and in its JavaScript reference.
for (const estimator of ESTIMATORS.filter((name) => !process.argv.includes('--pass') && flag('estimator', name) === name)) {
  for (const kernel of ['wasm', 'js'] as const) {
    const readout = new IncrementalReadout({ ...DEFAULT_ANALYSIS_OPTIONS, ...window, estimator, surrogates: 0 }, windowBins);
    readout.readoutKernel.kernel = kernel;
    for (const entry of entries) readout.update(entry, 1, n, modes);
    const ms = best(() => readout.rank(entries, n, modes, 100));
    results.push({ name: `readout/${estimator}/${kernel}/${n}-units`, units: n, pairs, modes, kernel, msPerHop: ms, nsPerPair: (ms * 1e6) / pairs });
  }
}

// The one-pass kernel alone (what plug-in, Miller–Madow, jackknife, PT and shuffle bounds run on), with --pass.
if (process.argv.includes('--pass')) {
  const tables = new PairCountTables(window.levels, false, windowBins);
  tables.ensureUnits(n);
  tables.ensureModes(modes);
  for (const entry of entries) if (entry.label >= 0) tables.updateBin(0, entry.label, entry.units, entry.symbols, 0, entry.units.length, 1);
  const kernel = new ReadoutKernel(window.levels, windowBins);
  const sums = { within: new Float64Array(pairs), across: new Float64Array(pairs), occupiedAcross: new Int32Array(pairs), occupiedWithin: new Int32Array(pairs) };
  const passMs = best(() => kernel.pairSums(tables, n, modes, 'plugin', sums));
  results.push({ name: `readout/pass/${n}-units`, units: n, pairs, modes, msPerHop: passMs, nsPerPair: (passMs * 1e6) / pairs });

  // The limit: a pair's table lookups at the kernel's measured lookup rate, or its cells at the measured streaming rate.
  const rates = measureKernelRates(windowBins + 2, 1 << 22, 64 << 20, repeats);
  const lookupsPerPair = 9 * (modes + 1);
  const bytesPerPair = 2 * 4 * modes;
  const limitNs = Math.max(lookupsPerPair * rates.nsPerLookup, bytesPerPair / rates.bytesPerNs);
  results.push({
    name: `readout/limit/${n}-units`,
    units: n,
    modes,
    lookupsPerPair,
    nsPerLookup: rates.nsPerLookup,
    bytesPerPair,
    streamGBps: rates.bytesPerNs,
    limitNsPerPair: limitNs,
    limitMsPerHop: (limitNs * pairs) / 1e6,
    passOverLimit: (passMs * 1e6) / pairs / limitNs,
    checksum: rates.checksum > 0 ? 1 : 0,
  });
}
for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
