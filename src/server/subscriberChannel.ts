import type { WebSocket } from 'ws';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { TokenBucket } from './tokenBucket.ts';

/**
 * Topics a subscriber can ask for: updates (and each source's end of
 * stream), alerts, the pair matrix of each update (binary frames,
 * matrixFrame.ts), and the sources' health about once a second.
 */
export const TOPICS = ['synergy', 'alerts', 'matrix', 'status'] as const;
export type Topic = (typeof TOPICS)[number];

/** What a subscribe without `topics` gets (the binary and periodic topics are asked for by name). */
export const DEFAULT_TOPICS: readonly Topic[] = ['synergy', 'alerts'];

export interface SubscriberLimits {
  /** Bytes handed to the socket and not yet flushed, above which updates wait (and are conflated). */
  highWaterBytes: number;
  /** Alerts waiting for a slow subscriber, above which it is disconnected (close code 4008), never silently thinned. */
  maxQueuedAlerts: number;
  /** Replies (subscribed, error) per second; more, or any while the subscriber is not reading, are counted and not sent. */
  maxRepliesPerSecond: number;
}

export const DEFAULT_SUBSCRIBER_LIMITS: SubscriberLimits = { highWaterBytes: 256 * 1024, maxQueuedAlerts: 10_000, maxRepliesPerSecond: 20 };

/** Close code for a subscriber too slow to take its alerts. */
export const CLOSE_SUBSCRIBER_TOO_SLOW = 4008;

/**
 * One subscriber's outgoing stream, in bounded memory whatever the client's
 * speed: at most `highWaterBytes` in flight, one pending update per source (a
 * newer one of the same source replaces it: conflation, newest wins; the
 * update that is finally sent says how many it replaced in `conflated`), and
 * up to `maxQueuedAlerts` alerts, all of which are delivered in order. A
 * subscriber that lets more alerts pile up than that is closed with code
 * 4008 and a reason, and the server counts it: alerts are never dropped
 * silently. Replies to what the subscriber sends are rate-limited and not
 * sent at all while it does not read (counted in `repliesNotSent`), so a
 * client that writes without reading cannot make the server buffer for it.
 *
 * Matrix frames (binary) and the `status` message are conflated the same
 * way: one pending per source, and one status. A source's end-of-stream
 * message goes after every update waiting.
 *
 * Memory per subscriber is bounded by highWaterBytes + one update and one
 * matrix frame per source (frames are shared between subscribers) + the
 * alert queue (≈ 256 KiB + 10,000 × ~300 B with the defaults).
 */
export class SubscriberChannel {
  topics = new Set<Topic>(DEFAULT_TOPICS);
  /** Pairs per update (undefined: as the analysis emits them). */
  top: number | undefined;
  /** Only these sources' updates and alerts (undefined: every source). */
  sources: Set<string> | undefined;
  /** Updates sent, updates replaced by newer ones before they could be sent, alerts sent, replies not sent. */
  readonly counters = { updates: 0, conflated: 0, alerts: 0, repliesNotSent: 0, matrices: 0, matricesConflated: 0 };
  closedForBacklog = false;
  /** It has sent a valid subscribe. */
  subscribed = false;
  /** The newest update not yet sent, per source ('' for an analysis without sources), with how many it replaced. */
  private readonly pendingUpdates = new Map<string, { update: SynergyUpdate; replaced: number }>();
  /** The newest matrix frame not yet sent, per source (newest wins, like updates). */
  private readonly pendingMatrices = new Map<string, Buffer>();
  private pendingStatus: string | undefined;
  /** End-of-stream messages, sent once every update before them is. */
  private readonly ends: string[] = [];
  /** Messages that go before any data (the history a late subscriber asked for). */
  private readonly first: string[] = [];
  private readonly alerts: AlertEvent[] = [];
  private inFlightBytes = 0;
  private readonly replies: TokenBucket;
  private readonly limits: SubscriberLimits;

  constructor(
    private readonly socket: WebSocket,
    limits: Partial<SubscriberLimits> = DEFAULT_SUBSCRIBER_LIMITS,
  ) {
    this.limits = { ...DEFAULT_SUBSCRIBER_LIMITS, ...limits };
    this.replies = new TokenBucket(this.limits.maxRepliesPerSecond);
  }

  /** Bytes handed to the socket, not yet flushed. */
  get bufferedBytes(): number {
    return this.inFlightBytes;
  }

