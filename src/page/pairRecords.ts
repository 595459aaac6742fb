import { pairKey, type PairRecord, type SynergyUpdate, type UnitId } from './protocol.ts';

/** A pair's full numbers over the updates that listed it (bits; p and p_fwer NaN when absent). */
export interface RecordSeries {
  t: number[];
  synergy: number[];
  joint: number[];
  ia: number[];
  ib: number[];
  p: number[];
  p_fwer: number[];
}

const FIELDS = ['synergy', 'joint', 'ia', 'ib', 'p', 'p_fwer'] as const;

/**
 * The full numbers of every pair that appeared in an update's top list, by
 * pair, for one source: the selected pair's series and the top table's
 * sparklines read one pair's arrays instead of scanning every update.
 * Bounded: at most `pointsPerPair` points a pair (the oldest leave) and
 * `maxPairs` pairs (those listed longest ago leave).
 */
export class PairRecordHistory {
  private pairs = new Map<string, RecordSeries>();
  /** Update times taken: one seen again (history and live overlap after a reconnect) is not taken twice. */
  private seen = new Set<number>();

  constructor(
    readonly pointsPerPair = 1200,
    readonly maxPairs = 5000,
  ) {}

  get size(): number {
    return this.pairs.size;
  }

  /**
   * Adds an update's pairs; false for an update already taken. An update
   * older than those taken (a history that arrives after a live update) is
   * put in its place in time.
   */
  add(update: Pick<SynergyUpdate, 't' | 'pairs'>): boolean {
    if (this.seen.has(update.t)) return false;
    this.seen.add(update.t);
    if (this.seen.size > 4 * this.pointsPerPair) {
      // The oldest taken first (insertion order, near enough time order): updates that old are past every series' reach.
      for (const t of this.seen) {
        this.seen.delete(t);
        if (this.seen.size <= 3 * this.pointsPerPair) break;
      }
    }
    for (const pair of update.pairs) this.addPair(update.t, pair);
    if (this.pairs.size > this.maxPairs) this.evict();
    return true;
  }

  series(a: UnitId, b: UnitId): RecordSeries | undefined {
    return this.pairs.get(pairKey(a, b));
  }

  clear(): void {
    this.pairs.clear();
    this.seen.clear();
  }

  private addPair(t: number, pair: PairRecord): void {
    const key = pairKey(pair.a, pair.b);
    let series = this.pairs.get(key);
    if (series === undefined) {
      series = { t: [], synergy: [], joint: [], ia: [], ib: [], p: [], p_fwer: [] };
      this.pairs.set(key, series);
    } else {
      // Map order is insertion order: moving the pair to the end keeps the pairs listed longest ago first, for eviction.
      this.pairs.delete(key);
      this.pairs.set(key, series);
    }
    const last = series.t.length === 0 ? -Infinity : series.t[series.t.length - 1];
    if (t > last) {
      series.t.push(t);
      for (const field of FIELDS) series[field].push(pair[field] ?? Number.NaN);
    } else {
      let at = series.t.length;
      while (at > 0 && series.t[at - 1] > t) at--;
      series.t.splice(at, 0, t);
      for (const field of FIELDS) series[field].splice(at, 0, pair[field] ?? Number.NaN);
    }
    // Trimmed a quarter at a time, so that a long series is not shifted at every update.
    if (series.t.length > this.pointsPerPair * 1.25) {
      const drop = series.t.length - this.pointsPerPair;
      series.t.splice(0, drop);
      for (const field of FIELDS) series[field].splice(0, drop);
    }
  }

  private evict(): void {
    const excess = this.pairs.size - Math.floor(this.maxPairs * 0.9);
    let dropped = 0;
    for (const key of this.pairs.keys()) {
      if (dropped++ >= excess) break;
      this.pairs.delete(key);
    }
  }
}
