/**
 * Counts the commands a session has sent and not yet had answered, and says
 * when there are fewer than `limit` (what a source that can wait, a replay,
 * waits on: frames in flight to the tiles stay bounded).
 */
export class InFlightGate {
  private count = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Runs `work` counted as in flight until it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      this.count--;
      if (this.count < this.limit) for (const resolve of this.waiting.splice(0)) resolve();
    }
  }

  /** Resolves when fewer than `limit` are in flight. */
  ready(): Promise<void> {
    if (this.count < this.limit) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}
