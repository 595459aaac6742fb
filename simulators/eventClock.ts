/**
 * How a simulator moves through its recording: `speed` event seconds per
 * wall second once started (1: real time), or 'manual': only `advanceTo`
 * moves it, for tests that drive event time themselves.
 */
export type Pacing = number | 'manual';

/**
 * The event time a simulator may have sent up to. The clock decides when a
 * stretch of the recording goes out, never what is in it: simulators cut the
 * recording into fixed event-time steps, so the messages are a function of
 * the seed and the event time alone, the same on a fast machine and on a
 * loaded one (a late timer sends several steps at once).
 */
export class EventClock {
  readonly startSeconds: number;
  readonly untilSeconds: number;
  private startedAtMs: number | undefined;
  private target: number;

  constructor(
    readonly pacing: Pacing,
    startSeconds = 0,
    untilSeconds = Infinity,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (pacing !== 'manual' && !(pacing > 0 && Number.isFinite(pacing))) throw new RangeError(`speed must be a finite number > 0 or 'manual', got ${pacing}`);
    if (!(startSeconds >= 0) || !Number.isFinite(startSeconds)) throw new RangeError(`startSeconds must be a finite time ≥ 0, got ${startSeconds}`);
    if (!(untilSeconds > startSeconds)) throw new RangeError(`untilSeconds must be after startSeconds (${startSeconds}), got ${untilSeconds}`);
    this.startSeconds = startSeconds;
    this.untilSeconds = untilSeconds;
    this.target = startSeconds;
  }

  get manual(): boolean {
    return this.pacing === 'manual';
  }

  /** True once wall-clock pacing has begun (always true when manual). */
  get started(): boolean {
    return this.manual || this.startedAtMs !== undefined;
  }

  /** Begins wall-clock pacing now (once; no effect when manual). */
  start(): void {
    if (!this.manual && this.startedAtMs === undefined) this.startedAtMs = this.nowMs();
  }

  /** Manual pacing: lets the recording run up to `seconds` (never back). */
  advanceTo(seconds: number): void {
    if (!this.manual) throw new RangeError('advanceTo needs manual pacing');
    if (!(seconds >= 0) || Number.isNaN(seconds)) throw new RangeError(`advanceTo needs a time ≥ 0, got ${seconds}`);
    this.target = Math.max(this.target, seconds);
  }

  /** The event time the recording may have been sent up to now, seconds (at most untilSeconds). */
  due(): number {
    if (this.pacing === 'manual') return Math.min(this.target, this.untilSeconds);
    if (this.startedAtMs === undefined) return this.startSeconds;
    return Math.min(this.untilSeconds, this.startSeconds + ((this.nowMs() - this.startedAtMs) / 1000) * this.pacing);
  }
}

/**
 * End of step `k` of a recording cut into steps of `stepSeconds` from
 * `startSeconds`, the last one cut at `untilSeconds`. Computed from k, so
 * that step boundaries carry no accumulated rounding.
 */
export function stepEnd(startSeconds: number, stepSeconds: number, k: number, untilSeconds: number): number {
  return Math.min(untilSeconds, startSeconds + (k + 1) * stepSeconds);
}
