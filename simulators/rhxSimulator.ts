import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RHX_SPIKE_MAGIC, RHX_SPIKE_RECORD_BYTES } from '../adapters/intan/rhxSpikeParser.ts';
import { UsageError } from '../src/errors.ts';
import { listenError } from '../src/server/listenError.ts';
import { SeededRandom } from '../src/math/seededRandom.ts';
import { EventClock, type Pacing } from './eventClock.ts';
import { Population, type PopulationOptions } from './population.ts';

export interface RhxSimulatorOptions extends PopulationOptions {
  host?: string;
  /** Spike port (0: any free port). */
  spikePort?: number;
  /** Command port (0: any free port). Without it the board runs from the start and every channel's spikes are sent. */
  commandPort?: number;
  /**
   * Seconds of a run per wall second (default 1: real time), or 'manual':
   * a run moves only by `advanceTo`.
   */
  speed?: Pacing;
  /** Seconds at which each run ends: the board stops there (as if Stop were pressed) and `finished` resolves. */
  untilSeconds?: number;
  /** Samples per second (default 30000). */
  sampleRate?: number;
  /** Wall milliseconds between checks for new data blocks when paced (default 20). */
  tickMs?: number;
  /** RHX's TCPNumberDataBlocksPerWrite: spike records go out every this many blocks of 128 samples (default 10). */
  blocksPerWrite?: number;
  /** Insert junk between records (random bytes, stray magic numbers, records cut short), for tests. */
  garbage?: boolean;
  /** Keep a record of every spike sent (default true; benchmarks turn it off). */
  record?: boolean;
}

/** What the simulator sent on the spike port, in order. */
export interface RhxSentSpikes {
  sample: number[];
  channel: string[];
  id: number[];
}

/** RHX's native amplifier channel names: ports A–H, 128 channels each (A-000 … A-127, B-000 …). */
export function rhxChannelName(index: number): string {
  return `${'ABCDEFGH'[Math.floor(index / 128)]}-${String(index % 128).padStart(3, '0')}`;
}

const FRAMES_PER_BLOCK = 128;

/**
 * A stand-in for Intan's RHX software with its remote TCP control, driven by
 * a seeded Population (simulators/population.ts): unit i is amplifier
 * channel `rhxChannelName(i)` (A-000 …).
 *
 * The spike port writes 14-byte records (rhxSpikeParser.ts) as RHX does
 * (Engine/Threads/tcpdataoutputthread.cpp): only while the board runs and a
 * client is connected, every `blocksPerWrite` × 128 samples, for the
 * channels whose spike output is enabled, id 1 (RHX 3.x's threshold
 * crossing); sample indices start at 0 when the run starts. Spikes that fall
 * while no client is connected are lost, as in RHX. Each write is split at
 * random offsets into several socket writes, so a reader meets records cut
 * anywhere. Like RHX's TCPCommunicator, each port accepts one client and
 * then stops listening; the spike port listens again after `execute
 * connecttcpspikedataoutput` (`commandsConnect()` stands for the command
 * port's Connect button).
 *
 * The command port answers as RHX's parser does (GUI/Widgets/tcpdisplay.cpp,
 * Engine/Processing/commandparser.cpp), for the commands this adapter uses:
 * `set <ch>.tcpdataoutputenabledspike true|false`, `set runmode run|stop`,
 * `get runmode`, `get sampleratehertz`, `get currenttimestamp`, `execute
 * clearalldataoutputs|connecttcpspikedataoutput|disconnecttcpspikedataoutput`;
 * other parameters and actions get RHX's errors ("Unrecognized parameter",
 * "Unrecognized action", "Error - Command N: Unrecognized command"), bare
 * text with no line end, as RHX writes them. With a command port the board
 * starts stopped with no output enabled; without one it runs from the start
 * with every channel enabled (as if set up by hand in RHX).
 *
 * What goes out is a function of the seed and the sample clock alone: each
 * write block (`blocksPerWrite` × 128 samples) is generated and cut into
 * socket writes by itself, so the bytes are the same whether a late timer
 * sends one block or ten; the pace (`speed`, or `advanceTo` when manual)
 * decides only when.
 */
export class RhxSimulator {
  readonly population: Population;
  readonly sampleRate: number;
  /** Resolves when a run reaches `untilSeconds` (the board stops), or at `stop`. */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  /** Channel name of each population unit (by unit index). */
  readonly channels: string[];
  /** Everything sent on the spike port (when `record` is on). */
  readonly sent: RhxSentSpikes = { sample: [], channel: [], id: [] };
  /** Junk bytes inserted between records (with `garbage`). */
  garbageBytes = 0;
  spikesSent = 0;
  /** Runs started (`set runmode run`, or 1 without a command port). */
  runs = 0;
  /** Commands received, as RHX logs them. */
  readonly commandLog: string[] = [];

