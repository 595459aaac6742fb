import type { ProtocolErrorCode } from '../live/ingestMessages.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../live/ingestSession.ts';
import { DEFAULT_SUBSCRIBER_LIMITS, type SubscriberLimits } from './subscriberChannel.ts';

/**
 * What `synergy serve`'s server is told (every limit it enforces, with its
 * default; docs/PROTOCOL.md and docs/RELIABILITY.md) and what it counts.
 */

export interface ServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** When set, both endpoints require it (`Authorization: Bearer …` or `?token=…`). */
  token?: string;
  /** Accept rigs on /ingest (serve). Without it, /ingest answers 404 (connect, replay --serve, demo). */
  ingest: boolean;
  /** Largest WebSocket message on /ingest, bytes; larger ones close the connection with 1009. */
  maxPayloadBytes: number;
  /** Largest message a subscriber may send, bytes (they send only small subscribe messages). */
  maxSubscriberPayloadBytes: number;
  /** Per ingest connection: messages and spikes per second; beyond them the server stops reading the socket until the budget refills (backpressure: nothing is dropped). */
  maxMessagesPerSecond: number;
  maxSpikesPerSecond: number;
  /** Replies (error and warning frames) per second per ingest connection; more are counted, not sent. */
  maxErrorFramesPerSecond: number;
  /** Seconds without a message from a connected source before a `source-silent` alert. */
  silenceSeconds: number;
  /** Seconds a new ingest connection has to say hello before it is closed. */
  helloTimeoutSeconds: number;
  /** What each source may send and hold (time jumps, units, modes, intervals announced ahead). */
  limits: IngestLimits;
  /** Sources analyzed at once (connected or lost and awaited); a new one beyond it retires the longest-lost, or is refused. */
  maxSources: number;
  /** Open ingest connections (with or without hello); beyond it an upgrade is refused with 503. */
  maxIngestConnections: number;
  /** Open subscriber connections; beyond it an upgrade is refused with 503. */
  maxSubscribers: number;
  subscriberLimits: SubscriberLimits;
  /** Bytes queued on an ingest socket (replies the sender does not read) above which replies are not sent, only counted. */
  maxReplyBufferBytes: number;
  /** On close: milliseconds connections get to finish the closing handshake before they are cut. */
  closeGraceMs: number;
  /** What the server tells subscribers about the analysis in its welcome frame. */
  analysis?: Record<string, unknown>;
  /** The run header (DESIGN §7), in the welcome frame. */
  run?: object;
  /** Serve the page at `GET /` (docs/PAGE.md); without it `GET /` describes the endpoints. */
  page: boolean;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  host: '127.0.0.1',
  port: 7700,
  ingest: true,
  maxPayloadBytes: 4 * 1024 * 1024,
  maxSubscriberPayloadBytes: 64 * 1024,
  maxMessagesPerSecond: 2000,
  maxSpikesPerSecond: 5_000_000,
  maxErrorFramesPerSecond: 20,
  silenceSeconds: 5,
  helloTimeoutSeconds: 10,
  limits: DEFAULT_INGEST_LIMITS,
  maxSources: 16,
  maxIngestConnections: 32,
  maxSubscribers: 64,
  subscriberLimits: DEFAULT_SUBSCRIBER_LIMITS,
  maxReplyBufferBytes: 1024 * 1024,
  closeGraceMs: 1000,
  page: true,
};

/** What the server has seen, for summaries and tests. */
export interface ServerCounters {
  ingestConnections: number;
  subscribers: number;
  /** Upgrades refused for a missing or wrong token. */
  unauthorized: number;
  /** Upgrades refused: a target that is no URL, an unknown path, too many connections. */
  upgradesRefused: number;
  /** Frames refused on ingest connections, by error code (including frames the transport refused: invalid UTF-8, too big, no hello in time). */
  rejected: Partial<Record<ProtocolErrorCode, number>>;
  /** Reply frames not sent: over the per-connection rate, or the sender is not reading (the refusals are still counted). */
  errorFramesSuppressed: number;
  /** Times an ingest connection was paused by its rate limit or its share of the analyzer's time. */
  throttled: number;
  /** Subscribers closed for an alert backlog. */
  subscribersDropped: number;
  /** Updates conflated (replaced before a slow subscriber could take them), over all subscribers. */
  conflated: number;
  /** Replies to subscribers not sent (over their rate, or they were not reading). */
  subscriberRepliesNotSent: number;
  /** Lost sources whose analysis was ended to make room for a new source. */
  sourcesRetired: number;
}
