import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Subject, type Observable } from 'rxjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { PROTOCOL_VERSION, ProtocolError, type ProtocolErrorCode } from '../live/ingestMessages.ts';
import { DEFAULT_INGEST_LIMITS, IngestSession, SourceRegistry, takeOutbox, type SourceState } from '../live/ingestSession.ts';
import { finiteOr } from '../live/sourceHealth.ts';
import type { SourceEvent } from '../stream/events.ts';
import { createHttpEndpoints, listenHttp, routeUpgrade } from './httpEndpoints.ts';
import { refuseHttp } from './httpRefusal.ts';
import { IngestThrottle } from './ingestThrottle.ts';
import { DEFAULT_SERVER_OPTIONS, type ServerCounters, type ServerOptions } from './serverOptions.ts';
import { encodeMatrixFrame } from './matrixFrame.ts';
import { buildPage } from './pageBundle.ts';
import { pairMatrixOf, PAIR_MATRIX, type WithPairMatrix } from '../engine/pairMatrix.ts';
import { registryStatus, type SourceStatus } from './sourceStatus.ts';
import { parseSubscribeMessage, subscribeReply, SubscriberMessageError, type Subscription } from './subscribeMessage.ts';
import { SubscriberChannel, TOPICS } from './subscriberChannel.ts';
import { TokenBucket } from './tokenBucket.ts';

export { DEFAULT_SERVER_OPTIONS, type ServerCounters, type ServerOptions } from './serverOptions.ts';

/** Messages per second a subscriber may send; beyond it the server stops reading it for a while. */
const SUBSCRIBER_MESSAGES_PER_SECOND = 50;

/**
 * What the server keeps for a subscriber that asks for `history` (a page
 * opened late): the last alerts of every source, and each source's last
 * updates with their strongest pairs.
 */
export const HISTORY_ALERTS = 1000;
export const HISTORY_UPDATES_PER_SOURCE = 300;
export const HISTORY_PAIRS = 50;

/** A source's end of stream, as subscribers get it (docs/PROTOCOL.md, "End of stream"). */
export interface EndMessage {
  type: 'end';
  source: string | null;
  /** The last update's time (null: none was made). */
  t: number | null;
  updates: number;
  message: string;
}

/** One source's events, for its own analysis: `synergy serve` analyzes each source apart. */
export interface SourceStream {
  readonly name: string;
  readonly events: Observable<SourceEvent>;
  /** What the source sends, from its hello: spikes (by time bins, or by trials with `trials`) or snapshots. */
  readonly kind?: 'spikes' | 'snapshots';
  readonly trials?: { window: [number, number]; count: number; hop: number };
}

interface IngestEntry {
  session: IngestSession;
  /** Refusals since the last `input-rejected` alert. */
  rejectedPending: number;
  /** Its backpressure; connections active within the last second share the thread. */
  throttle?: IngestThrottle;
}

/**
 * `synergy serve`'s server (docs/PROTOCOL.md): one HTTP port with two
 * WebSocket endpoints, `/ingest` where rigs and bridges push spikes and
 * labels, and `/subscribe` where clients receive updates and alerts.
 *
 * Each ingest connection goes through an IngestSession. Every source (by
 * the name its hello gives) gets a stream of its own (`sources`), so that
 * sources never share a clock, a window, units or labels; their alerts come
 * out of `sourceAlerts`. `publish` hands updates and alerts to every
 * subscriber's channel (conflated per source, bounded memory).
 *
 * Every resource a client can make the server hold is capped
 * (docs/RELIABILITY.md): connections, sources, payloads, message and spike
 * rates, each connection's share of the analyzer's time, replies, and what
 * each source may hold.
 *
 * One file per role, as in ws: the HTTP side, tokens and upgrade routing
 * (httpEndpoints.ts, refusals in httpRefusal.ts), each ingest connection's
 * backpressure (ingestThrottle.ts), what subscribers may ask
 * (subscribeMessage.ts) and what each is sent (subscriberChannel.ts). This
 * class holds the sources, their analyses and the subscribers together.
 */
