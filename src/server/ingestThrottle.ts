import { FairShare } from './fairShare.ts';
import { TokenBucket } from './tokenBucket.ts';

/** What the throttle needs of a socket: ws's WebSocket has it. */
export interface PausableSocket {
  pause(): void;
  resume(): void;
  readonly isPaused: boolean;
}

/** Per connection: messages and spikes per second (docs/PROTOCOL.md, "Limits per ingest connection"). */
export interface IngestRates {
  maxMessagesPerSecond: number;
  maxSpikesPerSecond: number;
}

/** A connection that had a message handled within this many milliseconds is busy: it shares the analyzer's time. */
export const BUSY_WINDOW_MS = 1000;

/**
 * The backpressure of one ingest connection. Every frame read goes through
 * it to `handle`, which analyzes it and returns its spike count. After each
 * frame the connection is charged a message, its spikes and the
 * milliseconds the handling took (its FairShare of the thread, with every
 * busy connection); over any budget the socket is paused until the budgets
 * refill, and frames already read wait in a queue (at most what one read
 * brought in). TCP backpressure reaches the rig: nothing is dropped.
 */
export class IngestThrottle {
  /** When a message of this connection was last handled (performance.now()). */
  lastActiveMs = -Infinity;
  private readonly queue: Array<{ bytes: Buffer; isBinary: boolean }> = [];
  private readonly messages: TokenBucket;
  private readonly spikes: TokenBucket;
  private readonly share = new FairShare();
  private blockedUntil = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: PausableSocket,
    rates: IngestRates,
    /** Analyzes one frame; returns its spike count. */
    private readonly handle: (bytes: Buffer, isBinary: boolean) => number,
    /** How many connections are busy now (they share the thread). */
    private readonly busyConnections: (nowMs: number) => number,
    /** Called each time the connection is paused by a budget. */
    private readonly onThrottled: () => void,
  ) {
    this.messages = new TokenBucket(rates.maxMessagesPerSecond);
    this.spikes = new TokenBucket(rates.maxSpikesPerSecond);
  }

  /** Connections of `throttles` busy at `nowMs`: handled within the last BUSY_WINDOW_MS. */
  static busy(throttles: Iterable<IngestThrottle>, nowMs: number): number {
    let busy = 0;
    for (const throttle of throttles) if (nowMs - throttle.lastActiveMs < BUSY_WINDOW_MS) busy++;
    return busy;
  }

  /** A frame read from the socket: handled now, or queued while the connection waits for its budgets. */
  receive(bytes: Buffer, isBinary: boolean): void {
    this.queue.push({ bytes, isBinary });
    if (this.timer === undefined) this.drain();
  }

  /** The socket closed: the frames it read before are still the source's data, handled now whatever the budgets. */
  finish(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drain(true);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(ignoreLimits = false): void {
    while (this.queue.length > 0) {
      const wait = this.blockedUntil - performance.now();
      if (wait > 0 && !ignoreLimits) {
        this.wake(wait);
        return;
      }
      const { bytes, isBinary } = this.queue.shift()!;
      const started = performance.now();
      this.lastActiveMs = started;
      const spikeCount = this.handle(bytes, isBinary);
      const finished = performance.now();
      const debtMs = Math.max(this.messages.debt(1), this.spikes.debt(spikeCount), this.share.charge(finished - started, this.busyConnections(finished)));
      if (debtMs > 0 && !ignoreLimits) {
        this.blockedUntil = performance.now() + debtMs;
        this.onThrottled();
        this.socket.pause();
      }
    }
    if (!this.socket.isPaused) return;
    const wait = this.blockedUntil - performance.now();
    if (wait <= 0) this.socket.resume();
    else this.wake(wait);
  }

  /** Drains again in `waitMs` (once: a timer already set stands). */
  private wake(waitMs: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, waitMs);
  }
}
