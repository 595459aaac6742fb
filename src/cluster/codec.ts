import { endianness } from 'node:os';
import type { TileEmission, TileFrame, TilePair, TileSignificance } from '../engine/tiles.ts';
import { BadDataError } from '../errors.ts';

/**
 * Binary messages between the machines of a scaled-out run, as the values of
 * Redis stream fields: a tile's frames (TileFrame), a tile's emissions
 * (TileEmission), and a generic control message. One layout serves all
 * three, little-endian:
 *
 * | offset    | bytes | field                                                      |
 * |-----------|-------|------------------------------------------------------------|
 * | 0         | 4     | magic 'SYNC' (0x53 0x59 0x4E 0x43)                         |
 * | 4         | 1     | version, 1                                                 |
 * | 5         | 3     | reserved, 0                                                |
 * | 8         | 4     | h, uint32: bytes of the header                             |
 * | 12        | h     | header, UTF-8 JSON (below)                                 |
 * | 12 + h    | 0–7   | zeros up to a multiple of 8                                |
 * | …         | …     | each array of the header's `arrays` in turn, its elements  |
 * |           |       | little-endian, followed by zeros up to a multiple of 8     |
 *
 * The header is `{"kind", "fields", "extra", "arrays"}`: `kind` is 'frame',
 * 'emission' or 'control'; `fields` the message's own scalars; `extra`
 * scalars the caller adds (so that the header can grow without a new
 * version); `arrays` a list of [name, type, length] with type 'f64', 'u32',
 * 'i32' or 'u8', in the order the arrays follow. Every array starts 8-byte
 * aligned, so a reader in any language can view it in place. Numbers JSON
 * cannot hold (±Infinity, NaN, −0) are written {"$f": "Infinity"} and so on,
 * so that every scalar, like every array element, comes back bit for bit.
 *
 * Decoders check everything before they allocate: the size against a cap
 * (maxBytes), the header's shape, every length against the bytes present
 * (the buffer must end exactly after the last array), zero padding, and the
 * message's own invariants (a frame's offsets, an emission's significance
 * lengths). Anything wrong throws BadDataError (code CLUSTER_MESSAGE) naming
 * what was expected; no malformed input reaches a typed-array constructor.
 */

/** A scalar of a header: what `extra` and a control message's fields may hold. */
export type ScalarValue = string | number | boolean | null;

/** Scalars a caller adds to a message's header. */
export type ExtraFields = Record<string, ScalarValue>;

/** The typed arrays a message may carry. */
export type MessageArray = Float64Array | Uint32Array | Int32Array | Uint8Array;

/** A message for the run's control traffic: a type, scalars, and named arrays. */
export interface ControlMessage {
  type: string;
  fields: ExtraFields;
  arrays: Record<string, MessageArray>;
}

/** A decoded frame with the scalars its writer added. */
export interface DecodedFrame {
  frame: TileFrame;
  extra: ExtraFields;
}

/** A decoded emission with the scalars its writer added. */
export interface DecodedEmission {
  emission: TileEmission;
  extra: ExtraFields;
}

/** The code of every BadDataError a decoder throws. */
export const MESSAGE_ERROR_CODE = 'CLUSTER_MESSAGE';

/** Default cap on a message's size, bytes (64 MiB: a frame of ~10⁶ bins of a busy array). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Cap on the header alone, bytes: it holds scalars, not data. */
export const MAX_HEADER_BYTES = 1024 * 1024;

const MAGIC = Buffer.from('SYNC', 'latin1');
const VERSION = 1;
const PREAMBLE_BYTES = 12;
const littleEndianHost = endianness() === 'LE';

type ArrayType = 'f64' | 'u32' | 'i32' | 'u8';
const ELEMENT_BYTES: Record<ArrayType, number> = { f64: 8, u32: 4, i32: 4, u8: 1 };
const KINDS = ['frame', 'emission', 'control'] as const;
type Kind = (typeof KINDS)[number];

