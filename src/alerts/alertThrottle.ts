import type { AlertEvent } from './alertEvent.ts';

export interface AlertThrottleLimits {
  /** Alerts of one kind a source may raise at once. */
  burst: number;
  /** Then one more every this many seconds (wall clock). */
  everySeconds: number;
}

export const DEFAULT_ALERT_THROTTLE: AlertThrottleLimits = { burst: 5, everySeconds: 10 };

/**
 * Bounds the one-off alerts of one source, kind by kind (a clock that jumps
 * on every message must not raise an alert per message): up to `burst` at
 * once, then one per `everySeconds`. An alert held back is counted, never
 * lost without trace: the next one of its kind that goes out says how many
 * were held back (`suppressed`, and in its message), and the total is in
 * `suppressedTotal` for the source's summary.
 */
export class AlertThrottle {
  private readonly kinds = new Map<string, { tokens: number; lastMs: number; suppressed: number }>();
  suppressedTotal = 0;

  constructor(
    private readonly limits: AlertThrottleLimits = DEFAULT_ALERT_THROTTLE,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  /** The alert to send (with the count held back since the last one of its kind), or undefined if it is held back. */
  admit(alert: AlertEvent): AlertEvent | undefined {
    const now = this.nowMs();
    let state = this.kinds.get(alert.kind);
    if (state === undefined) {
      state = { tokens: this.limits.burst, lastMs: now, suppressed: 0 };
      this.kinds.set(alert.kind, state);
    }
    state.tokens = Math.min(this.limits.burst, state.tokens + (now - state.lastMs) / (this.limits.everySeconds * 1000));
    state.lastMs = now;
    if (state.tokens < 1) {
      state.suppressed++;
      this.suppressedTotal++;
      return undefined;
    }
    state.tokens -= 1;
    if (state.suppressed === 0) return alert;
    const held = state.suppressed;
    state.suppressed = 0;
    return { ...alert, suppressed: held, message: `${alert.message} (${held} more ${alert.kind} alert${held === 1 ? '' : 's'} of this source held back before this one)` };
  }
}
