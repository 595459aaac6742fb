import type { FrameSeries } from './frameHistory.ts';
import type { RecordSeries } from './pairRecords.ts';

/**
 * One pair's series on one time axis, as uPlot takes it (x ascending, a
 * column per measure, null where a time has no value): the updates' records
 * give every number while the pair was in the top list; the matrix frames
 * give its synergy and significance at every update they cover.
 */
export interface PairSeries {
  t: number[];
  synergy: (number | null)[];
  joint: (number | null)[];
  ia: (number | null)[];
  ib: (number | null)[];
  p: (number | null)[];
  p_fwer: (number | null)[];
  /** Family-wise significant at that time (from a frame), or null when no frame says. */
  significant: (boolean | null)[];
}

const finite = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? null : value);

/** The two merged; with `since`, only from that time on (a sparkline's recent stretch). */
export function mergePairSeries(records: RecordSeries | undefined, frames: FrameSeries | undefined, since = -Infinity): PairSeries {
  const merged: PairSeries = { t: [], synergy: [], joint: [], ia: [], ib: [], p: [], p_fwer: [], significant: [] };
  const r = records ?? { t: [] as number[] };
  const f = frames ?? { t: [] as number[] };
  let i = firstAtOrAfter(r.t, since);
  let j = firstAtOrAfter(f.t, since);
  while (i < r.t.length || j < f.t.length) {
    const tr = i < r.t.length ? r.t[i] : Infinity;
    const tf = j < f.t.length ? f.t[j] : Infinity;
    const t = Math.min(tr, tf);
    const fromRecord = tr === t && records !== undefined ? i : -1;
    const fromFrame = tf === t && frames !== undefined ? j : -1;
    merged.t.push(t);
    merged.synergy.push(fromRecord >= 0 ? finite(records!.synergy[fromRecord]) : finite(frames!.synergy[fromFrame]));
    merged.joint.push(fromRecord >= 0 ? finite(records!.joint[fromRecord]) : null);
    merged.ia.push(fromRecord >= 0 ? finite(records!.ia[fromRecord]) : null);
    merged.ib.push(fromRecord >= 0 ? finite(records!.ib[fromRecord]) : null);
    merged.p.push(fromRecord >= 0 ? finite(records!.p[fromRecord]) : null);
    merged.p_fwer.push(fromRecord >= 0 ? finite(records!.p_fwer[fromRecord]) : null);
    merged.significant.push(fromFrame >= 0 ? frames!.significant[fromFrame] : null);
    if (fromRecord >= 0) i++;
    if (fromFrame >= 0) j++;
  }
  return merged;
}

/** The first index of ascending `times` at or after `since`. */
function firstAtOrAfter(times: number[], since: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle] < since) low = middle + 1;
    else high = middle;
  }
  return low;
}
