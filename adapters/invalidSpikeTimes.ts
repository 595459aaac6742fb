import { isValidEventTime, MAX_EVENT_SECONDS } from '../src/stream/binIndex.ts';

/** How many left-out spikes a read summary names one by one. */
export const NAMED_INVALID_TIMES = 5;

/** The causes of invalid spike times, as a replay's summary names them. */
export const INVALID_TIME_CAUSES = {
  notANumber: 'spikes with a time that is not a number',
  negative: 'spikes with a negative time',
  beyondMax: `spikes with a time beyond 2^32 s`,
} as const;

/**
 * Spikes a binary reader (NWB, Phy, Open Ephys, NEV) left out because their
 * time is not valid (not finite, negative, or beyond MAX_EVENT_SECONDS: a
 * corrupt value), counted by cause; the first few are named with file and
 * position (dataset and index, packet and byte), so a user can look.
 *
 * The readers check every time they read: one comparison per spike, and the
 * position is only described for the spikes named.
 */
export class InvalidTimeTally {
  readonly counts = { notANumber: 0, negative: 0, beyondMax: 0 };
  /** The first NAMED_INVALID_TIMES spikes left out: "<file>, <position>: time <t> s <why>". */
  readonly examples: string[] = [];

  /** Whether `t` is a valid time; if not, counts it, and names it with `where()` while fewer than NAMED_INVALID_TIMES are named. */
  check(t: number, where: () => string): boolean {
    if (isValidEventTime(t)) return true;
    let why: string;
    if (t !== t) {
      this.counts.notANumber++;
      why = 'is not a number';
    } else if (t < 0) {
      this.counts.negative++;
      why = 'is negative';
    } else {
      this.counts.beyondMax++;
      why = `is beyond 2^32 s (${MAX_EVENT_SECONDS} s, about 136 years)`;
    }
    if (this.examples.length < NAMED_INVALID_TIMES) this.examples.push(`${where()}: time ${t} s ${why}; left out`);
    return false;
  }

  get total(): number {
    return this.counts.notANumber + this.counts.negative + this.counts.beyondMax;
  }

  /** The summary fields of a reader's pass: `dropped` with the non-zero counts added, and the spikes named (when any). */
  summaryFields(dropped: Record<string, number>): { dropped: Record<string, number>; droppedExamples?: string[] } {
    this.addTo(dropped);
    return this.examples.length === 0 ? { dropped } : { dropped, droppedExamples: [...this.examples] };
  }

  /** Adds the non-zero counts to a summary's `dropped`, by cause. */
  addTo(dropped: Record<string, number>): Record<string, number> {
    for (const key of ['notANumber', 'negative', 'beyondMax'] as const) {
      if (this.counts[key] > 0) dropped[INVALID_TIME_CAUSES[key]] = (dropped[INVALID_TIME_CAUSES[key]] ?? 0) + this.counts[key];
    }
    return dropped;
  }
}
