import type { PairCountTables } from './pairCountTables.ts';
import type { PairRows, PairSums } from './pairSums.ts';
import { WasmReadout } from './wasm/readoutKernel.ts';

export type { PairRows, PairSums } from './pairSums.ts';

/**
 * The readout kernel: every pair's information terms in one pass over the
 * sparse count tables (PairCountTables), into typed arrays, with no object
 * or closure per pair. A pair's dense cells follow from its stored cells
 * (both units fired) and the units' and modes' totals (pairCountTables.ts);
 * they are derived in registers and summed through one table lookup each.
 * The pairs are read row by row (pair (i, j) for i < j is row j, cell i),
 * which is how the tables lie in memory; results are indexed from the first
 * pair the tables hold (a tile's band of rows: PairCountTables.firstRow).
 *
 * Levels = 3 (two non-zero symbols, the default) has its own unrolled pass;
 * other levels take the general one. Both give the sums of the dense
 * reference (PairKernel) up to rounding (≤ 1e-12 bits in the tests).
 */
export class ReadoutKernel {
  readonly levels: number;
  /**
   * Where levels = 3 is read out: 'wasm', the WebAssembly kernel (the
   * default), or 'js', its JavaScript reference (the same bits). Other
   * levels always run in JavaScript.
   */
  kernel: 'wasm' | 'js' = 'wasm';
  private wasm: WasmReadout | undefined;
  /** f(n) = n·log2 n. */
  nLog2n = new Float64Array(0);
  /** g(n) = n·[f(n − 1) − f(n)]: the jackknife's leave-one-out term of a cell of n. */
  leaveOneOut = new Float64Array(0);
  /** Per unit and slot (quarter × mode capacity + mode): non-zero symbols' counts [u][slot][a−1], as int32. */
  private unit = new Int32Array(0);
  /** Per unit and slot: bins in which the unit fired. */
  private fired = new Int32Array(0);
  private overall = new Int32Array(0);
  private column = new Int32Array(0);
  private dense = new Int32Array(0);
  private subsetOverall = new Int32Array(0);
  private readonly setSums = new Float64Array(7);
  private readonly boundScratch: (PairSums | undefined)[] = [];
  private readonly quarterCells = new Int32Array(36);
  private readonly quarterBoth = new Int32Array(16);
  private unitQuarters = new Int32Array(0);

  constructor(levels: number, maxSamples: number) {
    this.levels = levels;
    this.ensureSamples(maxSamples);
    this.overall = new Int32Array(levels * levels);
    this.column = new Int32Array(levels);
    this.subsetOverall = new Int32Array(7 * levels * levels);
  }

  ensureSamples(maxSamples: number): void {
    if (maxSamples + 1 < this.nLog2n.length) return;
    ({ nLog2n: this.nLog2n, leaveOneOut: this.leaveOneOut } = countTerms(maxSamples));
  }

  /**
   * Copies each unit's counts and firings per slot (every quarter, modes
   * 0 … modes − 1) to int32 scratch: read once per hop by every pair.
   */
  private prepareUnits(tables: PairCountTables, units: number): void {
    const s = tables.symbols;
    const slots = tables.quarters * tables.modeCapacity;
    const size = units * slots;
    if (this.fired.length < size) this.fired = new Int32Array(Math.max(size, 2 * this.fired.length));
    if (this.unit.length < size * s) this.unit = new Int32Array(Math.max(size * s, 2 * this.unit.length));
    const counts = tables.unitCounts;
    const unit = this.unit;
    const fired = this.fired;
    for (let k = 0; k < size; k++) {
      let total = 0;
      for (let a = 0; a < s; a++) {
        const n = counts[k * s + a];
        unit[k * s + a] = n;
        total += n;
      }
      fired[k] = total;
    }
  }

