import type { WebSocket } from 'ws';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';

/** Topics a subscriber can ask for. */
export const TOPICS = ['synergy', 'alerts'] as const;
export type Topic = (typeof TOPICS)[number];

export interface SubscriberLimits {
  /** Bytes handed to the socket and not yet flushed, above which updates wait (and are conflated). */
  highWaterBytes: number;
  /** Alerts waiting for a slow subscriber, above which it is disconnected (close code 4008), never silently thinned. */
  maxQueuedAlerts: number;
}

export const DEFAULT_SUBSCRIBER_LIMITS: SubscriberLimits = { highWaterBytes: 256 * 1024, maxQueuedAlerts: 10_000 };

/** Close code for a subscriber too slow to take its alerts. */
export const CLOSE_SUBSCRIBER_TOO_SLOW = 4008;

/**
 * One subscriber's outgoing stream, in bounded memory whatever the client's
 * speed: at most `highWaterBytes` in flight, one pending update (a newer one
 * replaces it: conflation, newest wins; the update that is finally sent
 * says how many it replaced in `conflated`), and up to `maxQueuedAlerts`
 * alerts, all of which are delivered in order. A subscriber that lets more
 * alerts pile up than that is closed with code 4008 and a reason, and the
 * server counts it: alerts are never dropped silently.
 *
 * Memory per subscriber is bounded by highWaterBytes + one update + the
 * alert queue (≈ 256 KiB + 10,000 × ~300 B with the defaults).
 */
export class SubscriberChannel {
  topics = new Set<Topic>(['synergy', 'alerts']);
  /** Pairs per update (undefined: as the analysis emits them). */
  top: number | undefined;
  /** Updates sent, updates replaced by newer ones before they could be sent, alerts sent. */
  readonly counters = { updates: 0, conflated: 0, alerts: 0 };
  closedForBacklog = false;
  private pendingUpdate: SynergyUpdate | undefined;
  private conflatedSinceSent = 0;
  private readonly alerts: AlertEvent[] = [];
  private inFlightBytes = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: SubscriberLimits = DEFAULT_SUBSCRIBER_LIMITS,
  ) {}

  /** Bytes handed to the socket, not yet flushed. */
  get bufferedBytes(): number {
    return this.inFlightBytes;
  }

  get queuedAlerts(): number {
    return this.alerts.length;
  }

  offerUpdate(update: SynergyUpdate): void {
    if (!this.topics.has('synergy')) return;
    if (this.pendingUpdate !== undefined) {
      this.conflatedSinceSent++;
      this.counters.conflated++;
    }
    this.pendingUpdate = update;
    this.pump();
  }

  offerAlert(alert: AlertEvent): void {
    if (!this.topics.has('alerts') || this.closedForBacklog) return;
    if (this.alerts.length >= this.limits.maxQueuedAlerts) {
      this.closedForBacklog = true;
      this.socket.close(CLOSE_SUBSCRIBER_TOO_SLOW, `too slow: more than ${this.limits.maxQueuedAlerts} alerts waiting`);
      return;
    }
    this.alerts.push(alert);
    this.pump();
  }

  /** Sends a control frame (subscribed, error) now, ahead of the data. */
  sendControl(message: object): void {
    this.send(JSON.stringify(message));
  }

  /** Sends what waits, alerts first, while the socket takes it. */
  private pump(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    while (this.inFlightBytes < this.limits.highWaterBytes) {
      const alert = this.alerts.shift();
      if (alert !== undefined) {
        this.send(JSON.stringify(alert));
        this.counters.alerts++;
        continue;
      }
      const update = this.pendingUpdate;
      if (update === undefined) return;
      this.pendingUpdate = undefined;
      const trimmed = this.top !== undefined && update.pairs.length > this.top ? { ...update, pairs: update.pairs.slice(0, this.top) } : update;
      const text = JSON.stringify(this.conflatedSinceSent > 0 ? { ...trimmed, conflated: this.conflatedSinceSent } : trimmed);
      this.conflatedSinceSent = 0;
      this.send(text);
      this.counters.updates++;
    }
  }

  private send(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.inFlightBytes += bytes;
    this.socket.send(text, () => {
      this.inFlightBytes -= bytes;
      this.pump();
    });
  }
}
