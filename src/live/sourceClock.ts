/**
 * The analysis clock of one protocol source (docs/PROTOCOL.md): event times
 * arrive in the source's own seconds, and are placed on the analysis clock
 * as `source seconds + offset`.
 *
 * The offset is 0 until the source's clock is reset — a restarted rig whose
 * clock started again: a message more than `resetDropSeconds` behind the
 * latest time of the current run, either near zero (below
 * `resetNearZeroSeconds`, the same rule as the Open Ephys adapter's
 * streamClocks) or right after a hello that named a new `run`. The new run is
 * then placed after the old one, so the analysis clock never goes back and
 * nothing of the new run is dropped as late:
 * - near zero (and below half the old run's latest time): second 0 of the new run is the old run's latest time (the time
 *   the rig took from its restart to its first message is a data gap);
 * - a new run whose clock starts elsewhere: its first time is the old run's
 *   latest time.
 * Anything else that goes back is a time jump: its spikes are late.
 *
 * Two steps so that a refused message changes nothing: `plan` says where a
 * message's times would go, `commit` accepts it.
 */
export interface ClockResetLimits {
  /** A drop of more than this many seconds may be a restart (default 1). */
  resetDropSeconds: number;
  /** …if the new time is below this (default 30). */
  resetNearZeroSeconds: number;
}

export const DEFAULT_CLOCK_RESET_LIMITS: ClockResetLimits = { resetDropSeconds: 1, resetNearZeroSeconds: 30 };

export interface ClockPlan {
  /** Analysis time = source seconds + offset, for this message. */
  offset: number;
  /** Set when this message starts a new run. */
  reset?: { fromSeconds: number; toSeconds: number; runStart: number };
}

export class SourceClock {
  /** Analysis time = source seconds + offset. */
  private offset = 0;
  /** The latest source seconds of the current run (−∞ before the first). */
  private latestSeconds = -Infinity;
  /** The latest analysis time (−∞ before the first). */
  latest = -Infinity;
  /** Runs started after the first (clock resets). */
  resets = 0;
  /** Set by a hello that names a new run: its first message behind the old run is a reset wherever it lands. */
  expectNewRun = false;

  constructor(readonly limits: ClockResetLimits = DEFAULT_CLOCK_RESET_LIMITS) {}

  /** Analysis time minus source seconds, for times that do not move the clock (intervals announced ahead). */
  get currentOffset(): number {
    return this.offset;
  }

  /** Where a message whose earliest source time is `min` goes; changes nothing. */
  plan(min: number): ClockPlan {
    const latest = this.latestSeconds;
    if (latest !== -Infinity && min < latest - this.limits.resetDropSeconds && Number.isFinite(this.latest)) {
      // Near zero, and well below where the run was: not a rig a little out of order early in its recording.
      const nearZero = min < this.limits.resetNearZeroSeconds && min < latest / 2;
      if (nearZero || this.expectNewRun) {
        const runStart = nearZero ? this.latest : this.latest - min;
        return { offset: runStart, reset: { fromSeconds: latest, toSeconds: min, runStart: nearZero ? runStart : this.latest } };
      }
    }
    return { offset: this.offset };
  }

  /** Accepts a message planned with `plan`, whose source times reach `max`. */
  commit(plan: ClockPlan, max: number): void {
    if (plan.reset !== undefined) this.resets++;
    this.latestSeconds = plan.reset !== undefined ? max : Math.max(this.latestSeconds, max);
    this.offset = plan.offset;
    this.expectNewRun = false;
    const t = max + plan.offset;
    if (t > this.latest) this.latest = t;
  }
}
