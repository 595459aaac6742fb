import { readSharedJson } from './shared.ts';

/** A weighted outcome of exact.json. */
export interface WeightedOutcome {
  x1: number;
  x2: number;
  y: number;
  weight: number;
}

export interface PidAtomsVector {
  redundancy: number;
  unique1: number;
  unique2: number;
  synergy: number;
}

export interface PairVector {
  name: string;
  samples: WeightedOutcome[];
  bits: Record<'joint' | 'ia' | 'ib' | 'synergy' | 'coinfo' | 'oinfo' | 'tc' | 'dtc' | 'sinfo', number>;
  pid: { imin: PidAtomsVector; mmi: PidAtomsVector };
}

export interface MultivariateVector {
  name: string;
  n: number;
  H: number;
  tc: number;
  dtc: number;
  oinfo: number;
  sinfo: number;
}

export interface ExactVectors {
  pairs: PairVector[];
  multivariate: MultivariateVector[];
  three_input_xor: Record<string, number>;
}

export interface SmallSampleVectors {
  x1: number[];
  x2: number[];
  y: number[];
  values: Record<string, Record<string, number>>;
  breakdown_plugin: Record<'lin' | 'sig_sim' | 'cor_ind' | 'cor_dep', number>;
  pid_plugin: { imin: PidAtomsVector };
}

export const loadExact = () => readSharedJson<ExactVectors>('testvectors/exact.json');
export const loadSmallSample = () => readSharedJson<SmallSampleVectors>('testvectors/small-sample.json');

/** Columns x1, x2, y with each outcome repeated `weight` times. */
export function expandWeighted(samples: readonly WeightedOutcome[]): [number[], number[], number[]] {
  const x1: number[] = [];
  const x2: number[] = [];
  const y: number[] = [];
  for (const s of samples) {
    for (let k = 0; k < s.weight; k++) {
      x1.push(s.x1);
      x2.push(s.x2);
      y.push(s.y);
    }
  }
  return [x1, x2, y];
}

/** All words of n bits with even parity (parity{n}), as n columns. */
export function parityColumns(n: number): number[][] {
  const columns: number[][] = Array.from({ length: n }, () => []);
  for (let word = 0; word < 1 << n; word++) {
    let ones = 0;
    for (let b = 0; b < n; b++) ones += (word >> b) & 1;
    if (ones % 2 !== 0) continue;
    for (let b = 0; b < n; b++) columns[b].push((word >> b) & 1);
  }
  return columns;
}

/** n copies of one fair bit (giantbit{n}), as n columns. */
export function giantBitColumns(n: number): number[][] {
  return Array.from({ length: n }, () => [0, 1]);
}

/** Three fair input bits and Y their XOR, as columns x1, x2, x3, y. */
export function threeInputXorColumns(): number[][] {
  const columns: number[][] = [[], [], [], []];
  for (let word = 0; word < 8; word++) {
    const bits = [word & 1, (word >> 1) & 1, (word >> 2) & 1];
    bits.forEach((b, i) => columns[i].push(b));
    columns[3].push(bits[0] ^ bits[1] ^ bits[2]);
  }
  return columns;
}
