import type { Socket } from 'node:net';
import { UsageError } from '../../src/errors.ts';
import type { ReconnectPolicy } from '../../src/live/reconnectPolicy.ts';
import { finiteOr, SourceHealth, type HealthClock } from '../../src/live/sourceHealth.ts';
import { SourceStreams } from '../../src/live/sourceStreams.ts';
import type { TimeJumpLimits } from '../../src/live/timeJumpLimits.ts';
import type { LiveSource } from '../liveSource.ts';
import { connectTcp } from '../tcpConnection.ts';
import { errorsInReply, RhxCommandPort, sampleRateFromReply } from './rhxCommandPort.ts';
import { checkRhxOptions } from './rhxOptions.ts';
import { RHX_ARTIFACT_ID, RhxSpikeParser } from './rhxSpikeParser.ts';
import type { SourceStatus } from '../../src/server/sourceStatus.ts';

export interface RhxSpikeSourceOptions {
  /** The RHX spike port, tcp://HOST:PORT (RHX's default port is 5002). */
  url: string;
  /** HOST:PORT of the RHX command port (default port 5000): enables the channels, asks the sample rate, starts acquisition. */
  command?: string;
  /** Channels to enable spike output on through the command port, e.g. ['A-000', 'A-001'] (needs `command`). */
  channels?: string[];
  /** Samples per second of the sample indices; else asked from the command port (`get sampleratehertz`). */
  sampleRate?: number;
  /** Wall seconds without a spike record before a `source-silent` alert (default 5). */
  silenceSeconds?: number;
  reconnect?: Partial<ReconnectPolicy>;
  timeJumps?: TimeJumpLimits;
  /** Status lines (connecting, connected, retrying in …, what RHX answered). */
  onStatus?: (line: string) => void;
  /** Random numbers for the jitter (tests pass a fixed one). */
  random?: () => number;
  /** Wall time for retries and the silence watchdog (tests pass one they move by hand). */
  clock?: HealthClock;
}

/** A sample clock that went back by more than this much of its range, from near its top to near zero, wrapped (uint32) rather than restarted. */
const WRAP_SAMPLES = 2 ** 32;
/** Bytes-skipped alerts at most this often (the summary has every byte). */
const SKIP_ALERT_INTERVAL_MS = 5000;
/** What a return misses: RHX drops what falls while no client is connected. */
const LOST_WHILE_AWAY = 'what RHX detected while it was away is lost';

/**
 * `synergy connect tcp://HOST:5002 --format intan`: spikes from the TCP
 * spike port of Intan's RHX acquisition software, as they are detected.
 *
 * The port sends 14-byte records (magic, channel name, sample index, spike
 * id; rhxSpikeParser.ts) with no header and no sequence numbers; RHX writes
 * them when the spike port is connected and the board runs (every
 * TCPNumberDataBlocksPerWrite × 128 samples, default 10 × 128), and drops
 * what falls while no client is connected.
 *
 * - Units: the channel name ("A-000") for spikes of id 1, which RHX 3.x gives
 *   every threshold crossing; any other id is kept apart as
 *   "<channel>:<id>" (2, 4, 8: sorted spike types 2–4; 64: unclassified),
 *   should RHX send them. Id 128 ("likely artifact": the spike exceeded the
 *   spike max amplitude) is dropped and counted.
 * - Times: sample index / sample rate, seconds on RHX's clock (0 when the
 *   run started). The rate comes from `sampleRate` or from the command port.
 * - Modes: RHX's spike port carries none; they come from a file of
 *   intervals on the same clock (`withModeIntervals`, liveSource.ts).
 * - With `command`: connects to the command port, sends `execute
 *   clearalldataoutputs` and `set <channel>.tcpdataoutputenabledspike true`
 *   for each of `channels` (only when channels are given), asks `get
 *   sampleratehertz`, and `execute connecttcpspikedataoutput` (RHX listens on
 *   the spike port for one client after that, or after its Connect button);
 *   once the spike port is connected, `set runmode run` if the board was
 *   stopped. On close, acquisition is stopped only if this source started
 *   it; the channel outputs are left enabled. The command connection stays
 *   open for the session: RHX accepts one command client and stops listening
 *   when it has one, so it is needed to reopen the spike port after a loss.
 * - Alerts (the connection, silence, gaps and time checks are the
 *   source's SourceHealth; this file keeps the wire): a lost spike
 *   connection raises `source-lost` and opens a data
 *   gap from the latest time on; the source reconnects with exponential
 *   backoff and full jitter (re-sending `execute connecttcpspikedataoutput`
 *   first when there is a command connection), clears the alert when
 *   connected, and closes the gap at the first new spike (`data-gap` alert
 *   when that is later than the lateness of the time-jump limits). A sample
 *   index that goes back (acquisition restarted: RHX starts each run at 0)
 *   raises `clock-reset`; the new run's times are offset to start at the old
 *   run's latest time, so the analysis clock stays monotonic, and a gap
 *   from there on is opened: modes from a file are on the first run's
 *   clock and say nothing of the new run, so its spikes are counted but
 *   unlabeled. A forward jump beyond `timeJumps.alertSeconds` raises
 *   `time-jump`. Bytes that are not records are skipped and counted
 *   (`bytes-skipped`, at most one alert per 5 s). No wall time with a spike
 *   record for `silenceSeconds` raises `source-silent` (RHX sends nothing
 *   while the board is stopped or no channel spikes).
 */
