/** How far a source's event time may move before it is news, or refused. */
export interface TimeJumpLimits {
  /** A forward jump of more than this many seconds raises a `time-jump` alert (the data are kept). */
  alertSeconds: number;
  /** A message more than this many seconds ahead of the source's latest time, or spanning more than this, is refused (a clock error, not a pause). */
  refuseSeconds: number;
  /** A message more than this many seconds behind the latest time raises a `time-jump` alert (its spikes are late). */
  backSeconds: number;
  /**
   * A message more than this many seconds past the latest time restarts the
   * analysis there (the window plus the lateness: no window could hold data
   * from both sides, and the empty ones between are not made).
   */
  restartSeconds: number;
}

export const DEFAULT_TIME_JUMP_LIMITS: TimeJumpLimits = { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.1, restartSeconds: 60.1 };

/** The time-jump limits for an analysis: back by the lateness, restart past the window. */
export function timeJumpLimitsFor(analysis: { windowSeconds: number; latenessSeconds: number }, refuseSeconds = DEFAULT_TIME_JUMP_LIMITS.refuseSeconds): TimeJumpLimits {
  return { ...DEFAULT_TIME_JUMP_LIMITS, refuseSeconds, backSeconds: analysis.latenessSeconds, restartSeconds: analysis.windowSeconds + analysis.latenessSeconds };
}