export class SynergyServer {
  readonly counters: ServerCounters = {
    ingestConnections: 0,
    subscribers: 0,
    unauthorized: 0,
    upgradesRefused: 0,
    rejected: {},
    errorFramesSuppressed: 0,
    throttled: 0,
    subscribersDropped: 0,
    conflated: 0,
    subscriberRepliesNotSent: 0,
    sourcesRetired: 0,
  };
  readonly registry: SourceRegistry;
  private readonly eventSubject = new Subject<SourceEvent>();
  private readonly sourceSubject = new Subject<SourceStream>();
  private readonly alertSubject = new Subject<AlertEvent>();
  /** The event stream of each source being analyzed. */
  private readonly analyses = new Map<string, Subject<SourceEvent>>();
  private readonly channels = new Set<SubscriberChannel>();
  private readonly sessions = new Set<IngestEntry>();
  /** The latest update of each source (sent to a subscriber at once). */
  private readonly latestUpdates = new Map<string, SynergyUpdate>();
  /** For subscribers that ask for history: the last alerts, each source's last updates (trimmed, without matrices) and ends. */
  private readonly alertHistory: AlertEvent[] = [];
  private readonly updateHistory = new Map<string, SynergyUpdate[]>();
  private readonly endHistory = new Map<string, EndMessage>();
  /** Subscribers that have subscribed, and who waits for a number of them. */
  private readonly subscribedWaiters: Array<{ count: number; resolve: () => void }> = [];
  /** Where the `status` topic's source health comes from (serve: its own registry). */
  private statusOf: () => SourceStatus[];
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;
  private closing = false;

  private constructor(
    readonly options: ServerOptions,
    private readonly http: Server,
    private readonly ingestServer: WebSocketServer,
    private readonly subscribeServer: WebSocketServer,
  ) {
    this.registry = new SourceRegistry(options.limits);
    this.statusOf = () => registryStatus(this.registry);
    ingestServer.on('connection', (socket) => this.acceptIngest(socket));
    subscribeServer.on('connection', (socket) => this.acceptSubscriber(socket));
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
  }

  /** Starts listening; a host or port that cannot be listened on is a UsageError saying why. */
  static async start(options: Partial<ServerOptions> = {}): Promise<SynergyServer> {
    const full: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...options, limits: { ...DEFAULT_INGEST_LIMITS, ...options.limits } };
    const http = createHttpEndpoints(full.ingest, full.page ? buildPage : undefined);
    await listenHttp(http, full.host, full.port);
    const common = { noServer: true, perMessageDeflate: false } as const;
    const server = new SynergyServer(
      full,
      http,
      new WebSocketServer({ ...common, maxPayload: full.maxPayloadBytes }),
      new WebSocketServer({ ...common, maxPayload: full.maxSubscriberPayloadBytes }),
    );
    http.on('upgrade', (request, socket, head) => server.upgrade(request, socket, head));
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

  /** Events of every source in arrival order (for status and tests; analyses take `sources`). */
  get events(): Observable<SourceEvent> {
    return this.eventSubject.asObservable();
  }

  /** Each source, once its hello is accepted (again after it said `end`), with its own events; they complete at its `end`, when it is retired, or on close. */
  get sources(): Observable<SourceStream> {
    return this.sourceSubject.asObservable();
  }

  /** Source alerts: sequence gaps, time jumps, clock resets, lost/restored, silent and retired sources, rejected input. */
  get sourceAlerts(): Observable<AlertEvent> {
    return this.alertSubject.asObservable();
  }

  /** Subscribers connected now, with their channels (for tests and status). */
  get subscriberChannels(): ReadonlySet<SubscriberChannel> {
    return this.channels;
  }

  /** The run header subscribers get in their welcome (known once the port is, for a server on port 0). */
  describeRun(header: object): void {
    this.options.run = header;
  }

  /** Where the `status` topic's source health comes from (connect and demo: their rig's; replay: the file's progress). */
  reportStatus(statusOf: () => SourceStatus[]): void {
    this.statusOf = statusOf;
  }

