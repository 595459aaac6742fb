import type { Snapshot } from '../snapshots/snapshot.ts';
import { IdTable } from './idTable.ts';

/**
 * What flows through the analyzer. Spikes travel in columnar batches (typed
 * arrays), never one event per spike; labels as change points or intervals.
 * Times are seconds (float64) from the stream's origin.
 */

/** A batch of spikes: spike i is unit `unitIds[unit[i]]` at time `t[i]` seconds. */
export interface SpikeBatch {
  readonly kind: 'spikes';
  readonly t: Float64Array;
  /** Index of each spike's unit into `unitIds`. */
  readonly unit: Uint32Array;
  /**
   * The source's unit ids (as the source names them), indexed by `unit`.
   * Sources may share one growing array between batches.
   */
  readonly unitIds: readonly string[];
}

/** The mode changes to `label` at `t` and holds until the next change; `null` starts a gap (unlabeled). */
export interface LabelChange {
  readonly kind: 'label';
  readonly t: number;
  readonly label: string | null;
}

/** The mode is `label` over [start, end). */
export interface LabelInterval {
  readonly kind: 'interval';
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

/** Time has advanced to `t` with no spikes (a silent rig is still a rig). */
export interface Heartbeat {
  readonly kind: 'heartbeat';
  readonly t: number;
}

/**
 * No data for [start, end): a source was away (lost connection, restarted
 * rig). Every bin that touches the span is unlabeled, so the missing data
 * are excluded from the statistics instead of counting as silence. A gap
 * with the start of an earlier one replaces it: a source lost at t opens
 * [t, ∞), and its return closes it ([t, first new time)) or, when nothing
 * was missed, removes it ([t, t)).
 */
export interface DataGap {
  readonly kind: 'gap';
  readonly start: number;
  readonly end: number;
}

/**
 * The source's time jumped ahead by more than any window can span (a rig
 * that paused and resumed far later, or came back after a long loss): the
 * analysis of what came before finishes — every window that still holds
 * some of it, up to `from` + window, is emitted — and a new one starts at
 * `at`, so nothing is computed for the empty span between.
 */
export interface AnalysisRestart {
  readonly kind: 'restart';
  /** The latest time before the jump. */
  readonly from: number;
  /** The first time after it. */
  readonly at: number;
}

/** A snapshot of activations from a snapshot source (docs/STREAMING.md, "Snapshots"), analyzed whole. */
export interface SnapshotEvent {
  readonly kind: 'snapshot';
  readonly snapshot: Snapshot;
}

/** A trial's onset (seconds, the analysis clock) and condition, from a live trial source. */
export interface TrialEvent {
  readonly kind: 'trial';
  readonly t: number;
  readonly label: string | null;
}

export type SourceEvent = SpikeBatch | LabelChange | LabelInterval | Heartbeat | DataGap | AnalysisRestart | SnapshotEvent | TrialEvent;

/** Builds a SpikeBatch from plain arrays (tests, small sources). */
export function spikeBatch(t: ArrayLike<number>, unitIdsPerSpike: ArrayLike<string | number>): SpikeBatch {
  const ids = new IdTable();
  const unit = new Uint32Array(unitIdsPerSpike.length);
  for (let i = 0; i < unitIdsPerSpike.length; i++) unit[i] = ids.indexOf(String(unitIdsPerSpike[i]));
  return { kind: 'spikes', t: Float64Array.from(t), unit, unitIds: ids.ids };
}