function fail(what: string, message: string): never {
  throw new BadDataError(`${what}: ${message}`, MESSAGE_ERROR_CODE);
}

function arrayType(array: MessageArray): ArrayType {
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Uint32Array) return 'u32';
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Uint8Array) return 'u8';
  throw new TypeError(`unsupported array type ${Object.prototype.toString.call(array)}`);
}

function newArray(type: ArrayType, length: number): MessageArray {
  switch (type) {
    case 'f64':
      return new Float64Array(length);
    case 'u32':
      return new Uint32Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'u8':
      return new Uint8Array(length);
  }
}

const padded = (bytes: number): number => Math.ceil(bytes / 8) * 8;

/** Reverses each element's bytes in place (only on a big-endian host). */
function swapBytes(bytes: Uint8Array, elementBytes: number): void {
  for (let at = 0; at < bytes.length; at += elementBytes) bytes.subarray(at, at + elementBytes).reverse();
}

// Tagged numbers: what JSON.stringify would lose (NaN, ±Infinity → null; −0 → 0).
const TAG = '$f';
const TAGGED: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

function tagNumber(value: number): number | { [TAG]: string } {
  if (Number.isNaN(value)) return { [TAG]: 'NaN' };
  if (value === Infinity) return { [TAG]: 'Infinity' };
  if (value === -Infinity) return { [TAG]: '-Infinity' };
  if (Object.is(value, -0)) return { [TAG]: '-0' };
  return value;
}

function untagNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const text = (value as Record<string, unknown>)[TAG];
  return keys.length === 1 && keys[0] === TAG && typeof text === 'string' && Object.hasOwn(TAGGED, text) ? TAGGED[text] : undefined;
}

function encodeScalars(scalars: ExtraFields, what: string): Record<string, unknown> {
  // No prototype: a key named __proto__ is a key like any other.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(scalars)) {
    if (typeof value === 'number') out[key] = tagNumber(value);
    else if (typeof value === 'string' || typeof value === 'boolean' || value === null) out[key] = value;
    else throw new TypeError(`${what}: ${key} must be a string, number, boolean or null, got ${typeof value}`);
  }
  return out;
}

function decodeScalars(value: unknown, what: string): ExtraFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(what, 'expected an object of scalars');
  const out: ExtraFields = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'boolean' || item === null) out[key] = item;
    else {
      const number = untagNumber(item);
      if (number === undefined) fail(what, `${key} is not a scalar (string, number, boolean or null)`);
      out[key] = number;
    }
  }
  // A plain object again, so that callers and toEqual see an ordinary record.
  return { ...out };
}

/** Lays out a message: the preamble, the header, then each array 8-byte aligned. */
function encodeMessage(kind: Kind, fields: ExtraFields, extra: ExtraFields, arrays: ReadonlyArray<readonly [string, MessageArray]>): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      kind,
      fields: encodeScalars(fields, `${kind} fields`),
      extra: encodeScalars(extra, `${kind} extra`),
      arrays: arrays.map(([name, array]) => [name, arrayType(array), array.length]),
    }),
    'utf8',
  );
  if (header.length > MAX_HEADER_BYTES) throw new RangeError(`${kind} header is ${header.length} bytes, over the ${MAX_HEADER_BYTES} allowed`);
  let total = padded(PREAMBLE_BYTES + header.length);
  for (const [, array] of arrays) total += padded(array.byteLength);
  const buffer = Buffer.alloc(total);
  MAGIC.copy(buffer, 0);
  buffer.writeUInt8(VERSION, 4);
  buffer.writeUInt32LE(header.length, 8);
  header.copy(buffer, PREAMBLE_BYTES);
  let at = padded(PREAMBLE_BYTES + header.length);
  for (const [, array] of arrays) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    buffer.set(bytes, at);
    if (!littleEndianHost && array.BYTES_PER_ELEMENT > 1) swapBytes(buffer.subarray(at, at + array.byteLength), array.BYTES_PER_ELEMENT);
    at += padded(array.byteLength);
  }
  return buffer;
}

