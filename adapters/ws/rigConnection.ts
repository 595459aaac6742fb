import { Subject, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { ConnectionError } from '../../src/errors.ts';
import type { LiveSource } from '../liveSource.ts';
import { DEFAULT_RECONNECT, retryDelayMs, type ReconnectPolicy } from '../reconnectPolicy.ts';
import { DEFAULT_INGEST_LIMITS, IngestSession, SourceRegistry, sourcesSummary, type IngestLimits } from '../../src/live/ingestSession.ts';
import type { SourceEvent } from '../../src/stream/events.ts';

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
 */
export class RigConnection implements LiveSource {
  readonly registry: SourceRegistry;
  private readonly eventSubject = new Subject<SourceEvent>();
  private readonly alertSubject = new Subject<AlertEvent>();
  private readonly policy: ReconnectPolicy;
  private socket: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  /** Connections opened, and rejected frames sent back to the rig. */
  readonly counters = { connections: 0, attempts: 0, errorsSent: 0 };

  constructor(readonly options: RigConnectionOptions) {
    this.policy = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.registry = new SourceRegistry({ ...DEFAULT_INGEST_LIMITS, ...options.limits });
    const url = new URL(options.url);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new RangeError(`expected a ws:// or wss:// address, got ${options.url}`);
  }

  get events(): Observable<SourceEvent> {
    return this.eventSubject.asObservable();
  }

  get alerts(): Observable<AlertEvent> {
    return this.alertSubject.asObservable();
  }

  /** Per source: messages, spikes, messages missing, connections, refused by code. */
  summary(): string {
    return sourcesSummary(this.registry);
  }

  /** Starts connecting (call after subscribing to `events` and `alerts`). */
  start(): void {
    this.connect();
  }

  /** Stops: closes the connection, no more retries; `events` completes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'analyzer stopping');
    this.eventSubject.complete();
    this.alertSubject.complete();
  }

  private status(line: string): void {
    this.options.onStatus?.(line);
  }

  private connect(): void {
    if (this.closed) return;
    this.counters.attempts++;
    const headers = this.options.token === undefined ? undefined : { authorization: `Bearer ${this.options.token}` };
    const socket = new WebSocket(this.options.url, { headers, maxPayload: this.options.maxPayloadBytes ?? 4 * 1024 * 1024, perMessageDeflate: false });
    this.socket = socket;
    const session = new IngestSession(this.registry);
    let ended = false;
    socket.on('open', () => {
      this.counters.connections++;
      this.status(`connected to ${this.options.url}`);
    });
    socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const out = session.receive(isBinary ? bytes : bytes.toString('utf8'), isBinary);
      if (session.source !== undefined) this.attempt = 0;
      for (const reply of out.replies) {
        if ((reply as { type: string }).type === 'error') this.counters.errorsSent++;
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      }
      for (const alert of out.alerts) this.alertSubject.next(alert);
      for (const event of out.events) this.eventSubject.next(event);
      if (out.ended) {
        ended = true;
        this.status(`${this.options.url} said end`);
        socket.close(1000, 'end');
      }
    });
    socket.on('error', (error) => {
      this.status(`${this.options.url}: ${error.message}`);
    });
    socket.on('close', () => {
      const out = session.close();
      for (const alert of out.alerts) this.alertSubject.next(alert);
      for (const event of out.events) this.eventSubject.next(event);
      if (this.closed) return;
      if (ended) {
        this.close();
        return;
      }
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    this.attempt++;
    if (this.attempt > this.policy.maxAttempts) {
      this.status(`giving up on ${this.options.url} after ${this.policy.maxAttempts} attempts`);
      this.eventSubject.error(new ConnectionError(`could not reach ${this.options.url} after ${this.policy.maxAttempts} attempts`));
      this.alertSubject.complete();
      this.closed = true;
      return;
    }
    const delayMs = retryDelayMs(this.policy, this.attempt, this.options.random);
    this.status(`connection to ${this.options.url} lost or refused; retry ${this.attempt} in ${(delayMs / 1000).toFixed(2)} s`);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }
}
