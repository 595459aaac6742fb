/**
 * Panzeri–Treves relevant-cell counts with the powers looked up instead of
 * recomputed. The scan (panzeriTrevesRelevantCells.ts) evaluates
 * (1 − n/N)^N and (1 − P)^N with P = (1 − γ)(n + 1)/(N + R_seen) for every
 * cell at every step; for one N those depend only on n, R_seen and the step
 * x, and a window has a handful of N (overall and per mode) shared by all its
 * tables. So each power is computed once per (N, R_seen, x, n), with exactly
 * the expressions of the scan: the result is the same count, bit for bit.
 */
export class PanzeriTrevesTables {
  private readonly byTotal = new Map<number, TotalTables>();

  /** Drops the cached powers (call when the window's N values change, e.g. every hop). */
  clear(): void {
    this.byTotal.clear();
  }

  relevantCells(counts: Float64Array, from: number, length: number, alphabetSize: number): number {
    let seen = 0;
    let total = 0;
    for (let c = from; c < from + length; c++) {
      const n = counts[c];
      if (n > 0) {
        seen++;
        total += n;
      }
    }
    if (seen >= alphabetSize || total === 0) return seen;
    let tables = this.byTotal.get(total);
    if (tables === undefined) {
      if (this.byTotal.size > 16) this.byTotal.clear();
      tables = new TotalTables(total);
      this.byTotal.set(total, tables);
    }
    const zeroStep = tables.zeroStep();
    let expected = 0;
    for (let c = from; c < from + length; c++) {
      const n = counts[c];
      if (n > 0) expected += 1 - zeroStep[n];
    }
    let previousDistance = Infinity;
    let distance = Math.abs(seen - expected);
    let extra = 0;
    while (distance < previousDistance && seen + extra < alphabetSize) {
      extra++;
      const step = tables.step(seen, extra);
      expected = 0;
      for (let c = from; c < from + length; c++) {
        const n = counts[c];
        if (n > 0) expected += 1 - step.seenCell(n);
      }
      expected += step.unseenCells;
      previousDistance = distance;
      distance = Math.abs(seen - expected);
    }
    return distance < previousDistance ? seen + extra : seen + extra - 1;
  }
}

class TotalTables {
  private zero: Float64Array | undefined;
  private readonly steps = new Map<number, StepTable>();
  constructor(readonly total: number) {}

  /** (1 − n/N)^N for n = 0 … N. */
  zeroStep(): Float64Array {
    if (this.zero === undefined) {
      const total = this.total;
      this.zero = new Float64Array(total + 1);
      for (let n = 0; n <= total; n++) this.zero[n] = Math.pow(1 - n / total, total);
    }
    return this.zero;
  }

  step(seen: number, extra: number): StepTable {
    const key = seen * 4096 + extra;
    let table = this.steps.get(key);
    if (table === undefined) {
      table = new StepTable(this.total, seen, extra);
      this.steps.set(key, table);
    }
    return table;
  }
}

class StepTable {
  /** x·(1 − (1 − γ/x)^N): the expected occupied cells among the x unseen ones. */
  readonly unseenCells: number;
  private readonly powers: Float64Array;
  private readonly gamma: number;

  constructor(
    readonly total: number,
    readonly seen: number,
    readonly extra: number,
  ) {
    const gammaPerCell = 1 - Math.pow(total / (total + seen), 1 / total);
    this.gamma = extra * gammaPerCell;
    this.unseenCells = extra * (1 - Math.pow(1 - this.gamma / extra, total));
    this.powers = new Float64Array(total + 1).fill(Number.NaN);
  }

  /** (1 − P)^N with P = (1 − γ)(n + 1)/(N + R_seen). */
  seenCell(n: number): number {
    let value = this.powers[n];
    if (Number.isNaN(value)) {
      const p = ((1 - this.gamma) * (n + 1)) / (this.total + this.seen);
      value = Math.pow(1 - p, this.total);
      this.powers[n] = value;
    }
    return value;
  }
}
