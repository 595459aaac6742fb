import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { Subject, type Observable } from 'rxjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { PROTOCOL_VERSION, type ProtocolErrorCode } from '../live/ingestMessages.ts';
import { DEFAULT_TIME_JUMP_LIMITS, IngestSession, SourceRegistry, type TimeJumpLimits } from '../live/ingestSession.ts';
import type { SourceEvent } from '../stream/events.ts';
import { DEFAULT_SUBSCRIBER_LIMITS, SubscriberChannel, TOPICS, type SubscriberLimits, type Topic } from './subscriberChannel.ts';
import { TokenBucket } from './tokenBucket.ts';

export interface ServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** When set, both endpoints require it (`Authorization: Bearer …` or `?token=…`). */
  token?: string;
  /** Accept rigs on /ingest (serve). Without it, /ingest answers 404 (connect, replay --serve, demo). */
  ingest: boolean;
  /** Largest WebSocket message, bytes; larger ones close the connection with 1009. */
  maxPayloadBytes: number;
  /** Per ingest connection: messages and spikes per second; beyond them the server stops reading the socket until the budget refills (backpressure: nothing is dropped). */
  maxMessagesPerSecond: number;
  maxSpikesPerSecond: number;
  /** Error frames per second per connection; more are counted, not sent. */
  maxErrorFramesPerSecond: number;
  /** Seconds without a message from a connected source before a `source-silent` alert. */
  silenceSeconds: number;
  timeJumps: TimeJumpLimits;
  subscriberLimits: SubscriberLimits;
  /** What the server tells subscribers about the analysis in its welcome frame. */
  analysis?: Record<string, unknown>;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  host: '127.0.0.1',
  port: 7700,
  ingest: true,
  maxPayloadBytes: 16 * 1024 * 1024,
  maxMessagesPerSecond: 2000,
  maxSpikesPerSecond: 5_000_000,
  maxErrorFramesPerSecond: 20,
  silenceSeconds: 5,
  timeJumps: DEFAULT_TIME_JUMP_LIMITS,
  subscriberLimits: DEFAULT_SUBSCRIBER_LIMITS,
};

/** What the server has seen, for summaries and tests. */
export interface ServerCounters {
  ingestConnections: number;
  subscribers: number;
  /** Upgrades refused for a missing or wrong token. */
  unauthorized: number;
  /** Frames refused on ingest connections, by error code. */
  rejected: Partial<Record<ProtocolErrorCode, number>>;
  /** Error frames not sent because of the per-connection limit (the rejections are still counted). */
  errorFramesSuppressed: number;
  /** Times an ingest connection was paused by its rate limit. */
  throttled: number;
  /** Subscribers closed for an alert backlog. */
  subscribersDropped: number;
  /** Updates conflated (replaced before a slow subscriber could take them), over all subscribers. */
  conflated: number;
}

/**
 * `synergy serve`'s server (docs/PROTOCOL.md): one HTTP port with two
 * WebSocket endpoints, `/ingest` where rigs and bridges push spikes and
 * labels, and `/subscribe` where clients receive updates and alerts.
 *
 * Ingest frames go through an IngestSession each; their events come out of
 * `events`, the source alerts (gaps, jumps, lost and restored sources,
 * silence, rejected input) out of `sourceAlerts`. `publish` hands updates and
 * alerts to every subscriber's channel (conflated updates, bounded memory).
 */