  /** Resolves once `count` subscribers are connected and have subscribed (`replay --wait-subscribers`). */
  subscribers(count: number): Promise<void> {
    if (this.subscribedCount() >= count) return Promise.resolve();
    return new Promise((resolve) => this.subscribedWaiters.push({ count, resolve }));
  }

  publish(item: SynergyUpdate | AlertEvent): void {
    if (item.type === 'synergy') {
      const key = item.source ?? '';
      // Newest last; the sources' last updates are kept for subscribers that join later, as many as sources are analyzed.
      this.latestUpdates.delete(key);
      this.latestUpdates.set(key, item);
      if (this.latestUpdates.size > this.options.maxSources) this.latestUpdates.delete(this.latestUpdates.keys().next().value!);
      this.keepUpdate(key, item);
      // A source that said `end` and came back is streaming again: its old end is no longer history.
      this.endHistory.delete(key);
      for (const channel of this.channels) channel.offerUpdate(item);
      const matrix = pairMatrixOf(item);
      if (matrix !== undefined && [...this.channels].some((channel) => channel.topics.has('matrix'))) {
        // Encoded once, shared by every subscriber.
        const frame = encodeMatrixFrame(matrix, item.source, item.t);
        for (const channel of this.channels) channel.offerMatrix(item.source, frame);
      }
    } else {
      this.alertHistory.push(item);
      if (this.alertHistory.length > HISTORY_ALERTS) this.alertHistory.shift();
      for (const channel of this.channels) channel.offerAlert(item);
    }
  }

  /** A source's stream has ended (a replay's recording, a demo's duration, a rig's `end`): subscribers get an `end` message after its last update. */
  publishEnd(source: string | undefined, updates: number, message: string): void {
    const last = this.latestUpdates.get(source ?? '');
    const end: EndMessage = { type: 'end', source: source ?? null, t: last?.t ?? null, updates, message };
    this.endHistory.delete(source ?? '');
    this.endHistory.set(source ?? '', end);
    if (this.endHistory.size > this.options.maxSources) this.endHistory.delete(this.endHistory.keys().next().value!);
    const text = JSON.stringify(end);
    for (const channel of this.channels) channel.offerEnd(source, text);
  }

  /** Closes every connection and the port; events and sources complete. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.timer);
    const clients = [...this.ingestServer.clients, ...this.subscribeServer.clients];
    for (const client of clients) client.close(1001, 'server shutting down');
    // A client that does not answer the closing handshake (one that does not read) is cut after the grace time.
    const grace = setTimeout(() => {
      for (const client of clients) client.terminate();
    }, this.options.closeGraceMs);
    await Promise.all([
      new Promise<void>((resolve) => this.ingestServer.close(() => resolve())),
      new Promise<void>((resolve) => this.subscribeServer.close(() => resolve())),
      ...clients.map((client) => new Promise<void>((resolve) => (client.readyState === client.CLOSED ? resolve() : client.once('close', () => resolve())))),
    ]);
    clearTimeout(grace);
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const analysis of this.analyses.values()) analysis.complete();
    this.analyses.clear();
    this.eventSubject.complete();
    this.sourceSubject.complete();
    this.alertSubject.complete();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client may reset the connection while it is refused: that must not end the process.
    socket.on('error', () => {});
    const endpoints = { ingest: this.ingestServer, subscribe: this.subscribeServer };
    const route = routeUpgrade(request, {
      ingest: this.options.ingest,
      token: this.options.token,
      closing: this.closing,
      open: (endpoint) => endpoints[endpoint].clients.size,
      limit: (endpoint) => (endpoint === 'ingest' ? this.options.maxIngestConnections : this.options.maxSubscribers),
    });
    if ('refusal' in route) {
      if (route.refusal === 'unauthorized') this.counters.unauthorized++;
      else this.counters.upgradesRefused++;
      refuseHttp(socket, route.refusal, route.message);
      return;
    }
    const target = endpoints[route.endpoint];
    target.handleUpgrade(request, socket, head, (ws) => target.emit('connection', ws, request));
  }

  /** Refuses a new source name when every place is taken by a connected source; retires the longest-lost one otherwise. */
  private admitSource(name: string): void {
    const existing = this.registry.get(name);
    if (this.analyses.has(name) && existing !== undefined && !existing.ended) return;
    if (this.analyses.size < this.options.maxSources) return;
    let oldest: SourceState | undefined;
    for (const analyzed of this.analyses.keys()) {
      const source = this.registry.get(analyzed);
      if (source === undefined || source.connected) continue;
      if (oldest === undefined || source.lastMessageMs < oldest.lastMessageMs) oldest = source;
    }
    if (oldest === undefined) {
      throw new ProtocolError('too-many-sources', `hello: ${this.analyses.size} sources are connected, the most this server analyzes at once (--max-sources ${this.options.maxSources})`);
    }
    this.retire(oldest, `to make room for source ${name} (--max-sources ${this.options.maxSources})`);
  }