interface Envelope {
  fields: ExtraFields;
  extra: ExtraFields;
  arrays: Map<string, MessageArray>;
}

const isZero = (bytes: Uint8Array): boolean => bytes.every((byte) => byte === 0);

/** Checks and unpacks a message's layout (not its meaning); the arrays are copies, aligned and the reader's own. */
function decodeMessage(input: unknown, kind: Kind, maxBytes: number, what: string): Envelope {
  if (!Buffer.isBuffer(input) && !(input instanceof Uint8Array)) fail(what, `expected bytes, got ${input === null ? 'null' : typeof input}`);
  const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buffer.length > maxBytes) fail(what, `${buffer.length} bytes, over the ${maxBytes} allowed`);
  if (buffer.length < PREAMBLE_BYTES) fail(what, `${buffer.length} bytes, shorter than the ${PREAMBLE_BYTES}-byte preamble`);
  if (!buffer.subarray(0, 4).equals(MAGIC)) fail(what, `not a synergy cluster message (magic ${buffer.subarray(0, 4).toString('hex')}, expected ${MAGIC.toString('hex')})`);
  if (buffer[4] !== VERSION) fail(what, `version ${buffer[4]}, expected ${VERSION}`);
  if (!isZero(buffer.subarray(5, 8))) fail(what, 'reserved bytes 5–7 are not zero');
  const headerBytes = buffer.readUInt32LE(8);
  if (headerBytes > MAX_HEADER_BYTES) fail(what, `header of ${headerBytes} bytes, over the ${MAX_HEADER_BYTES} allowed`);
  if (PREAMBLE_BYTES + headerBytes > buffer.length) fail(what, `header of ${headerBytes} bytes runs past the end (${buffer.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerBytes)));
  } catch (error) {
    fail(what, `header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(what, 'header is not a JSON object');
  const { kind: foundKind, fields, extra, arrays } = header as Record<string, unknown>;
  if (foundKind !== kind) fail(what, `a ${JSON.stringify(foundKind)} message, expected ${JSON.stringify(kind)}`);
  if (!Array.isArray(arrays)) fail(what, 'header has no list of arrays');

  let at = padded(PREAMBLE_BYTES + headerBytes);
  if (at > buffer.length) fail(what, `truncated after the header (${buffer.length} bytes)`);
  if (!isZero(buffer.subarray(PREAMBLE_BYTES + headerBytes, at))) fail(what, 'padding after the header is not zero');
  const out = new Map<string, MessageArray>();
  for (const entry of arrays as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3) fail(what, 'each array must be listed as [name, type, length]');
    const [name, type, length] = entry as unknown[];
    if (typeof name !== 'string' || name === '') fail(what, `array name ${JSON.stringify(name)} is not a non-empty string`);
    if (out.has(name)) fail(what, `array ${name} listed twice`);
    if (typeof type !== 'string' || !Object.hasOwn(ELEMENT_BYTES, type)) fail(what, `array ${name} has type ${JSON.stringify(type)}, expected f64, u32, i32 or u8`);
    const elementBytes = ELEMENT_BYTES[type as ArrayType];
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) fail(what, `array ${name} has length ${JSON.stringify(length)}, expected a whole number ≥ 0`);
    // Checked before multiplying or allocating: the length must fit the bytes present.
    if (length > (buffer.length - at) / elementBytes) fail(what, `array ${name} of ${length} × ${elementBytes} bytes runs past the end (${buffer.length - at} bytes left)`);
    const byteLength = length * elementBytes;
    const array = newArray(type as ArrayType, length);
    const target = new Uint8Array(array.buffer, array.byteOffset, byteLength);
    target.set(buffer.subarray(at, at + byteLength));
    if (!littleEndianHost && elementBytes > 1) swapBytes(target, elementBytes);
    const end = padded(at + byteLength);
    if (end > buffer.length) fail(what, `array ${name}'s padding runs past the end`);
    if (!isZero(buffer.subarray(at + byteLength, end))) fail(what, `padding after array ${name} is not zero`);
    out.set(name, array);
    at = end;
  }
  if (at !== buffer.length) fail(what, `${buffer.length - at} bytes after the last array`);
  return { fields: decodeScalars(fields, `${what} fields`), extra: decodeScalars(extra ?? {}, `${what} extra`), arrays: out };
}