export class RhxSpikeSource implements LiveSource {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  private readonly out = new SourceStreams();
  readonly events = this.out.events;
  readonly alerts = this.out.alerts;
  private readonly health: SourceHealth;
  private readonly channels: string[];
  private readonly parser = new RhxSpikeParser();
  private readonly command: RhxCommandPort | undefined;
  private commandReady = false;
  private socket: Socket | undefined;
  private sampleRate: number | undefined;
  /** The board's run mode when this source first asked (undefined before). */
  private initialRunMode: string | undefined;
  private startedAcquisition = false;

  /** Unit ids as emitted (shared by all batches), and unit index by parser channel index · 256 + spike id. */
  private readonly unitIds: string[] = [];
  private readonly unitIndex = new Map<number, number>();

  /** Clock: seconds added to sample / rate (a restarted or wrapped clock), the largest sample index of this run. */
  private runOffset = 0;
  private lastSample: number | undefined;
  private skippedReported = 0;

  readonly counters = { records: 0, spikes: 0, artifacts: 0, partialRecordBytes: 0 };

  constructor(readonly options: RhxSpikeSourceOptions) {
    const url = parseTcpUrl(options.url);
    this.host = url.host;
    this.port = url.port;
    this.name = `intan-rhx@${this.host}:${this.port}`;
    this.channels = checkRhxOptions(options);
    if (options.command !== undefined) {
      const address = parseHostPort(options.command, '--command');
      this.command = new RhxCommandPort(address.host, address.port);
    }
    this.sampleRate = options.sampleRate;
    this.health = new SourceHealth(
      {
        name: this.name,
        url: options.url,
        reconnect: options.reconnect,
        timeJumps: options.timeJumps,
        silenceSeconds: options.silenceSeconds,
        silenceWhat: 'spike record',
        silenceHint: 'is the board running, with spike output enabled on channels that spike?',
        lostWhileAway: LOST_WHILE_AWAY,
        clock: options.clock,
        random: options.random,
        onStatus: options.onStatus,
      },
      this.out,
      { connect: () => void this.connect(), giveUp: (error) => this.fail(error) },
    );
  }

  /** Records, spikes, artifacts dropped, bytes skipped, clock resets, connections. */
  status(): SourceStatus[] {
    const health = this.health;
    return [
      {
        name: this.name,
        connected: health.connected,
        lost: health.lost,
        ended: false,
        messages: this.counters.records,
        spikes: this.counters.spikes,
        missing: 0,
        rejected: this.counters.artifacts,
        latestTime: Number.isFinite(health.latest) ? health.latest : null,
      },
    ];
  }

  summary(): string {
    const c = this.counters;
    const health = this.health;
    const parts = [
      `${c.records} records`,
      `${c.spikes} spikes`,
      `${c.artifacts} artifacts dropped (id ${RHX_ARTIFACT_ID})`,
      `${this.parser.skippedBytes} bytes skipped in ${this.parser.resyncs} resync${this.parser.resyncs === 1 ? '' : 's'}`,
    ];
    if (c.partialRecordBytes > 0) parts.push(`${c.partialRecordBytes} bytes of records cut by a lost connection`);
    parts.push(health.clockResetsText(), health.connectionsText());
    return health.summaryLine(parts);
  }

  start(): void {
    this.health.start();
  }

