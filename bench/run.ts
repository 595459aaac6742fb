/**
 * Benchmarks: `npm run bench` prints a table, `npm run bench -- --json` one
 * JSON object per line. Each streaming configuration runs in a child process
 * (one core for the analyzer, its own peak memory):
 *
 * - streaming with the default estimator (jackknife) at 64, 256 and 1,024 units (5 Hz, bursty),
 *   20 ms bins, 60 s window, 1 s hop, top 100: real-time factor, peak RSS,
 *   per-update latency p50/p99;
 * - streaming/shuffle at 64 and 256 units, and at 64 units with 99
 *   surrogates and top 20 (the shuffled tables, and a fresh within-mode
 *   cycle per surrogate);
 * - the same workload through the naive path (every pair recomputed from the
 *   window's bins with the batch library at every hop) at 64 and 256 units,
 *   over fewer hops, and the speed-up of the incremental engine over it;
 * - the significance read-out alone (bench/significanceKernel.ts): ns per
 *   pair per alignment in the WebAssembly kernel and its JavaScript
 *   reference, every bin labeled and 5 % unlabeled;
 * - the batch measure core (bench/batchMeasures.ts);
 * - every estimator at 1,024 units, one core, no surrogates (plugin,
 *   miller-madow, panzeri-treves, qe, jackknife, shuffle; 30 s measured
 *   after the window has filled), and beside them, on the same recording in
 *   the same run, the numpy peer (bench/peers/numpy_synergy.py: every hop's
 *   window recomputed from scratch, count tables of all pairs by BLAS
 *   products of one-hot activity matrices, one BLAS thread) for plugin and
 *   miller-madow: `ratio/<estimator>/1024-units` gives both real-time
 *   factors and ours/peer. The peer needs a python3 with numpy (Debian:
 *   apt-get install python3-numpy libopenblas0-pthread); without one it is
 *   reported as skipped, with the reason.
 *
 * - the readout alone (bench/readoutKernel.ts) on a 60 s window of 1,024
 *   units: ns per pair per hop for every estimator, in the WebAssembly kernel
 *   and its JavaScript reference, the one-pass kernel alone, and the limit
 *   this machine allows, estimated from measured table-lookup and memory
 *   rates (how: the script's comment).
 *
 * `--quick` runs shorter measurements (for a smoke test; the estimator
 * section at 64 units and 5 s).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');

type Result = Record<string, unknown> & { name: string };

function child(script: string, args: string[]): Result[] {
  const output = execFileSync(process.execPath, ['--import', 'tsx', join(here, script), ...args, ...(json ? ['--json'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  return output
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Result);
}

function report(result: Result): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const { name, ...rest } = result;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`);
  process.stdout.write(`${name.padEnd(42)} ${fields.join('  ')}\n`);
}

const streaming = new Map<number, Result>();
for (const units of [64, 256, 1024]) {
  const seconds = quick ? 5 : units === 1024 ? 30 : 60;
  const [result] = child('streamingWorkload.ts', ['--units', String(units), '--seconds', String(seconds)]);
  streaming.set(units, result);
  report(result);
  if (units === 1024 && !quick) {
    // The default memory bound (2^28 cells) keeps 41 of the 99 lags at 1,024 units; all 99 take 2^30.
    const [all] = child('streamingWorkload.ts', ['--units', '1024', '--seconds', '10', '--max-cells', String(2 ** 30)]);
    report({ ...all, name: `${String(all.name)}/all-lags` });
  }
}
// The significance read-out alone: ns per pair per alignment (one surrogate of one pair), WebAssembly and JavaScript.
for (const units of quick ? [64] : [256, 1024]) {
  for (const result of child('significanceKernel.ts', ['--units', String(units), '--repeats', quick ? '1' : '3'])) report(result);
}
if (!quick) for (const result of child('significanceKernel.ts', ['--units', '256', '--unlabeled', '0.05', '--repeats', '3'])) report(result);
for (const [units, extra] of [
  [64, []],
  [256, []],
  [64, ['--surrogates', '99', '--top', '20']],
] as const) {
  const seconds = quick ? 5 : units === 256 ? 30 : 60;
  report(child('streamingWorkload.ts', ['--units', String(units), '--seconds', String(seconds), '--estimator', 'shuffle', ...extra])[0]);
}
for (const units of [64, 256]) {
  const seconds = quick ? 1 : units === 256 ? 3 : 10;
  const [result] = child('streamingWorkload.ts', ['--units', String(units), '--seconds', String(seconds), '--naive']);
  report(result);
  const fast = streaming.get(units)!;
  report({
    name: `speedup/${String(fast.estimator)}/${units}-units`,
    units,
    pairs: result.pairs,
    incrementalMsPerHop: fast.msPerHop,
    naiveMsPerHop: result.msPerHop,
    speedup: (result.msPerHop as number) / (fast.msPerHop as number),
  });
}
for (const result of child('batchMeasures.ts', [])) report(result);

// Every estimator at 1,024 units on one core with no surrogates, and the numpy peer on the same recording.
{
  const units = quick ? 64 : 1024;
  const seconds = quick ? 5 : 30;
  const ours = new Map<string, Result>();
  for (const estimator of ['plugin', 'miller-madow', 'panzeri-treves', 'qe', 'jackknife', 'shuffle']) {
    const [result] = child('streamingWorkload.ts', ['--units', String(units), '--seconds', String(seconds), '--surrogates', '0', '--estimator', estimator]);
    ours.set(estimator, result);
    report(result);
  }
  for (const peer of child('peers/numpyWorkload.ts', ['--units', String(units), '--seconds', String(seconds)])) {
    report(peer);
    if (peer.skipped !== undefined) continue;
    const estimator = String(peer.estimator);
    const own = ours.get(estimator)!;
    report({
      name: `ratio/${estimator}/${units}-units`,
      units,
      oursRealtimeFactor: own.realtimeFactor,
      peerRealtimeFactor: peer.realtimeFactor,
      oursOverPeer: (own.realtimeFactor as number) / (peer.realtimeFactor as number),
      oursMsPerHop: own.msPerHop,
      peerMsPerHop: peer.msPerHop,
    });
  }
}

// The readout alone, each estimator in a process of its own: ns per pair per hop; then the one-pass kernel and the machine's limit.
{
  const args = ['--units', quick ? '128' : '1024', '--repeats', quick ? '2' : '5'];
  for (const estimator of ['plugin', 'miller-madow', 'panzeri-treves', 'qe', 'jackknife', 'shuffle']) {
    for (const result of child('readoutKernel.ts', [...args, '--estimator', estimator])) report(result);
  }
  for (const result of child('readoutKernel.ts', [...args, '--pass'])) report(result);
}