function wholeNumber(fields: ExtraFields, key: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) fail(what, `${key} is ${JSON.stringify(value)}, expected a whole number from 0 to ${max}`);
  return value;
}

function numberField(fields: ExtraFields, key: string, what: string): number {
  const value = fields[key];
  if (typeof value !== 'number') fail(what, `${key} is ${JSON.stringify(value)}, expected a number`);
  return value;
}

function typed<T extends MessageArray>(arrays: Map<string, MessageArray>, name: string, kind: new (length: number) => T, length: number, what: string): T {
  const array = arrays.get(name);
  if (array === undefined) fail(what, `array ${name} is missing`);
  if (!(array instanceof kind)) fail(what, `array ${name} has the wrong type`);
  if (array.length !== length) fail(what, `array ${name} has ${array.length} elements, expected ${length}`);
  return array as T;
}

function onlyArrays(arrays: Map<string, MessageArray>, expected: readonly string[], what: string): void {
  for (const name of arrays.keys()) if (!expected.includes(name)) fail(what, `unexpected array ${name}`);
}

const FRAME_ARRAYS = ['offsets', 'unit', 'count', 'label'] as const;

/**
 * A frame's invariants (TileFrame): offsets run from 0 to unit.length without
 * decreasing, binCount + 1 of them; count and unit as long; one label per bin;
 * in each bin the units ascend strictly and lie below `units`, each fired at
 * least once; each label is −1 (unlabeled) or below `modes`.
 */
function checkFrame(frame: TileFrame, what: string): void {
  const { binCount, offsets, unit, count, label, units, modes } = frame;
  if (offsets.length !== binCount + 1) fail(what, `${offsets.length} offsets, expected binCount + 1 = ${binCount + 1}`);
  if (label.length !== binCount) fail(what, `${label.length} labels, expected binCount = ${binCount}`);
  if (count.length !== unit.length) fail(what, `${count.length} counts for ${unit.length} units`);
  if (offsets[0] !== 0) fail(what, `offsets start at ${offsets[0]}, expected 0`);
  if (offsets[binCount] !== unit.length) fail(what, `offsets end at ${offsets[binCount]}, expected unit.length = ${unit.length}`);
  // The offsets first, so that no bin's units are read outside unit[].
  for (let b = 0; b < binCount; b++) {
    if (offsets[b + 1] < offsets[b]) fail(what, `offsets decrease at bin ${frame.firstBin + b} (${offsets[b]} → ${offsets[b + 1]})`);
  }
  for (let b = 0; b < binCount; b++) {
    const from = offsets[b];
    const to = offsets[b + 1];
    for (let k = from; k < to; k++) {
      if (unit[k] >= units) fail(what, `unit ${unit[k]} in bin ${frame.firstBin + b}, but only ${units} units are known`);
      if (k > from && unit[k] <= unit[k - 1]) fail(what, `units of bin ${frame.firstBin + b} do not ascend (${unit[k - 1]} then ${unit[k]})`);
      if (count[k] === 0) fail(what, `unit ${unit[k]} in bin ${frame.firstBin + b} with a count of 0`);
    }
    if (label[b] < -1 || label[b] >= modes) fail(what, `label ${label[b]} in bin ${frame.firstBin + b}, expected −1 or a mode below ${modes}`);
  }
}

/**
 * A tile frame as bytes, with `extra` scalars in its header. Throws
 * BadDataError for a frame that breaks TileFrame's invariants (what a reader
 * would refuse is not written).
 */