  private readonly enabled: Uint8Array;
  private readonly channelIndex = new Map<string, number>();
  private readonly random: SeededRandom;
  private readonly blockSamples: number;
  private running = false;
  /** The current run's clock (seconds from its sample 0). */
  private clock: EventClock;
  /** Samples of the current run generated (a whole number of write blocks). */
  private samplesDone = 0;
  private stoppedAt = 0;
  private spikeClient: Socket | undefined;
  private commandClient: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private spikePortNumber = 0;
  private commandPortNumber = 0;
  private stopped = false;

  private constructor(
    readonly options: RhxSimulatorOptions,
    private readonly spikeServer: Server,
    private readonly commandServer: Server | undefined,
  ) {
    this.population = new Population(options);
    this.sampleRate = options.sampleRate ?? 30_000;
    this.clock = this.runClock();
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.blockSamples = FRAMES_PER_BLOCK * (options.blocksPerWrite ?? 10);
    this.channels = this.population.unitIds.map((_, i) => rhxChannelName(i));
    this.channels.forEach((name, i) => this.channelIndex.set(name, i));
    this.enabled = new Uint8Array(this.channels.length);
    this.random = new SeededRandom(options.seed ?? 0, 'rhx-simulator-writes');
    spikeServer.on('connection', (socket) => this.acceptSpikeClient(socket));
    commandServer?.on('connection', (socket) => this.acceptCommandClient(socket));
  }

  static async start(options: RhxSimulatorOptions): Promise<RhxSimulator> {
    // Reached from `synergy simulate --as intan --units`: an option value, not a programming error.
    if (options.units > 8 * 128) throw new UsageError(`RHX has at most 8 ports of 128 channels, got ${options.units} units (--units)`);
    const host = options.host ?? '127.0.0.1';
    const spikeServer = createServer({ noDelay: true });
    const commandServer = options.commandPort === undefined ? undefined : createServer({ noDelay: true });
    const simulator = new RhxSimulator(options, spikeServer, commandServer);
    simulator.spikePortNumber = await listen(spikeServer, host, options.spikePort ?? 0);
    if (commandServer !== undefined) simulator.commandPortNumber = await listen(commandServer, host, options.commandPort!);
    else {
      simulator.enabled.fill(1);
      simulator.run();
    }
    if (!simulator.clock.manual) simulator.timer = setInterval(() => simulator.tick(), options.tickMs ?? 20);
    return simulator;
  }

  get spikeUrl(): string {
    return `tcp://${this.options.host ?? '127.0.0.1'}:${this.spikePortNumber}`;
  }

