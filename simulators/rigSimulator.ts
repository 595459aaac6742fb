import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeSpikeFrame } from '../src/live/binarySpikeFrame.ts';
import { PROTOCOL_VERSION } from '../src/live/ingestMessages.ts';
import { Population, type PopulationOptions } from './population.ts';

export interface RigSimulatorOptions extends PopulationOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Simulated seconds per wall second (1: real time). */
  speed?: number;
  /**
   * Wall-clock time (ms since the epoch) at which simulated time was 0. A
   * simulator restarted with the same seed and origin continues the same
   * recording where the clock now stands, as a rig restarted mid-session would.
   */
  originMs?: number;
  /** Wall milliseconds between messages (default 20). */
  tickMs?: number;
  /** Seconds of messages kept for clients that resume (default 30). */
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
}

/**
 * A rig that serves the ingest protocol (docs/PROTOCOL.md) in real time: a
 * seeded population with planted synergistic and redundant pairs, modes
 * switching as a Markov chain, bursty independent units (simulators/population.ts).
 *
 * One recording for all clients, as on a real rig: every `tickMs` the
 * simulator generates the next stretch of the recording and sends it as
 * label messages, a spike frame and a heartbeat, numbered by one sequence.
 * A client that connects gets `hello` (with the unit table for binary
 * frames) and answers `ready` with the last seq it holds: the simulator
 * resends from there if it still has those messages (the last
 * `resumeSeconds`), so a reconnecting analyzer loses nothing; otherwise the
 * client joins at the live edge and sees the gap.
 */
export class RigSimulator {
  readonly population: Population;
  readonly speed: number;
  readonly originMs: number;
  readonly run: string;
  private readonly tickMs: number;
  private readonly history: SentMessage[] = [];
  private readonly live = new Set<WebSocket>();
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  /** Simulated time up to which the recording has been sent. */
  private sentUntil: number;
  private openingSent = false;
  /** Messages sent to clients (per client), for tests and benchmarks. */
  messagesSent = 0;
  spikesGenerated = 0;

  private constructor(
    readonly options: RigSimulatorOptions,
    private readonly server: WebSocketServer,
  ) {
    this.population = new Population(options);
    this.speed = options.speed ?? 1;
    this.originMs = options.originMs ?? Date.now();
    this.tickMs = options.tickMs ?? 20;
    this.run = options.run ?? `${process.pid}-${Date.now().toString(36)}`;
    this.sentUntil = this.now();
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: RigSimulatorOptions): Promise<RigSimulator> {
    if (options.speed !== undefined && !(options.speed > 0)) throw new RangeError(`speed must be > 0, got ${options.speed}`);
    const server = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const simulator = new RigSimulator(options, server);
    simulator.timer = setInterval(() => simulator.tick(), simulator.tickMs);
    return simulator;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** The simulated time now, seconds. */
  now(): number {
    return Math.max(0, ((Date.now() - this.originMs) / 1000) * this.speed);
  }

  /** Stops sending and closes every connection abruptly (a rig that dies: no `end`). */
  async kill(): Promise<void> {
    clearInterval(this.timer);
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sends `end` to every client and closes (a rig that stops recording). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.tick();
    for (const client of this.live) client.send(JSON.stringify({ type: 'end', seq: ++this.seq }));
    for (const client of this.server.clients) client.close(1000, 'end');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const source = this.options.source ?? 'sim-rig';
    socket.send(
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, source, run: this.run, units: this.population.unitIds, modes: this.population.labels }),
    );
    socket.once('message', (data) => {
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
    });
    socket.on('close', () => this.live.delete(socket));
    socket.on('error', () => {});
  }

  /** Generates the recording up to now and sends it to the live clients. */
  private tick(): void {
    const until = this.now();
    if (until <= this.sentUntil) return;
    const from = this.sentUntil;
    const messages: SentMessage[] = [];
    const push = (data: Buffer | string, binary: boolean) => messages.push({ seq: ++this.seq, data, binary });
    if (!this.openingSent) {
      this.openingSent = true;
      push(JSON.stringify({ type: 'label', seq: this.seq + 1, t: from, label: this.population.labelAt(from) }), false);
    }
    const span = this.population.generate(from, until);
    this.spikesGenerated += span.spikes.t.length;
    const { t, unit } = span.spikes;
    let first = 0;
    const sendSpikes = (stop: number) => {
      if (stop <= first) return;
      const seq = this.seq + 1;
      if (this.options.json) {
        push(JSON.stringify({ type: 'spikes', seq, t: Array.from(t.subarray(first, stop)), unit: Array.from(unit.subarray(first, stop), (u) => this.population.unitIds[u]) }), false);
      } else {
        push(encodeSpikeFrame(seq, t.subarray(first, stop), unit.subarray(first, stop)), true);
      }
      first = stop;
    };
    for (const label of span.labels) {
      // Spikes before the change, then the change: event time never goes back.
      let stop = first;
      while (stop < t.length && t[stop] < label.t) stop++;
      sendSpikes(stop);
      push(JSON.stringify({ type: 'label', seq: this.seq + 1, t: label.t, label: label.label }), false);
    }
    sendSpikes(t.length);
    push(JSON.stringify({ type: 'heartbeat', seq: this.seq + 1, t: until }), false);
    this.sentUntil = until;

    for (const message of messages) {
      this.history.push(message);
      for (const client of this.live) {
        client.send(message.data, { binary: message.binary });
        this.messagesSent++;
      }
    }
    // Keep the last resumeSeconds of wall time (ticks) for resuming clients.
    const keep = Math.ceil(((this.options.resumeSeconds ?? 30) * 1000) / this.tickMs) * 4;
    if (this.history.length > keep * 2) this.history.splice(0, this.history.length - keep);
  }
}