  /**
   * Every pair's sums (PairSums) over one quarter, with T = f (`table`
   * 'plugin') or g ('jackknife'); `rows` the pair rows to read (the
   * tables' own by default).
   */
  pairSums(tables: PairCountTables, units: number, modes: number, table: 'plugin' | 'jackknife', out: PairSums, rows: PairRows = tables.rows): void {
    if (tables.quarters !== 1) throw new RangeError('pairSums reads one quarter');
    checkRows(tables, rows, units);
    this.ensureSamples(maxModeTotal(tables, modes));
    this.prepareUnits(tables, units);
    const T = table === 'plugin' ? this.nLog2n : this.leaveOneOut;
    if (tables.symbols !== 2) this.pairSumsAny(tables, rows, units, modes, T, out);
    else if (this.kernel === 'js') this.pairSums3(tables, rows, units, modes, T, out);
    else (this.wasm ??= new WasmReadout()).pairSums(tables, rows, units, modes, T, this.unit, this.fired, out);
  }

  /** pairSums for levels = 3: the nine cells of each mode in registers. */
  private pairSums3(tables: PairCountTables, rows: PairRows, units: number, modes: number, T: Float64Array, out: PairSums): void {
    const { within, across, occupiedAcross, occupiedWithin } = out;
    const unit = this.unit;
    const fired = this.fired;
    const modeCounts = tables.modeCounts;
    const capacity = tables.modeCapacity;
    const perPair = tables.cellsPerPair;
    let p = 0;
    for (let j = Math.max(1, tables.firstRow); j < units; j++) {
      const row = rows[j];
      const slotJ = j * capacity;
      for (let i = 0; i < j; i++, p++) {
        const slotI = i * capacity;
        let base = i * perPair;
        let o11 = 0;
        let o12 = 0;
        let o21 = 0;
        let o22 = 0;
        let oi1 = 0;
        let oi2 = 0;
        let oj1 = 0;
        let oj2 = 0;
        let o00 = 0;
        let sum = 0;
        let occupied = 0;
        for (let m = 0; m < modes; m++, base += 4) {
          const c11 = row[base];
          const c12 = row[base + 1];
          const c21 = row[base + 2];
          const c22 = row[base + 3];
          const ui = (slotI + m) << 1;
          const uj = (slotJ + m) << 1;
          const i1 = unit[ui] - c11 - c12;
          const i2 = unit[ui + 1] - c21 - c22;
          const j1 = unit[uj] - c11 - c21;
          const j2 = unit[uj + 1] - c12 - c22;
          const none = modeCounts[m] - fired[slotI + m] - fired[slotJ + m] + c11 + c12 + c21 + c22;
          sum += T[c11] + T[c12] + T[c21] + T[c22] + T[i1] + T[i2] + T[j1] + T[j2] + T[none];
          // A count n ≥ 0 is occupied when −n < 0: its sign bit, without a branch.
          occupied += (-c11 >>> 31) + (-c12 >>> 31) + (-c21 >>> 31) + (-c22 >>> 31) + (-i1 >>> 31) + (-i2 >>> 31) + (-j1 >>> 31) + (-j2 >>> 31) + (-none >>> 31);
          o11 += c11;
          o12 += c12;
          o21 += c21;
          o22 += c22;
          oi1 += i1;
          oi2 += i2;
          oj1 += j1;
          oj2 += j2;
          o00 += none;
        }
        within[p] = sum;
        across[p] = T[o00] + T[oj1] + T[oj2] + T[oi1] + T[o11] + T[o12] + T[oi2] + T[o21] + T[o22];
        occupiedWithin[p] = occupied;
        occupiedAcross[p] = (-o00 >>> 31) + (-oj1 >>> 31) + (-oj2 >>> 31) + (-oi1 >>> 31) + (-o11 >>> 31) + (-o12 >>> 31) + (-oi2 >>> 31) + (-o21 >>> 31) + (-o22 >>> 31);
      }
    }
  }