export function encodeTileFrame(frame: TileFrame, extra: ExtraFields = {}): Buffer {
  const what = `frame at bin ${frame.firstBin}`;
  for (const key of ['firstBin', 'binCount', 'units', 'modes'] as const) wholeNumber(frame as unknown as ExtraFields, key, `cannot encode ${what}`);
  checkFrame(frame, `cannot encode ${what}`);
  return encodeMessage(
    'frame',
    { firstBin: frame.firstBin, binCount: frame.binCount, units: frame.units, modes: frame.modes, startTime: frame.startTime },
    extra,
    [
      ['offsets', frame.offsets],
      ['unit', frame.unit],
      ['count', frame.count],
      ['label', frame.label],
    ],
  );
}

/** A tile frame from bytes, checked (see the layout above); throws BadDataError naming what is wrong. */
export function decodeTileFrame(bytes: Uint8Array, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): DecodedFrame {
  const what = 'tile frame';
  const { fields, extra, arrays } = decodeMessage(bytes, 'frame', maxBytes, what);
  const binCount = wholeNumber(fields, 'binCount', what);
  const offsets = typed(arrays, 'offsets', Uint32Array, binCount + 1, what);
  const unit = arrays.get('unit');
  if (unit === undefined) fail(what, 'array unit is missing');
  const frame: TileFrame = {
    firstBin: wholeNumber(fields, 'firstBin', what),
    binCount,
    offsets,
    unit: typed(arrays, 'unit', Uint32Array, unit.length, what),
    count: typed(arrays, 'count', Uint32Array, unit.length, what),
    label: typed(arrays, 'label', Int32Array, binCount, what),
    units: wholeNumber(fields, 'units', what),
    modes: wholeNumber(fields, 'modes', what),
    startTime: numberField(fields, 'startTime', what),
  };
  onlyArrays(arrays, FRAME_ARRAYS, what);
  checkFrame(frame, what);
  return { frame, extra };
}

const PAIR_COLUMNS = ['i', 'j', 'joint', 'ia', 'ib', 'synergy'] as const;
type Presence = 'none' | 'all' | 'some';

function presence(pairs: readonly TilePair[], key: 'excess' | 'beyond'): Presence {
  let present = 0;
  for (const pair of pairs) if (pair[key] !== undefined) present++;
  return present === 0 ? 'none' : present === pairs.length ? 'all' : 'some';
}

const U32_MAX = 0xffff_ffff;

/**
 * A tile emission as bytes, with `extra` scalars in its header. The pairs go
 * as columns (i, j, beyond as uint32; joint, ia, ib, synergy, excess as
 * float64); an optional term present for some pairs only goes with a
 * presence column. Throws RangeError for a unit index or count of beyond
 * that is not a uint32, BadDataError for significance arrays of the wrong
 * lengths.
 */
