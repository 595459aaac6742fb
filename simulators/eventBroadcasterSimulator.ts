import * as zmq from 'zeromq';
import { BROADCASTER_TYPE_SPIKE, BROADCASTER_TYPE_TTL, broadcasterUnitId } from '../adapters/openephys-live/eventBroadcasterMessages.ts';
import { Population, type PopulationOptions } from './population.ts';

export interface EventBroadcasterSimulatorOptions extends PopulationOptions {
  host?: string;
  /** 0: any free port (default). */
  port?: number;
  /** Simulated seconds per wall second (1: real time). */
  speed?: number;
  /** Samples per second of the stream (default 30000). */
  sampleRate?: number;
  /** Electrodes the units are spread over (default 4): unit i is sorted unit ⌊i / electrodes⌋ + 1 of electrode (i mod electrodes) + 1. */
  electrodes?: number;
  /** Wall milliseconds between sends (default 20). */
  tickMs?: number;
  /**
   * Wall-clock time (ms since the epoch) at which simulated time was 0.
   * Without it, time 0 is when the first subscriber has subscribed. A
   * simulator restarted with the same seed and origin continues the same
   * recording where the clock now stands, as an Event Broadcaster whose
   * connection was restarted while acquisition went on.
   */
  originMs?: number;
  /** The stream name in every message (default 'example_data'). */
  stream?: string;
  /** ZMQ send high-water mark, messages (default 0: no limit, so that tests lose nothing; the plugin keeps libzmq's 1000). */
  sendHighWaterMark?: number;
}

/** One message as sent. */
export interface SentSpike {
  sample: number;
  /** `<electrode>:<sorted_id>`. */
  unit: string;
  /** Acquisition run (0, then 1 after restartAcquisition(), …). */
  run: number;
}

export interface SentTtl {
  sample: number;
  /** As sent (from 0). */
  line: number;
  high: boolean;
  run: number;
  /** The mode this event starts (a line going high), else undefined. */
  mode?: string;
}

/**
 * The Open Ephys GUI's Event Broadcaster, simulated: a seeded population
 * (simulators/population.ts) published in real time × `speed` on a ZeroMQ
 * socket, message for message as the plugin's JSON format sends it
 * (eventBroadcasterMessages.ts): two frames, the uint16 type then the JSON
 * text as JUCE's JSON::toString writes it (CRLF, two-space indent, fields in
 * the plugin's order, doubles such as the sample rate as "30000.0", the TTL
 * state as true/false).
 *
 * - Units: unit i of the population is electrode "Electrode e" (e = i mod
 *   electrodes + 1), sorted_id ⌊i / electrodes⌋ + 1; `unitIdOf` maps.
 * - Modes as TTL lines: mode k is line k high (state k + 1). A change from
 *   mode j to k sends line j low, then line k high, at the change's sample;
 *   the opening mode is line k high at the first sample sent. `ttlLabels`
 *   is the `--ttl-labels` text that maps them back ("1=mode-0,2=mode-1,…";
 *   the lows are left unmapped and counted).
 * - Deterministic start: a PUB socket drops what it sends before a
 *   subscriber's subscription arrives, so the socket is an XPUB (the same
 *   frames on the wire; it also hands the simulator the subscriptions), and
 *   simulated time 0 is the moment the first subscription arrives, unless
 *   `originMs` is given. While no one is subscribed the clock runs on and
 *   nothing is generated or sent (as a rig that keeps acquiring): that
 *   stretch is not in `sent`.
 * - `sent` records exactly what was published (sample numbers, units, TTL
 *   events), so a test can write the equivalent CSV (sentSpikes(), sentModes()).
 * - restartAcquisition(): sample numbers start again from 0 (a new run), with
 *   the current mode's line raised at sample 0.
 */
export class EventBroadcasterSimulator {
  readonly population: Population;
  readonly speed: number;
  readonly sampleRate: number;
  readonly electrodes: number;
  readonly stream: string;
  /** `--ttl-labels` for the modes' lines. */
  readonly ttlLabels: string;
  readonly sent: { spikes: SentSpike[]; ttl: SentTtl[] } = { spikes: [], ttl: [] };
  spikesSent = 0;
  messagesSent = 0;
  private originMsValue: number | undefined;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private subscribed = false;
  /** Simulated time up to which the recording has been generated (sent, or skipped while no one listened). */
  private sentUntil = 0;
  /** The mode whose line is high, as sent; undefined when the next send must open with it. */
  private modeSent: number | undefined;
  private run = 0;
  /** Simulated time of sample 0 of the current run. */
  private runStart = 0;
  private busy: Promise<void> | undefined;
  private stopped = false;
  private readonly spikePrefix: string[];
  private readonly spikeSuffix: string[];
  private readonly unitIds: string[];

