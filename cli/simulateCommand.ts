import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Population } from '../simulators/population.ts';
import { RhxSimulator } from '../simulators/rhxSimulator.ts';
import { writeLabelIntervalsCsv } from '../simulators/writeSpikesCsv.ts';
import { RigSimulator } from '../simulators/rigSimulator.ts';
import { OutputError, UsageError } from '../src/errors.ts';
import { untilInterrupted } from './liveOptions.ts';
import type { CliIo } from './cliIo.ts';
import { parseInteger, parseNumber } from './parseOptions.ts';

interface SimulateFlags {
  units: number;
  rate: number;
  seed: number;
  modes: number;
  port?: number;
  host: string;
  speed: number;
  synergistic: number;
  redundant: number;
  dwell: number;
  json?: boolean;
  truth?: string;
  duration?: number;
  source: string;
  as: 'protocol' | 'openephys' | 'intan';
  commandPort?: number;
  sampleRate: number;
  labelsOut?: string;
}

export const DEFAULT_SIMULATE_PORT = 7701;


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
    .option('--dwell <seconds>', 'mean time in a mode', parseNumber('--dwell', 0, false), 1)
    .option('--synergistic <n>', 'planted synergistic pairs (XOR of the mode)', parseInteger('--synergistic', 0), 2)
    .option('--redundant <n>', 'planted redundant pairs (shared input)', parseInteger('--redundant', 0), 2);
}

