/**
 * The analysis clock of an Open Ephys GUI seen through the Event
 * Broadcaster: each message carries its stream's `sample_number` and
 * `sample_rate`, and nothing else about time (no synchronized timestamp).
 *
 * - A stream's seconds are its own sample_number / sample_rate: one clock
 *   per stream. The GUI starts every stream's sample count at 0 when
 *   acquisition starts, so the streams' seconds share an origin; they are
 *   placed on one time line as they are, without drift correction (the
 *   broadcaster sends nothing to correct it with). The clock stream (the
 *   `clockStream` option, else the first stream seen) is the reference:
 *   an event of another stream further than `offsetAlertSeconds` from the
 *   clock stream's latest time is reported once (`StreamPlacement.offStream`),
 *   as a sign that the streams do not share an origin (hardware counters).
 * - Acquisition restarted: a stream's seconds drop back by more than
 *   `resetDropSeconds` to below `resetNearZeroSeconds`. That starts a new
 *   run, placed after the old one: analysis time = the latest analysis time
 *   of the old run + the stream's seconds, so the analysis clock stays
 *   monotonic and the two runs do not overlap. The other streams join the
 *   new run when their own seconds drop to near zero (one reset, reported once).
 */
export interface StreamClockLimits {
  /** A drop of more than this many seconds on a stream may be a restart (default 1). */
  resetDropSeconds: number;
  /** …if the stream's new seconds are below this (default 30). */
  resetNearZeroSeconds: number;
  /** An event of another stream this far from the clock stream's latest time is reported (default 10). */
  offsetAlertSeconds: number;
}

export const DEFAULT_STREAM_CLOCK_LIMITS: StreamClockLimits = { resetDropSeconds: 1, resetNearZeroSeconds: 30, offsetAlertSeconds: 10 };

export interface ClockReset {
  stream: string;
  /** The stream's seconds before and after. */
  fromSeconds: number;
  toSeconds: number;
  /** Analysis time at which the new run starts (its second 0). */
  runStart: number;
  /** Runs so far, counting the first as 1. */
  run: number;
}

export interface StreamPlacement {
  /** Analysis time, seconds. */
  t: number;
  /** Set when this event started a new run. */
  reset?: ClockReset;
  /** Set the first time an event of a stream other than the clock stream lies far from the clock stream's time: the seconds apart. */
  offStream?: number;
}

interface StreamState {
  run: number;
  latestSeconds: number;
  sampleRate: number;
  offReported: boolean;
}

export class StreamClocks {
  /** Analysis time of second 0 of each run. */
  private readonly runStarts: number[] = [0];
  private readonly streams = new Map<string, StreamState>();
  /** The latest analysis time placed (−∞ before the first). */
  latest = -Infinity;
  private clock: string | undefined;
  readonly limits: StreamClockLimits;

  constructor(clockStream?: string, limits: Partial<StreamClockLimits> = {}) {
    this.clock = clockStream;
    this.limits = { ...DEFAULT_STREAM_CLOCK_LIMITS, ...limits };
  }

  /** The stream whose clock is the reference (undefined until the first event when not given). */
  get clockStream(): string | undefined {
    return this.clock;
  }

  get resets(): number {
    return this.runStarts.length - 1;
  }

  /** Streams seen, with their sample rates. */
  streamRates(): Array<{ stream: string; sampleRate: number }> {
    return [...this.streams].map(([stream, state]) => ({ stream, sampleRate: state.sampleRate }));
  }

  /** Places an event of `stream` at `sampleNumber` on the analysis clock. */
  place(stream: string, sampleNumber: number, sampleRate: number): StreamPlacement {
    const seconds = sampleNumber / sampleRate;
    this.clock ??= stream;
    let state = this.streams.get(stream);
    let reset: ClockReset | undefined;
    const current = this.runStarts.length - 1;
    if (state === undefined) {
      state = { run: current, latestSeconds: seconds, sampleRate, offReported: false };
      this.streams.set(stream, state);
    } else {
      state.sampleRate = sampleRate;
      if (seconds < state.latestSeconds - this.limits.resetDropSeconds && seconds < this.limits.resetNearZeroSeconds) {
        if (state.run < current) {
          state.run = current;
        } else {
          const runStart = Number.isFinite(this.latest) ? this.latest : 0;
          this.runStarts.push(runStart);
          state.run = current + 1;
          reset = { stream, fromSeconds: state.latestSeconds, toSeconds: seconds, runStart, run: this.runStarts.length };
        }
        state.latestSeconds = seconds;
      } else if (seconds > state.latestSeconds) {
        state.latestSeconds = seconds;
      }
    }
    const t = this.runStarts[state.run] + seconds;
    let offStream: number | undefined;
    const clockState = this.clock === stream ? undefined : this.streams.get(this.clock);
    if (clockState !== undefined && !state.offReported && clockState.run === state.run) {
      const apart = seconds - clockState.latestSeconds;
      if (Math.abs(apart) > this.limits.offsetAlertSeconds) {
        state.offReported = true;
        offStream = apart;
      }
    }
    if (t > this.latest) this.latest = t;
    return { t, reset, offStream };
  }
}