  /** pairSums for any number of levels. */
  private pairSumsAny(tables: PairCountTables, rows: PairRows, units: number, modes: number, T: Float64Array, out: PairSums): void {
    const { within, across, occupiedAcross, occupiedWithin } = out;
    const s = tables.symbols;
    const l = this.levels;
    const d = l * l;
    const unit = this.unit;
    const fired = this.fired;
    const overall = this.overall;
    const column = this.column;
    const modeCounts = tables.modeCounts;
    const capacity = tables.modeCapacity;
    const perPair = tables.cellsPerPair;
    let p = 0;
    for (let j = Math.max(1, tables.firstRow); j < units; j++) {
      const row = rows[j];
      const slotJ = j * capacity;
      for (let i = 0; i < j; i++, p++) {
        const slotI = i * capacity;
        overall.fill(0);
        let sum = 0;
        let occupied = 0;
        for (let m = 0; m < modes; m++) {
          const base = i * perPair + m * s * s;
          const ui = (slotI + m) * s;
          const uj = (slotJ + m) * s;
          column.fill(0);
          let both = 0;
          for (let a = 0; a < s; a++) {
            let rowSum = 0;
            for (let b = 0; b < s; b++) {
              const n = row[base + a * s + b];
              sum += T[n];
              if (n > 0) occupied++;
              overall[(a + 1) * l + b + 1] += n;
              column[b] += n;
              rowSum += n;
            }
            const onlyI = unit[ui + a] - rowSum;
            sum += T[onlyI];
            if (onlyI > 0) occupied++;
            overall[(a + 1) * l] += onlyI;
            both += rowSum;
          }
          for (let b = 0; b < s; b++) {
            const onlyJ = unit[uj + b] - column[b];
            sum += T[onlyJ];
            if (onlyJ > 0) occupied++;
            overall[b + 1] += onlyJ;
          }
          const none = modeCounts[m] - fired[slotI + m] - fired[slotJ + m] + both;
          sum += T[none];
          if (none > 0) occupied++;
          overall[0] += none;
        }
        let acrossSum = 0;
        let occupiedOverall = 0;
        for (let c = 0; c < d; c++) {
          const n = overall[c];
          acrossSum += T[n];
          if (n > 0) occupiedOverall++;
        }
        within[p] = sum;
        across[p] = acrossSum;
        occupiedWithin[p] = occupied;
        occupiedAcross[p] = occupiedOverall;
      }
    }
  }

  /**
   * Every pair's I(X_i,X_j;Y) into `joints`, exact from one pass
   * (pairSums), for the estimators whose pair term needs nothing else:
   * plug-in I = [f(N) − Σ_m f(N_m) + Σ_{m,c} f(n_mc) − Σ_c f(n_c)]/N;
   * Miller–Madow adds [(R − 1) − Σ_m (R_m − 1)]/(2N ln 2), R the occupied
   * cells, over the modes present; the jackknife (with g, its leave-one-out
   * term, for f) J = f(N) − f(N − 1) + [Σ_m g(N_m) + Σ_c g(n_c) − Σ_{m,c} g(n_mc)]/N
   * (PairKernel.jackknifeInformation). All 0 for an empty window (and the
   * jackknife below two samples).
   */
  pairJoints(tables: PairCountTables, units: number, modes: number, estimator: 'plugin' | 'miller-madow' | 'jackknife', joints: Float64Array): void {
    const pairs = tables.pairsHeld(units);
    const sums = this.boundSums(pairs, 0);
    this.pairSums(tables, units, modes, estimator === 'jackknife' ? 'jackknife' : 'plugin', sums);
    const { within, across, occupiedAcross, occupiedWithin } = sums;
    const f = this.nLog2n;
    const { total: n, modeTerm, present } = this.modeTotals(tables, modes);
    if (estimator === 'jackknife') {
      const g = this.leaveOneOut;
      let leaveOneOutModes = 0;
      for (let m = 0; m < modes; m++) leaveOneOutModes += g[tables.modeCounts[m]];
      const offset = n < 2 ? 0 : f[n] - f[n - 1];
      for (let p = 0; p < pairs; p++) joints[p] = n < 2 ? 0 : offset + (leaveOneOutModes + across[p] - within[p]) / n;
      return;
    }
    const correct = estimator === 'miller-madow';
    const scale = 1 / (2 * n * Math.LN2);
    for (let p = 0; p < pairs; p++) {
      if (n === 0) {
        joints[p] = 0;
        continue;
      }
      const plugin = (f[n] - modeTerm + within[p] - across[p]) / n;
      joints[p] = correct ? plugin + (occupiedAcross[p] - 1 - (occupiedWithin[p] - present)) * scale : plugin;
    }
  }