export function encodeTileEmission(emission: TileEmission, extra: ExtraFields = {}): Buffer {
  const what = `cannot encode tile ${emission.tile}'s emission at bin ${emission.endBin}`;
  wholeNumber(emission as unknown as ExtraFields, 'tile', what);
  wholeNumber(emission as unknown as ExtraFields, 'endBin', what);
  const { pairs, significance } = emission;
  const n = pairs.length;
  const columns = { i: new Uint32Array(n), j: new Uint32Array(n), joint: new Float64Array(n), ia: new Float64Array(n), ib: new Float64Array(n), synergy: new Float64Array(n) };
  const excessPresence = presence(pairs, 'excess');
  const beyondPresence = presence(pairs, 'beyond');
  const excess = new Float64Array(excessPresence === 'none' ? 0 : n);
  const excessPresent = new Uint8Array(excessPresence === 'some' ? n : 0);
  const beyond = new Uint32Array(beyondPresence === 'none' ? 0 : n);
  const beyondPresent = new Uint8Array(beyondPresence === 'some' ? n : 0);
  const uint32 = (value: number, name: string, k: number): number => {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) throw new RangeError(`${what}: pair ${k}'s ${name} is ${value}, expected a whole number from 0 to ${U32_MAX}`);
    return value;
  };
  for (let k = 0; k < n; k++) {
    const pair = pairs[k];
    columns.i[k] = uint32(pair.i, 'i', k);
    columns.j[k] = uint32(pair.j, 'j', k);
    if (pair.i >= pair.j) throw new RangeError(`${what}: pair ${k} is (${pair.i}, ${pair.j}), expected i < j`);
    columns.joint[k] = pair.joint;
    columns.ia[k] = pair.ia;
    columns.ib[k] = pair.ib;
    columns.synergy[k] = pair.synergy;
    if (pair.excess !== undefined) {
      excess[k] = pair.excess;
      if (excessPresence === 'some') excessPresent[k] = 1;
    }
    if (pair.beyond !== undefined) {
      beyond[k] = uint32(pair.beyond, 'beyond', k);
      if (beyondPresence === 'some') beyondPresent[k] = 1;
    }
  }
  const arrays: Array<readonly [string, MessageArray]> = PAIR_COLUMNS.map((name) => [name, columns[name]] as const);
  if (excessPresence !== 'none') arrays.push(['excess', excess]);
  if (excessPresence === 'some') arrays.push(['excessPresent', excessPresent]);
  if (beyondPresence !== 'none') arrays.push(['beyond', beyond]);
  if (beyondPresence === 'some') arrays.push(['beyondPresent', beyondPresent]);
  const fields: ExtraFields = { tile: emission.tile, endBin: emission.endBin, pairs: n, excess: excessPresence, beyond: beyondPresence, significance: significance !== undefined };
  if (significance !== undefined) {
    fields.available = significance.available;
    fields.effective = significance.effective;
    checkSignificance(significance, what);
    arrays.push(['maxima', significance.maxima], ['beyondCounts', significance.beyondCounts], ['candidates', significance.candidates]);
  }
  if (emission.allPairs !== undefined) {
    arrays.push(['allSynergy', emission.allPairs.synergy]);
    if (emission.allPairs.excess !== undefined) arrays.push(['allExcess', emission.allPairs.excess]);
  }
  return encodeMessage('emission', fields, extra, arrays);
}

/** Significance's lengths (TileSignificance): a maximum per surrogate, a count per 0 … available surrogates beyond. */
function checkSignificance(significance: TileSignificance, what: string): void {
  const { available, maxima, beyondCounts } = significance;
  if (!Number.isSafeInteger(available) || available < 0) fail(what, `available is ${available}, expected a whole number ≥ 0`);
  if (typeof significance.effective !== 'number') fail(what, `effective is ${JSON.stringify(significance.effective)}, expected a number`);
  if (maxima.length !== available) fail(what, `${maxima.length} maxima, expected one per surrogate (${available})`);
  if (beyondCounts.length !== available + 1) fail(what, `${beyondCounts.length} beyond counts, expected available + 1 = ${available + 1}`);
}

function presenceField(fields: ExtraFields, key: string, what: string): Presence {
  const value = fields[key];
  if (value !== 'none' && value !== 'all' && value !== 'some') fail(what, `${key} is ${JSON.stringify(value)}, expected "none", "all" or "some"`);
  return value;
}