  /** HOST:PORT of the command port; undefined without one. */
  get commandAddress(): string | undefined {
    return this.commandServer === undefined ? undefined : `${this.options.host ?? '127.0.0.1'}:${this.commandPortNumber}`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** True while a client is connected to the spike port. */
  get hasSpikeClient(): boolean {
    return this.spikeClient !== undefined;
  }

  /** Seconds of the current run generated so far (where it stopped, when stopped). */
  now(): number {
    return this.running ? this.samplesDone / this.sampleRate : this.stoppedAt;
  }

  /** Manual pacing: the current run goes on up to `seconds` (from its sample 0); its write blocks go out now. */
  advanceTo(seconds: number): void {
    if (!this.running) throw new RangeError('advanceTo: the board is not running');
    this.clock.advanceTo(seconds);
    this.tick();
  }

  /** Channel names with spike output enabled. */
  enabledChannels(): string[] {
    return this.channels.filter((_, i) => this.enabled[i] === 1);
  }

  /**
   * The modes of a run over [0, untilSeconds) as intervals (what a modes file
   * for this run holds), from a fresh copy of the population.
   */
  modeIntervals(untilSeconds: number): Array<{ start: number; end: number; label: string }> {
    const changes = this.population.modeChanges(untilSeconds);
    return changes.map((change, k) => ({ start: change.t, end: k + 1 < changes.length ? changes[k + 1].t : untilSeconds, label: change.label! }));
  }

  /** Drops the spike client abruptly (a network fault); RHX then stops listening until told to connect again. */
  dropSpikeConnection(): void {
    this.spikeClient?.destroy();
    this.spikeClient = undefined;
  }

  /** Stop, then Run in RHX's window: a new run, whose sample indices start again at 0. */
  restartAcquisition(): void {
    this.tick();
    this.run();
  }

  /** The command port's Connect button: listen again for a command client. */
  async commandsConnect(): Promise<void> {
    if (this.commandServer !== undefined && !this.commandServer.listening) await listen(this.commandServer, this.options.host ?? '127.0.0.1', this.commandPortNumber);
  }

  /** Closes everything, after sending what was written (RHX quitting). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.spikeClient?.end();
    this.commandClient?.end();
    await Promise.all([closeServer(this.spikeServer), closeServer(this.commandServer)]);
    this.resolveFinished();
  }

  private runClock(): EventClock {
    return new EventClock(this.options.speed ?? 1, 0, this.options.untilSeconds ?? Infinity);
  }

  private run(): void {
    this.running = true;
    this.runs++;
    this.clock = this.runClock();
    this.clock.start();
    this.samplesDone = 0;
  }

  /** The board stops (RHX's Stop button): what is due goes out first. */
  private stopRun(): void {
    this.tick();
    this.stoppedAt = this.now();
    this.running = false;
  }

  private acceptSpikeClient(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    if (this.spikeClient !== undefined) {
      socket.destroy();
      return;
    }
    this.spikeClient = socket;
    // RHX's TCPCommunicator closes its server once it has a client.
    this.spikeServer.close();
    socket.on('close', () => {
      if (this.spikeClient === socket) this.spikeClient = undefined;
    });
    socket.on('data', () => {});
  }

  private acceptCommandClient(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    if (this.commandClient !== undefined) {
      socket.destroy();
      return;
    }
    this.commandClient = socket;
    this.commandServer!.close();
    socket.on('close', () => {
      if (this.commandClient === socket) this.commandClient = undefined;
    });
    // RHX parses whatever one read returned as whole commands.
    socket.on('data', (data: Buffer) => this.parseCommands(data.toString('latin1')));
  }

  /** GUI/Widgets/tcpdisplay.cpp parseCommands, for the commands supported. */
  private parseCommands(text: string): void {
    this.commandLog.push(text);
    const commands = text.split(';');
    if (commands.at(-1) === '') commands.pop();
    const list = commands.filter((command) => command.trim() !== '');
    list.forEach((command, i) => {
      const words = command.split(' ').map((word) => word.trim()).filter((word) => word !== '');
      const verb = words[0].toLowerCase();
      if (verb === 'set') {
        if (words.length === 3) this.set(words[1].toLowerCase(), words[2].toLowerCase());
        else this.reply(`Error - Command ${i + 1}: Set commands require a parameter and a value`);
      } else if (verb === 'get') {
        if (words.length === 2) this.get(words[1].toLowerCase());
        else this.reply(`Error - Command ${i + 1}: Get commands require a parameter`);
      } else if (verb === 'execute') {
        if (words.length === 2) this.execute(words[1].toLowerCase());
        else if (words.length === 3) this.reply('Unrecognized action');
        else this.reply(`Error - Command ${i + 1}: Execute commands require an action`);
      } else this.reply(`Error - Command ${i + 1}: Unrecognized command`);
    });
  }

  private set(parameter: string, value: string): void {
    const dot = parameter.indexOf('.');
    if (dot >= 0) {
      const channel = this.channelIndex.get(parameter.slice(0, dot).toUpperCase());
      if (channel !== undefined && parameter.slice(dot + 1) === 'tcpdataoutputenabledspike') {
        if (value === 'true' || value === 'false') this.enabled[channel] = value === 'true' ? 1 : 0;
        else this.reply('Invalid value for TCPDataOutputEnabledSpike command. Acceptable: True, False');
        return;
      }
    }
    if (parameter !== 'runmode') {
      this.reply('Unrecognized parameter');
      return;
    }
    if (value === 'run') {
      if (this.running) this.reply('Board must be stopped in order to start running');
      else this.run();
    } else if (value === 'stop') {
      if (!this.running) this.reply('Board must be running in order to stop');
      else this.stopRun();
    } else this.reply('Invalid value for SetRunMode command');
  }

  private get(parameter: string): void {
    if (parameter === 'runmode') this.reply(`Return: RunMode ${this.running ? 'Run' : 'Stop'}`);
    else if (parameter === 'sampleratehertz') this.reply(`Return: SampleRateHertz ${Math.round(this.sampleRate)}`);
    else if (parameter === 'currenttimestamp') this.reply(`Return: ${this.running ? this.samplesDone : -1}`);
    else this.reply('Unrecognized parameter');
  }

  private execute(action: string): void {
    if (action === 'clearalldataoutputs') this.enabled.fill(0);
    else if (action === 'connecttcpspikedataoutput') {
      if (!this.spikeServer.listening && this.spikeClient === undefined && !this.stopped) void listen(this.spikeServer, this.options.host ?? '127.0.0.1', this.spikePortNumber);
    } else if (action === 'disconnecttcpspikedataoutput') {
      this.dropSpikeConnection();
      if (this.spikeServer.listening) this.spikeServer.close();
    } else this.reply('Unrecognized action');
  }

  private reply(text: string): void {
    this.commandClient?.write(text, 'latin1');
  }

  /** Sends the write blocks completed since the last tick, one write block at a time; at the run's end, stops the board. */
  private tick(): void {
    if (!this.running) return;
    const rate = this.sampleRate;
    const lastSample = Math.round(this.clock.untilSeconds * rate);
    // Whole write blocks, as RHX writes them; the run's end cuts the last one.
    const dueSeconds = this.clock.due();
    const due = dueSeconds >= this.clock.untilSeconds ? lastSample : Math.min(lastSample, Math.floor((dueSeconds * rate) / this.blockSamples) * this.blockSamples);
    while (this.samplesDone < due) this.writeBlock(Math.min(due, this.samplesDone + this.blockSamples));
    if (this.samplesDone >= lastSample) {
      this.stoppedAt = this.now();
      this.running = false;
      this.resolveFinished();
    }
  }

  /** Generates samples [samplesDone, target) and writes their spike records, cut at random places. */
  private writeBlock(target: number): void {
    const rate = this.sampleRate;
    const from = this.samplesDone;
    const span = this.population.generate(from / rate, target / rate);
    this.samplesDone = target;
    const client = this.spikeClient;
    if (client === undefined) return;
    const { t, unit } = span.spikes;
    const record = this.options.record ?? true;
    const pieces: Buffer[] = [];
    let records = 0;
    for (let i = 0; i < t.length; i++) {
      if (this.enabled[unit[i]] === 0) continue;
      if (this.options.garbage && this.random.next() < 0.05) pieces.push(this.junk());
      const sample = Math.min(target - 1, Math.max(from, Math.floor(t[i] * rate)));
      const bytes = Buffer.allocUnsafe(RHX_SPIKE_RECORD_BYTES);
      bytes.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
      bytes.write(this.channels[unit[i]], 4, 5, 'latin1');
      bytes.writeUInt32LE(sample, 9);
      bytes[13] = 1;
      pieces.push(bytes);
      records++;
      if (record) {
        this.sent.sample.push(sample);
        this.sent.channel.push(this.channels[unit[i]]);
        this.sent.id.push(1);
      }
    }
    this.spikesSent += records;
    if (pieces.length === 0) return;
    const data = Buffer.concat(pieces);
    // Split the write at random offsets: the reader must not count on whole records per read.
    let offset = 0;
    while (offset < data.length) {
      const size = 1 + this.random.nextInt(Math.min(data.length - offset, 1 + this.random.nextInt(4 * RHX_SPIKE_RECORD_BYTES * 8)));
      client.write(data.subarray(offset, offset + size));
      offset += size;
    }
  }

  /** Bytes that are not a record: random, a stray magic number before an impossible name, or a record cut short. */
  private junk(): Buffer {
    const kind = this.random.nextInt(3);
    let bytes: Buffer;
    if (kind === 0) {
      bytes = Buffer.alloc(1 + this.random.nextInt(20));
      for (let k = 0; k < bytes.length; k++) bytes[k] = this.random.nextInt(256);
    } else if (kind === 1) {
      bytes = Buffer.alloc(14);
      bytes.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
      bytes.write('Z-9X9', 4, 5, 'latin1');
      bytes[13] = 1;
    } else {
      const whole = Buffer.alloc(14);
      whole.writeUInt32LE(RHX_SPIKE_MAGIC, 0);
      whole.write('A-000', 4, 5, 'latin1');
      whole.writeUInt32LE(this.samplesDone, 9);
      whole[13] = 1;
      bytes = whole.subarray(0, 1 + this.random.nextInt(13));
    }
    this.garbageBytes += bytes.length;
    return bytes;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(listenError(error, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (server === undefined || !server.listening) resolve();
    else server.close(() => resolve());
  });
}