  close(): void {
    if (!this.health.close()) return;
    this.socket?.destroy();
    if (this.command !== undefined) {
      if (this.startedAcquisition) {
        this.health.status(`stopping acquisition on ${this.command.address} (this source started it)`);
        this.command.write('set runmode stop;');
      }
      this.command.close();
    }
    this.out.complete();
  }

  /** One attempt: the command session if needed, then the spike port. */
  private async connect(): Promise<void> {
    if (this.health.isClosed) return;
    try {
      if (this.command !== undefined) {
        if (!this.commandReady) await this.openCommandSession();
        else await this.command.send(['execute connecttcpspikedataoutput']);
      }
      if (this.health.isClosed) return;
      await this.openSpikePort();
    } catch (error) {
      if (this.health.isClosed) return;
      if (error instanceof UsageError) {
        this.fail(error);
        return;
      }
      this.health.attemptFailed((error as Error).message);
    }
  }

  /** Connects to the command port and sets RHX up (see the class comment). */
  private async openCommandSession(): Promise<void> {
    const command = this.command!;
    this.health.status(`connecting to the RHX command port ${command.address}`);
    await command.connect();
    command.onClose = () => {
      this.commandReady = false;
      if (!this.health.isClosed) this.health.status(`RHX command port ${command.address} closed; RHX listens again only after Connect in its Remote TCP Control window`);
    };
    const commands: string[] = [];
    if (this.channels.length > 0) {
      commands.push('execute clearalldataoutputs');
      for (const channel of this.channels) commands.push(`set ${channel.toLowerCase()}.tcpdataoutputenabledspike true`);
    }
    commands.push('get sampleratehertz', 'execute connecttcpspikedataoutput');
    const reply = await command.send(commands);
    const errors = errorsInReply(reply.text);
    if (errors !== '') this.health.status(`RHX answered: ${errors}`);
    const rate = sampleRateFromReply(reply.text);
    if (this.options.sampleRate !== undefined) {
      if (rate !== undefined && Math.abs(rate - this.options.sampleRate) > 1e-9) this.health.status(`warning: --sample-rate ${this.options.sampleRate} Hz, but RHX says SampleRateHertz ${rate}; using ${this.options.sampleRate}`);
    } else if (rate === undefined) {
      throw new UsageError(`RHX at ${command.address} did not report its sample rate (get SampleRateHertz answered "${reply.text.trim()}"): give --sample-rate HZ`);
    } else if (this.sampleRate !== undefined && rate !== this.sampleRate) {
      this.health.status(`warning: RHX's sample rate changed from ${this.sampleRate} to ${rate} Hz; keeping ${this.sampleRate}`);
    } else this.sampleRate = rate;
    this.initialRunMode ??= reply.runMode;
    this.commandReady = true;
    this.health.status(`RHX ${command.address}: ${this.channels.length > 0 ? `spike output on ${this.channels.join(', ')}, ` : ''}${this.sampleRate} Hz, run mode ${reply.runMode}`);
  }