  private constructor(
    readonly options: EventBroadcasterSimulatorOptions,
    private readonly socket: zmq.XPublisher,
    readonly url: string,
  ) {
    this.population = new Population(options);
    this.speed = options.speed ?? 1;
    this.sampleRate = options.sampleRate ?? 30_000;
    this.electrodes = options.electrodes ?? 4;
    this.stream = options.stream ?? 'example_data';
    this.tickMs = options.tickMs ?? 20;
    this.originMsValue = options.originMs;
    if (this.originMsValue !== undefined) this.sentUntil = this.now();
    this.ttlLabels = this.population.labels.map((label, k) => `${k + 1}=${label}`).join(',');
    this.unitIds = this.population.unitIds.map((_, i) => broadcasterUnitId(electrodeName(i % this.electrodes), Math.floor(i / this.electrodes) + 1));
    // Each unit's message is fixed but for its sample number: built once, around it.
    this.spikePrefix = this.population.unitIds.map((_, i) =>
      jucePrefix([
        ['event_type', JSON.stringify('spike')],
        ['stream', JSON.stringify(this.stream)],
        ['source_node', '104'],
        ['electrode', JSON.stringify(electrodeName(i % this.electrodes))],
        ['num_channels', '4'],
        ['sample_rate', juceDouble(this.sampleRate)],
      ]) + '  "sample_number": ',
    );
    this.spikeSuffix = this.population.unitIds.map((_, i) =>
      `,\r\n  "sorted_id": ${Math.floor(i / this.electrodes) + 1}` +
      [1, 2, 3, 4].map((ch) => `,\r\n  "amp${ch}": ${juceDouble(40 + ((i * 7 + ch * 13) % 60))}`).join('') +
      '\r\n}',
    );
  }

