/**
 * Finding a Python with numpy and running the numpy peer
 * (bench/peers/numpy_synergy.py) on a folder of peer data.
 *
 * The interpreter: Debian's /usr/bin/python3 with python3-numpy (the system
 * BLAS, OpenBLAS with libopenblas0-pthread), else `python3` on PATH; when
 * neither imports numpy, the peer is skipped with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NUMPY_PEER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'numpy_synergy.py');

/** The estimators the peer computes. */
export const NUMPY_PEER_ESTIMATORS = ['plugin', 'miller-madow'] as const;
export type NumpyPeerEstimator = (typeof NUMPY_PEER_ESTIMATORS)[number];

export type NumpyPython = { found: true; python: string; numpy: string } | { found: false; reason: string };

const CANDIDATES = ['/usr/bin/python3', 'python3'];

/** The first interpreter of /usr/bin/python3, python3 that imports numpy. */
export function findNumpyPython(): NumpyPython {
  const failures: string[] = [];
  for (const python of CANDIDATES) {
    const probe = spawnSync(python, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.error !== undefined) {
      failures.push(`${python}: ${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}`);
    } else if (probe.status !== 0) {
      const lastLine = probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
      failures.push(`${python}: ${lastLine}`);
    } else {
      return { found: true, python, numpy: probe.stdout.trim() };
    }
  }
  return { found: false, reason: `no python3 with numpy (${failures.join('; ')}); apt-get install python3-numpy libopenblas0-pthread` };
}

/** The peer's one JSON line (name peer/numpy/<estimator>/<units>-units, realtimeFactor, msPerHop, hops, numpy, blas, …). */
export type NumpyPeerResult = Record<string, unknown> & { name: string; realtimeFactor: number; msPerHop: number };

/** Runs the peer over `folder` (bench/peers/peerData.ts); `dump` names a file for the last hop's top pairs. */
export function runNumpyPeer(python: string, folder: string, estimator: NumpyPeerEstimator, options: { top?: number; dump?: string } = {}): NumpyPeerResult {
  const args = [NUMPY_PEER_SCRIPT, folder, '--estimator', estimator, '--top', String(options.top ?? 100)];
  if (options.dump !== undefined) args.push('--dump', options.dump);
  const output = execFileSync(python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const line = output
    .trim()
    .split('\n')
    .find((text) => text.startsWith('{'));
  if (line === undefined) throw new Error(`the numpy peer printed no result: ${output}`);
  return JSON.parse(line) as NumpyPeerResult;
}
