import type { SourceRegistry } from '../live/ingestSession.ts';

/**
 * One source's health as the `status` topic reports it (docs/PROTOCOL.md,
 * "Status"): counts since the analysis began; rates are for the client to
 * take from two messages' counts and `wallMs`.
 */
export interface SourceStatus {
  name: string;
  connected: boolean;
  lost: boolean;
  ended: boolean;
  messages: number;
  spikes: number;
  /** Messages missed (sequence gaps). */
  missing: number;
  /** Messages refused, every code together. */
  rejected: number;
  /** The source's latest time on the analysis clock, seconds (null before any). */
  latestTime: number | null;
  /** A replay's share of its recording read, 0 … 1. */
  progress?: number;
}

/** The status of every source a live registry knows (serve's, or a rig connection's). */
export function registryStatus(registry: SourceRegistry): SourceStatus[] {
  return [...registry.sources.values()].map((source) => {
    const c = source.counters;
    let rejected = 0;
    for (const count of Object.values(c.rejected)) rejected += count ?? 0;
    return {
      name: source.name,
      connected: source.connected,
      lost: source.lost,
      ended: source.ended,
      messages: c.messages,
      spikes: c.spikes,
      missing: c.missing,
      rejected,
      latestTime: Number.isFinite(source.latestTime) ? source.latestTime : null,
    };
  });
}
