import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { projectRoot } from './shared.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/synergy` as a user would, in a child process. */
export function runCli(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [resolve(projectRoot, 'bin', 'synergy'), ...args],
      { cwd: projectRoot, timeout: options.timeoutMs ?? 30_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}
