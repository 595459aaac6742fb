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
  private lastT = -Infinity;

  constructor(
    readonly pointsPerPair = 1200,
    readonly maxPairs = 5000,
  ) {}

  get size(): number {
    return this.pairs.size;
  }

  /** Adds an update's pairs (an update not newer than the last added is ignored: history and live may overlap after a reconnect). */
  add(update: Pick<SynergyUpdate, 't' | 'pairs'>): boolean {
    if (!(update.t > this.lastT)) return false;
    this.lastT = update.t;
    for (const pair of update.pairs) this.addPair(update.t, pair);
    if (this.pairs.size > this.maxPairs) this.evict();
    return true;
  }

  series(a: UnitId, b: UnitId): RecordSeries | undefined {
    return this.pairs.get(pairKey(a, b));
  }

  clear(): void {
    this.pairs.clear();
    this.lastT = -Infinity;
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
    series.t.push(t);
    for (const field of FIELDS) series[field].push(pair[field] ?? Number.NaN);
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