/** A tile emission from bytes, checked (see the layout above); throws BadDataError naming what is wrong. The pairs' order is the writer's (not checked). */
export function decodeTileEmission(bytes: Uint8Array, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): DecodedEmission {
  const what = 'tile emission';
  const { fields, extra, arrays } = decodeMessage(bytes, 'emission', maxBytes, what);
  const tile = wholeNumber(fields, 'tile', what);
  const endBin = wholeNumber(fields, 'endBin', what);
  const n = wholeNumber(fields, 'pairs', what);
  const i = typed(arrays, 'i', Uint32Array, n, what);
  const j = typed(arrays, 'j', Uint32Array, n, what);
  const joint = typed(arrays, 'joint', Float64Array, n, what);
  const ia = typed(arrays, 'ia', Float64Array, n, what);
  const ib = typed(arrays, 'ib', Float64Array, n, what);
  const synergy = typed(arrays, 'synergy', Float64Array, n, what);
  const excessPresence = presenceField(fields, 'excess', what);
  const beyondPresence = presenceField(fields, 'beyond', what);
  const excess = excessPresence === 'none' ? undefined : typed(arrays, 'excess', Float64Array, n, what);
  const excessPresent = excessPresence === 'some' ? typed(arrays, 'excessPresent', Uint8Array, n, what) : undefined;
  const beyond = beyondPresence === 'none' ? undefined : typed(arrays, 'beyond', Uint32Array, n, what);
  const beyondPresent = beyondPresence === 'some' ? typed(arrays, 'beyondPresent', Uint8Array, n, what) : undefined;
  const hasSignificance = fields.significance;
  if (typeof hasSignificance !== 'boolean') fail(what, `significance is ${JSON.stringify(hasSignificance)}, expected true or false`);
  let significance: TileSignificance | undefined;
  if (hasSignificance) {
    const available = wholeNumber(fields, 'available', what, U32_MAX - 1);
    significance = {
      available,
      effective: numberField(fields, 'effective', what),
      maxima: typed(arrays, 'maxima', Float64Array, available, what),
      beyondCounts: typed(arrays, 'beyondCounts', Uint32Array, available + 1, what),
      candidates: typed(arrays, 'candidates', Float64Array, arrays.get('candidates')?.length ?? 0, what),
    };
  }
  const expected: string[] = [...PAIR_COLUMNS];
  if (excess !== undefined) expected.push('excess');
  if (excessPresent !== undefined) expected.push('excessPresent');
  if (beyond !== undefined) expected.push('beyond');
  if (beyondPresent !== undefined) expected.push('beyondPresent');
  if (significance !== undefined) expected.push('maxima', 'beyondCounts', 'candidates');
  // Every pair of the tile (with groups): as many excesses as synergies.
  const allSynergyLength = arrays.get('allSynergy')?.length;
  const allSynergy = allSynergyLength === undefined ? undefined : typed(arrays, 'allSynergy', Float64Array, allSynergyLength, what);
  const allExcess = allSynergyLength === undefined || !arrays.has('allExcess') ? undefined : typed(arrays, 'allExcess', Float64Array, allSynergyLength, what);
  if (allSynergy !== undefined) expected.push('allSynergy');
  if (allExcess !== undefined) expected.push('allExcess');
  onlyArrays(arrays, expected, what);

  const pairs: TilePair[] = new Array(n);
  for (let k = 0; k < n; k++) {
    if (i[k] >= j[k]) fail(what, `pair ${k} is (${i[k]}, ${j[k]}), expected i < j`);
    const pair: TilePair = { i: i[k], j: j[k], joint: joint[k], ia: ia[k], ib: ib[k], synergy: synergy[k] };
    if (excessPresent !== undefined && excessPresent[k] > 1) fail(what, `excessPresent[${k}] is ${excessPresent[k]}, expected 0 or 1`);
    if (beyondPresent !== undefined && beyondPresent[k] > 1) fail(what, `beyondPresent[${k}] is ${beyondPresent[k]}, expected 0 or 1`);
    if (excess !== undefined && (excessPresent === undefined || excessPresent[k] === 1)) pair.excess = excess[k];
    if (beyond !== undefined && (beyondPresent === undefined || beyondPresent[k] === 1)) {
      if (significance !== undefined && beyond[k] > significance.available) fail(what, `pair ${k} has ${beyond[k]} surrogates beyond, of ${significance.available} available`);
      pair.beyond = beyond[k];
    }
    pairs[k] = pair;
  }
  const emission: TileEmission = { tile, endBin, pairs };
  if (significance !== undefined) emission.significance = significance;
  if (allSynergy !== undefined) emission.allPairs = { synergy: allSynergy, ...(allExcess === undefined ? {} : { excess: allExcess }) };
  return { emission, extra };
}

