/**
 * A token bucket of `ratePerSecond`, holding at most one second's worth: the
 * per-connection budget of messages, spikes and error frames.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.tokens = ratePerSecond;
    this.lastMs = nowMs();
  }

  private refill(): void {
    const now = this.nowMs();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.lastMs) / 1000) * this.ratePerSecond);
    this.lastMs = now;
  }

  /** Takes `amount` if the bucket holds it; false (and nothing taken) if not. */
  take(amount: number): boolean {
    this.refill();
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }

  /**
   * Spends `amount` even beyond what the bucket holds and returns how many
   * milliseconds the caller should wait before the next spend (0 while in budget).
   */
  debt(amount: number): number {
    this.refill();
    this.tokens -= amount;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }
}