export function simulateCommand(io: CliIo): Command {
  const command = new Command('simulate')
    .summary('a rig simulator: our protocol, Open Ephys or Intan RHX, in real time')
    .description(
      `Serves a simulated recording as a rig would: a population with planted
synergistic pairs (each unit alone says nothing of the mode, the pair's XOR
does), planted redundant pairs (both carry the same part of the mode), and
independent bursty units; behavioral modes switch as a Markov chain. Data go
out in real time (or --speed times faster), in one of three protocols:

  --as protocol   (default) our WebSocket ingest protocol (docs/PROTOCOL.md):
                  hello with the unit table, then steps of 1/16 s of the
                  recording: labels, binary spike frames, a heartbeat. Time
                  starts when the first client is ready. A client that
                  reconnects and says the last seq it holds gets what it
                  missed (the last 30 s are kept).
  --as openephys  the Open Ephys GUI Event Broadcaster (ZeroMQ PUB, JSON
                  format; docs/RIGS.md): spikes of electrodes 1..4 with
                  sorted ids, modes as TTL lines; the --ttl-labels map that
                  reads them is printed. Time starts when the first
                  subscriber connects; after --duration the publisher
                  closes once its subscribers have gone (closing drops
                  what they have not read). Default port 5557.
  --as intan      the Intan RHX TCP spike port (default 5002) and its command
                  port (--command-port, default 5000): channels A-000...;
                  spikes flow once a client sets runmode run (a run stops
                  at --duration). Modes are not on the spike port:
                  --labels-out FILE writes them (for synergy connect
                  --labels).

--truth FILE writes the planted pairs and their kind as JSON (units named as
the chosen protocol names them), to check what the analyzer finds. Stop with
Ctrl-C, or give --duration. What is sent is a function of --seed and the
recording's time alone: --speed decides when it goes out, not what, and
--duration ends the recording at exactly that time on any machine.

Examples:
  synergy simulate --port 7701 --units 32 --truth truth.json
  synergy simulate --speed 10 --duration 600 --seed 3
  synergy simulate --as openephys --truth truth.json
  synergy simulate --as intan --labels-out modes.csv --duration 300`,
    )
    .addOption(new Option('--as <protocol>', 'what to speak').choices(['protocol', 'openephys', 'intan']).default('protocol'))
    .option('--port <port>', 'port to serve on (0: any free port; default 7701, openephys 5557, intan 5002)', parseInteger('--port', 0))
    .option('--command-port <port>', 'intan: the command port (0: any free port)', parseInteger('--command-port', 0), 5000)
    .option('--host <address>', 'address to serve on', '127.0.0.1')
    .option('--speed <factor>', 'simulated seconds per second of wall time', parseNumber('--speed', 0, false), 1)
    .option('--sample-rate <hz>', 'openephys, intan: samples per second', parseNumber('--sample-rate', 0, false), 30000)
    .option('--json', 'protocol: send spikes as JSON text frames instead of binary frames')
    .option('--truth <file>', 'write the planted pairs (a, b, kind) as JSON to this file')
    .option('--labels-out <file>', 'write the modes as intervals (start, end, label) up to --duration (default 3600 s) to this CSV file')
    .option('--duration <seconds>', 'send the recording up to exactly this time, then stop (protocol: with end)', parseNumber('--duration', 0, false))
    .option('--source <name>', 'protocol: the source name in hello', 'sim-rig');
  populationFlags(command);
  return command.action(async (flags: SimulateFlags) => {
    if (2 * (flags.synergistic + flags.redundant) > flags.units) {
      throw new UsageError(`${flags.synergistic} synergistic and ${flags.redundant} redundant pairs need ${2 * (flags.synergistic + flags.redundant)} units; --units is ${flags.units}`);
    }
    const simulator = await startSimulator(flags, io);
    try {
      if (flags.truth !== undefined) writeTruth(flags.truth, truthOf(simulator.population, simulator.unitName));
      if (flags.labelsOut !== undefined) {
        const until = flags.duration ?? 3600;
        await writeLabelIntervalsCsv(flags.labelsOut, simulator.population.modeChanges(until), until);
      }
    } catch (error) {
      // The files tell how to read what is served: without them the simulator stops rather than serve on.
      await simulator.stop();
      throw error;
    }
    if (simulator.connectWith !== undefined) io.stderr(`synergy simulate: connect with: ${simulator.connectWith}\n`);
    const interrupted = untilInterrupted();
    // With --duration the simulator itself ends the recording at exactly that event time.
    await Promise.race([interrupted.promise, simulator.finished]);
    interrupted.cancel();
    await simulator.stop();
    io.stderr(`synergy simulate: sent ${simulator.spikesSent} spikes over ${simulator.now().toFixed(1)} simulated seconds\n`);
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

/** A running simulator, whichever protocol it speaks. */
interface RunningSimulator {
  readonly population: Population;
  /** The id a population unit is sent as. */
  unitName: (unit: string) => string;
  now(): number;
  /** Resolves when the recording has reached --duration. */
  readonly finished: Promise<void>;
  stop(): Promise<void>;
  readonly spikesSent: number;
  /** The `synergy connect` command that reads it, printed once its files are written. */
  readonly connectWith?: string;
}

async function startSimulator(flags: SimulateFlags, io: CliIo): Promise<RunningSimulator> {
  const population = populationOptions(flags);
  const speed = `${flags.units} units, ${flags.synergistic} synergistic and ${flags.redundant} redundant pairs planted, ${flags.modes} modes, speed ${flags.speed}`;
  switch (flags.as) {
    case 'protocol': {
      const simulator = await RigSimulator.start({
        ...population,
        host: flags.host,
        port: flags.port ?? DEFAULT_SIMULATE_PORT,
        speed: flags.speed,
        untilSeconds: flags.duration,
        json: flags.json,
        source: flags.source,
      });
      io.stderr(`synergy simulate: serving ${simulator.url} (${speed})\n`);
      return {
        population: simulator.population,
        unitName: (unit) => unit,
        now: () => simulator.now(),
        finished: simulator.finished,
        stop: () => simulator.stop(),
        get spikesSent() {
          return simulator.spikesGenerated;
        },
        connectWith: `synergy connect ${simulator.url}`,
      };
    }
    case 'openephys': {
      // Loaded here only: ZeroMQ's native module stays out of every other command's process (it delays and
      // warns at exit on a loaded machine: "Waiting for queued ZeroMQ messages to be delivered").
      const { EventBroadcasterSimulator } = await import('../simulators/eventBroadcasterSimulator.ts');
      const simulator = await EventBroadcasterSimulator.start({
        ...population,
        host: flags.host,
        port: flags.port ?? 5557,
        speed: flags.speed,
        untilSeconds: flags.duration,
        sampleRate: flags.sampleRate,
      });
      io.stderr(`synergy simulate: Open Ephys Event Broadcaster at ${simulator.url} (${speed}); time starts when the first subscriber connects\n`);
      return {
        population: simulator.population,
        unitName: (unit) => simulator.unitIdOf(unit),
        now: () => simulator.now(),
        // Closing a ZeroMQ publisher drops what its subscribers have not read: it closes once they have gone.
        finished: simulator.finished.then(() => {
          io.stderr(`synergy simulate: the recording is sent up to ${simulator.now().toFixed(1)} s; closing once the subscribers have gone (or Ctrl-C)\n`);
          return simulator.whenUnsubscribed();
        }),
        stop: () => simulator.stop(),
        get spikesSent() {
          return simulator.spikesSent;
        },
        connectWith: `synergy connect zmq://${flags.host}:${simulator.port} --ttl-labels "${simulator.ttlLabels}"`,
      };
    }
    case 'intan': {
      const simulator = await RhxSimulator.start({
        ...population,
        host: flags.host,
        spikePort: flags.port ?? 5002,
        commandPort: flags.commandPort,
        speed: flags.speed,
        untilSeconds: flags.duration,
        sampleRate: flags.sampleRate,
      });
      const channels = simulator.channels;
      io.stderr(`synergy simulate: Intan RHX spike port ${simulator.spikeUrl}, command port ${simulator.commandAddress} (${speed}); channels ${channels[0]}..${channels.at(-1)}\n`);
      return {
        population: simulator.population,
        unitName: (unit) => channels[simulator.population.unitIds.indexOf(unit)],
        now: () => simulator.now(),
        finished: simulator.finished,
        stop: () => simulator.stop(),
        get spikesSent() {
          return simulator.spikesSent;
        },
        connectWith: `synergy connect ${simulator.spikeUrl} --format intan --command ${simulator.commandAddress} --channels ${channels[0]}..${channels.at(-1)}${
          flags.labelsOut === undefined ? ' (modes: give --labels-out FILE here, --labels FILE there)' : ` --labels ${flags.labelsOut}`
        }`,
      };
    }
  }
}

/** Writes --truth; a file that cannot be written is an OutputError. */
function writeTruth(file: string, truth: ReturnType<typeof truthOf>): void {
  try {
    writeFileSync(file, `${JSON.stringify(truth, null, 2)}\n`);
  } catch (error) {
    throw new OutputError(`cannot write the planted pairs (--truth): ${(error as Error).message}`, file);
  }
}

/** The planted pairs and the independent units, as --truth writes them (units named as the simulator sends them). */
export function truthOf(population: Population, unitName: (unit: string) => string = (unit) => unit): { pairs: Array<{ a: string; b: string; kind: string }>; independent: string[]; modes: string[]; seed: number } {
  return {
    pairs: population.truth.map((pair) => ({ a: unitName(pair.a), b: unitName(pair.b), kind: pair.kind })),
    independent: population.independentUnits.map(unitName),
    modes: [...population.labels],
    seed: population.seed,
  };
}
