import * as zmq from 'zeromq';
import { BROADCASTER_TYPE_SPIKE, BROADCASTER_TYPE_TTL, broadcasterUnitId } from '../adapters/openephys-live/eventBroadcasterMessages.ts';
import { listenError } from '../src/server/listenError.ts';
import { EventClock, type Pacing } from './eventClock.ts';
import { Population, type PopulationOptions } from './population.ts';

export interface EventBroadcasterSimulatorOptions extends PopulationOptions {
  host?: string;
  /** 0: any free port (default). */
  port?: number;
  /**
   * Event seconds per wall second once the first subscriber is in (default
   * 1: real time), or 'manual': the recording moves only by `advanceTo`.
   */
  speed?: Pacing;
  /** Samples per second of the stream (default 30000). */
  sampleRate?: number;
  /** Electrodes the units are spread over (default 4): unit i is sorted unit ⌊i / electrodes⌋ + 1 of electrode (i mod electrodes) + 1. */
  electrodes?: number;
  /** Wall milliseconds between sends when paced (default 20). */
  tickMs?: number;
  /**
   * Event time at which this publisher's recording starts (default 0), on
   * the same sample clock: a publisher restarted while acquisition went on
   * continues the same recording there.
   */
  startSeconds?: number;
  /**
   * Event time at which the recording ends: everything up to it is handed to
   * the socket, then nothing more is sent (`finished`). The publisher stays
   * open until `stop`: closing a ZeroMQ publisher drops what its subscribers
   * have not read yet.
   */
  untilSeconds?: number;
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
 * (simulators/population.ts) published in real time × `speed` (or as far as
 * `advanceTo` says) on a ZeroMQ socket, message for message as the plugin's JSON format sends it
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
 *   the recording starts (at `startSeconds`) when the first subscription
 *   arrives. Every message is a function of the seed and its event time
 *   alone: the pace decides when it goes out, never what it says. While no
 *   one is subscribed the clock runs on and nothing is generated or sent (as
 *   a rig that keeps acquiring): that stretch is not in `sent`.
 * - `sent` records exactly what was published (sample numbers, units, TTL
 *   events), so a test can write the equivalent CSV (sentSpikes(), sentModes()).
 * - restartAcquisition(): sample numbers start again from 0 (a new run), with
 *   the current mode's line raised at sample 0.
 */
export class EventBroadcasterSimulator {
  readonly population: Population;
  readonly sampleRate: number;
  readonly electrodes: number;
  readonly stream: string;
  /** `--ttl-labels` for the modes' lines. */
  readonly ttlLabels: string;
  readonly sent: { spikes: SentSpike[]; ttl: SentTtl[] } = { spikes: [], ttl: [] };
  spikesSent = 0;
  messagesSent = 0;
  /** Resolves once the recording up to `untilSeconds` has been handed to the socket (or at `stop`). */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private readonly clock: EventClock;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private subscribed = false;
  private readonly subscribeWaiters: Array<() => void> = [];
  private readonly unsubscribeWaiters: Array<() => void> = [];
  /** Simulated time up to which the recording has been generated (sent, or skipped while no one listened). */
  private sentUntil = 0;
  /** The mode whose line is high, as sent; undefined when the next send must open with it. */
  private modeSent: number | undefined;
  private run = 0;
  /** Simulated time of sample 0 of the current run. */
  private runStart = 0;
  /** Sends in order: each waits for the one before. */
  private sending: Promise<void> = Promise.resolve();
  private tickQueued = false;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private readonly spikePrefix: string[];
  private readonly spikeSuffix: string[];
  private readonly unitIds: string[];