  static async start(options: EventBroadcasterSimulatorOptions): Promise<EventBroadcasterSimulator> {
    if (options.speed !== undefined && !(options.speed > 0)) throw new RangeError(`speed must be > 0, got ${options.speed}`);
    // Linger: what was handed to the socket before stop() still goes out (so `sent` is what subscribers get), then the connection closes.
    const socket = new zmq.XPublisher({ sendHighWaterMark: options.sendHighWaterMark ?? 0, linger: 2000 });
    await socket.bind(`tcp://${options.host ?? '127.0.0.1'}:${options.port === undefined || options.port === 0 ? '*' : options.port}`);
    const simulator = new EventBroadcasterSimulator(options, socket, socket.lastEndpoint!);
    void simulator.watchSubscriptions();
    simulator.timer = setInterval(() => {
      if (simulator.busy === undefined) simulator.busy = simulator.tick().finally(() => (simulator.busy = undefined));
    }, simulator.tickMs);
    return simulator;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Wall-clock ms at simulated time 0 (undefined until the first subscriber when no originMs was given). */
  get originMs(): number | undefined {
    return this.originMsValue;
  }

  /** The simulated time now, seconds (0 until time has started). */
  now(): number {
    return this.originMsValue === undefined ? 0 : Math.max(0, ((Date.now() - this.originMsValue) / 1000) * this.speed);
  }

  /** The unit id a population unit ('0', '1', …) is sent as. */
  unitIdOf(populationUnit: string): string {
    return this.unitIds[this.population.unitIds.indexOf(populationUnit)];
  }

  /** Stops sending and closes the socket: what was sent is delivered, then subscribers see the publisher go. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.busy;
    this.socket.close();
  }

  /** Acquisition stopped and started again: the next sample numbers start from 0. */
  restartAcquisition(): void {
    this.run++;
    this.runStart = this.sentUntil;
    this.modeSent = undefined;
  }

  /** What was sent of run 0 (or `run`): spike times (sample / sampleRate) and unit ids. */
  sentSpikes(run = 0): { t: number[]; unit: string[] } {
    const t: number[] = [];
    const unit: string[] = [];
    for (const spike of this.sent.spikes) {
      if (spike.run !== run) continue;
      t.push(spike.sample / this.sampleRate);
      unit.push(spike.unit);
    }
    return { t, unit };
  }

  /** The mode changes that were sent (lines going high) of run 0 (or `run`), at sample / sampleRate. */
  sentModes(run = 0): Array<{ t: number; label: string }> {
    return this.sent.ttl.filter((event) => event.run === run && event.mode !== undefined).map((event) => ({ t: event.sample / this.sampleRate, label: event.mode! }));
  }

  private async watchSubscriptions(): Promise<void> {
    try {
      for await (const [message] of this.socket) {
        // XPUB hands on 1 + topic when the first subscriber to a topic subscribes, 0 + topic when the last one leaves.
        if (message.length === 0 || (message[0] !== 0 && message[0] !== 1)) continue;
        this.subscribed = message[0] === 1;
        if (this.subscribed && this.originMsValue === undefined) this.originMsValue = Date.now();
      }
    } catch {
      // Closed.
    }
  }

  private sampleOf(t: number): number {
    return Math.round((t - this.runStart) * this.sampleRate);
  }

  /** Generates the recording up to now and publishes it, if someone listens. */
  private async tick(): Promise<void> {
    if (this.stopped || this.originMsValue === undefined) return;
    const until = this.now();
    const from = this.sentUntil;
    if (until <= from) return;
    this.sentUntil = until;
    if (!this.subscribed) {
      // Nobody listens: the span is not generated (the population can generate any later span), and the next send opens with the mode.
      this.modeSent = undefined;
      return;
    }
    const span = this.population.generate(from, until);
    const labels = this.population.labels;
    const messages: Array<[Buffer, Buffer]> = [];
    const ttl = (sample: number, line: number, high: boolean) => {
      const event: SentTtl = { sample, line, high, run: this.run };
      if (high) event.mode = labels[line];
      this.sent.ttl.push(event);
      messages.push([TYPE_TTL, Buffer.from(this.ttlJson(sample, line, high))]);
    };
    const setMode = (t: number, label: string) => {
      const k = labels.indexOf(label);
      if (k === this.modeSent) return;
      const sample = this.sampleOf(t);
      if (this.modeSent !== undefined) ttl(sample, this.modeSent, false);
      ttl(sample, k, true);
      this.modeSent = k;
    };
    if (this.modeSent === undefined) setMode(from, this.population.labelAt(from));
    const { t, unit } = span.spikes;
    let next = 0;
    const sendSpikesBefore = (limit: number) => {
      for (; next < t.length && t[next] < limit; next++) {
        const sample = this.sampleOf(t[next]);
        const u = unit[next];
        this.sent.spikes.push({ sample, unit: this.unitIds[u], run: this.run });
        messages.push([TYPE_SPIKE, Buffer.from(this.spikePrefix[u] + sample + this.spikeSuffix[u])]);
      }
    };
    for (const change of span.labels) {
      sendSpikesBefore(change.t);
      if (change.label !== null) setMode(change.t, change.label);
    }
    sendSpikesBefore(Infinity);
    this.spikesSent += t.length;
    for (const message of messages) {
      if (this.stopped) break;
      await this.socket.send(message);
      this.messagesSent++;
    }
  }

  private ttlJson(sample: number, line: number, high: boolean): string {
    return (
      jucePrefix([
        ['event_type', JSON.stringify('ttl')],
        ['stream', JSON.stringify(this.stream)],
        ['source_node', '100'],
        ['sample_rate', juceDouble(this.sampleRate)],
        ['channel_name', JSON.stringify('TTL Input')],
        ['sample_number', String(sample)],
        ['line', String(line)],
      ]) + `  "state": ${high}\r\n}`
    );
  }
}

const TYPE_SPIKE = uint16(BROADCASTER_TYPE_SPIKE);
const TYPE_TTL = uint16(BROADCASTER_TYPE_TTL);

function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
}

function electrodeName(index: number): string {
  return `Electrode ${index + 1}`;
}

/** A number as JUCE's JSON writer prints a double: whole values below 10⁶ with one decimal ("30000.0"). */
export function juceDouble(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e6 ? value.toFixed(1) : String(value);
}

/** `{` and the `"name": value,` lines of JSON text values, as JUCE's JSON::toString writes an object (CRLF, two-space indent). */
function jucePrefix(fields: ReadonlyArray<[string, string]>): string {
  let text = '{\r\n';
  for (const [name, json] of fields) text += `  "${name}": ${json},\r\n`;
  return text;
}