  /** N, Σ_m f(N_m) and the modes present, of quarter 0 (every estimator but qe has one quarter). */
  private modeTotals(tables: PairCountTables, modes: number): { total: number; modeTerm: number; present: number } {
    const f = this.nLog2n;
    let total = 0;
    let modeTerm = 0;
    let present = 0;
    for (let m = 0; m < modes; m++) {
      const n = tables.modeCounts[m];
      total += n;
      modeTerm += f[n];
      if (n > 0) present++;
    }
    return { total, modeTerm, present };
  }

  /**
   * Every pair's bracket of its Panzeri–Treves synergy, or with
   * `shuffledRows` its shuffle-estimator synergy, into `low` and `high`,
   * from one pass (pairSums) over its cells: PT's count R of a table lies
   * between its occupied cells and its alphabet D (R = D exactly when every
   * cell is occupied), so with the single-unit terms exact (`singles`, and
   * for shuffle the PT H(X_u|Y), `conditionals`) the bounds put every R at
   * one end. I_PT = I_plugin + [(R − 1) − Σ_m (R_m − 1)]/(2N ln 2); the
   * shuffle estimator adds H_sh(R|Y) − H(X_i|Y) − H(X_j|Y), its shuffled
   * table's per-mode entropies PT-corrected likewise.
   */
  synergyBounds(
    tables: PairCountTables,
    units: number,
    modes: number,
    shuffledRows: PairRows | undefined,
    singles: Float64Array,
    conditionals: Float64Array,
    low: Float64Array,
    high: Float64Array,
  ): void {
    if (tables.quarters !== 1) throw new RangeError('synergyBounds reads one quarter');
    if (shuffledRows !== undefined) checkRows(tables, shuffledRows, units);
    this.ensureSamples(maxModeTotal(tables, modes));
    const f = this.nLog2n;
    const { total: n, modeTerm, present } = this.modeTotals(tables, modes);
    const d = this.levels * this.levels;
    const constants = Float64Array.of(n, modeTerm, present, d, 1 / (2 * n * Math.LN2), f[n]);
    if (tables.symbols === 2 && this.kernel === 'wasm') {
      this.prepareUnits(tables, units);
      (this.wasm ??= new WasmReadout()).synergyBounds(tables, shuffledRows, units, modes, f, this.unit, this.fired, constants, singles, conditionals, low, high);
      return;
    }
    this.synergyBoundsJs(tables, units, modes, shuffledRows, constants, singles, conditionals, low, high);
  }

  /** synergyBounds in JavaScript: the reference of the WebAssembly kernel (levels = 3), and every other number of levels. */
  private synergyBoundsJs(
    tables: PairCountTables,
    units: number,
    modes: number,
    shuffledRows: PairRows | undefined,
    constants: Float64Array,
    singles: Float64Array,
    conditionals: Float64Array,
    low: Float64Array,
    high: Float64Array,
  ): void {
    const pairs = tables.pairsHeld(units);
    const sums = this.boundSums(pairs, 0);
    this.pairSums(tables, units, modes, 'plugin', sums);
    const shuffled = shuffledRows === undefined ? undefined : this.boundSums(pairs, 1);
    if (shuffled !== undefined) this.pairSums(tables, units, modes, 'plugin', shuffled, shuffledRows);
    const [n, modeTerm, present, d, scale, fN] = constants;
    let p = 0;
    for (let j = Math.max(1, tables.firstRow); j < units; j++) {
      for (let i = 0; i < j; i++, p++) {
        let lowJoint = 0;
        let highJoint = 0;
        if (n > 0) {
          const plugin = (fN - modeTerm + sums.within[p] - sums.across[p]) / n;
          lowJoint = plugin + (sums.occupiedAcross[p] - 1 - present * (d - 1)) * scale;
          highJoint = plugin + (d - 1 - sums.occupiedWithin[p] + present) * scale;
          if (shuffled !== undefined) {
            const entropy = (modeTerm - shuffled.within[p]) / n - conditionals[i] - conditionals[j];
            lowJoint += entropy + (shuffled.occupiedWithin[p] - present) * scale;
            highJoint += entropy + present * (d - 1) * scale;
          }
        }
        low[p] = lowJoint - singles[i] - singles[j];
        high[p] = highJoint - singles[i] - singles[j];
      }
    }
  }

