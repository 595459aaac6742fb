// AssemblyScript source of the readout kernel (levels = 3): the WebAssembly
// twin of pairSums3 and quadraticJoints3 in ../../readoutKernel.ts,
// operation for operation, so that both give the same bits. Built by
// `npm run build:wasm` into ../readoutKernelWasm.ts (committed). The memory
// is imported; every argument is a byte address in it or a count. Pair p =
// j(j−1)/2 + i (i < j) has its cells at cells + p·perPair, laid out as a
// PairCountTables row ([quarter][mode capacity][a−1][b−1]); unit counts are
// [u][slot][a−1] and firings [u][slot], slot = quarter·capacity + mode.

@inline function F(t: usize, n: i32): f64 {
  return load<f64>(t + (<usize>n << 3));
}

@inline function I(p: usize, k: i32): i32 {
  return load<i32>(p + (<usize>k << 2));
}

@inline function D(p: usize, k: i32): f64 {
  return load<f64>(p + (<usize>k << 3));
}

@inline function C<T>(cells: usize, k: usize): i32 {
  return <i32>load<T>(cells + (k << alignof<T>()));
}

@inline function O(n: i32): i32 {
  return <i32>(n > 0);
}

function sums<T>(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize,
  within: usize, across: usize, occupiedWithin: usize, occupiedAcross: usize,
): void {
  for (let j = jFrom; j < jTo; j++) {
    const slotJ = j * capacity;
    for (let i = 0; i < j; i++) {
      const p = (j * (j - 1)) / 2 + i;
      const slotI = i * capacity;
      let base = <usize>p * <usize>perPair;
      let o11 = 0;
      let o12 = 0;
      let o21 = 0;
      let o22 = 0;
      let oi1 = 0;
      let oi2 = 0;
      let oj1 = 0;
      let oj2 = 0;
      let o00 = 0;
      let sum: f64 = 0;
      let occupied = 0;
      for (let m = 0; m < modes; m++, base += 4) {
        const c11 = C<T>(cells, base);
        const c12 = C<T>(cells, base + 1);
        const c21 = C<T>(cells, base + 2);
        const c22 = C<T>(cells, base + 3);
        const ui = (slotI + m) << 1;
        const uj = (slotJ + m) << 1;
        const i1 = I(unit, ui) - c11 - c12;
        const i2 = I(unit, ui + 1) - c21 - c22;
        const j1 = I(unit, uj) - c11 - c21;
        const j2 = I(unit, uj + 1) - c12 - c22;
        const none = I(modeCounts, m) - I(fired, slotI + m) - I(fired, slotJ + m) + c11 + c12 + c21 + c22;
        sum += F(t, c11) + F(t, c12) + F(t, c21) + F(t, c22) + F(t, i1) + F(t, i2) + F(t, j1) + F(t, j2) + F(t, none);
        occupied += O(c11) + O(c12) + O(c21) + O(c22) + O(i1) + O(i2) + O(j1) + O(j2) + O(none);
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
      store<f64>(within + (<usize>p << 3), sum);
      store<f64>(across + (<usize>p << 3), F(t, o00) + F(t, oj1) + F(t, oj2) + F(t, oi1) + F(t, o11) + F(t, o12) + F(t, oi2) + F(t, o21) + F(t, o22));
      store<i32>(occupiedWithin + (<usize>p << 2), occupied);
      store<i32>(occupiedAcross + (<usize>p << 2), O(o00) + O(oj1) + O(oj2) + O(oi1) + O(o11) + O(o12) + O(oi2) + O(o21) + O(o22));
    }
  }
}

export function sums16(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize,
  within: usize, across: usize, occupiedWithin: usize, occupiedAcross: usize,
): void {
  sums<u16>(cells, perPair, capacity, modes, jFrom, jTo, unit, fired, modeCounts, t, within, across, occupiedWithin, occupiedAcross);
}

export function sums32(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize,
  within: usize, across: usize, occupiedWithin: usize, occupiedAcross: usize,
): void {
  sums<u32>(cells, perPair, capacity, modes, jFrom, jTo, unit, fired, modeCounts, t, within, across, occupiedWithin, occupiedAcross);
}

// constants: [totals ×7][modeTerms ×7][weights ×7][w_S/N_S ×7], f64; small: 4,096 f64 (QuadraticHop.small).
// scratch: 36 + 16 i32 (quarter cells; both-fired cells summed over modes) and 7 f64. quarterTotals: per unit and
// quarter [count of symbol 1, of symbol 2, firings], and per quarter the bins, i32. Cells of a quarter in the order
// none, j1, j2, i1, i2 (the large ones), then c11, c12, c21, c22 (where both fired, mostly small).
function quadratic<T>(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, f: usize, constants: usize, scratch: usize, joints: usize,
  unitQuarters: usize, modeQuarters: usize, small: usize,
): void {
  const quarterCells = scratch;
  const both = scratch + 36 * 4;
  const within = scratch + 52 * 4;
  for (let j = jFrom; j < jTo; j++) {
    const slotsJ = j * 4 * capacity;
    for (let i = 0; i < j; i++) {
      const p = (j * (j - 1)) / 2 + i;
      const slotsI = i * 4 * capacity;
      const pairBase = <usize>p * <usize>perPair;
      memory.fill(both, 0, 16 * 4);
      let wFull: f64 = 0;
      let wHalf0: f64 = 0;
      let wHalf1: f64 = 0;
      let wq0: f64 = 0;
      let wq1: f64 = 0;
      let wq2: f64 = 0;
      let wq3: f64 = 0;
      let smallWithin: f64 = 0;
      for (let m = 0; m < modes; m++) {
        for (let q = 0, slot = m; q < 4; q++, slot += capacity) {
          const base = pairBase + <usize>(slot * 4);
          const c11 = C<T>(cells, base);
          const c12 = C<T>(cells, base + 1);
          const c21 = C<T>(cells, base + 2);
          const c22 = C<T>(cells, base + 3);
          const ui = (slotsI + slot) << 1;
          const uj = (slotsJ + slot) << 1;
          const out = quarterCells + <usize>(q * 9 * 4);
          store<i32>(out, I(modeCounts, slot) - I(fired, slotsI + slot) - I(fired, slotsJ + slot) + c11 + c12 + c21 + c22);
          store<i32>(out + 4, I(unit, uj) - c11 - c21);
          store<i32>(out + 8, I(unit, uj + 1) - c12 - c22);
          store<i32>(out + 12, I(unit, ui) - c11 - c12);
          store<i32>(out + 16, I(unit, ui + 1) - c21 - c22);
          store<i32>(out + 20, c11);
          store<i32>(out + 24, c12);
          store<i32>(out + 28, c21);
          store<i32>(out + 32, c22);
          const b = both + <usize>(q * 16);
          store<i32>(b, load<i32>(b) + c11);
          store<i32>(b + 4, load<i32>(b + 4) + c12);
          store<i32>(b + 8, load<i32>(b + 8) + c21);
          store<i32>(b + 12, load<i32>(b + 12) + c22);
        }
        for (let c = 0; c < 9; c++) {
          const n0 = I(quarterCells, c);
          const n1 = I(quarterCells, 9 + c);
          const n2 = I(quarterCells, 18 + c);
          const n3 = I(quarterCells, 27 + c);
          if (c >= 5 && (n0 | n1 | n2 | n3) < 8) {
            smallWithin += D(small, n0 | (n1 << 3) | (n2 << 6) | (n3 << 9));
            continue;
          }
          const h0 = n0 + n1;
          const h1 = n2 + n3;
          wFull += F(f, h0 + h1);
          wHalf0 += F(f, h0);
          wHalf1 += F(f, h1);
          wq0 += F(f, n0);
          wq1 += F(f, n1);
          wq2 += F(f, n2);
          wq3 += F(f, n3);
        }
      }
      // The quarters' overall tables: the units' quarter totals and the both-fired cells summed over the modes.
      for (let q = 0; q < 4; q++) {
        const b = both + <usize>(q * 16);
        const c11 = load<i32>(b);
        const c12 = load<i32>(b + 4);
        const c21 = load<i32>(b + 8);
        const c22 = load<i32>(b + 12);
        const ui = (i * 4 + q) * 3;
        const uj = (j * 4 + q) * 3;
        const out = quarterCells + <usize>(q * 9 * 4);
        store<i32>(out, I(modeQuarters, q) - I(unitQuarters, ui + 2) - I(unitQuarters, uj + 2) + c11 + c12 + c21 + c22);
        store<i32>(out + 4, I(unitQuarters, uj) - c11 - c21);
        store<i32>(out + 8, I(unitQuarters, uj + 1) - c12 - c22);
        store<i32>(out + 12, I(unitQuarters, ui) - c11 - c12);
        store<i32>(out + 16, I(unitQuarters, ui + 1) - c21 - c22);
        store<i32>(out + 20, c11);
        store<i32>(out + 24, c12);
        store<i32>(out + 28, c21);
        store<i32>(out + 32, c22);
      }
      let a0: f64 = 0;
      let a1: f64 = 0;
      let a2: f64 = 0;
      let a3: f64 = 0;
      let aHalf0: f64 = 0;
      let aHalf1: f64 = 0;
      let aFull: f64 = 0;
      let smallAcross: f64 = 0;
      for (let c = 0; c < 9; c++) {
        const n0 = I(quarterCells, c);
        const n1 = I(quarterCells, 9 + c);
        const n2 = I(quarterCells, 18 + c);
        const n3 = I(quarterCells, 27 + c);
        if (c >= 5 && (n0 | n1 | n2 | n3) < 8) {
          smallAcross += D(small, n0 | (n1 << 3) | (n2 << 6) | (n3 << 9));
          continue;
        }
        a0 += F(f, n0);
        a1 += F(f, n1);
        a2 += F(f, n2);
        a3 += F(f, n3);
        aHalf0 += F(f, n0 + n1);
        aHalf1 += F(f, n2 + n3);
        aFull += F(f, n0 + n1 + n2 + n3);
      }
      store<f64>(within, wFull - aFull);
      store<f64>(within + 8, wHalf0 - aHalf0);
      store<f64>(within + 16, wHalf1 - aHalf1);
      store<f64>(within + 24, wq0 - a0);
      store<f64>(within + 32, wq1 - a1);
      store<f64>(within + 40, wq2 - a2);
      store<f64>(within + 48, wq3 - a3);
      let joint: f64 = 0;
      for (let set = 0; set < 7; set++) {
        const total = D(constants, set);
        if (total != 0) joint += (D(constants, 14 + set) * (F(f, <i32>total) - D(constants, 7 + set) + D(within, set))) / total;
      }
      store<f64>(joints + (<usize>p << 3), joint + (smallWithin - smallAcross));
    }
  }
}

export function quadratic16(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, f: usize, constants: usize, scratch: usize, joints: usize,
  unitQuarters: usize, modeQuarters: usize, small: usize,
): void {
  quadratic<u16>(cells, perPair, capacity, modes, jFrom, jTo, unit, fired, modeCounts, f, constants, scratch, joints, unitQuarters, modeQuarters, small);
}

export function quadratic32(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, f: usize, constants: usize, scratch: usize, joints: usize,
  unitQuarters: usize, modeQuarters: usize, small: usize,
): void {
  quadratic<u32>(cells, perPair, capacity, modes, jFrom, jTo, unit, fired, modeCounts, f, constants, scratch, joints, unitQuarters, modeQuarters, small);
}

// The Panzeri–Treves (and shuffle) bracket of every pair's synergy: the twin of ReadoutKernel.synergyBoundsJs
// (pairSums3 over the pair's rows, and over the shuffled rows when `shuffled` ≠ 0, then the bounds), operation for
// operation. constants: [N, Σ_m f(N_m), modes present, D, 1/(2N ln 2), f(N)], f64; singles and conditionals per unit, f64.
function bounds<T>(
  cells: usize, shuffled: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize, constants: usize, singles: usize, conditionals: usize,
  low: usize, high: usize,
): void {
  const n = D(constants, 0);
  const modeTerm = D(constants, 1);
  const present = D(constants, 2);
  const d = D(constants, 3);
  const scale = D(constants, 4);
  const fN = D(constants, 5);
  for (let j = jFrom; j < jTo; j++) {
    const slotJ = j * capacity;
    for (let i = 0; i < j; i++) {
      const p = (j * (j - 1)) / 2 + i;
      const slotI = i * capacity;
      let base = <usize>p * <usize>perPair;
      let o11 = 0;
      let o12 = 0;
      let o21 = 0;
      let o22 = 0;
      let oi1 = 0;
      let oi2 = 0;
      let oj1 = 0;
      let oj2 = 0;
      let o00 = 0;
      let sum: f64 = 0;
      let occupied = 0;
      for (let m = 0; m < modes; m++, base += 4) {
        const c11 = C<T>(cells, base);
        const c12 = C<T>(cells, base + 1);
        const c21 = C<T>(cells, base + 2);
        const c22 = C<T>(cells, base + 3);
        const ui = (slotI + m) << 1;
        const uj = (slotJ + m) << 1;
        const i1 = I(unit, ui) - c11 - c12;
        const i2 = I(unit, ui + 1) - c21 - c22;
        const j1 = I(unit, uj) - c11 - c21;
        const j2 = I(unit, uj + 1) - c12 - c22;
        const none = I(modeCounts, m) - I(fired, slotI + m) - I(fired, slotJ + m) + c11 + c12 + c21 + c22;
        sum += F(t, c11) + F(t, c12) + F(t, c21) + F(t, c22) + F(t, i1) + F(t, i2) + F(t, j1) + F(t, j2) + F(t, none);
        occupied += O(c11) + O(c12) + O(c21) + O(c22) + O(i1) + O(i2) + O(j1) + O(j2) + O(none);
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
      const across = F(t, o00) + F(t, oj1) + F(t, oj2) + F(t, oi1) + F(t, o11) + F(t, o12) + F(t, oi2) + F(t, o21) + F(t, o22);
      const occupiedAcross = O(o00) + O(oj1) + O(oj2) + O(oi1) + O(o11) + O(o12) + O(oi2) + O(o21) + O(o22);
      let lowJoint: f64 = 0;
      let highJoint: f64 = 0;
      if (n > 0) {
        const plugin = (fN - modeTerm + sum - across) / n;
        lowJoint = plugin + (<f64>occupiedAcross - 1 - present * (d - 1)) * scale;
        highJoint = plugin + (d - 1 - <f64>occupied + present) * scale;
        if (shuffled != 0) {
          let shuffledBase = <usize>p * <usize>perPair;
          let shuffledSum: f64 = 0;
          let shuffledOccupied = 0;
          for (let m = 0; m < modes; m++, shuffledBase += 4) {
            const c11 = C<T>(shuffled, shuffledBase);
            const c12 = C<T>(shuffled, shuffledBase + 1);
            const c21 = C<T>(shuffled, shuffledBase + 2);
            const c22 = C<T>(shuffled, shuffledBase + 3);
            const ui = (slotI + m) << 1;
            const uj = (slotJ + m) << 1;
            const i1 = I(unit, ui) - c11 - c12;
            const i2 = I(unit, ui + 1) - c21 - c22;
            const j1 = I(unit, uj) - c11 - c21;
            const j2 = I(unit, uj + 1) - c12 - c22;
            const none = I(modeCounts, m) - I(fired, slotI + m) - I(fired, slotJ + m) + c11 + c12 + c21 + c22;
            shuffledSum += F(t, c11) + F(t, c12) + F(t, c21) + F(t, c22) + F(t, i1) + F(t, i2) + F(t, j1) + F(t, j2) + F(t, none);
            shuffledOccupied += O(c11) + O(c12) + O(c21) + O(c22) + O(i1) + O(i2) + O(j1) + O(j2) + O(none);
          }
          const entropy = (modeTerm - shuffledSum) / n - D(conditionals, i) - D(conditionals, j);
          lowJoint += entropy + (<f64>shuffledOccupied - present) * scale;
          highJoint += entropy + present * (d - 1) * scale;
        }
      }
      store<f64>(low + (<usize>p << 3), lowJoint - D(singles, i) - D(singles, j));
      store<f64>(high + (<usize>p << 3), highJoint - D(singles, i) - D(singles, j));
    }
  }
}

export function bounds16(
  cells: usize, shuffled: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize, constants: usize, singles: usize, conditionals: usize,
  low: usize, high: usize,
): void {
  bounds<u16>(cells, shuffled, perPair, capacity, modes, jFrom, jTo, unit, fired, modeCounts, t, constants, singles, conditionals, low, high);
}

export function bounds32(
  cells: usize, shuffled: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize, constants: usize, singles: usize, conditionals: usize,
  low: usize, high: usize,
): void {
  bounds<u32>(cells, shuffled, perPair, capacity, modes, jFrom, jTo, unit, fired, modeCounts, t, constants, singles, conditionals, low, high);
}

// For the benchmark's estimate of the machine's limit (bench/readoutKernel.ts): the rate of table lookups at
// data-dependent places (Σ t[index[k]]), and of streaming 16-bit cells (Σ cells[k]).
export function lookupSum(t: usize, index: usize, count: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < count; k++) sum += F(t, I(index, k));
  return sum;
}

export function streamSum(cells: usize, count: i32): i32 {
  let sum = 0;
  for (let k = 0; k < count; k++) sum += C<u16>(cells, <usize>k);
  return sum;
}
