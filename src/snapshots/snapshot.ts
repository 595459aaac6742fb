import { InputFormatError } from '../errors.ts';

/**
 * One snapshot of a network (or any population) as the snapshot analysis
 * takes it: a matrix of continuous values, samples × neurons (e.g. the
 * activations of a layer over a fixed probe set of inputs), one label per
 * sample (the input's class) and the training step it was taken at.
 *
 * Every reader (files, the binary frame, the JSON message) and the simulator
 * make this one type, and check it with checkSnapshot before handing it on.
 */
export interface Snapshot {
  /** Training step (any finite number; snapshots are analyzed in step order). */
  step: number;
  /** Rows of `values`: one per sample (probe input). */
  samples: number;
  /** Columns of `values`: one per neuron. */
  neurons: number;
  /** Row-major samples × neurons, every value finite. */
  values: Float64Array;
  /** One label per sample; null = unlabeled (the sample is left out of measures about the label). */
  labels: (string | null)[];
  /** Optional names of the columns, distinct; without them neurons are named by index. */
  neuronIds?: string[];
}

/**
 * Returns `s` if it is a well-formed snapshot, else throws an
 * InputFormatError naming `where` (a file, a line, a message) and the first
 * defect found: a step that is not finite, fewer than one sample or neuron,
 * `values` or `labels` of the wrong length, a value that is not finite (by
 * sample and neuron), a label that is neither a string nor null, neuron ids
 * of the wrong length or named twice.
 */
export function checkSnapshot(s: Snapshot, where: string): Snapshot {
  const bad = (message: string): never => {
    throw new InputFormatError(`snapshot: ${message}`, where);
  };
  if (typeof s.step !== 'number' || !Number.isFinite(s.step)) bad(`step ${String(s.step)} is not a finite number`);
  if (!Number.isSafeInteger(s.samples) || s.samples < 1) bad(`samples is ${String(s.samples)}; expected a whole number ≥ 1`);
  if (!Number.isSafeInteger(s.neurons) || s.neurons < 1) bad(`neurons is ${String(s.neurons)}; expected a whole number ≥ 1`);
  if (!(s.values instanceof Float64Array)) bad('values must be a Float64Array');
  const cells = s.samples * s.neurons;
  if (s.values.length !== cells) bad(`values holds ${s.values.length} numbers; ${s.samples} samples × ${s.neurons} neurons need ${cells}`);
  for (let i = 0; i < cells; i++) {
    if (!Number.isFinite(s.values[i])) {
      bad(`the value of sample ${Math.floor(i / s.neurons)}, neuron ${i % s.neurons} is ${s.values[i]}; every value must be finite`);
    }
  }
  if (!Array.isArray(s.labels)) bad('labels must be an array');
  if (s.labels.length !== s.samples) bad(`labels holds ${s.labels.length} labels for ${s.samples} samples; expected one per sample`);
  for (let i = 0; i < s.labels.length; i++) {
    const label = s.labels[i];
    if (label !== null && typeof label !== 'string') bad(`label of sample ${i} is ${typeof label}; expected a string or null`);
  }
  if (s.neuronIds !== undefined) {
    if (!Array.isArray(s.neuronIds) || s.neuronIds.length !== s.neurons) {
      bad(`neuronIds holds ${Array.isArray(s.neuronIds) ? s.neuronIds.length : 'no'} names for ${s.neurons} neurons; expected one per neuron`);
    }
    const seen = new Map<string, number>();
    s.neuronIds.forEach((id, column) => {
      if (typeof id !== 'string') bad(`neuronIds[${column}] is ${typeof id}; expected a string`);
      const first = seen.get(id);
      if (first !== undefined) bad(`neuron id '${id}' names both column ${first} and column ${column}; ids must be distinct`);
      seen.set(id, column);
    });
  }
  return s;
}