  /** Scratch sums for pairJoints and synergyBoundsJs (0: the pairs' own rows, 1: the shuffled rows). */
  private boundSums(pairs: number, k: 0 | 1): PairSums {
    let sums = this.boundScratch[k];
    if (sums === undefined || sums.within.length < pairs) {
      sums = { within: new Float64Array(pairs), across: new Float64Array(pairs), occupiedAcross: new Int32Array(pairs), occupiedWithin: new Int32Array(pairs) };
      this.boundScratch[k] = sums;
    }
    return sums;
  }

  /**
   * Every pair's plug-in I(X_i,X_j;Y) over the seven quarter sets of
   * quadratic extrapolation (all four quarters, the two halves {0,1} and
   * {2,3}, each quarter alone), combined as I∞ = (8/3) I(N) − Σ I(N/2) +
   * (1/12) Σ I(N/4) (Strong et al. 1998; quadraticExtrapolation.ts), into
   * `joints`.
   */
  quadraticJoints(tables: PairCountTables, units: number, modes: number, joints: Float64Array): void {
    if (tables.quarters !== 4) throw new RangeError('quadraticJoints reads four quarters');
    this.ensureSamples(maxModeTotal(tables, modes));
    this.prepareUnits(tables, units);
    if (tables.symbols !== 2) this.quadraticJointsAny(tables, units, modes, joints);
    else if (this.kernel === 'js') this.quadraticJoints3(tables, units, modes, joints);
    else {
      const { total, modeTerm } = subsetConstants(tables, modes, this.nLog2n);
      const constants = new Float64Array(21);
      constants.set(total, 0);
      constants.set(modeTerm, 7);
      constants.set(QUARTER_SET_WEIGHTS, 14);
      const { unitQuarters, modeQuarters } = this.quarterTotals(tables, units, modes);
      (this.wasm ??= new WasmReadout()).quadraticJoints(tables, units, modes, this.nLog2n, this.unit, this.fired, constants, unitQuarters, modeQuarters, joints);
    }
  }

