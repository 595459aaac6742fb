import type { Snapshot } from './snapshot.ts';

/**
 * The JSON form of a snapshot: the text-frame message of the ingest protocol
 * and the record of a snapshot JSONL file (one per line).
 *
 * ```json
 * {"type":"snapshot","seq":5,"step":1200,"labels":["cat","dog",null],
 *  "values":[[0.1,0.7],[0.3,0.2],[0.9,0.4]],"neurons":["n0","n1"]}
 * ```
 *
 * | field     | required               | meaning |
 * |-----------|------------------------|---------|
 * | `type`    | message: yes; JSONL: no | `"snapshot"` |
 * | `seq`     | message: yes; JSONL: no | the connection's sequence number, a whole number ≥ 0 |
 * | `step`    | yes                    | training step, a finite number |
 * | `labels`  | yes                    | one per row: a string, a number (taken as its decimal text) or null (unlabeled) |
 * | `values`  | yes                    | rows (samples) of equal length (neurons) ≥ 1, finite numbers |
 * | `neurons` | no                     | names of the columns (strings or numbers), distinct, one per column |
 *
 * Other fields are not errors: each is named in `warnings`.
 */
export const SNAPSHOT_MESSAGE_FIELDS = ['type', 'seq', 'step', 'labels', 'values', 'neurons'] as const;

export interface ParsedSnapshot {
  /** The message's seq; undefined only for a record (JSONL) without one. */
  seq: number | undefined;
  snapshot: Snapshot;
  /** One line per field that is not part of the form (the snapshot is read without it). */
  warnings: string[];
}

/**
 * Reads a snapshot message (the ingest protocol's text frame): `type` must be
 * "snapshot" and `seq` a whole number ≥ 0. Throws RangeError naming the field
 * and what was expected; unknown fields come back as warnings.
 */
export function parseSnapshotMessage(obj: unknown): { seq: number; snapshot: Snapshot; warnings: string[] } {
  const parsed = parseSnapshotJson(obj, true);
  return { seq: parsed.seq as number, snapshot: parsed.snapshot, warnings: parsed.warnings };
}

/**
 * Reads a snapshot record (a line of a snapshot JSONL file): like
 * parseSnapshotMessage, but `type` and `seq` may be left out (when present
 * they must be right).
 */
export function parseSnapshotRecord(obj: unknown): ParsedSnapshot {
  return parseSnapshotJson(obj, false);
}

function parseSnapshotJson(obj: unknown, isMessage: boolean): ParsedSnapshot {
  const bad = (field: string, what: string): never => {
    throw new RangeError(`snapshot: "${field}" ${what}`);
  };
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new RangeError(`snapshot: expected a JSON object, got ${Array.isArray(obj) ? 'an array' : show(obj)}`);
  }
  const record = obj as Record<string, unknown>;
  if (isMessage || record.type !== undefined) {
    if (record.type !== 'snapshot') bad('type', `is ${show(record.type)}; expected "snapshot"`);
  }
  let seq: number | undefined;
  if (isMessage || record.seq !== undefined) {
    const value = record.seq;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad('seq', `is ${show(value)}; expected a whole number ≥ 0`);
    seq = value as number;
  }
  const step = record.step;
  if (typeof step !== 'number' || !Number.isFinite(step)) bad('step', `is ${show(step)}; expected a finite number (the training step)`);

  const rows = record.values;
  if (!Array.isArray(rows) || rows.length === 0) bad('values', `is ${show(rows)}; expected an array of rows (one per sample), at least one`);
  const matrix = rows as unknown[];
  const first = matrix[0];
  if (!Array.isArray(first) || first.length === 0) bad('values', `row 0 is ${show(first)}; expected an array of numbers (one per neuron), at least one`);
  const samples = matrix.length;
  const neurons = (first as unknown[]).length;
  const values = new Float64Array(samples * neurons);
  for (let i = 0; i < samples; i++) {
    const row = matrix[i];
    if (!Array.isArray(row)) bad('values', `row ${i} is ${show(row)}; expected an array of ${neurons} numbers`);
    const cells = row as unknown[];
    if (cells.length !== neurons) bad('values', `row ${i} has ${cells.length} entries, row 0 has ${neurons}; rows must be as long`);
    for (let j = 0; j < neurons; j++) {
      const value = cells[j];
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('values', `row ${i}, column ${j} is ${show(value)}; expected a finite number`);
      values[i * neurons + j] = value as number;
    }
  }

  const labelList = record.labels;
  if (!Array.isArray(labelList)) bad('labels', `is ${show(labelList)}; expected an array of ${samples} labels (strings, numbers or null)`);
  if ((labelList as unknown[]).length !== samples) bad('labels', `has ${(labelList as unknown[]).length} entries for ${samples} rows of "values"; expected one per row`);
  const labels = (labelList as unknown[]).map((label, i) => {
    if (label === null) return null;
    if (typeof label === 'string' && label !== '') return label;
    if (typeof label === 'number' && Number.isFinite(label)) return String(label);
    return bad('labels', `entry ${i} is ${show(label)}; expected a non-empty string, a number or null (unlabeled)`);
  });

  const snapshot: Snapshot = { step: step as number, samples, neurons, values, labels };
  if (record.neurons !== undefined) {
    const names = record.neurons;
    if (!Array.isArray(names) || names.length !== neurons) bad('neurons', `is ${show(names)}; expected ${neurons} names, one per column of "values"`);
    const seen = new Map<string, number>();
    snapshot.neuronIds = (names as unknown[]).map((name, j) => {
      const id = typeof name === 'string' && name !== '' ? name : typeof name === 'number' && Number.isFinite(name) ? String(name) : undefined;
      if (id === undefined) return bad('neurons', `entry ${j} is ${show(name)}; expected a non-empty string or a number`);
      const other = seen.get(id);
      if (other !== undefined) bad('neurons', `names '${id}' twice (entries ${other} and ${j}); names must be distinct`);
      seen.set(id, j);
      return id;
    });
  }

  const warnings: string[] = [];
  for (const key of Object.keys(record)) {
    if (!(SNAPSHOT_MESSAGE_FIELDS as readonly string[]).includes(key)) warnings.push(`snapshot: field "${key}" is not part of the snapshot form and was ignored`);
  }
  return { seq, snapshot, warnings };
}

/** A value as an error message shows it, cut short. */
function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 40 ? text : `${text.slice(0, 40)}…`;
}
