import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeSpikeFrame } from '../src/live/binarySpikeFrame.ts';
import { PROTOCOL_VERSION } from '../src/live/ingestMessages.ts';
import { listenError } from '../src/server/listenError.ts';
import type { SourceEvent } from '../src/stream/events.ts';
import { EventClock, stepEnd, type Pacing } from './eventClock.ts';
import { Population, type PopulationOptions } from './population.ts';

export interface RigSimulatorOptions extends PopulationOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  /**
   * Event seconds per wall second once the recording has started (default 1:
   * real time), or 'manual': nothing is sent until `advanceTo`. Wall-clock
   * pacing starts when the first client says `ready`, so that it gets the
   * recording from its start.
   */
  speed?: Pacing;
  /**
   * Event seconds per step (default 1/16 s, a power of two so that whole
   * seconds fall exactly on step ends): each step goes out as its label
   * changes, its spikes and a heartbeat at its end, whatever the pace.
   */
  stepSeconds?: number;
  /** Event time at which this run of the rig starts sending (default 0): a rig restarted mid-session goes on with the same recording there. */
  startSeconds?: number;
  /** Event time at which the recording ends: the last step ends exactly there, then `end` goes to every client and the simulator closes. */
  untilSeconds?: number;
  /** Wall milliseconds between checks of the clock when paced (default 20). */
  tickMs?: number;
  /** Seconds of recording kept for clients that resume (default 30). */
  resumeSeconds?: number;
  /** Spikes as JSON text frames instead of binary frames. */
  json?: boolean;
  /** The source name in hello (default 'sim-rig'). */
  source?: string;
  /** Identifies this run of the rig: a restarted simulator gets a new one, so seq numbering starts again. */
  run?: string;
}

interface SentMessage {
  seq: number;
  data: Buffer | string;
  binary: boolean;
  /** End of the step the message belongs to, event seconds. */
  stepEnd: number;
}

/** Default event seconds per step: a power of two, exact in floating point. */
export const RIG_STEP_SECONDS = 1 / 16;

/**
 * A rig that serves the ingest protocol (docs/PROTOCOL.md): a seeded
 * population with planted synergistic and redundant pairs, modes switching
 * as a Markov chain, bursty independent units (simulators/population.ts).
 *
 * One recording for all clients, as on a real rig. The recording is cut into
 * fixed steps of event time; each step goes out as its label messages, a
 * spike frame per stretch between label changes, and a heartbeat at the
 * step's end, numbered by one sequence. What is sent is therefore a
 * function of the seed, the start and the step alone; the pace (`speed`, or
 * `advanceTo` when manual) only decides when. A client that connects gets
 * `hello` (with the unit table for binary frames) and answers `ready` with
 * the last seq it holds: the simulator resends from there if it still has
 * those messages (the last `resumeSeconds`), so a reconnecting analyzer
 * loses nothing; otherwise the client joins at the live edge and sees the
 * gap. A paced recording starts when the first client is ready.
 */
export class RigSimulator {
  readonly population: Population;
  readonly run: string;
  readonly stepSeconds: number;
  /** Resolves once the recording has reached `untilSeconds` (or `stop`/`kill` was called) and the server is closed. */
  readonly finished: Promise<void>;
  /** Messages sent to clients (per client), for tests and benchmarks. */
  messagesSent = 0;
  spikesGenerated = 0;
  private readonly clock: EventClock;
  private readonly steps: Generator<SourceEvent, void, undefined>;
  private readonly history: SentMessage[] = [];
  private readonly live = new Set<WebSocket>();
  private readonly readyWaiters: Array<{ count: number; resolve: () => void }> = [];
  private clientsReady = 0;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  /** Steps sent. */
  private stepsSent = 0;
  private closing: Promise<void> | undefined;
  private resolveFinished!: () => void;