const CONTROL_TYPE_FIELD = 'type';

/** A control message as bytes: its type and fields in the header, its arrays after. */
export function encodeControl(message: ControlMessage): Buffer {
  if (typeof message.type !== 'string' || message.type === '') throw new TypeError('a control message needs a non-empty type');
  if (Object.hasOwn(message.fields, CONTROL_TYPE_FIELD)) throw new TypeError(`a control message's fields may not be named ${CONTROL_TYPE_FIELD}`);
  return encodeMessage('control', { [CONTROL_TYPE_FIELD]: message.type }, message.fields, Object.entries(message.arrays));
}

/** A control message from bytes, checked (see the layout above); throws BadDataError naming what is wrong. */
export function decodeControl(bytes: Uint8Array, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): ControlMessage {
  const what = 'control message';
  const { fields, extra, arrays } = decodeMessage(bytes, 'control', maxBytes, what);
  const type = fields[CONTROL_TYPE_FIELD];
  if (typeof type !== 'string' || type === '') fail(what, `type is ${JSON.stringify(type)}, expected a non-empty string`);
  return { type, fields: extra, arrays: Object.fromEntries(arrays) };
}

// JSON documents (the run's plan): plain JSON, but numbers JSON cannot hold are tagged as in headers.
const DOCUMENT_TAG = '$number';

/**
 * A JSON document as text, keeping what JSON.stringify would lose: ±Infinity
 * (a tile's open end), NaN and −0 are written {"$number": "Infinity"} and so
 * on. Only plain objects, arrays, strings, numbers, booleans and null are
 * accepted (a TypeError names the path of anything else: undefined, a
 * function, a typed array, a Date), and no object of the input may itself
 * look like a tag.
 */
export function encodeDocument(value: unknown): string {
  const walk = (item: unknown, path: string): unknown => {
    if (item === null || typeof item === 'string' || typeof item === 'boolean') return item;
    if (typeof item === 'number') {
      const tagged = tagNumber(item);
      return typeof tagged === 'number' ? tagged : { [DOCUMENT_TAG]: tagged[TAG] };
    }
    if (Array.isArray(item)) return item.map((element, k) => walk(element, `${path}[${k}]`));
    if (typeof item === 'object' && (Object.getPrototypeOf(item) === Object.prototype || Object.getPrototypeOf(item) === null)) {
      const entries = Object.entries(item);
      if (entries.length === 1 && entries[0][0] === DOCUMENT_TAG) throw new TypeError(`${path}: an object with the single key ${DOCUMENT_TAG} cannot be told from a tagged number`);
      return Object.fromEntries(entries.map(([key, element]) => [key, walk(element, `${path}.${key}`)]));
    }
    throw new TypeError(`${path}: ${item === undefined ? 'undefined' : Object.prototype.toString.call(item)} has no JSON form`);
  };
  return JSON.stringify(walk(value, '$'));
}

/** A document written by encodeDocument; throws BadDataError (naming `what`) for text that is not JSON or a malformed tag. */
export function decodeDocument(text: string, what: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(what, `not JSON (${(error as Error).message})`);
  }
  const walk = (item: unknown, path: string): unknown => {
    if (Array.isArray(item)) return item.map((element, k) => walk(element, `${path}[${k}]`));
    if (typeof item !== 'object' || item === null) return item;
    const entries = Object.entries(item);
    if (entries.some(([key]) => key === DOCUMENT_TAG)) {
      const number = entries.length === 1 ? untagNumber({ [TAG]: entries[0][1] }) : undefined;
      if (number === undefined) fail(what, `${path} is a malformed tagged number`);
      return number;
    }
    return Object.fromEntries(entries.map(([key, element]) => [key, walk(element, `${path}.${key}`)]));
  };
  return walk(parsed, '$');
}
