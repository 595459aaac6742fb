import { Command, CommanderError } from 'commander';
import { SynergyError } from '../src/errors.ts';
import { VERSION } from '../src/version.ts';
import { processIo, type CliIo } from './cliIo.ts';
import { measureCommand } from './measureCommand.ts';
import { inspectCommand } from './inspectCommand.ts';
import { replayCommand } from './replayCommand.ts';
import { serveCommand } from './serveCommand.ts';
import { connectCommand } from './connectCommand.ts';
import { simulateCommand } from './simulateCommand.ts';
import { demoCommand } from './demoCommand.ts';

export { VERSION } from '../src/version.ts';

// Re-exported for callers of main (tests pass their own streams); commands import it from cliIo.ts, not from here.
export type { CliIo } from './cliIo.ts';

/**
 * Runs the `synergy` command line; returns the exit status: 0 success,
 * 1 bad input data, 2 bad usage (unknown option, missing argument).
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = new Command('synergy')
    .description(
      'synergy-stream: which neurons work together, live. Streaming synergy,\n' +
        'mutual information and O-information (in bits) of neural recordings and\n' +
        'behavioral modes, from live rigs or recorded sessions.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  program.addCommand(measureCommand(io.stdout));
  program.addCommand(replayCommand(io));
  program.addCommand(inspectCommand(io));
  program.addCommand(demoCommand(io, io === processIo && process.stdout.isTTY === true));
  program.addCommand(serveCommand(io));
  program.addCommand(connectCommand(io));
  program.addCommand(simulateCommand(io));
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)');
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; their text is already written.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof SynergyError) {
      io.stderr(`synergy: ${error.message}\n`);
      return error.code === 'USAGE' ? 2 : 1;
    }
    if (error instanceof RangeError) {
      io.stderr(`synergy: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