  private async openSpikePort(): Promise<void> {
    const socket = await connectTcp(this.host, this.port, this.options.url);
    if (this.health.isClosed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.health.isClosed) return;
      try {
        this.receive(chunk);
      } catch (error) {
        // Never a throw out of a socket handler: report and go on.
        this.health.status(`${this.name}: ${(error as Error).message}`);
      }
    });
    socket.on('error', (error) => this.health.status(`${this.options.url}: ${error.message}`));
    socket.on('close', () => {
      if (!this.health.isClosed) this.onSpikePortLost();
    });
    this.onSpikePortOpen();
  }

  private onSpikePortOpen(): void {
    this.health.connectionUp();
    if (this.command !== undefined && this.initialRunMode === 'Stop' && !this.startedAcquisition) {
      this.startedAcquisition = true;
      this.command.send(['set runmode run']).then(
        (reply) => {
          const errors = errorsInReply(reply.text);
          this.health.status(`RHX ${this.command!.address}: set runmode run → run mode ${reply.runMode}${errors === '' ? '' : ` (${errors})`}`);
        },
        (error: Error) => this.health.status(error.message),
      );
    }
  }

  private onSpikePortLost(): void {
    this.socket = undefined;
    this.counters.partialRecordBytes += this.parser.reset();
    this.health.connectionLost(`source ${this.name} disconnected (${this.counters.records} records so far); waiting for it to come back`);
  }

  /** Ends `events` with an error and stops (given up, or a setting RHX cannot serve). */
  private fail(error: Error): void {
    this.health.close();
    this.socket?.destroy();
    this.command?.close();
    this.out.fail(error);
  }

  /** A piece of the spike stream: records → one spike batch (split where the clock restarts). */
  private receive(chunk: Buffer): void {
    const records = this.parser.push(chunk);
    this.reportSkipped();
    if (records.count === 0) return;
    this.health.heard();
    const rate = this.sampleRate!;
    const t = new Float64Array(records.count);
    const unit = new Uint32Array(records.count);
    let length = 0;
    let emittedUpTo = 0;
    const emit = () => {
      if (length > emittedUpTo) {
        this.out.event({ kind: 'spikes', t: t.subarray(emittedUpTo, length), unit: unit.subarray(emittedUpTo, length), unitIds: this.unitIds });
      }
      emittedUpTo = length;
    };
    this.counters.records += records.count;
    for (let i = 0; i < records.count; i++) {
      const id = records.id[i];
      if (id === RHX_ARTIFACT_ID) {
        this.counters.artifacts++;
        continue;
      }
      const sample = records.sample[i];
      const last = this.lastSample;
      if (last !== undefined && sample < last) {
        if (last >= WRAP_SAMPLES - 600 * rate && sample < 600 * rate) {
          // The uint32 sample clock rolled over (after 2^32 samples: 39.8 h at 30 kHz): the same run goes on.
          this.runOffset += WRAP_SAMPLES / rate;
          this.lastSample = sample;
        } else if ((last - sample) / rate > this.health.limits.backSeconds) {
          emit();
          this.clockReset(last, sample);
        }
      }
      if (this.lastSample === undefined || sample > this.lastSample) this.lastSample = sample;
      const time = this.runOffset + sample / rate;
      if (this.health.resumedAfter !== undefined) emit();
      this.health.place(time, 'no spike on the enabled channels in between');
      t[length] = time;
      unit[length] = this.unitOf(records.channel[i], id);
      length++;
    }
    this.counters.spikes += length;
    emit();
  }

  /** The sample index went back: RHX was stopped and run again (a new run starts at sample 0). */
  private clockReset(lastSample: number, sample: number): void {
    const rate = this.sampleRate!;
    const from = finiteOr(this.health.latest, 0);
    // A gap already open from `from` (the connection was lost meanwhile) stays open: same start, replaced.
    this.health.openGap(from);
    this.health.clockReset(
      from,
      (lastSample - sample) / rate,
      `source ${this.name}: sample index went back from ${lastSample} to ${sample} (acquisition restarted); the new run is placed after ${from.toFixed(3)} s and left unlabeled, since the modes given are on the first run's clock`,
    );
    // The new run's first spike lands at `from`: no forward jump to report.
    this.runOffset = from - sample / rate;
    this.lastSample = undefined;
  }

  private unitOf(channel: number, id: number): number {
    const key = channel * 256 + id;
    let index = this.unitIndex.get(key);
    if (index === undefined) {
      index = this.unitIds.length;
      const name = this.parser.channelNames[channel];
      this.unitIds.push(id === 1 ? name : `${name}:${id}`);
      this.unitIndex.set(key, index);
    }
    return index;
  }

  private reportSkipped(): void {
    const skipped = this.parser.skippedBytes;
    if (skipped === this.skippedReported || !this.health.every('bytes-skipped', SKIP_ALERT_INTERVAL_MS)) return;
    const bytes = skipped - this.skippedReported;
    this.skippedReported = skipped;
    this.health.raise({
      kind: 'bytes-skipped',
      value: bytes,
      message: `source ${this.name}: ${bytes} byte${bytes === 1 ? '' : 's'} that were not spike records skipped to find the next record (${this.parser.skippedBytes} in ${this.parser.resyncs} resyncs so far)`,
    });
  }
}

/** tcp://HOST:PORT → host and port. */
export function parseTcpUrl(text: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`expected a tcp://HOST:PORT address of the RHX spike port, got "${text}"`);
  }
  if (url.protocol !== 'tcp:' || url.hostname === '' || url.port === '') {
    throw new UsageError(`expected a tcp://HOST:PORT address of the RHX spike port (default port 5002), got "${text}"`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
}

/** HOST:PORT → host and port (`flag` names the option in the message). */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim().replace(/^tcp:\/\//, ''));
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port > 0 && port < 65536)) throw new UsageError(`${flag}: expected HOST:PORT (e.g. 127.0.0.1:5000), got "${text}"`);
  return { host: match[1] ?? match[2], port };
}
