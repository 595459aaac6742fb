import { BIN_TOLERANCE } from '../stream/binIndex.ts';
import { IdTable } from '../stream/idTable.ts';

interface Segment {
  start: number;
  /** +Infinity while a change point's label still holds. */
  end: number;
  label: number;
}

/**
 * The mode over time, from change points (`{t, label}`: the label holds until
 * the next change; `null` starts a gap) and intervals (`{start, end, label}`).
 *
 * A bin's label is the label whose intervals cover the whole bin; a bin that
 * straddles a change, touches two labels, or lies (even partly) in a gap is
 * unlabeled (DESIGN §3), and so is a bin that touches a data gap. Interval ends are compared with the bins' tolerance
 * of 1e-9 bin. Bins are asked for in increasing order, so segments that end
 * before the asked bin are dropped.
 */
export class LabelTimeline {
  private readonly labels = new IdTable();
  readonly labelNames: string[] = this.labels.ids;
  /** Sorted by start from `head` on; those before `head` ended before the bins still asked for. */
  private segments: Segment[] = [];
  private head = 0;
  /** The change-point segment still open, if any. */
  private open: Segment | undefined;
  /** Spans with no data, sorted by start: bins touching them are unlabeled. */
  private gaps: Array<{ start: number; end: number }> = [];

  constructor(readonly binSeconds: number) {}

  /** Index of a label name, registering it on first sight. */
  indexOf(label: string): number {
    return this.labels.indexOf(label);
  }

  addChange(t: number, label: string | null): void {
    if (this.open !== undefined) {
      this.open.end = Math.max(this.open.start, t);
      this.open = undefined;
    }
    if (label !== null) {
      this.open = { start: t, end: Infinity, label: this.indexOf(label) };
      this.insert(this.open);
    }
  }

  addInterval(start: number, end: number, label: string): void {
    if (!(end > start)) return;
    this.insert({ start, end, label: this.indexOf(label) });
  }

  /**
   * No data in [start, end): every bin that overlaps it (beyond the
   * tolerance) is unlabeled. A gap with the start of one already given
   * replaces it (a gap opened with end ∞ when a source is lost is closed when
   * it is back; end = start removes it).
   */
  addGap(start: number, end: number): void {
    const same = this.gaps.findIndex((gap) => gap.start === start);
    if (same >= 0) this.gaps.splice(same, 1);
    if (!(end > start)) return;
    let at = this.gaps.length;
    while (at > 0 && this.gaps[at - 1].start > start) at--;
    this.gaps.splice(at, 0, { start, end });
  }

  /** The label index of bin k, or −1 if it is unlabeled. */
  labelOfBin(k: number): number {
    const b = this.binSeconds;
    const binStart = k * b;
    const binEnd = (k + 1) * b;
    const tolerance = BIN_TOLERANCE * b;
    // Segments that end at or before this bin (with the tolerance) will not touch it or later bins.
    while (this.head < this.segments.length && this.segments[this.head].end <= binStart + tolerance) this.head++;
    if (this.head > 1024 && this.head * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
    while (this.gaps.length > 0 && this.gaps[0].end <= binStart + tolerance) this.gaps.shift();
    for (const gap of this.gaps) {
      if (gap.start >= binEnd - tolerance) break;
      if (gap.end > binStart + tolerance) return -1;
    }
    let label = -1;
    // Coverage sweep over the segments that touch the bin, which are sorted by start.
    let coveredTo = binStart + tolerance;
    for (let i = this.head; i < this.segments.length; i++) {
      const segment = this.segments[i];
      if (segment.start >= binEnd - tolerance) break;
      if (segment.end <= binStart + tolerance) continue;
      if (label === -1) label = segment.label;
      else if (label !== segment.label) return -1;
      if (segment.start > coveredTo) return -1;
      if (segment.end > coveredTo) coveredTo = segment.end;
    }
    return label !== -1 && coveredTo >= binEnd - tolerance ? label : -1;
  }

  private insert(segment: Segment): void {
    let low = this.head;
    let high = this.segments.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.segments[mid].start <= segment.start) low = mid + 1;
      else high = mid;
    }
    this.segments.splice(low, 0, segment);
  }
}
