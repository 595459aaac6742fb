import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { projectRoot } from './shared.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Child processes one test file runs at once. A test that starts many
 * (one per bad file) would otherwise start them all together: on 2 cores,
 * shared with the other test files and a browser, each one's start-up
 * (Node and tsx) stretched past its timeout. The rest wait their turn, and
 * a process's timeout counts from its own start.
 */
const MAX_RUNNING = 3;
let running = 0;
const waiting: Array<() => void> = [];

async function turn(): Promise<void> {
  if (running < MAX_RUNNING) {
    running++;
    return;
  }
  await new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
}

function done(): void {
  const next = waiting.shift();
  if (next !== undefined) next();
  else running--;
}

/** Runs `bin/synergy` as a user would, in a child process. */
export async function runCli(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  await turn();
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    return await new Promise((resolvePromise) => {
      execFile(
        process.execPath,
        [resolve(projectRoot, 'bin', 'synergy'), ...args],
        { cwd: projectRoot, timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          // A process killed at its timeout says so, rather than passing for an exit 1 with less output.
          const killed = error !== null && error.killed === true ? `\n[runCli: killed after ${timeoutMs} ms: synergy ${args.join(' ')}]` : '';
          resolvePromise({ code, stdout, stderr: `${stderr}${killed}` });
        },
      );
    });
  } finally {
    done();
  }
}