  private constructor(
    readonly options: EventBroadcasterSimulatorOptions,
    private readonly socket: zmq.XPublisher,
    readonly url: string,
  ) {
    this.population = new Population(options);
    this.clock = new EventClock(options.speed ?? 1, options.startSeconds ?? 0, options.untilSeconds ?? Infinity);
    this.sentUntil = this.clock.startSeconds;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.sampleRate = options.sampleRate ?? 30_000;
    this.electrodes = options.electrodes ?? 4;
    this.stream = options.stream ?? 'example_data';
    this.tickMs = options.tickMs ?? 20;
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
    // Checks the pace before a socket is bound.
    void new EventClock(options.speed ?? 1, options.startSeconds ?? 0, options.untilSeconds ?? Infinity);
    // Linger: what was handed to the socket before stop() still goes out (so `sent` is what subscribers get), then the connection closes.
    const socket = new zmq.XPublisher({ sendHighWaterMark: options.sendHighWaterMark ?? 0, linger: 2000 });
    const host = options.host ?? '127.0.0.1';
    try {
      await socket.bind(`tcp://${host}:${options.port === undefined || options.port === 0 ? '*' : options.port}`);
    } catch (error) {
      socket.close();
      throw listenError(error, host, options.port ?? 0);
    }
    const simulator = new EventBroadcasterSimulator(options, socket, socket.lastEndpoint!);
    void simulator.watchSubscriptions();
    return simulator;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** The event time the recording has reached (sent, or passed while no one listened), seconds. */
  now(): number {
    return this.sentUntil;
  }

  /** Resolves once a subscriber is in (at once if one is). */
  whenSubscribed(): Promise<void> {
    return this.subscribed ? Promise.resolve() : new Promise((resolve) => this.subscribeWaiters.push(resolve));
  }

  /** Resolves once the last subscriber has left (at once if none is in). */
  whenUnsubscribed(): Promise<void> {
    return !this.subscribed ? Promise.resolve() : new Promise((resolve) => this.unsubscribeWaiters.push(resolve));
  }

  /**
   * Manual pacing: publishes the recording up to `seconds` (to the
   * recording's end at most: then the publisher closes); resolves once it is
   * handed to the socket.
   */
  advanceTo(seconds: number): Promise<void> {
    this.clock.advanceTo(seconds);
    return this.queueTick();
  }

  /** The unit id a population unit ('0', '1', …) is sent as. */
  unitIdOf(populationUnit: string): string {
    return this.unitIds[this.population.unitIds.indexOf(populationUnit)];
  }

  /** Stops sending and closes the socket: what was sent is delivered, then subscribers see the publisher go. */
  stop(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      clearInterval(this.timer);
      await this.sending;
      this.socket.close();
      this.resolveFinished();
    })();
    return this.closing;
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
        if (!this.subscribed) {
          for (const resolve of this.unsubscribeWaiters.splice(0)) resolve();
          continue;
        }
        for (const resolve of this.subscribeWaiters.splice(0)) resolve();
        if (!this.clock.started) {
          this.clock.start();
          this.timer = setInterval(() => void this.queueTick(), this.tickMs);
        }
      }
    } catch {
      // Closed.
    }
    for (const resolve of this.unsubscribeWaiters.splice(0)) resolve();
  }

  private sampleOf(t: number): number {
    return Math.round((t - this.runStart) * this.sampleRate);
  }

  /** A tick after the ones queued (a paced tick is skipped while one waits). */
  private queueTick(): Promise<void> {
    if (this.tickQueued && !this.clock.manual) return this.sending;
    this.tickQueued = true;
    this.sending = this.sending.then(() => {
      this.tickQueued = false;
      return this.tick();
    });
    return this.sending;
  }

  /** Generates the recording up to where the clock stands and publishes it, if someone listens; at the recording's end, closes. */
  private async tick(): Promise<void> {
    if (this.stopped || !this.clock.started) return;
    const until = this.clock.due();
    const from = this.sentUntil;
    if (until <= from) return;
    this.sentUntil = until;
    await this.publish(from, until);
    if (until >= this.clock.untilSeconds) {
      clearInterval(this.timer);
      this.resolveFinished();
    }
  }

  /** Publishes the recording in [from, until), if someone listens. */
  private async publish(from: number, until: number): Promise<void> {
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
