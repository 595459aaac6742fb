// AssemblyScript source of the significance kernel (levels = 3): the
// WebAssembly twin of pairRowsJs and finishPair in ../../significanceRows.ts,
// operation for operation, so that both give the same bits. Built by
// `npm run build:wasm` into ../significanceKernelWasm.ts (committed); the
// memory is the LaggedPairTables' own (imported), and every argument is a
// byte address in it or a count. Layouts as in LaggedPairTables; pair p = j(j−1)/2 + i is at index p − firstPair
// (the first pair the tables hold: a tile's band of rows), in the cells and the results.

const TIE_BITS: f64 = 1e-12;

import { C, D, F, I } from './memoryAccess';

function rows<T>(
  cells: usize, perPair: i32, perUnit: i32, mK: i32, K: i32, modes: i32, count: i32, allLabeled: i32, available: i32,
  jFrom: i32, jTo: i32, firstPair: i32,
  f: usize, unitCounts: usize, modeCounts: usize, fired: usize, unitTerms: usize, constant: usize, total: usize,
  statistic: usize, excess: usize, beyond: usize, maxima: usize, sums: usize, values: usize, joint: usize,
): void {
  for (let j = jFrom; j < jTo; j++) {
    const unitJ = j * perUnit;
    const firedJ = j * modes * count;
    for (let i = 0; i < j; i++) {
      const index = (j * (j - 1)) / 2 + i - firstPair;
      const pairBase = <usize>index * <usize>perPair;
      const unitI = i * perUnit;
      const firedI = i * modes * count;
      memory.fill(sums, 0, <usize>count << 3);
      if (allLabeled) {
        let j11 = 0;
        let j12 = 0;
        let j21 = 0;
        let j22 = 0;
        let jI1 = 0;
        let jI2 = 0;
        let jJ1 = 0;
        let jJ2 = 0;
        let jNone = 0;
        for (let m = 0; m < modes; m++) {
          const base = pairBase + <usize>(m * K);
          j11 += C<T>(cells, base);
          j12 += C<T>(cells, base + <usize>mK);
          j21 += C<T>(cells, base + <usize>(2 * mK));
          j22 += C<T>(cells, base + <usize>(3 * mK));
          jI1 += I(unitCounts, unitI + m * K);
          jI2 += I(unitCounts, unitI + mK + m * K);
          jJ1 += I(unitCounts, unitJ + m * K);
          jJ2 += I(unitCounts, unitJ + mK + m * K);
          jNone += I(modeCounts, m * K) - I(fired, firedI + m * count) - I(fired, firedJ + m * count);
        }
        jNone += j11 + j12 + j21 + j22;
        jI1 -= j11 + j12;
        jI2 -= j21 + j22;
        jJ1 -= j11 + j21;
        jJ2 -= j12 + j22;
        const jointTerm = F(f, jNone) + F(f, jJ1) + F(f, jJ2) + F(f, jI1) + F(f, j11) + F(f, j12) + F(f, jI2) + F(f, j21) + F(f, j22);
        for (let m = 0; m < modes; m++) {
          const base = pairBase + <usize>(m * K);
          const baseI = unitI + m * K;
          const baseJ = unitJ + m * K;
          const firedIm = firedI + m * count;
          const firedJm = firedJ + m * count;
          const modeBase = m * K;
          if (j22 == 0) {
            for (let k = 0; k < count; k++) {
              const c11 = C<T>(cells, base + <usize>k);
              const c12 = C<T>(cells, base + <usize>(mK + k));
              const c21 = C<T>(cells, base + <usize>(2 * mK + k));
              const term =
                F(f, c11) +
                F(f, c12) +
                F(f, c21) +
                F(f, I(unitCounts, baseI + k) - c11 - c12) +
                F(f, I(unitCounts, baseI + mK + k) - c21) +
                F(f, I(unitCounts, baseJ + k) - c11 - c21) +
                F(f, I(unitCounts, baseJ + mK + k) - c12) +
                F(f, I(modeCounts, modeBase + k) - I(fired, firedIm + k) - I(fired, firedJm + k) + c11 + c12 + c21);
              store<f64>(sums + (<usize>k << 3), D(sums, k) + term);
            }
          } else {
            for (let k = 0; k < count; k++) {
              const c11 = C<T>(cells, base + <usize>k);
              const c12 = C<T>(cells, base + <usize>(mK + k));
              const c21 = C<T>(cells, base + <usize>(2 * mK + k));
              const c22 = C<T>(cells, base + <usize>(3 * mK + k));
              const term =
                F(f, c11) +
                F(f, c12) +
                F(f, c21) +
                F(f, c22) +
                F(f, I(unitCounts, baseI + k) - c11 - c12) +
                F(f, I(unitCounts, baseI + mK + k) - c21 - c22) +
                F(f, I(unitCounts, baseJ + k) - c11 - c21) +
                F(f, I(unitCounts, baseJ + mK + k) - c12 - c22) +
                F(f, I(modeCounts, modeBase + k) - I(fired, firedIm + k) - I(fired, firedJm + k) + c11 + c12 + c21 + c22);
              store<f64>(sums + (<usize>k << 3), D(sums, k) + term);
            }
          }
        }
        for (let k = 0; k < count; k++) {
          store<f64>(values + (<usize>k << 3), (D(sums, k) - jointTerm + D(unitTerms, i * count + k) + D(unitTerms, j * count + k) + D(constant, k)) / D(total, k));
        }
      } else {
        memory.fill(joint, 0, <usize>(9 * count) << 2);
        for (let m = 0; m < modes; m++) {
          const base = pairBase + <usize>(m * K);
          const baseI = unitI + m * K;
          const baseJ = unitJ + m * K;
          const firedIm = firedI + m * count;
          const firedJm = firedJ + m * count;
          const modeBase = m * K;
          for (let k = 0; k < count; k++) {
            const c11 = C<T>(cells, base + <usize>k);
            const c12 = C<T>(cells, base + <usize>(mK + k));
            const c21 = C<T>(cells, base + <usize>(2 * mK + k));
            const c22 = C<T>(cells, base + <usize>(3 * mK + k));
            const i1 = I(unitCounts, baseI + k) - c11 - c12;
            const i2 = I(unitCounts, baseI + mK + k) - c21 - c22;
            const b1 = I(unitCounts, baseJ + k) - c11 - c21;
            const b2 = I(unitCounts, baseJ + mK + k) - c12 - c22;
            const none = I(modeCounts, modeBase + k) - I(fired, firedIm + k) - I(fired, firedJm + k) + c11 + c12 + c21 + c22;
            const term = F(f, c11) + F(f, c12) + F(f, c21) + F(f, c22) + F(f, i1) + F(f, i2) + F(f, b1) + F(f, b2) + F(f, none);
            store<f64>(sums + (<usize>k << 3), D(sums, k) + term);
            const cell = joint + (<usize>(9 * k) << 2);
            store<i32>(cell, load<i32>(cell) + none);
            store<i32>(cell + 4, load<i32>(cell + 4) + b1);
            store<i32>(cell + 8, load<i32>(cell + 8) + b2);
            store<i32>(cell + 12, load<i32>(cell + 12) + i1);
            store<i32>(cell + 16, load<i32>(cell + 16) + c11);
            store<i32>(cell + 20, load<i32>(cell + 20) + c12);
            store<i32>(cell + 24, load<i32>(cell + 24) + i2);
            store<i32>(cell + 28, load<i32>(cell + 28) + c21);
            store<i32>(cell + 32, load<i32>(cell + 32) + c22);
          }
        }
        for (let k = 0; k < count; k++) {
          const n = D(total, k);
          if (n == 0) {
            store<f64>(values + (<usize>k << 3), 0);
            continue;
          }
          const cell = 9 * k;
          const sum =
            D(sums, k) -
            (F(f, I(joint, cell)) + F(f, I(joint, cell + 1)) + F(f, I(joint, cell + 2)) + F(f, I(joint, cell + 3)) + F(f, I(joint, cell + 4)) + F(f, I(joint, cell + 5)) + F(f, I(joint, cell + 6)) + F(f, I(joint, cell + 7)) + F(f, I(joint, cell + 8)));
          store<f64>(values + (<usize>k << 3), (sum + D(unitTerms, i * count + k) + D(unitTerms, j * count + k) + D(constant, k)) / n);
        }
      }
      // finishPair
      let sum: f64 = 0;
      for (let v = 0; v < count; v++) sum += D(values, v);
      const mean = sum / <f64>count;
      const value0 = D(values, 0);
      const observed = value0 - mean;
      store<f64>(statistic + (<usize>index << 3), value0);
      store<f64>(excess + (<usize>index << 3), available == 0 ? 0 : observed);
      const reach = abs<f64>(observed) - TIE_BITS;
      let atLeast: u32 = 0;
      for (let v = 1; v < count; v++) {
        const distance = abs<f64>(D(values, v) - mean);
        const slot = maxima + (<usize>(v - 1) << 3);
        if (distance > load<f64>(slot)) store<f64>(slot, distance);
        if (distance >= reach) atLeast++;
      }
      store<u32>(beyond + (<usize>index << 2), atLeast);
    }
  }
}

