import type { UnitId } from '../stream/unitIds.ts';

/**
 * Alerts (DESIGN §4): objects of their own beside the synergy updates, sent
 * to subscribers, written to stderr as a readable line and to
 * `--alerts-out` as JSONL.
 *
 * Pair alerts (`synergy`, `redundancy`) are raised and later cleared.
 * Source alerts say what happened to the data on its way in:
 * `source-lost` (raised when a connection drops without `end`, cleared when
 * the source is back), `source-silent` (raised after a stretch with no
 * message, cleared by the next one), and one-off events that are raised and
 * never cleared: `sequence-gap` (messages missing), `data-gap` (the span of
 * event time a returning source did not deliver), `time-jump` (event time
 * jumped forward or back), `clock-reset` (a rig's sample clock started again
 * from near zero: acquisition was restarted), `bytes-skipped` (bytes of a
 * byte stream that were not records, skipped to find the next record),
 * `late-data` (spikes later than the lateness, dropped and counted),
 * `input-rejected` (malformed or refused messages), `analysis-lag` (the
 * analysis of a real-time source fell behind the wall clock; cleared when it
 * catches up), `analysis-failed` (one source's analysis stopped on an
 * internal error; the others go on), `source-retired` (a lost source's
 * analysis was ended to make room for a new source), `worker-lost` (a
 * Redis worker stopped renewing its tiles' leases: they resume on another
 * worker, and the updates stay complete and equal), `cluster-gap` (the
 * coordinator lost Redis for a while: it reconnected and went on, the
 * updates late but complete).
 */
export type PairAlertKind = 'synergy' | 'redundancy';
export type SourceAlertKind =
  | 'source-lost'
  | 'source-silent'
  | 'sequence-gap'
  | 'data-gap'
  | 'time-jump'
  | 'clock-reset'
  | 'bytes-skipped'
  | 'late-data'
  | 'input-rejected'
  | 'analysis-lag'
  | 'analysis-failed'
  | 'source-retired'
  | 'worker-lost'
  | 'cluster-gap';
/** A series of Ω or synergy changed regime (src/alerts/emergenceAlerts.ts, docs/EMERGENCE.md). */
export type EmergenceAlertKind = 'emergence';
export type AlertKind = PairAlertKind | SourceAlertKind | EmergenceAlertKind;

export interface AlertEvent {
  type: 'alert';
  state: 'raised' | 'cleared';
  kind: AlertKind;
  /** Stream time in seconds: the update's T for pair alerts, the latest event time of the source for source alerts. */
  t: number;
  /** The pair, for pair alerts (as in the update: canonical order, numbers where the ids are whole numbers). */
  a?: UnitId;
  b?: UnitId;
  /** Pair alerts: the corrected synergy in bits. Source alerts: the count or size the kind is about (messages missing, seconds jumped, spikes late). */
  value?: number;
  /** Pair alerts: the pair's own one-sided surrogate p-value. */
  p?: number;
  /** Pair alerts: the family-wise p over all pairs (empirical, from the surrogates' maxima). */
  p_fwer?: number;
  /** Pair alerts: the family-wise p from the tail of those maxima, the one the alert rests on. */
  p_fwer_tail?: number;
  /** The source: source alerts, and every alert of `synergy serve` (one analysis per source). */
  source?: string;
  /** One-off source alerts: how many of this kind the source raised since the last one sent, held back by the alert rate limit. */
  suppressed?: number;
  /** Emergence alerts: the series ('population', 'group:CA1', 'subnetwork:7') and measure ('oinfo', 'synergy', 'doinfo_y'). */
  series?: string;
  measure?: string;
  /** Emergence alerts: the estimated change time (a step for snapshots), and the series' means before and after, bits. */
  change_t?: number;
  before?: number;
  after?: number;
  /** Emergence alerts: a change of dominance, or null. */
  crossing?: 'redundancy-to-synergy' | 'synergy-to-redundancy' | null;
  /** Emergence alerts: the posterior probability of the change when it was confirmed. */
  probability?: number;
  /** One readable line saying what happened. */
  message: string;
}

/** The line written to stderr for an alert. */
export function alertLine(alert: AlertEvent): string {
  const sign = alert.state === 'raised' ? 'ALERT' : 'clear';
  return `[${sign}] t=${alert.t.toFixed(3)} s ${alert.kind}: ${alert.message}`;
}
