import { spawnSync } from 'node:child_process';

/**
 * Debian's Python with numpy, for tests that write real .npy/.npz files or
 * run the Python client (not the pyenv python3 on PATH, which has no numpy).
 * Tests that need it skip (it.skipIf(!hasDebianNumpy)) where it is missing.
 */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export const hasDebianNumpy: boolean = spawnSync(DEBIAN_PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

/** Runs `script` with Debian's python3 in `cwd` (argv after it: `args`); throws with its stderr if it fails. */
export function runPython(script: string, cwd: string, args: string[] = []): string {
  const result = spawnSync(DEBIAN_PYTHON, ['-c', script, ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}
