import { main } from '../../cli/main.ts';
import type { CliResult } from './runCli.ts';

/**
 * Runs a `synergy` command line in this process (`main` with its output
 * collected): no process start, for tests that check what a command
 * computes rather than how the program starts and exits (runCli does that).
 */
export async function runCliHere(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}