  /**
   * quadraticJoints for levels = 3: per pair and mode, the nine cells of
   * each quarter into a scratch row of 36, then the seven sets' sums; the
   * sets' overall tables from the quarters' (a half is two quarters, the
   * whole two halves).
   */
  private quadraticJoints3(tables: PairCountTables, units: number, modes: number, joints: Float64Array): void {
    const f = this.nLog2n;
    const capacity = tables.modeCapacity;
    const perPair = tables.cellsPerPair;
    const unit = this.unit;
    const fired = this.fired;
    const modeCounts = tables.modeCounts;
    const { total: totals, modeTerm: modeTerms } = subsetConstants(tables, modes, f);
    const cells = this.quarterCells;
    const both = this.quarterBoth;
    const within = this.setSums;
    const { unitQuarters, modeQuarters } = this.quarterTotals(tables, units, modes);
    let p = 0;
    for (let j = Math.max(1, tables.firstRow); j < units; j++) {
      const row = tables.rows[j];
      const slotsJ = j * 4 * capacity;
      for (let i = 0; i < j; i++, p++) {
        const slotsI = i * 4 * capacity;
        const pairBase = i * perPair;
        both.fill(0);
        let wFull = 0;
        let wHalf0 = 0;
        let wHalf1 = 0;
        let wq0 = 0;
        let wq1 = 0;
        let wq2 = 0;
        let wq3 = 0;
        for (let m = 0; m < modes; m++) {
          for (let q = 0, slot = m; q < 4; q++, slot += capacity) {
            const base = pairBase + slot * 4;
            const c11 = row[base];
            const c12 = row[base + 1];
            const c21 = row[base + 2];
            const c22 = row[base + 3];
            const ui = (slotsI + slot) << 1;
            const uj = (slotsJ + slot) << 1;
            const out = q * 9;
            cells[out] = modeCounts[slot] - fired[slotsI + slot] - fired[slotsJ + slot] + c11 + c12 + c21 + c22;
            cells[out + 1] = unit[uj] - c11 - c21;
            cells[out + 2] = unit[uj + 1] - c12 - c22;
            cells[out + 3] = unit[ui] - c11 - c12;
            cells[out + 4] = unit[ui + 1] - c21 - c22;
            cells[out + 5] = c11;
            cells[out + 6] = c12;
            cells[out + 7] = c21;
            cells[out + 8] = c22;
            both[q * 4] += c11;
            both[q * 4 + 1] += c12;
            both[q * 4 + 2] += c21;
            both[q * 4 + 3] += c22;
          }
          for (let c = 0; c < 9; c++) {
            const n0 = cells[c];
            const n1 = cells[9 + c];
            const n2 = cells[18 + c];
            const n3 = cells[27 + c];
            const h0 = n0 + n1;
            const h1 = n2 + n3;
            wFull += f[h0 + h1];
            wHalf0 += f[h0];
            wHalf1 += f[h1];
            wq0 += f[n0];
            wq1 += f[n1];
            wq2 += f[n2];
            wq3 += f[n3];
          }
        }
        // The quarters' overall tables: the units' quarter totals and the both-fired cells summed over the modes.
        for (let q = 0; q < 4; q++) {
          const c11 = both[q * 4];
          const c12 = both[q * 4 + 1];
          const c21 = both[q * 4 + 2];
          const c22 = both[q * 4 + 3];
          const ui = (i * 4 + q) * 3;
          const uj = (j * 4 + q) * 3;
          const out = q * 9;
          cells[out] = modeQuarters[q] - unitQuarters[ui + 2] - unitQuarters[uj + 2] + c11 + c12 + c21 + c22;
          cells[out + 1] = unitQuarters[uj] - c11 - c21;
          cells[out + 2] = unitQuarters[uj + 1] - c12 - c22;
          cells[out + 3] = unitQuarters[ui] - c11 - c12;
          cells[out + 4] = unitQuarters[ui + 1] - c21 - c22;
          cells[out + 5] = c11;
          cells[out + 6] = c12;
          cells[out + 7] = c21;
          cells[out + 8] = c22;
        }
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let aHalf0 = 0;
        let aHalf1 = 0;
        let aFull = 0;
        for (let c = 0; c < 9; c++) {
          const n0 = cells[c];
          const n1 = cells[9 + c];
          const n2 = cells[18 + c];
          const n3 = cells[27 + c];
          a0 += f[n0];
          a1 += f[n1];
          a2 += f[n2];
          a3 += f[n3];
          aHalf0 += f[n0 + n1];
          aHalf1 += f[n2 + n3];
          aFull += f[n0 + n1 + n2 + n3];
        }
        within[0] = wFull - aFull;
        within[1] = wHalf0 - aHalf0;
        within[2] = wHalf1 - aHalf1;
        within[3] = wq0 - a0;
        within[4] = wq1 - a1;
        within[5] = wq2 - a2;
        within[6] = wq3 - a3;
        let joint = 0;
        for (let set = 0; set < 7; set++) {
          const total = totals[set];
          if (total !== 0) joint += (QUARTER_SET_WEIGHTS[set] * (f[total] - modeTerms[set] + within[set])) / total;
        }
        joints[p] = joint;
      }
    }
  }

