import { Command, CommanderError } from 'commander';
import { EXIT_STATUS, SynergyError, type ExitStatus } from '../src/errors.ts';
import { VERSION } from '../src/version.ts';
import { processIo, type CliIo } from './cliIo.ts';
import { measureCommand } from './measureCommand.ts';
import { inspectCommand } from './inspectCommand.ts';
import { replayCommand } from './replayCommand.ts';
import { serveCommand } from './serveCommand.ts';
import { connectCommand } from './connectCommand.ts';
import { simulateCommand } from './simulateCommand.ts';
import { demoCommand } from './demoCommand.ts';
import { workerCommand } from './workerCommand.ts';

export { VERSION } from '../src/version.ts';

// Re-exported for callers of main (tests pass their own streams); commands import it from cliIo.ts, not from here.
export type { CliIo } from './cliIo.ts';

/**
 * Runs the `synergy` command line; returns the exit status (EXIT_STATUS,
 * README "Exit statuses"): 0 done; a SynergyError's own status (1 bad data,
 * 2 usage, 69 a source out of reach, 73 an output that cannot be written);
 * 2 for what commander refuses (unknown option, missing argument); 70 for
 * anything else, which is a bug and is reported as one.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<ExitStatus> {
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
  program.addCommand(workerCommand(io));
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError('(run with --help for usage)');
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_STATUS.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; their text is already written.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_STATUS.ok;
      return error.exitCode === 0 ? EXIT_STATUS.ok : EXIT_STATUS.usage;
    }
    if (error instanceof SynergyError) {
      io.stderr(`synergy: ${error.message}\n`);
      return error.exitStatus;
    }
    io.stderr(internalErrorReport(error));
    return EXIT_STATUS.internal;
  }
}

/**
 * What the user sees of an error that is no SynergyError: a broken
 * invariant (a RangeError from a precondition the CLI should have checked,
 * say). Not the input's fault, so it says so, asks for a report, and gives
 * the stack that report needs.
 */
export function internalErrorReport(error: unknown): string {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error && error.stack !== undefined ? `${error.stack.split('\n').slice(1).join('\n')}\n` : '';
  return (
    `synergy: internal error: ${what}\n` +
    `synergy: this is a bug in synergy-stream ${VERSION}, not a problem with the input or options; please report it with the command line and the lines below\n` +
    stack
  );
}
