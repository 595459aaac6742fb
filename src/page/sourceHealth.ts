import type { SourceStatus, StatusMessage } from './protocol.ts';

export interface SourceHealthRow extends SourceStatus {
  /** Spikes a second of wall time since the previous status, or null for the first. */
  spikesPerSecond: number | null;
  /** Messages missing since the page opened (the count's growth), to flag a source that is losing data now. */
  missingSinceOpened: number;
}

/**
 * The sources' health from the `status` messages: the counters as sent, and
 * the spike rate derived from two consecutive statuses (Δspikes / Δwall time).
 */
export class SourceHealth {
  private previous = new Map<string, { spikes: number; wallMs: number }>();
  private firstMissing = new Map<string, number>();
  rows: SourceHealthRow[] = [];
  wallMs: number | undefined;

  update(status: StatusMessage): SourceHealthRow[] {
    this.rows = status.sources.map((source) => {
      const before = this.previous.get(source.name);
      const elapsedMs = before === undefined ? 0 : status.wallMs - before.wallMs;
      let spikesPerSecond: number | null = null;
      if (before !== undefined && elapsedMs > 0) spikesPerSecond = (Math.max(0, source.spikes - before.spikes) * 1000) / elapsedMs;
      // Two statuses of one instant: the rate stays what it was.
      else if (before !== undefined) spikesPerSecond = this.rows.find((row) => row.name === source.name)?.spikesPerSecond ?? null;
      if (before === undefined || elapsedMs > 0) this.previous.set(source.name, { spikes: source.spikes, wallMs: status.wallMs });
      if (!this.firstMissing.has(source.name)) this.firstMissing.set(source.name, source.missing);
      return { ...source, spikesPerSecond, missingSinceOpened: source.missing - this.firstMissing.get(source.name)! };
    });
    this.wallMs = status.wallMs;
    return this.rows;
  }
}

/** A source's state in one word. */
export function sourceState(source: SourceStatus): 'ended' | 'lost' | 'connected' | 'waiting' {
  if (source.ended) return 'ended';
  if (source.lost) return 'lost';
  return source.connected ? 'connected' : 'waiting';
}
