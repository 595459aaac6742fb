// AssemblyScript source of the readout kernel (levels = 3): the WebAssembly
// twin of pairSums3 and quadraticJoints3 in ../../readoutKernel.ts,
// operation for operation, so that both give the same bits. Built by
// `npm run build:wasm` into ../readoutKernelWasm.ts (committed). The memory
// is imported; every argument is a byte address in it or a count. Pair p =
// j(j−1)/2 + i (i < j) has its cells at cells + (p − firstPair)·perPair,
// firstPair being the first pair the tables hold (a tile's band of rows;
// 0 for all pairs), laid out as a PairCountTables row ([quarter][mode
// capacity][a−1][b−1]), and its results at index p − firstPair; unit counts
// are [u][slot][a−1] and firings [u][slot], slot = quarter·capacity + mode.

import { C, D, F, I } from './memoryAccess';

@inline function O(n: i32): i32 {
  return <i32>(n > 0);
}

function sums<T>(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize,
  within: usize, across: usize, occupiedWithin: usize, occupiedAcross: usize,
): void {
  for (let j = jFrom; j < jTo; j++) {
    const slotJ = j * capacity;
    for (let i = 0; i < j; i++) {
      const p = (j * (j - 1)) / 2 + i - firstPair;
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
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize,
  within: usize, across: usize, occupiedWithin: usize, occupiedAcross: usize,
): void {
  sums<u16>(cells, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, t, within, across, occupiedWithin, occupiedAcross);
}

export function sums32(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize,
  within: usize, across: usize, occupiedWithin: usize, occupiedAcross: usize,
): void {
  sums<u32>(cells, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, t, within, across, occupiedWithin, occupiedAcross);
}

// constants: [totals ×7][modeTerms ×7][weights ×7], f64. scratch: 16 i32 (unused: the both-fired cells of each
// quarter, summed over the modes, are locals s<q>_<ab>), 7 f64, then 36 i32 (the quarters' overall tables). unitQuarters: per unit and quarter [count of symbol 1, of symbol 2, firings], and
// modeQuarters the bins per quarter, i32. Per mode the quarters are taken in turn, their nine cells in locals
// (none, j1, j2, i1, i2, c11, c12, c21, c22), each set's sum receiving its terms in the order of
// quadraticJoints3's loops (mode, then cell), so both give the same bits.
function quadratic<T>(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, f: usize, constants: usize, scratch: usize, joints: usize,
  unitQuarters: usize, modeQuarters: usize,
): void {
  const both = scratch;
  const within = scratch + 16 * 4;
  const quarterCells = within + 7 * 8;
  for (let j = jFrom; j < jTo; j++) {
    const slotsJ = j * 4 * capacity;
    for (let i = 0; i < j; i++) {
      const p = (j * (j - 1)) / 2 + i - firstPair;
      const slotsI = i * 4 * capacity;
      const pairBase = <usize>p * <usize>perPair;
      let s0_11 = 0;
      let s0_12 = 0;
      let s0_21 = 0;
      let s0_22 = 0;
      let s1_11 = 0;
      let s1_12 = 0;
      let s1_21 = 0;
      let s1_22 = 0;
      let s2_11 = 0;
      let s2_12 = 0;
      let s2_21 = 0;
      let s2_22 = 0;
      let s3_11 = 0;
      let s3_12 = 0;
      let s3_21 = 0;
      let s3_22 = 0;
      let wFull: f64 = 0;
      let wHalf0: f64 = 0;
      let wHalf1: f64 = 0;
      let wq0: f64 = 0;
      let wq1: f64 = 0;
      let wq2: f64 = 0;
      let wq3: f64 = 0;
      for (let m = 0; m < modes; m++) {
        const slot0 = m + 0 * capacity;
        const at0 = pairBase + <usize>(slot0 * 4);
        const a11 = C<T>(cells, at0);
        const a12 = C<T>(cells, at0 + 1);
        const a21 = C<T>(cells, at0 + 2);
        const a22 = C<T>(cells, at0 + 3);
        const ui0 = (slotsI + slot0) << 1;
        const uj0 = (slotsJ + slot0) << 1;
        const a0 = I(modeCounts, slot0) - I(fired, slotsI + slot0) - I(fired, slotsJ + slot0) + a11 + a12 + a21 + a22;
        const a1 = I(unit, uj0) - a11 - a21;
        const a2 = I(unit, uj0 + 1) - a12 - a22;
        const a3 = I(unit, ui0) - a11 - a12;
        const a4 = I(unit, ui0 + 1) - a21 - a22;
        s0_11 += a11;
        s0_12 += a12;
        s0_21 += a21;
        s0_22 += a22;
        wq0 += F(f, a0);
        wq0 += F(f, a1);
        wq0 += F(f, a2);
        wq0 += F(f, a3);
        wq0 += F(f, a4);
        wq0 += F(f, a11);
        wq0 += F(f, a12);
        wq0 += F(f, a21);
        wq0 += F(f, a22);
        const slot1 = m + 1 * capacity;
        const at1 = pairBase + <usize>(slot1 * 4);
        const b11 = C<T>(cells, at1);
        const b12 = C<T>(cells, at1 + 1);
        const b21 = C<T>(cells, at1 + 2);
        const b22 = C<T>(cells, at1 + 3);
        const ui1 = (slotsI + slot1) << 1;
        const uj1 = (slotsJ + slot1) << 1;
        const b0 = I(modeCounts, slot1) - I(fired, slotsI + slot1) - I(fired, slotsJ + slot1) + b11 + b12 + b21 + b22;
        const b1 = I(unit, uj1) - b11 - b21;
        const b2 = I(unit, uj1 + 1) - b12 - b22;
        const b3 = I(unit, ui1) - b11 - b12;
        const b4 = I(unit, ui1 + 1) - b21 - b22;
        s1_11 += b11;
        s1_12 += b12;
        s1_21 += b21;
        s1_22 += b22;
        wq1 += F(f, b0);
        wq1 += F(f, b1);
        wq1 += F(f, b2);
        wq1 += F(f, b3);
        wq1 += F(f, b4);
        wq1 += F(f, b11);
        wq1 += F(f, b12);
        wq1 += F(f, b21);
        wq1 += F(f, b22);
        const h0_0 = a0 + b0;
        const h0_1 = a1 + b1;
        const h0_2 = a2 + b2;
        const h0_3 = a3 + b3;
        const h0_4 = a4 + b4;
        const h0_5 = a11 + b11;
        const h0_6 = a12 + b12;
        const h0_7 = a21 + b21;
        const h0_8 = a22 + b22;
        wHalf0 += F(f, h0_0);
        wHalf0 += F(f, h0_1);
        wHalf0 += F(f, h0_2);
        wHalf0 += F(f, h0_3);
        wHalf0 += F(f, h0_4);
        wHalf0 += F(f, h0_5);
        wHalf0 += F(f, h0_6);
        wHalf0 += F(f, h0_7);
        wHalf0 += F(f, h0_8);
        const slot2 = m + 2 * capacity;
        const at2 = pairBase + <usize>(slot2 * 4);
        const c11 = C<T>(cells, at2);
        const c12 = C<T>(cells, at2 + 1);
        const c21 = C<T>(cells, at2 + 2);
        const c22 = C<T>(cells, at2 + 3);
        const ui2 = (slotsI + slot2) << 1;
        const uj2 = (slotsJ + slot2) << 1;
        const c0 = I(modeCounts, slot2) - I(fired, slotsI + slot2) - I(fired, slotsJ + slot2) + c11 + c12 + c21 + c22;
        const c1 = I(unit, uj2) - c11 - c21;
        const c2 = I(unit, uj2 + 1) - c12 - c22;
        const c3 = I(unit, ui2) - c11 - c12;
        const c4 = I(unit, ui2 + 1) - c21 - c22;
        s2_11 += c11;
        s2_12 += c12;
        s2_21 += c21;
        s2_22 += c22;
        wq2 += F(f, c0);
        wq2 += F(f, c1);
        wq2 += F(f, c2);
        wq2 += F(f, c3);
        wq2 += F(f, c4);
        wq2 += F(f, c11);
        wq2 += F(f, c12);
        wq2 += F(f, c21);
        wq2 += F(f, c22);
        const slot3 = m + 3 * capacity;
        const at3 = pairBase + <usize>(slot3 * 4);
        const d11 = C<T>(cells, at3);
        const d12 = C<T>(cells, at3 + 1);
        const d21 = C<T>(cells, at3 + 2);
        const d22 = C<T>(cells, at3 + 3);
        const ui3 = (slotsI + slot3) << 1;
        const uj3 = (slotsJ + slot3) << 1;
        const d0 = I(modeCounts, slot3) - I(fired, slotsI + slot3) - I(fired, slotsJ + slot3) + d11 + d12 + d21 + d22;
        const d1 = I(unit, uj3) - d11 - d21;
        const d2 = I(unit, uj3 + 1) - d12 - d22;
        const d3 = I(unit, ui3) - d11 - d12;
        const d4 = I(unit, ui3 + 1) - d21 - d22;
        s3_11 += d11;
        s3_12 += d12;
        s3_21 += d21;
        s3_22 += d22;
        wq3 += F(f, d0);
        wq3 += F(f, d1);
        wq3 += F(f, d2);
        wq3 += F(f, d3);
        wq3 += F(f, d4);
        wq3 += F(f, d11);
        wq3 += F(f, d12);
        wq3 += F(f, d21);
        wq3 += F(f, d22);
        const h1_0 = c0 + d0;
        const h1_1 = c1 + d1;
        const h1_2 = c2 + d2;
        const h1_3 = c3 + d3;
        const h1_4 = c4 + d4;
        const h1_5 = c11 + d11;
        const h1_6 = c12 + d12;
        const h1_7 = c21 + d21;
        const h1_8 = c22 + d22;
        wHalf1 += F(f, h1_0);
        wHalf1 += F(f, h1_1);
        wHalf1 += F(f, h1_2);
        wHalf1 += F(f, h1_3);
        wHalf1 += F(f, h1_4);
        wHalf1 += F(f, h1_5);
        wHalf1 += F(f, h1_6);
        wHalf1 += F(f, h1_7);
        wHalf1 += F(f, h1_8);
        wFull += F(f, h0_0 + h1_0);
        wFull += F(f, h0_1 + h1_1);
        wFull += F(f, h0_2 + h1_2);
        wFull += F(f, h0_3 + h1_3);
        wFull += F(f, h0_4 + h1_4);
        wFull += F(f, h0_5 + h1_5);
        wFull += F(f, h0_6 + h1_6);
        wFull += F(f, h0_7 + h1_7);
        wFull += F(f, h0_8 + h1_8);
      }
      // The quarters' overall tables: the units' quarter totals and the both-fired cells summed over the modes.
      {
        const ui = (i * 4 + 0) * 3;
        const uj = (j * 4 + 0) * 3;
        const out = quarterCells + 0;
        store<i32>(out, I(modeQuarters, 0) - I(unitQuarters, ui + 2) - I(unitQuarters, uj + 2) + s0_11 + s0_12 + s0_21 + s0_22);
        store<i32>(out + 4, I(unitQuarters, uj) - s0_11 - s0_21);
        store<i32>(out + 8, I(unitQuarters, uj + 1) - s0_12 - s0_22);
        store<i32>(out + 12, I(unitQuarters, ui) - s0_11 - s0_12);
        store<i32>(out + 16, I(unitQuarters, ui + 1) - s0_21 - s0_22);
        store<i32>(out + 20, s0_11);
        store<i32>(out + 24, s0_12);
        store<i32>(out + 28, s0_21);
        store<i32>(out + 32, s0_22);
      }
      {
        const ui = (i * 4 + 1) * 3;
        const uj = (j * 4 + 1) * 3;
        const out = quarterCells + 36;
        store<i32>(out, I(modeQuarters, 1) - I(unitQuarters, ui + 2) - I(unitQuarters, uj + 2) + s1_11 + s1_12 + s1_21 + s1_22);
        store<i32>(out + 4, I(unitQuarters, uj) - s1_11 - s1_21);
        store<i32>(out + 8, I(unitQuarters, uj + 1) - s1_12 - s1_22);
        store<i32>(out + 12, I(unitQuarters, ui) - s1_11 - s1_12);
        store<i32>(out + 16, I(unitQuarters, ui + 1) - s1_21 - s1_22);
        store<i32>(out + 20, s1_11);
        store<i32>(out + 24, s1_12);
        store<i32>(out + 28, s1_21);
        store<i32>(out + 32, s1_22);
      }
      {
        const ui = (i * 4 + 2) * 3;
        const uj = (j * 4 + 2) * 3;
        const out = quarterCells + 72;
        store<i32>(out, I(modeQuarters, 2) - I(unitQuarters, ui + 2) - I(unitQuarters, uj + 2) + s2_11 + s2_12 + s2_21 + s2_22);
        store<i32>(out + 4, I(unitQuarters, uj) - s2_11 - s2_21);
        store<i32>(out + 8, I(unitQuarters, uj + 1) - s2_12 - s2_22);
        store<i32>(out + 12, I(unitQuarters, ui) - s2_11 - s2_12);
        store<i32>(out + 16, I(unitQuarters, ui + 1) - s2_21 - s2_22);
        store<i32>(out + 20, s2_11);
        store<i32>(out + 24, s2_12);
        store<i32>(out + 28, s2_21);
        store<i32>(out + 32, s2_22);
      }
      {
        const ui = (i * 4 + 3) * 3;
        const uj = (j * 4 + 3) * 3;
        const out = quarterCells + 108;
        store<i32>(out, I(modeQuarters, 3) - I(unitQuarters, ui + 2) - I(unitQuarters, uj + 2) + s3_11 + s3_12 + s3_21 + s3_22);
        store<i32>(out + 4, I(unitQuarters, uj) - s3_11 - s3_21);
        store<i32>(out + 8, I(unitQuarters, uj + 1) - s3_12 - s3_22);
        store<i32>(out + 12, I(unitQuarters, ui) - s3_11 - s3_12);
        store<i32>(out + 16, I(unitQuarters, ui + 1) - s3_21 - s3_22);
        store<i32>(out + 20, s3_11);
        store<i32>(out + 24, s3_12);
        store<i32>(out + 28, s3_21);
        store<i32>(out + 32, s3_22);
      }
      let a0: f64 = 0;
      let a1: f64 = 0;
      let a2: f64 = 0;
      let a3: f64 = 0;
      let aHalf0: f64 = 0;
      let aHalf1: f64 = 0;
      let aFull: f64 = 0;
      for (let c = 0; c < 9; c++) {
        const n0 = I(quarterCells, c);
        const n1 = I(quarterCells, 9 + c);
        const n2 = I(quarterCells, 18 + c);
        const n3 = I(quarterCells, 27 + c);
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
      store<f64>(joints + (<usize>p << 3), joint);
    }
  }
}

export function quadratic16(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, f: usize, constants: usize, scratch: usize, joints: usize,
  unitQuarters: usize, modeQuarters: usize,
): void {
  quadratic<u16>(cells, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, f, constants, scratch, joints, unitQuarters, modeQuarters);
}

export function quadratic32(
  cells: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, f: usize, constants: usize, scratch: usize, joints: usize,
  unitQuarters: usize, modeQuarters: usize,
): void {
  quadratic<u32>(cells, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, f, constants, scratch, joints, unitQuarters, modeQuarters);
}

// The Panzeri–Treves (and shuffle) bracket of every pair's synergy: the twin of ReadoutKernel.synergyBoundsJs —
// sums<T> over the pairs' rows, and over the shuffled rows when `shuffled` ≠ 0, then the bounds — operation for
// operation. constants: [N, Σ_m f(N_m), modes present, D, 1/(2N ln 2), f(N)], f64; singles and conditionals per
// unit, f64; scratch: room for 2 × 24 bytes per pair (the two passes' within, across and occupied counts).
function bounds<T>(
  cells: usize, shuffled: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize, constants: usize, singles: usize, conditionals: usize,
  low: usize, high: usize, scratch: usize,
): void {
  const pairs = <usize>((jTo * (jTo - 1)) / 2 - firstPair);
  const within = scratch;
  const across = within + (pairs << 3);
  const occupiedWithin = across + (pairs << 3);
  const occupiedAcross = occupiedWithin + (pairs << 2);
  const shuffledWithin = occupiedAcross + (pairs << 2);
  const shuffledAcross = shuffledWithin + (pairs << 3);
  const shuffledOccupiedWithin = shuffledAcross + (pairs << 3);
  const shuffledOccupiedAcross = shuffledOccupiedWithin + (pairs << 2);
  sums<T>(cells, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, t, within, across, occupiedWithin, occupiedAcross);
  if (shuffled != 0) {
    sums<T>(shuffled, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, t, shuffledWithin, shuffledAcross, shuffledOccupiedWithin, shuffledOccupiedAcross);
  }
  const n = D(constants, 0);
  const modeTerm = D(constants, 1);
  const present = D(constants, 2);
  const d = D(constants, 3);
  const scale = D(constants, 4);
  const fN = D(constants, 5);
  for (let j = jFrom; j < jTo; j++) {
    for (let i = 0; i < j; i++) {
      const p = (j * (j - 1)) / 2 + i - firstPair;
      let lowJoint: f64 = 0;
      let highJoint: f64 = 0;
      if (n > 0) {
        const plugin = (fN - modeTerm + D(within, p) - D(across, p)) / n;
        lowJoint = plugin + (<f64>I(occupiedAcross, p) - 1 - present * (d - 1)) * scale;
        highJoint = plugin + (d - 1 - <f64>I(occupiedWithin, p) + present) * scale;
        if (shuffled != 0) {
          const entropy = (modeTerm - D(shuffledWithin, p)) / n - D(conditionals, i) - D(conditionals, j);
          lowJoint += entropy + (<f64>I(shuffledOccupiedWithin, p) - present) * scale;
          highJoint += entropy + present * (d - 1) * scale;
        }
      }
      store<f64>(low + (<usize>p << 3), lowJoint - D(singles, i) - D(singles, j));
      store<f64>(high + (<usize>p << 3), highJoint - D(singles, i) - D(singles, j));
    }
  }
}

export function bounds16(
  cells: usize, shuffled: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize, constants: usize, singles: usize, conditionals: usize,
  low: usize, high: usize, scratch: usize,
): void {
  bounds<u16>(cells, shuffled, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, t, constants, singles, conditionals, low, high, scratch);
}

export function bounds32(
  cells: usize, shuffled: usize, perPair: i32, capacity: i32, modes: i32, jFrom: i32, jTo: i32, firstPair: i32,
  unit: usize, fired: usize, modeCounts: usize, t: usize, constants: usize, singles: usize, conditionals: usize,
  low: usize, high: usize, scratch: usize,
): void {
  bounds<u32>(cells, shuffled, perPair, capacity, modes, jFrom, jTo, firstPair, unit, fired, modeCounts, t, constants, singles, conditionals, low, high, scratch);
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

// PairCountTables.updateBin's pair loop: `count` units ascending at `list` (i32), their symbols (≥ 1) after them;
// every pair of them whose larger unit is list[k] for k ≥ kFrom gets `delta` in its cell (x_l, x_k) of the slot at
// `pairOffset`. Row j starts at pair j(j−1)/2 − firstPair (the tables hold rows from the one at pair firstPair).
function updatePairs<T>(cells: usize, perPair: i32, s: i32, pairOffset: i32, list: usize, count: i32, delta: i32, firstPair: i32, kFrom: i32): void {
  const symbols = list + (<usize>count << 2);
  for (let k = max(kFrom, 1); k < count; k++) {
    const j = I(list, k);
    const bj = I(symbols, k) - 1;
    const rowBase = <usize>((j * (j - 1)) / 2 - firstPair) * <usize>perPair + <usize>(pairOffset + bj);
    for (let l = 0; l < k; l++) {
      const at = cells + ((rowBase + <usize>(I(list, l) * perPair + (I(symbols, l) - 1) * s)) << alignof<T>());
      store<T>(at, <T>(<i32>load<T>(at) + delta));
    }
  }
}

export function updatePairs16(cells: usize, perPair: i32, s: i32, pairOffset: i32, list: usize, count: i32, delta: i32, firstPair: i32, kFrom: i32): void {
  updatePairs<u16>(cells, perPair, s, pairOffset, list, count, delta, firstPair, kFrom);
}

export function updatePairs32(cells: usize, perPair: i32, s: i32, pairOffset: i32, list: usize, count: i32, delta: i32, firstPair: i32, kFrom: i32): void {
  updatePairs<u32>(cells, perPair, s, pairOffset, list, count, delta, firstPair, kFrom);
}

// PairCountTables.updateCrossPairs' loop: units `from` (ascending, `fromCount`, symbols after them) and `to` (likewise);
// each pair p < q with p from `from` and q from `to` gets `delta` in its cell (x_p, x_q) of the slot at `pairOffset`;
// row q starts at pair q(q−1)/2 − firstPair.
function updateCross<T>(cells: usize, perPair: i32, s: i32, pairOffset: i32, from: usize, fromCount: i32, to: usize, toCount: i32, delta: i32, firstPair: i32): void {
  const fromSymbols = from + (<usize>fromCount << 2);
  const toSymbols = to + (<usize>toCount << 2);
  for (let k = 0; k < toCount; k++) {
    const q = I(to, k);
    const bq = I(toSymbols, k) - 1;
    const rowBase = <usize>((q * (q - 1)) / 2 - firstPair) * <usize>perPair + <usize>(pairOffset + bq);
    for (let l = 0; l < fromCount; l++) {
      const p = I(from, l);
      if (p >= q) break;
      const at = cells + ((rowBase + <usize>(p * perPair + (I(fromSymbols, l) - 1) * s)) << alignof<T>());
      store<T>(at, <T>(<i32>load<T>(at) + delta));
    }
  }
}

export function updateCross16(cells: usize, perPair: i32, s: i32, pairOffset: i32, from: usize, fromCount: i32, to: usize, toCount: i32, delta: i32, firstPair: i32): void {
  updateCross<u16>(cells, perPair, s, pairOffset, from, fromCount, to, toCount, delta, firstPair);
}

export function updateCross32(cells: usize, perPair: i32, s: i32, pairOffset: i32, from: usize, fromCount: i32, to: usize, toCount: i32, delta: i32, firstPair: i32): void {
  updateCross<u32>(cells, perPair, s, pairOffset, from, fromCount, to, toCount, delta, firstPair);
}
