import type { HealthClock } from '../../src/live/sourceHealth.ts';

/**
 * A HealthClock that a test moves by hand: time stands still until
 * `advance`, which fires the timers that fall due, in time order (each at
 * its own time), so that retries and silence checks happen exactly when the
 * test says and never because the machine was slow.
 */
export class ManualClock implements HealthClock {
  private now: number;
  private nextId = 0;
  private readonly timers = new Map<number, { dueMs: number; callback: () => void; keepAlive: boolean }>();

  constructor(startMs = 1_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  after(ms: number, callback: () => void, keepAlive: boolean): () => void {
    const id = this.nextId++;
    this.timers.set(id, { dueMs: this.now + ms, callback, keepAlive });
    return () => this.timers.delete(id);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** The due time of the next timer, ms from now (undefined if none). */
  nextDueInMs(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers.values()) if (next === undefined || timer.dueMs < next) next = timer.dueMs;
    return next === undefined ? undefined : next - this.now;
  }

  /** Delays (ms from now) of the timers that keep the process alive: a source's retries, not its watchdog. */
  keepAliveDueInMs(): number[] {
    return [...this.timers.values()].filter((timer) => timer.keepAlive).map((timer) => timer.dueMs - this.now);
  }

  /** Moves time on by `ms`, firing every timer that falls due on the way (also those the callbacks set). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let dueId: number | undefined;
      let due: { dueMs: number; callback: () => void; keepAlive: boolean } | undefined;
      for (const [id, timer] of this.timers) {
        if (timer.dueMs <= end && (due === undefined || timer.dueMs < due.dueMs || (timer.dueMs === due.dueMs && id < dueId!))) {
          dueId = id;
          due = timer;
        }
      }
      if (due === undefined) break;
      this.timers.delete(dueId!);
      this.now = Math.max(this.now, due.dueMs);
      due.callback();
    }
    this.now = end;
  }
}