  /**
   * Per unit and quarter (levels = 3): its counts of symbols 1 and 2 and its
   * firings, over the modes ([u][q][3]); and the bins of each quarter.
   */
  private quarterTotals(tables: PairCountTables, units: number, modes: number): { unitQuarters: Int32Array; modeQuarters: Int32Array } {
    const capacity = tables.modeCapacity;
    if (this.unitQuarters.length < units * 12) this.unitQuarters = new Int32Array(Math.max(units * 12, 2 * this.unitQuarters.length));
    const unitQuarters = this.unitQuarters;
    unitQuarters.fill(0, 0, units * 12);
    for (let u = 0; u < units; u++) {
      for (let q = 0; q < 4; q++) {
        const out = (u * 4 + q) * 3;
        for (let m = 0; m < modes; m++) {
          const slot = (u * 4 + q) * capacity + m;
          unitQuarters[out] += this.unit[slot * 2];
          unitQuarters[out + 1] += this.unit[slot * 2 + 1];
          unitQuarters[out + 2] += this.fired[slot];
        }
      }
    }
    const modeQuarters = new Int32Array(4);
    for (let q = 0; q < 4; q++) for (let m = 0; m < modes; m++) modeQuarters[q] += tables.modeCounts[q * capacity + m];
    return { unitQuarters, modeQuarters };
  }

  /** quadraticJoints for any number of levels. */
  private quadraticJointsAny(tables: PairCountTables, units: number, modes: number, joints: Float64Array): void {
    const f = this.nLog2n;
    const s = tables.symbols;
    const l = this.levels;
    const d = l * l;
    const capacity = tables.modeCapacity;
    const perPair = tables.cellsPerPair;
    const unit = this.unit;
    const fired = this.fired;
    const modeCounts = tables.modeCounts;
    // Per set: N, Σ_m f(N_m) and the weight of its information in I∞.
    const { total: totals, modeTerm: modeTerms } = subsetConstants(tables, modes, f);
    const weights = QUARTER_SET_WEIGHTS;
    const within = this.setSums;
    const size = 4 * modes * d;
    if (this.dense.length < size) this.dense = new Int32Array(size);
    const dense = this.dense;
    const overall = this.subsetOverall;
    const column = this.column;
    let p = 0;
    for (let j = Math.max(1, tables.firstRow); j < units; j++) {
      const row = tables.rows[j];
      const slotsJ = j * 4 * capacity;
      for (let i = 0; i < j; i++, p++) {
        const slotsI = i * 4 * capacity;
        // Dense cells [q][m][c] of the pair.
        for (let q = 0; q < 4; q++) {
          for (let m = 0; m < modes; m++) {
            const slot = q * capacity + m;
            const base = i * perPair + slot * s * s;
            const ui = (slotsI + slot) * s;
            const uj = (slotsJ + slot) * s;
            const out = (q * modes + m) * d;
            column.fill(0);
            let both = 0;
            for (let a = 0; a < s; a++) {
              let rowSum = 0;
              for (let b = 0; b < s; b++) {
                const n = row[base + a * s + b];
                dense[out + (a + 1) * l + b + 1] = n;
                column[b] += n;
                rowSum += n;
              }
              dense[out + (a + 1) * l] = unit[ui + a] - rowSum;
              both += rowSum;
            }
            for (let b = 0; b < s; b++) dense[out + b + 1] = unit[uj + b] - column[b];
            dense[out] = modeCounts[slot] - fired[slotsI + slot] - fired[slotsJ + slot] + both;
          }
        }
        // The seven sets' within-mode sums; their overall tables accumulate in `overall` [set][c].
        overall.fill(0);
        let wFull = 0;
        let wHalf0 = 0;
        let wHalf1 = 0;
        let wq0 = 0;
        let wq1 = 0;
        let wq2 = 0;
        let wq3 = 0;
        const quarterStride = modes * d;
        for (let m = 0; m < modes; m++) {
          for (let c = 0; c < d; c++) {
            const k = m * d + c;
            const n0 = dense[k];
            const n1 = dense[k + quarterStride];
            const n2 = dense[k + 2 * quarterStride];
            const n3 = dense[k + 3 * quarterStride];
            const h0 = n0 + n1;
            const h1 = n2 + n3;
            wFull += f[h0 + h1];
            wHalf0 += f[h0];
            wHalf1 += f[h1];
            wq0 += f[n0];
            wq1 += f[n1];
            wq2 += f[n2];
            wq3 += f[n3];
            overall[c] += h0 + h1;
            overall[d + c] += h0;
            overall[2 * d + c] += h1;
            overall[3 * d + c] += n0;
            overall[4 * d + c] += n1;
            overall[5 * d + c] += n2;
            overall[6 * d + c] += n3;
          }
        }
        within[0] = wFull;
        within[1] = wHalf0;
        within[2] = wHalf1;
        within[3] = wq0;
        within[4] = wq1;
        within[5] = wq2;
        within[6] = wq3;
        let joint = 0;
        for (let set = 0; set < 7; set++) {
          const total = totals[set];
          if (total === 0) continue;
          let acrossSum = 0;
          for (let c = 0; c < d; c++) acrossSum += f[overall[set * d + c]];
          joint += (weights[set] * (f[total] - modeTerms[set] + within[set] - acrossSum)) / total;
        }
        joints[p] = joint;
      }
    }
  }
}

