/**
 * One connection's share of the analyzer's time. All sources are analyzed on
 * one thread, inside the handling of the messages that bring their data, so
 * a source whose messages cost much (many units, many surrogates, a burst)
 * could take the thread from the others. Each connection is charged the
 * milliseconds its messages took; with n connections busy it may spend 1/n
 * of each second, and beyond that its socket is paused until the debt is
 * paid back (TCP backpressure reaches the sender; nothing is dropped). A
 * connection alone may use all of it.
 */
export class FairShare {
  /** Milliseconds of handling this connection may still spend (negative: debt). */
  private credit = 0;
  private lastMs: number;

  constructor(private readonly nowMs: () => number = () => performance.now()) {
    this.lastMs = nowMs();
  }

  /**
   * Charges `spentMs` of handling when `sharing` connections are busy; returns
   * how many milliseconds to wait before the next message (0 while in budget).
   */
  charge(spentMs: number, sharing: number): number {
    const now = this.nowMs();
    const share = 1 / Math.max(1, sharing);
    // Credit refills at the share of wall time; at most one second's worth is kept.
    this.credit = Math.min(1000 * share, this.credit + (now - this.lastMs) * share);
    this.lastMs = now;
    this.credit -= spentMs;
    return this.credit >= 0 || sharing <= 1 ? 0 : -this.credit / share;
  }
}