  private constructor(
    readonly options: RigSimulatorOptions,
    private readonly server: WebSocketServer,
  ) {
    this.population = new Population(options);
    this.stepSeconds = options.stepSeconds ?? RIG_STEP_SECONDS;
    if (!(this.stepSeconds > 0) || !Number.isFinite(this.stepSeconds)) throw new RangeError(`stepSeconds must be > 0, got ${this.stepSeconds}`);
    this.clock = new EventClock(options.speed ?? 1, options.startSeconds ?? 0, options.untilSeconds ?? Infinity);
    this.steps = this.population.stream({ chunkSeconds: this.stepSeconds, fromSeconds: this.clock.startSeconds, untilSeconds: this.clock.untilSeconds });
    this.run = options.run ?? `${process.pid}-${Date.now().toString(36)}`;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: RigSimulatorOptions): Promise<RigSimulator> {
    const server = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error) => reject(listenError(error, options.host ?? '127.0.0.1', options.port ?? 0)));
    });
    try {
      return new RigSimulator(options, server);
    } catch (error) {
      server.close();
      throw error;
    }
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** The event time the recording has been sent up to, seconds. */
  now(): number {
    return this.stepsSent === 0 ? this.clock.startSeconds : stepEnd(this.clock.startSeconds, this.stepSeconds, this.stepsSent - 1, this.clock.untilSeconds);
  }

  /** Resolves once `count` clients (in all) have said `ready`. */
  clientsAreReady(count = 1): Promise<void> {
    if (this.clientsReady >= count) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push({ count, resolve }));
  }

  /**
   * Manual pacing: sends the steps that end at or before `seconds` (the
   * recording's end included: then `end` follows and the simulator closes).
   */
  advanceTo(seconds: number): void {
    this.clock.advanceTo(seconds);
    this.sendDue();
  }

  /** Stops sending and closes every connection abruptly (a rig that dies: no `end`). */
  kill(): Promise<void> {
    this.closing ??= this.close(() => {
      for (const client of this.server.clients) client.terminate();
    });
    return this.closing;
  }

  /** Sends what is due, then `end` to every client, and closes (a rig that stops recording). */
  stop(): Promise<void> {
    if (this.closing === undefined) this.sendDue();
    this.closing ??= this.end();
    return this.closing;
  }

  private end(): Promise<void> {
    return this.close(() => {
      for (const client of this.live) client.send(JSON.stringify({ type: 'end', seq: ++this.seq }));
      for (const client of this.server.clients) client.close(1000, 'end');
    });
  }

  private async close(closeClients: () => void): Promise<void> {
    clearInterval(this.timer);
    closeClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.resolveFinished();
  }

  private accept(socket: WebSocket): void {
    const source = this.options.source ?? 'sim-rig';
    socket.send(
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, source, run: this.run, units: this.population.unitIds, modes: this.population.labels }),
    );
    socket.once('message', (data) => {
      if (this.closing !== undefined) return;
      let lastSeq: number | null = null;
      try {
        const reply = JSON.parse(String(data)) as { type?: string; lastSeq?: number | null };
        if (reply.type === 'ready' && typeof reply.lastSeq === 'number') lastSeq = reply.lastSeq;
      } catch {
        // Not a ready frame: the client joins at the live edge.
      }
      if (lastSeq !== null && this.history.length > 0 && this.history[0].seq <= lastSeq + 1) {
        for (const message of this.history) if (message.seq > lastSeq) socket.send(message.data, { binary: message.binary });
      }
      this.live.add(socket);
      this.clientsReady++;
      for (const waiter of [...this.readyWaiters]) {
        if (this.clientsReady >= waiter.count) {
          this.readyWaiters.splice(this.readyWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      if (!this.clock.started) {
        this.clock.start();
        this.timer = setInterval(() => this.sendDue(), this.options.tickMs ?? 20);
      }
    });
    socket.on('close', () => this.live.delete(socket));
    socket.on('error', () => {});
  }

  /** Sends every step that the clock has reached; at the recording's end, `end`. */
  private sendDue(): void {
    if (this.closing !== undefined) return;
    const due = this.clock.due();
    const { startSeconds, untilSeconds } = this.clock;
    // A step is due when its end is reached; the tolerance absorbs the clock's rounding, not a whole step.
    while (this.now() < untilSeconds && stepEnd(startSeconds, this.stepSeconds, this.stepsSent, untilSeconds) <= due + 1e-9 * this.stepSeconds) this.sendStep();
    if (this.now() >= untilSeconds) this.closing = this.end();
  }

  /** The next step: its label changes and spikes in time order, then a heartbeat at its end. */
  private sendStep(): void {
    const end = stepEnd(this.clock.startSeconds, this.stepSeconds, this.stepsSent, this.clock.untilSeconds);
    for (;;) {
      const next = this.steps.next();
      if (next.done) break;
      const event = next.value;
      const seq = ++this.seq;
      if (event.kind === 'label') this.send({ seq, data: JSON.stringify({ type: 'label', seq, t: event.t, label: event.label }), binary: false, stepEnd: end });
      else if (event.kind === 'spikes') {
        this.spikesGenerated += event.t.length;
        const data = this.options.json
          ? JSON.stringify({ type: 'spikes', seq, t: Array.from(event.t), unit: Array.from(event.unit, (u) => event.unitIds[u]) })
          : encodeSpikeFrame(seq, event.t, event.unit);
        this.send({ seq, data, binary: !this.options.json, stepEnd: end });
      } else if (event.kind === 'heartbeat') {
        this.send({ seq, data: JSON.stringify({ type: 'heartbeat', seq, t: event.t }), binary: false, stepEnd: end });
        break;
      } else throw new Error(`unexpected ${event.kind} event in the population stream`);
    }
    this.stepsSent++;
    // Keep the last resumeSeconds of the recording for resuming clients.
    const keepFrom = end - (this.options.resumeSeconds ?? 30);
    let drop = 0;
    while (drop < this.history.length && this.history[drop].stepEnd < keepFrom) drop++;
    if (drop > 0 && drop >= this.history.length / 2) this.history.splice(0, drop);
  }

  private send(message: SentMessage): void {
    this.history.push(message);
    for (const client of this.live) {
      client.send(message.data, { binary: message.binary });
      this.messagesSent++;
    }
  }
}