/** Rows from other tables (the shuffled ones) must have the tables' layout: the same cells per pair. */
function checkRows(tables: PairCountTables, rows: PairRows, units: number): void {
  if (rows !== tables.rows && units > Math.max(1, tables.firstRow) && rows[units - 1].length !== (units - 1) * tables.cellsPerPair) {
    throw new Error(`internal: rows of ${rows[units - 1].length / (units - 1)} cells per pair read as ${tables.cellsPerPair}`);
  }
}

/**
 * The per-count terms every readout sums, for counts 0 … maxSamples + 1:
 * f(n) = n·log2 n, and g(n) = n·[f(n − 1) − f(n)], what a cell of n adds to
 * the jackknife's leave-one-out sum (0 for n < 2).
 */
export function countTerms(maxSamples: number): { nLog2n: Float64Array<ArrayBuffer>; leaveOneOut: Float64Array<ArrayBuffer> } {
  const f = new Float64Array(maxSamples + 2);
  for (let n = 2; n < f.length; n++) f[n] = n * Math.log2(n);
  const g = new Float64Array(maxSamples + 2);
  for (let n = 2; n < g.length; n++) g[n] = n * (f[n - 1] - f[n]);
  return { nLog2n: f, leaveOneOut: g };
}

/** The largest window count any table cell can reach: the bins of all quarters and modes. */
function maxModeTotal(tables: PairCountTables, modes: number): number {
  let total = 0;
  for (let q = 0; q < tables.quarters; q++) for (let m = 0; m < modes; m++) total += tables.modeCounts[q * tables.modeCapacity + m];
  return total;
}

/** The quarter sets of quadratic extrapolation, in the order quadraticJoints uses: all, halves {0,1}, {2,3}, quarters 0–3. */
export const QUARTER_SETS = [0b1111, 0b0011, 0b1100, 0b0001, 0b0010, 0b0100, 0b1000] as const;
/** Their weights in I∞ = (8/3) I(N) − Σ I(N/2) + (1/12) Σ I(N/4). */
export const QUARTER_SET_WEIGHTS = [8 / 3, -1, -1, 1 / 12, 1 / 12, 1 / 12, 1 / 12] as const;

/** Per quarter set: N, Σ_m f(N_m), and its weight. */
function subsetConstants(tables: PairCountTables, modes: number, f: Float64Array): { total: Float64Array; modeTerm: Float64Array } {
  const total = new Float64Array(7);
  const modeTerm = new Float64Array(7);
  QUARTER_SETS.forEach((mask, set) => {
    for (let m = 0; m < modes; m++) {
      let n = 0;
      for (let q = 0; q < 4; q++) if (mask & (1 << q)) n += tables.modeCounts[q * tables.modeCapacity + m];
      total[set] += n;
      modeTerm[set] += f[n];
    }
  });
  return { total, modeTerm };
}
