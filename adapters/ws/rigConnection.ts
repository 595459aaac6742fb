import { WebSocket } from 'ws';
import { UsageError } from '../../src/errors.ts';
import type { LiveSource } from '../liveSource.ts';
import { registryStatus, type SourceStatus } from '../../src/server/sourceStatus.ts';
import type { ReconnectPolicy } from '../../src/live/reconnectPolicy.ts';
import { SourceHealth, type HealthClock } from '../../src/live/sourceHealth.ts';
import { SourceStreams } from '../../src/live/sourceStreams.ts';
import { DEFAULT_INGEST_LIMITS, IngestSession, SourceRegistry, sourcesSummary, type IngestLimits } from '../../src/live/ingestSession.ts';

export interface RigConnectionOptions {
  /** ws:// or wss:// address of a rig that serves the ingest protocol. */
  url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string;
  reconnect?: Partial<ReconnectPolicy>;
  /** What the rig may send (time jumps, units, modes…); DEFAULT_INGEST_LIMITS otherwise. */
  limits?: Partial<IngestLimits>;
  /** Largest message accepted from the rig, bytes. */
  maxPayloadBytes?: number;
  /** Status lines (connecting, connected, retrying in …). */
  onStatus?: (line: string) => void;
  /** Random numbers for the jitter (tests pass a seeded one). */
  random?: () => number;
  /** Wall time for retries (tests pass one they move by hand). */
  clock?: HealthClock;
}

/**
 * `synergy connect ws://…`: pulls the ingest protocol from a rig that serves
 * it (docs/PROTOCOL.md), and keeps pulling.
 *
 * Each connection gets an IngestSession (the same checks as `synergy
 * serve`): the rig's hello is answered with `ready` and the last seq held,
 * so a rig that buffers resends what was missed; what it cannot resend
 * shows as a `sequence-gap` or `data-gap` alert. When the connection drops
 * without `end`, a `source-lost` alert is raised and the client reconnects
 * with exponential backoff and full jitter (delay uniform in
 * [0, min(maxMs, initialMs·2^attempt)]), so that many analyzers do not
 * hammer a restarting rig in step; the attempt count starts again after a
 * connection that got as far as hello. `end` from the rig completes `events`.
 * Retries are the SourceHealth's; what a lost or returning source means for
 * its data (gaps, alerts) is the IngestSession's, as on the server.
 */
export class RigConnection implements LiveSource {
  readonly registry: SourceRegistry;
  private readonly out = new SourceStreams();
  readonly events = this.out.events;
  readonly alerts = this.out.alerts;
  private readonly health: SourceHealth;
  private socket: WebSocket | undefined;
  /** Rejected frames sent back to the rig. */
  readonly counters = { errorsSent: 0 };

  constructor(readonly options: RigConnectionOptions) {
    this.registry = new SourceRegistry({ ...DEFAULT_INGEST_LIMITS, ...options.limits });
    let url: URL | undefined;
    try {
      url = new URL(options.url);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) throw new UsageError(`expected a ws:// or wss:// address of a rig, got "${options.url}"`);
    this.health = new SourceHealth(
      // The silence of the rig's sources is the registry's (their hello names them); the connection has no watchdog of its own.
      { name: options.url, url: options.url, reconnect: options.reconnect, silenceSeconds: 0, clock: options.clock, random: options.random, onStatus: options.onStatus },
      this.out,
      { connect: () => this.connect() },
    );
  }

  /** Per source: messages, spikes, messages missing, connections, refused by code. */
  status(): SourceStatus[] {
    return registryStatus(this.registry);
  }

  summary(): string {
    return sourcesSummary(this.registry);
  }

  /** Starts connecting (call after subscribing to `events` and `alerts`). */
  start(): void {
    this.health.start();
  }

  /** Stops: closes the connection, no more retries; `events` completes. */
  close(): void {
    if (!this.health.close()) return;
    this.socket?.close(1000, 'analyzer stopping');
    this.out.complete();
  }

  private connect(): void {
    if (this.health.isClosed) return;
    const headers = this.options.token === undefined ? undefined : { authorization: `Bearer ${this.options.token}` };
    const socket = new WebSocket(this.options.url, { headers, maxPayload: this.options.maxPayloadBytes ?? 4 * 1024 * 1024, perMessageDeflate: false });
    this.socket = socket;
    const session = new IngestSession(this.registry);
    let ended = false;
    socket.on('open', () => this.health.status(`connected to ${this.options.url}`));
    socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const hadSource = session.source !== undefined;
      const out = session.receive(isBinary ? bytes : bytes.toString('utf8'), isBinary);
      // A connection counts (and the retry count starts again) once the rig's hello is accepted.
      if (!hadSource && session.source !== undefined) this.health.connectionUp(null);
      for (const reply of out.replies) {
        if ((reply as { type: string }).type === 'error') this.counters.errorsSent++;
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      }
      for (const alert of out.alerts) this.out.alert(alert);
      for (const event of out.events) this.out.event(event);
      if (out.ended) {
        ended = true;
        this.health.status(`${this.options.url} said end`);
        socket.close(1000, 'end');
      }
    });
    socket.on('error', (error) => {
      this.health.status(`${this.options.url}: ${error.message}`);
    });
    socket.on('close', () => {
      const out = session.close();
      for (const alert of out.alerts) this.out.alert(alert);
      for (const event of out.events) this.out.event(event);
      if (this.health.isClosed) return;
      if (ended) {
        this.close();
        return;
      }
      // The session reported a loss (source-lost and the gap): the health only retries.
      this.health.attemptFailed();
    });
  }
}