export function rows16(
  cells: usize, perPair: i32, perUnit: i32, mK: i32, K: i32, modes: i32, count: i32, allLabeled: i32, available: i32,
  jFrom: i32, jTo: i32, firstPair: i32,
  f: usize, unitCounts: usize, modeCounts: usize, fired: usize, unitTerms: usize, constant: usize, total: usize,
  statistic: usize, excess: usize, beyond: usize, maxima: usize, sums: usize, values: usize, joint: usize,
): void {
  rows<u16>(cells, perPair, perUnit, mK, K, modes, count, allLabeled, available, jFrom, jTo, firstPair, f, unitCounts, modeCounts, fired, unitTerms, constant, total, statistic, excess, beyond, maxima, sums, values, joint);
}

export function rows32(
  cells: usize, perPair: i32, perUnit: i32, mK: i32, K: i32, modes: i32, count: i32, allLabeled: i32, available: i32,
  jFrom: i32, jTo: i32, firstPair: i32,
  f: usize, unitCounts: usize, modeCounts: usize, fired: usize, unitTerms: usize, constant: usize, total: usize,
  statistic: usize, excess: usize, beyond: usize, maxima: usize, sums: usize, values: usize, joint: usize,
): void {
  rows<i32>(cells, perPair, perUnit, mK, K, modes, count, allLabeled, available, jFrom, jTo, firstPair, f, unitCounts, modeCounts, fired, unitTerms, constant, total, statistic, excess, beyond, maxima, sums, values, joint);
}
