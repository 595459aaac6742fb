import { concat, from, type Observable } from 'rxjs';
import type { AlertEvent } from '../src/alerts/alertEvent.ts';
import type { SourceStatus } from '../src/server/sourceStatus.ts';
import type { LabelInterval, SourceEvent } from '../src/stream/events.ts';

/**
 * A live source as `synergy connect` runs it: our WebSocket protocol
 * (adapters/ws/rigConnection.ts), the Open Ephys Event Broadcaster over
 * ZeroMQ, or the Intan RHX TCP spike port. Each turns what its rig sends
 * into the analyzer's SourceEvents (columnar spike batches, mode changes,
 * heartbeats, data gaps) and raises source alerts for what went wrong on the
 * way (lost or silent connection, missing messages, clock resets, bytes that
 * were not records).
 */
export interface LiveSource {
  /** Completes when the source ends (or `close()`); errors when it gives up (ConnectionError). */
  readonly events: Observable<SourceEvent>;
  /** Completes with `events`. */
  readonly alerts: Observable<AlertEvent>;
  /** Starts connecting (call after subscribing to `events` and `alerts`). */
  start(): void;
  /** Stops: closes connections, no more retries; `events` and `alerts` complete. */
  close(): void;
  /** One line for the end-of-run summary: what was received and what was dropped or skipped, by cause. */
  summary(): string;
  /** Its sources' health now, for the page and the `status` topic (docs/PROTOCOL.md, "Status"). */
  status(): SourceStatus[];
}

/**
 * A live source's events preceded by mode intervals known in advance (a
 * `--labels` file, on the rig's clock): they hold for the spikes that
 * follow, whenever those arrive. Each subscriber gets the intervals first.
 */
export function withModeIntervals(events: Observable<SourceEvent>, intervals: readonly LabelInterval[]): Observable<SourceEvent> {
  return intervals.length === 0 ? events : concat(from(intervals), events);
}
