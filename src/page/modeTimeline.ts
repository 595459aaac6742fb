import type { SynergyUpdate } from './protocol.ts';

export interface ModeSegment {
  start: number;
  end: number;
  label: string;
}

/** Distinct colors for modes, in the order they first appear (Tableau 10). */
const MODE_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * The behavioral mode over time: from the matrix frames' segments (exact
 * mode changes of each hop), and before the first frame — a page that joined
 * late, or an estimator that sends no frames — from the updates, each hop
 * shown as the mode with most labeled bins in its window. Adjacent segments
 * of one mode merge; at most `maxSegments` are kept (the oldest leave).
 */
export class ModeTimeline {
  private exact: ModeSegment[] = [];
  private approximate: ModeSegment[] = [];
  private colors = new Map<string, string>();

  constructor(readonly maxSegments = 5000) {}

  /** The frame's segments of the last hop, [start, end, mode]. */
  addFrameModes(modes: ReadonlyArray<readonly [number, number, string]>): void {
    for (const [start, end, label] of modes) this.append(this.exact, start, end, label);
  }

  /** The update's hop, [t − hop, t], as its mode with most bins. */
  addUpdate(update: Pick<SynergyUpdate, 't' | 'labels'>, hopSeconds: number): void {
    let best: string | undefined;
    let bins = 0;
    for (const [label, count] of Object.entries(update.labels ?? {})) {
      if (count > bins) [best, bins] = [label, count];
    }
    if (best !== undefined) this.append(this.approximate, update.t - hopSeconds, update.t, best);
  }

  /** The segments to draw, in time order: the approximate ones before the first exact one, then the exact ones. */
  segments(): ModeSegment[] {
    const firstExact = this.exact[0]?.start ?? Infinity;
    const before = this.approximate.filter((segment) => segment.start < firstExact).map((segment) => ({ ...segment, end: Math.min(segment.end, firstExact) }));
    return [...before, ...this.exact];
  }

  /** Where the exact segments (from frames) begin, or undefined when there are none. */
  get firstExactStart(): number | undefined {
    return this.exact[0]?.start;
  }

  /** A mode's color, stable for the page's life. */
  colorOf(label: string): string {
    let color = this.colors.get(label);
    if (color === undefined) {
      color = MODE_COLORS[this.colors.size % MODE_COLORS.length];
      this.colors.set(label, color);
    }
    return color;
  }

  /** The modes seen, in the order of their colors. */
  labels(): string[] {
    for (const segment of this.segments()) this.colorOf(segment.label);
    return [...this.colors.keys()];
  }

  clear(): void {
    this.exact = [];
    this.approximate = [];
  }

  private append(list: ModeSegment[], start: number, end: number, label: string): void {
    if (!(end > start)) return;
    const last = list.at(-1);
    if (last !== undefined && end <= last.start) {
      // Older than what is held (a history after a live update): put in its place, where nothing covers it yet.
      this.insertEarlier(list, start, end, label);
      return;
    }
    if (last !== undefined) {
      // A hop seen again (history and live overlapping) adds nothing.
      if (end <= last.end) return;
      if (start < last.end) start = last.end;
      if (last.label === label && start - last.end < 1e-9) {
        last.end = end;
        return;
      }
    }
    this.colorOf(label);
    list.push({ start, end, label });
    if (list.length > this.maxSegments) list.splice(0, list.length - this.maxSegments);
  }

  private insertEarlier(list: ModeSegment[], start: number, end: number, label: string): void {
    // list[at] is the first segment that starts at or after `end`; list[at − 1] may cover part of [start, end).
    let at = list.length;
    while (at > 0 && list[at - 1].start >= end) at--;
    const before = list[at - 1];
    if (before !== undefined) {
      if (before.end >= end) return;
      if (start < before.end) start = before.end;
    }
    this.colorOf(label);
    let segment: ModeSegment;
    if (before !== undefined && before.label === label && start - before.end < 1e-9) {
      before.end = end;
      segment = before;
      at--;
    } else {
      segment = { start, end, label };
      list.splice(at, 0, segment);
    }
    const next = list[at + 1];
    if (next !== undefined && next.label === label && next.start - segment.end < 1e-9) {
      segment.end = next.end;
      list.splice(at + 1, 1);
    }
  }
}
