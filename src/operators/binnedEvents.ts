import type { CountFrame, LabeledFrame } from '../engine/countFrame.ts';
import type { DataGap, LabelChange, LabelInterval } from '../stream/events.ts';

/** What the binner has counted since the stream began. */
export interface StreamCounters {
  /** Spikes placed in bins. */
  spikes: number;
  /** Spikes later than the lateness allows (never mixed into a later bin). */
  late: number;
  /** Spikes with a NaN, infinite or negative time. */
  invalidTime: number;
  /** Label changes and heartbeats whose time fell in an already complete bin. */
  lateLabels: number;
}

/** Complete bins, with the stream's origin and the counters at the time. */
export interface FrameEvent {
  readonly kind: 'frame';
  readonly frame: CountFrame;
  readonly startTime: number;
  readonly counters: Readonly<StreamCounters>;
}

export interface LabeledFrameEvent {
  readonly kind: 'labeled-frame';
  readonly frame: LabeledFrame;
  readonly startTime: number;
  readonly counters: Readonly<StreamCounters>;
}

/** The source completed; `endTime` is the latest event time seen. */
export interface EndEvent {
  readonly kind: 'end';
  readonly endTime: number | undefined;
  readonly counters: Readonly<StreamCounters>;
}

/** Out of binSpikes: frames, with label events passed through in arrival order. */
export type BinnedEvent = FrameEvent | LabelChange | LabelInterval | DataGap | EndEvent;

/** Out of attachLabels. */
export type LabeledEvent = LabeledFrameEvent | EndEvent;