  get queuedAlerts(): number {
    return this.alerts.length;
  }

  offerUpdate(update: SynergyUpdate): void {
    if (!this.topics.has('synergy') || !this.wants(update.source)) return;
    const key = update.source ?? '';
    const pending = this.pendingUpdates.get(key);
    if (pending !== undefined) this.counters.conflated++;
    // Re-inserted so that sources take turns: the one waiting longest goes first.
    this.pendingUpdates.delete(key);
    this.pendingUpdates.set(key, { update, replaced: pending === undefined ? 0 : pending.replaced + 1 });
    this.pump();
  }

  /** A matrix frame (encoded once for every subscriber); a newer one of the same source replaces it. */
  offerMatrix(source: string | undefined, frame: Buffer): void {
    if (!this.topics.has('matrix') || !this.wants(source)) return;
    const key = source ?? '';
    if (this.pendingMatrices.has(key)) this.counters.matricesConflated++;
    this.pendingMatrices.delete(key);
    this.pendingMatrices.set(key, frame);
    this.pump();
  }

  /** The sources' health (text of a `status` message); a newer one replaces it. */
  offerStatus(text: string): void {
    if (!this.topics.has('status')) return;
    this.pendingStatus = text;
    this.pump();
  }

  /** A source's end of stream: sent after its last update. */
  offerEnd(source: string | undefined, text: string): void {
    if (!this.topics.has('synergy') || !this.wants(source)) return;
    this.ends.push(text);
    this.pump();
  }

  /** A message sent before any data still waiting (the `history` of a subscribe). */
  sendFirst(text: string): void {
    this.first.push(text);
    this.pump();
  }

  offerAlert(alert: AlertEvent): void {
    if (!this.topics.has('alerts') || this.closedForBacklog || !this.wants(alert.source)) return;
    if (this.alerts.length >= this.limits.maxQueuedAlerts) {
      this.closedForBacklog = true;
      this.socket.close(CLOSE_SUBSCRIBER_TOO_SLOW, `too slow: more than ${this.limits.maxQueuedAlerts} alerts waiting`);
      return;
    }
    this.alerts.push(alert);
    this.pump();
  }

  /** Sends the welcome frame (once, on connecting). */
  welcome(message: object): void {
    this.send(JSON.stringify(message));
  }

  /** Sends a reply (subscribed, error) now, ahead of the data, unless over the reply rate or the subscriber is not reading. */
  reply(message: object): void {
    if (this.inFlightBytes > this.limits.highWaterBytes || !this.replies.take(1)) {
      this.counters.repliesNotSent++;
      return;
    }
    this.send(JSON.stringify(message));
  }

  private wants(source: string | undefined): boolean {
    return this.sources === undefined || source === undefined || this.sources.has(source);
  }

  /** Sends what waits, alerts first (after the history), then updates, matrices, status and ends, while the socket takes it. */
  private pump(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    while (this.inFlightBytes < this.limits.highWaterBytes) {
      const early = this.first.shift();
      if (early !== undefined) {
        this.send(early);
        continue;
      }
      const alert = this.alerts.shift();
      if (alert !== undefined) {
        this.send(JSON.stringify(alert));
        this.counters.alerts++;
        continue;
      }
      const next = this.pendingUpdates.entries().next();
      if (next.done !== true) {
        const [key, { update, replaced }] = next.value;
        this.pendingUpdates.delete(key);
        const trimmed = this.top !== undefined && update.pairs.length > this.top ? { ...update, pairs: update.pairs.slice(0, this.top) } : update;
        const text = JSON.stringify(replaced > 0 ? { ...trimmed, conflated: replaced } : trimmed);
        this.send(text);
        this.counters.updates++;
        continue;
      }
      const matrix = this.pendingMatrices.entries().next();
      if (matrix.done !== true) {
        this.pendingMatrices.delete(matrix.value[0]);
        this.send(matrix.value[1]);
        this.counters.matrices++;
        continue;
      }
      if (this.pendingStatus !== undefined) {
        const status = this.pendingStatus;
        this.pendingStatus = undefined;
        this.send(status);
        continue;
      }
      const end = this.ends.shift();
      if (end === undefined) return;
      this.send(end);
    }
  }

  private send(text: string | Buffer): void {
    const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
    this.inFlightBytes += bytes;
    this.socket.send(text, () => {
      this.inFlightBytes -= bytes;
      this.pump();
    });
  }
}