export class SynergyServer {
  readonly counters: ServerCounters = {
    ingestConnections: 0,
    subscribers: 0,
    unauthorized: 0,
    rejected: {},
    errorFramesSuppressed: 0,
    throttled: 0,
    subscribersDropped: 0,
    conflated: 0,
  };
  readonly registry = new SourceRegistry();
  private readonly eventSubject = new Subject<SourceEvent>();
  private readonly alertSubject = new Subject<AlertEvent>();
  private readonly channels = new Set<SubscriberChannel>();
  private readonly sessions = new Set<{ session: IngestSession; rejectedAtTick: number; rejectedTotal: number }>();
  private latestUpdate: SynergyUpdate | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly options: ServerOptions,
    private readonly http: Server,
    private readonly ingestServer: WebSocketServer,
    private readonly subscribeServer: WebSocketServer,
  ) {
    ingestServer.on('connection', (socket) => this.acceptIngest(socket));
    subscribeServer.on('connection', (socket) => this.acceptSubscriber(socket));
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
  }

  static async start(options: Partial<ServerOptions> = {}): Promise<SynergyServer> {
    const full: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...options };
    const http = createServer((request, response) => {
      if (request.url === '/' || request.url?.startsWith('/?')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify({ name: 'synergy-stream', protocol: PROTOCOL_VERSION, ingest: full.ingest ? '/ingest' : null, subscribe: '/subscribe' })}\n`);
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found: the endpoints are /ingest and /subscribe (WebSocket)\n');
    });
    const common = { noServer: true, maxPayload: full.maxPayloadBytes, perMessageDeflate: false } as const;
    const server = new SynergyServer(full, http, new WebSocketServer(common), new WebSocketServer(common));
    http.on('upgrade', (request, socket, head) => server.upgrade(request, socket, head));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(full.port, full.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** ws://host:port, with IPv6 hosts bracketed. */
  get baseUrl(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `ws://${host}:${this.port}`;
  }

  get ingestUrl(): string {
    return `${this.baseUrl}/ingest`;
  }

  get subscribeUrl(): string {
    return `${this.baseUrl}/subscribe`;
  }

  /** Events from every ingest connection, in arrival order. */
  get events(): Observable<SourceEvent> {
    return this.eventSubject.asObservable();
  }

  /** Source alerts: sequence gaps, time jumps, lost/restored and silent sources, rejected input. */
  get sourceAlerts(): Observable<AlertEvent> {
    return this.alertSubject.asObservable();
  }

  /** Subscribers connected now, with their channels (for tests and status). */
  get subscriberChannels(): ReadonlySet<SubscriberChannel> {
    return this.channels;
  }

  publish(item: SynergyUpdate | AlertEvent): void {
    if (item.type === 'synergy') {
      this.latestUpdate = item;
      for (const channel of this.channels) channel.offerUpdate(item);
    } else {
      for (const channel of this.channels) channel.offerAlert(item);
    }
  }

  /** Closes every connection and the port; events complete. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const client of this.ingestServer.clients) client.close(1001, 'server shutting down');
    for (const client of this.subscribeServer.clients) client.close(1001, 'server shutting down');
    await Promise.all([
      new Promise<void>((resolve) => this.ingestServer.close(() => resolve())),
      new Promise<void>((resolve) => this.subscribeServer.close(() => resolve())),
    ]);
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.eventSubject.complete();
    this.alertSubject.complete();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const target = url.pathname === '/ingest' && this.options.ingest ? this.ingestServer : url.pathname === '/subscribe' ? this.subscribeServer : undefined;
    if (target === undefined) {
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nno WebSocket endpoint at ${url.pathname}\n`);
      return;
    }
    if (this.options.token !== undefined && !this.authorized(request, url)) {
      this.counters.unauthorized++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\na token is required: Authorization: Bearer <token> or ?token=<token>\n');
      return;
    }
    target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
  }

  private authorized(request: IncomingMessage, url: URL): boolean {
    const header = request.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? '';
    const expected = Buffer.from(this.options.token!);
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private acceptIngest(socket: WebSocket): void {
    this.counters.ingestConnections++;
    const session = new IngestSession(this.registry, this.options.timeJumps);
    const entry = { session, rejectedAtTick: 0, rejectedTotal: 0 };
    this.sessions.add(entry);
    const messages = new TokenBucket(this.options.maxMessagesPerSecond);
    const spikes = new TokenBucket(this.options.maxSpikesPerSecond);
    const errorFrames = new TokenBucket(this.options.maxErrorFramesPerSecond);
    /** Handles one frame; returns its spike count (for the rate limit). */
    const handle = (bytes: Buffer, isBinary: boolean): number => {
      const out = session.receive(isBinary ? bytes : bytes.toString('utf8'), isBinary);
      for (const reply of out.replies) {
        if ((reply as { type: string }).type === 'error') {
          entry.rejectedTotal++;
          const code = (reply as { code: ProtocolErrorCode }).code;
          this.counters.rejected[code] = (this.counters.rejected[code] ?? 0) + 1;
          if (!errorFrames.take(1)) {
            this.counters.errorFramesSuppressed++;
            continue;
          }
        }
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      }
      for (const alert of out.alerts) this.alertSubject.next(alert);
      let spikeCount = 0;
      for (const event of out.events) {
        if (event.kind === 'spikes') spikeCount += event.t.length;
        this.eventSubject.next(event);
      }
      if (out.ended) socket.close(1000, 'end');
      return spikeCount;
    };
    // Rate limits by backpressure: over budget, the socket is paused and frames
    // already read wait in this queue (at most what one read brought in) until
    // the budgets refill. Nothing is dropped.
    const queue: Array<{ bytes: Buffer; isBinary: boolean }> = [];
    let blockedUntil = 0;
    let timer: NodeJS.Timeout | undefined;
    const drain = (ignoreLimits = false) => {
      while (queue.length > 0) {
        const wait = blockedUntil - performance.now();
        if (wait > 0 && !ignoreLimits) {
          timer ??= setTimeout(() => {
            timer = undefined;
            drain();
          }, wait);
          return;
        }
        const { bytes, isBinary } = queue.shift()!;
        const spikeCount = handle(bytes, isBinary);
        const debtMs = Math.max(messages.debt(1), spikes.debt(spikeCount));
        if (debtMs > 0 && !ignoreLimits) {
          blockedUntil = performance.now() + debtMs;
          this.counters.throttled++;
          socket.pause();
        }
      }
      if (!socket.isPaused) return;
      const wait = blockedUntil - performance.now();
      if (wait <= 0) socket.resume();
      else
        timer ??= setTimeout(() => {
          timer = undefined;
          drain();
        }, wait);
    };
    socket.on('message', (data: RawData, isBinary: boolean) => {
      queue.push({ bytes: Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer), isBinary });
      if (timer === undefined) drain();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      // Frames received before the close are still the source's data.
      drain(true);
      this.sessions.delete(entry);
      const out = session.close();
      for (const alert of out.alerts) this.alertSubject.next(alert);
      for (const event of out.events) this.eventSubject.next(event);
    });
    socket.on('error', () => {
      // 'close' follows; a protocol-level error (e.g. 1009 too big) is reported by ws in the close code.
    });
  }

  private acceptSubscriber(socket: WebSocket): void {
    this.counters.subscribers++;
    const channel = new SubscriberChannel(socket, this.options.subscriberLimits);
    this.channels.add(channel);
    channel.sendControl({ type: 'welcome', protocol: PROTOCOL_VERSION, topics: [...TOPICS], analysis: this.options.analysis ?? {} });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const reply = this.subscription(channel, isBinary ? undefined : String(data));
      channel.sendControl(reply);
      if (reply.type === 'subscribed' && this.latestUpdate !== undefined) channel.offerUpdate(this.latestUpdate);
    });
    socket.on('close', () => {
      this.channels.delete(channel);
      this.counters.conflated += channel.counters.conflated;
      if (channel.closedForBacklog) this.counters.subscribersDropped++;
    });
    socket.on('error', () => {});
  }

  /** Handles a subscriber's message: a subscribe, or an error frame saying what is wrong. */
  private subscription(channel: SubscriberChannel, text: string | undefined): { type: string; [key: string]: unknown } {
    const error = (code: string, message: string) => ({ type: 'error', code, message });
    if (text === undefined) return error('bad-binary-frame', 'subscribers send text frames: {"type":"subscribe","topics":["synergy","alerts"],"top":20}');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return error('malformed-json', `not JSON: ${(e as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || (json as { type?: unknown }).type !== 'subscribe') {
      return error('unknown-type', `unknown message ${JSON.stringify((json as { type?: unknown })?.type ?? json)}: subscribers send {"type":"subscribe",…}`);
    }
    const { topics, top } = json as { topics?: unknown; top?: unknown };
    if (topics !== undefined && (!Array.isArray(topics) || topics.some((topic) => !TOPICS.includes(topic as Topic)))) {
      return error('bad-field', `subscribe: "topics" must be a list drawn from ${TOPICS.join(', ')}`);
    }
    if (top !== undefined && top !== null && (typeof top !== 'number' || !Number.isInteger(top) || top < 1)) {
      return error('bad-field', 'subscribe: "top" must be a whole number ≥ 1 (or null for every pair the analysis emits)');
    }
    channel.topics = new Set((topics as Topic[] | undefined) ?? TOPICS);
    channel.top = typeof top === 'number' ? top : undefined;
    return { type: 'subscribed', topics: [...channel.topics], top: channel.top ?? null };
  }

  /** Every half second: silence of connected sources, and rejected input since the last tick. */
  private tick(): void {
    const now = Date.now();
    for (const source of this.registry.sources.values()) {
      if (!source.connected || source.ended || source.silent) continue;
      if (now - source.lastMessageMs > this.options.silenceSeconds * 1000) {
        source.silent = true;
        this.alertSubject.next({
          type: 'alert',
          state: 'raised',
          kind: 'source-silent',
          t: Number.isFinite(source.latestTime) ? source.latestTime : 0,
          source: source.name,
          value: (now - source.lastMessageMs) / 1000,
          message: `source ${source.name} has sent nothing for ${((now - source.lastMessageMs) / 1000).toFixed(1)} s (connected; no heartbeat either)`,
        });
      }
    }
    for (const entry of this.sessions) {
      const fresh = entry.rejectedTotal - entry.rejectedAtTick;
      if (fresh === 0) continue;
      entry.rejectedAtTick = entry.rejectedTotal;
      const source = entry.session.source;
      const name = source?.name ?? '(no hello yet)';
      const counts = Object.entries(source?.counters.rejected ?? entry.session.rejectedBeforeHello)
        .map(([code, count]) => `${code} ${count}`)
        .join(', ');
      this.alertSubject.next({
        type: 'alert',
        state: 'raised',
        kind: 'input-rejected',
        t: source !== undefined && Number.isFinite(source.latestTime) ? source.latestTime : 0,
        ...(source !== undefined ? { source: source.name } : {}),
        value: fresh,
        message: `${fresh} message${fresh === 1 ? '' : 's'} from ${name} refused in the last moment (since the start: ${counts}); each was answered with an error frame`,
      });
    }
  }
}
