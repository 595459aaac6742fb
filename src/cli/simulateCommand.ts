import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { RigSimulator } from '../../simulators/rigSimulator.ts';
import { UsageError } from '../errors.ts';
import { untilInterrupted } from './liveOptions.ts';
import type { CliIo } from './main.ts';
import { parseInteger } from './parseOptions.ts';

interface SimulateFlags {
  units: number;
  rate: number;
  seed: number;
  modes: number;
  port: number;
  host: string;
  speed: number;
  synergistic: number;
  redundant: number;
  dwell: number;
  json?: boolean;
  truth?: string;
  duration?: number;
  source: string;
}

export const DEFAULT_SIMULATE_PORT = 7701;

function parseNumber(option: string, minimum: number, inclusive = true): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || (inclusive ? number < minimum : number <= minimum)) {
      throw new InvalidArgumentError(`${option} takes a number ${inclusive ? '≥' : '>'} ${minimum}, got '${value}'`);
    }
    return number;
  };
}

/**
 * The simulator's population options (shared with the demo, whose analysis
 * options bring their own --seed: there it seeds both).
 */
export function populationFlags(command: Command, withSeed = true): Command {
  command
    .option('--units <n>', 'units in the population', parseInteger('--units', 2), 16)
    .option('--rate <hz>', 'mean firing rate of the independent units', parseNumber('--rate', 0), 5);
  if (withSeed) command.option('--seed <n>', 'seed of the population (same seed, same recording)', parseInteger('--seed'), 0);
  return command
    .option('--modes <n>', 'behavioral modes (a Markov chain; mode-0, mode-1, …)', parseInteger('--modes', 1), 3)
    .option('--dwell <seconds>', 'mean time in a mode', parseNumber('--dwell', 0, false), 2)
    .option('--synergistic <n>', 'planted synergistic pairs (XOR of the mode)', parseInteger('--synergistic', 0), 2)
    .option('--redundant <n>', 'planted redundant pairs (shared input)', parseInteger('--redundant', 0), 2);
}

export function simulateCommand(io: CliIo): Command {
  const command = new Command('simulate')
    .summary('a rig simulator that serves the ingest protocol in real time')
    .description(
      `Serves a simulated recording over WebSocket (docs/PROTOCOL.md), as a rig
would: a population with planted synergistic pairs (each unit alone says
nothing of the mode, the pair's XOR does), planted redundant pairs (both
carry the same part of the mode), and independent bursty units; behavioral
modes switch as a Markov chain. Clients (synergy connect) get hello with the
unit table, then labels, binary spike frames and heartbeats in real time
(or --speed times faster). A client that reconnects and says the last seq it
holds gets what it missed (the last 30 s are kept).

--truth FILE writes the planted pairs and their kind as JSON, to check what
the analyzer finds. Stop with Ctrl-C, or give --duration.

Examples:
  synergy simulate --port 7701 --units 32 --truth truth.json
  synergy simulate --speed 10 --duration 600 --seed 3`,
    )
    .option('--port <port>', 'port to serve on (0: any free port)', parseInteger('--port', 0), DEFAULT_SIMULATE_PORT)
    .option('--host <address>', 'address to serve on', '127.0.0.1')
    .option('--speed <factor>', 'simulated seconds per second of wall time', parseNumber('--speed', 0, false), 1)
    .option('--json', 'send spikes as JSON text frames instead of binary frames')
    .option('--truth <file>', 'write the planted pairs (a, b, kind) as JSON to this file')
    .option('--duration <seconds>', 'send end after this many simulated seconds', parseNumber('--duration', 0, false))
    .option('--source <name>', 'the source name in hello', 'sim-rig');
  populationFlags(command);
  return command.action(async (flags: SimulateFlags) => {
    if (2 * (flags.synergistic + flags.redundant) > flags.units) {
      throw new UsageError(`${flags.synergistic} synergistic and ${flags.redundant} redundant pairs need ${2 * (flags.synergistic + flags.redundant)} units; --units is ${flags.units}`);
    }
    const simulator = await RigSimulator.start({ ...populationOptions(flags), host: flags.host, port: flags.port, speed: flags.speed, json: flags.json, source: flags.source });
    if (flags.truth !== undefined) writeFileSync(flags.truth, `${JSON.stringify(truthOf(simulator), null, 2)}\n`);
    io.stderr(
      `synergy simulate: serving ${simulator.url} (${flags.units} units, ${flags.synergistic} synergistic and ${flags.redundant} redundant pairs planted, ${flags.modes} modes, speed ${flags.speed})\n`,
    );
    const interrupted = untilInterrupted();
    const finished =
      flags.duration === undefined
        ? new Promise<never>(() => {})
        : new Promise<void>((resolve) => {
            const check = setInterval(() => {
              if (simulator.now() >= flags.duration!) {
                clearInterval(check);
                resolve();
              }
            }, 20);
          });
    await Promise.race([interrupted.promise, finished]);
    interrupted.cancel();
    await simulator.stop();
    io.stderr(`synergy simulate: sent ${simulator.spikesGenerated} spikes over ${simulator.now().toFixed(1)} simulated seconds\n`);
  });
}

export function populationOptions(flags: Pick<SimulateFlags, 'units' | 'rate' | 'seed' | 'modes' | 'dwell' | 'synergistic' | 'redundant'>) {
  return {
    units: flags.units,
    meanRateHz: flags.rate,
    seed: flags.seed,
    modes: flags.modes,
    modeDwellSeconds: flags.dwell,
    synergisticPairs: flags.synergistic,
    redundantPairs: flags.redundant,
  };
}

/** The planted pairs and the independent units, as --truth writes them. */
export function truthOf(simulator: RigSimulator): { pairs: Array<{ a: string; b: string; kind: string }>; independent: string[]; modes: string[]; seed: number } {
  return {
    pairs: simulator.population.truth.map((pair) => ({ ...pair })),
    independent: [...simulator.population.independentUnits],
    modes: [...simulator.population.labels],
    seed: simulator.population.seed,
  };
}