  /** Ends a lost source's analysis (its last windows are flushed) and forgets it. */
  private retire(source: SourceState, why: string): void {
    this.counters.sourcesRetired++;
    this.analyses.get(source.name)?.complete();
    this.analyses.delete(source.name);
    this.latestUpdates.delete(source.name);
    this.registry.forget(source.name);
    this.alertSubject.next({
      type: 'alert',
      state: 'raised',
      kind: 'source-retired',
      t: finiteOr(source.latestTime, 0),
      source: source.name,
      message: `source ${source.name} has been away since ${new Date(source.lastMessageMs).toISOString()}; its analysis is ended ${why}. If it comes back it starts afresh`,
    });
  }

  /** The analysis stream of a source whose hello was just accepted (a new one after `end` or for a new name). */
  private analysisOf(source: SourceState): Subject<SourceEvent> {
    let analysis = this.analyses.get(source.name);
    if (analysis === undefined) {
      analysis = new Subject<SourceEvent>();
      this.analyses.set(source.name, analysis);
      this.sourceSubject.next({ name: source.name, events: analysis.asObservable(), kind: source.kind, trials: source.trials });
    }
    return analysis;
  }

  private acceptIngest(socket: WebSocket): void {
    this.counters.ingestConnections++;
    const session = new IngestSession(this.registry, this.options.limits, undefined, (name) => this.admitSource(name));
    const entry: IngestEntry = { session, rejectedPending: 0 };
    const replies = new TokenBucket(this.options.maxErrorFramesPerSecond);
    let analysis: Subject<SourceEvent> | undefined;
    const helloTimer = setTimeout(() => {
      if (session.source !== undefined) return;
      session.countRefusal('hello-timeout');
      this.countRejected(entry, 'hello-timeout');
      socket.close(4002, `no hello within ${this.options.helloTimeoutSeconds} s`);
    }, this.options.helloTimeoutSeconds * 1000);
    helloTimer.unref();
    /** Handles one frame; returns its spike count (for the rate limit). */
    const handle = (bytes: Buffer, isBinary: boolean): number => {
      const hadSource = session.source !== undefined;
      const out = session.receive(isBinary ? bytes : bytes.toString('utf8'), isBinary);
      if (!hadSource && session.source !== undefined) {
        clearTimeout(helloTimer);
        analysis = this.analysisOf(session.source);
      }
      for (const reply of out.replies) {
        const type = (reply as { type: string }).type;
        if (type === 'error') this.countRejected(entry, (reply as { code: ProtocolErrorCode }).code);
        if (type !== 'ready' && (!replies.take(1) || socket.bufferedAmount > this.options.maxReplyBufferBytes)) {
          this.counters.errorFramesSuppressed++;
          continue;
        }
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
      }
      for (const alert of out.alerts) this.alertSubject.next(alert);
      let spikeCount = 0;
      for (const event of out.events) {
        if (event.kind === 'spikes') spikeCount += event.t.length;
        this.eventSubject.next(event);
        analysis?.next(event);
      }
      if (out.ended) {
        // The source's analysis ends with it: its last windows are flushed now.
        const name = session.source!.name;
        this.analyses.get(name)?.complete();
        this.analyses.delete(name);
        analysis = undefined;
        socket.close(1000, 'end');
      }
      return spikeCount;
    };
    // Rate limits and the fair share by backpressure: nothing is dropped.
    const throttle = new IngestThrottle(
      socket,
      this.options,
      handle,
      (nowMs) => IngestThrottle.busy(this.throttles(), nowMs),
      () => this.counters.throttled++,
    );
    entry.throttle = throttle;
    this.sessions.add(entry);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      throttle.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer), isBinary);
    });
    /** A frame ws refused itself (it then closes the connection): counted like any refusal. */
    let transportRefusal: ProtocolErrorCode | undefined;
    socket.on('close', () => {
      clearTimeout(helloTimer);
      // Frames received before the close are still the source's data.
      throttle.finish();
      if (transportRefusal !== undefined) {
        session.countRefusal(transportRefusal);
        this.countRejected(entry, transportRefusal);
      }
      this.sessions.delete(entry);
      this.alertRejections(entry);
      const out = session.close();
      for (const alert of out.alerts) this.alertSubject.next(alert);
      for (const event of out.events) {
        this.eventSubject.next(event);
        analysis?.next(event);
      }
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // 'close' follows. ws names what it refused in the error's code.
      if (error.code === 'WS_ERR_INVALID_UTF8') transportRefusal = 'invalid-utf8';
      else if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') transportRefusal = 'message-too-big';
      else if (error.code?.startsWith('WS_ERR_') === true) transportRefusal = 'bad-frame';
    });
  }

  /** The sources' health to the subscribers of `status`. */
  sendStatus(): void {
    if (![...this.channels].some((channel) => channel.topics.has('status'))) return;
    const text = JSON.stringify({ type: 'status', wallMs: Date.now(), sources: this.statusOf() });
    for (const channel of this.channels) channel.offerStatus(text);
  }

  private *throttles(): Generator<IngestThrottle> {
    for (const entry of this.sessions) if (entry.throttle !== undefined) yield entry.throttle;
  }

  private countRejected(entry: IngestEntry, code: ProtocolErrorCode): void {
    entry.rejectedPending++;
    this.counters.rejected[code] = (this.counters.rejected[code] ?? 0) + 1;
  }

  private acceptSubscriber(socket: WebSocket): void {
    this.counters.subscribers++;
    const channel = new SubscriberChannel(socket, this.options.subscriberLimits);
    this.channels.add(channel);
    channel.welcome({ type: 'welcome', protocol: PROTOCOL_VERSION, topics: [...TOPICS], analysis: this.options.analysis ?? {}, ...(this.options.run === undefined ? {} : { run: this.options.run }) });
    const incoming = new TokenBucket(SUBSCRIBER_MESSAGES_PER_SECOND);
    let timer: NodeJS.Timeout | undefined;
    let historySent = false;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const subscription = this.subscription(channel, isBinary ? undefined : Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
      const reply = subscribeReply(subscription);
      channel.reply(reply);
      if (reply.type === 'subscribed') {
        // The history once per connection: a client cannot make the server build it again and again.
        if ((subscription as Subscription).history && !historySent) {
          historySent = true;
          channel.sendFirst(JSON.stringify(this.historyFor(channel)));
        }
        for (const update of this.latestUpdates.values()) channel.offerUpdate(update);
        if (!channel.subscribed) {
          channel.subscribed = true;
          this.wakeSubscribedWaiters();
        }
      }
      // A subscriber that writes faster than a person subscribes is read more slowly: what it sends cannot pile up here.
      const debtMs = incoming.debt(1);
      if (debtMs > 0 && timer === undefined) {
        socket.pause();
        timer = setTimeout(() => {
          timer = undefined;
          socket.resume();
        }, debtMs);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.channels.delete(channel);
      this.counters.conflated += channel.counters.conflated;
      this.counters.subscriberRepliesNotSent += channel.counters.repliesNotSent;
      if (channel.closedForBacklog) this.counters.subscribersDropped++;
    });
    socket.on('error', () => {});
  }

  /** Handles a subscriber's message: a subscription, or the error an error frame says. */
  private subscription(channel: SubscriberChannel, text: string | undefined): Subscription | SubscriberMessageError {
    try {
      const subscription = parseSubscribeMessage(text);
      channel.topics = subscription.topics;
      channel.top = subscription.top;
      channel.sources = subscription.sources;
      return subscription;
    } catch (error) {
      if (error instanceof SubscriberMessageError) return error;
      throw error;
    }
  }

  /** The update as history keeps it: its strongest pairs, without its matrix. */
  private keepUpdate(key: string, update: SynergyUpdate): void {
    const kept: WithPairMatrix = { ...update, pairs: update.pairs.slice(0, HISTORY_PAIRS) };
    delete kept[PAIR_MATRIX];
    let updates = this.updateHistory.get(key);
    if (updates === undefined) {
      updates = [];
      this.updateHistory.set(key, updates);
      if (this.updateHistory.size > this.options.maxSources) this.updateHistory.delete(this.updateHistory.keys().next().value!);
    }
    updates.push(kept);
    if (updates.length > HISTORY_UPDATES_PER_SOURCE) updates.shift();
  }

  /** The `history` message for a subscriber: what it subscribed to, from before it came, oldest first. */
  private historyFor(channel: SubscriberChannel): object {
    const wanted = (source: string | null | undefined) => channel.sources === undefined || source === undefined || source === null || channel.sources.has(source);
    const top = Math.min(channel.top ?? HISTORY_PAIRS, HISTORY_PAIRS);
    const updates: SynergyUpdate[] = [];
    if (channel.topics.has('synergy')) {
      for (const [key, kept] of this.updateHistory) {
        if (!wanted(key === '' ? undefined : key)) continue;
        for (const update of kept) updates.push(update.pairs.length > top ? { ...update, pairs: update.pairs.slice(0, top) } : update);
      }
      updates.sort((x, y) => x.t - y.t);
    }
    return {
      type: 'history',
      alerts: channel.topics.has('alerts') ? this.alertHistory.filter((alert) => wanted(alert.source)) : [],
      updates,
      ended: channel.topics.has('synergy') ? [...this.endHistory.values()].filter((end) => wanted(end.source)) : [],
    };
  }

  private subscribedCount(): number {
    let count = 0;
    for (const channel of this.channels) if (channel.subscribed) count++;
    return count;
  }

  private wakeSubscribedWaiters(): void {
    const count = this.subscribedCount();
    for (let k = this.subscribedWaiters.length - 1; k >= 0; k--) {
      if (this.subscribedWaiters[k].count <= count) {
        this.subscribedWaiters[k].resolve();
        this.subscribedWaiters.splice(k, 1);
      }
    }
  }

  /** An `input-rejected` alert for the refusals of a connection since its last one. */
  private alertRejections(entry: IngestEntry): void {
    const fresh = entry.rejectedPending;
    if (fresh === 0) return;
    entry.rejectedPending = 0;
    const source = entry.session.source;
    const name = source?.name ?? '(a connection with no hello yet)';
    const counts = Object.entries(source?.counters.rejected ?? entry.session.rejectedBeforeHello)
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    this.alertSubject.next({
      type: 'alert',
      state: 'raised',
      kind: 'input-rejected',
      t: source === undefined ? 0 : finiteOr(source.latestTime, 0),
      ...(source !== undefined ? { source: source.name } : {}),
      value: fresh,
      message: `${fresh} message${fresh === 1 ? '' : 's'} from ${name} refused in the last moment (since the start: ${counts}); each was answered with an error frame while the sender read them`,
    });
  }

  /** Every half second: silence of connected sources (their SourceHealth), and rejected input since the last tick; every second the `status` topic. */
  private tick(): void {
    if (++this.ticks % 2 === 0) this.sendStatus();
    for (const source of this.registry.sources.values()) {
      if (source.ended) continue;
      source.health.checkSilence(this.options.silenceSeconds * 1000);
      for (const alert of takeOutbox(source).alerts) this.alertSubject.next(alert);
    }
    for (const entry of this.sessions) this.alertRejections(entry);
  }
}
