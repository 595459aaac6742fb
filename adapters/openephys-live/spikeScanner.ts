/**
 * The fast path for the Event Broadcaster's spike messages: reads the fields
 * a spike needs (`event_type`, `stream`, `electrode`, `sample_rate`,
 * `sample_number`, `sorted_id`) straight from the payload's bytes, without
 * decoding the text or building the JSON object, and without allocating per
 * message (the strings are interned: a stream or electrode name is decoded
 * once, then found again by its bytes).
 *
 * It answers only for what it can read exactly as parseBroadcasterMessage
 * would: a two-frame message of type 1 whose payload is one flat JSON object
 * (values strings, numbers, true, false or null; strings of printable ASCII
 * without escapes), each of the six fields present once and valid, and a
 * spike (or, under `unsorted: 'drop'`, an unsorted spike). Anything else —
 * TTL events, refusals of every kind, escapes, non-ASCII text, nested
 * values, a repeated field, any doubt — is left to parseBroadcasterMessage
 * (`scan` returns false), so records and refusal reasons and messages are
 * the same whichever path read the message.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** The fields read, as bits. */
const EVENT_TYPE = 1;
const STREAM = 2;
const ELECTRODE = 4;
const SAMPLE_RATE = 8;
const SAMPLE_NUMBER = 16;
const SORTED_ID = 32;
const ALL = 63;

/** The keys, as bytes. */
const KEYS: ReadonlyArray<readonly [number, Uint8Array]> = [
  [EVENT_TYPE, Buffer.from('event_type')],
  [STREAM, Buffer.from('stream')],
  [ELECTRODE, Buffer.from('electrode')],
  [SAMPLE_RATE, Buffer.from('sample_rate')],
  [SAMPLE_NUMBER, Buffer.from('sample_number')],
  [SORTED_ID, Buffer.from('sorted_id')],
];
const SPIKE = Buffer.from('spike');

/** A name (stream or electrode) met before: its bytes and its string. */
export interface InternedName {
  readonly bytes: Uint8Array;
  readonly text: string;
  /** Per electrode, what the caller keeps by sorted_id (the source: its unit index). */
  readonly units: number[];
}

/** Interned names at most; past this, new names are decoded each time (never expected: a rig has tens of electrodes). */
const MAX_NAMES = 4096;

class NameTable {
  private readonly slots = new Map<number, InternedName[]>();
  private size = 0;

  /** The name whose bytes are payload[start, end) (printable ASCII). */
  get(payload: Uint8Array, start: number, end: number, hash: number): InternedName {
    let bucket = this.slots.get(hash);
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const name = bucket[i];
        if (sameBytes(name.bytes, payload, start, end)) return name;
      }
    }
    const bytes = Uint8Array.prototype.slice.call(payload, start, end);
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    const name: InternedName = { bytes, text, units: [] };
    if (this.size < MAX_NAMES) {
      if (bucket === undefined) {
        bucket = [];
        this.slots.set(hash, bucket);
      }
      bucket.push(name);
      this.size++;
    }
    return name;
  }
}

function sameBytes(bytes: Uint8Array, payload: Uint8Array, start: number, end: number): boolean {
  if (bytes.length !== end - start) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== payload[start + i]) return false;
  return true;
}

export class SpikeScanner {
  /** The last spike scanned (valid after `scan` returned true). */
  stream: InternedName | undefined;
  electrode: InternedName | undefined;
  sampleNumber = 0;
  sampleRate = 0;
  sortedId = 0;
  /** sorted_id 0 under `unsorted: 'drop'`. */
  unsorted = false;

  private readonly names = new NameTable();
  private readonly keepUnsorted: boolean;
  /** Set by a string scan: where the string's bytes end, and their hash. */
  private stringEnd = 0;
  private stringHash = 0;
  /** Set by a number scan. */
  private numberEnd = 0;
  private number = 0;

  constructor(unsorted: 'drop' | 'channel' = 'drop') {
    this.keepUnsorted = unsorted === 'channel';
  }

  /**
   * True when p[from, n), the payload of a two-frame message whose type frame
   * is 1 (the caller checks the frames), is a valid spike read into the fields
   * above; false: leave the message to parseBroadcasterMessage.
   */
  scanPayload(p: Uint8Array, from: number, n: number): boolean {
    let i = skipSpace(p, from, n);
    if (i >= n || p[i] !== OPEN) return false;
    i = skipSpace(p, i + 1, n);
    let seen = 0;
    let streamStart = 0;
    let streamEnd = 0;
    let streamHash = 0;
    let electrodeStart = 0;
    let electrodeEnd = 0;
    let electrodeHash = 0;
    let sampleRate = 0;
    let sampleNumber = 0;
    let sortedId = 0;
    if (i < n && p[i] === CLOSE) return false;
    for (;;) {
      // A key.
      if (i >= n || p[i] !== QUOTE) return false;
      const keyStart = i + 1;
      if (!this.string(p, keyStart, n)) return false;
      const keyEnd = this.stringEnd;
      const field = keyOf(p, keyStart, keyEnd);
      if (field !== 0) {
        if ((seen & field) !== 0) return false;
        seen |= field;
      }
      i = skipSpace(p, keyEnd + 1, n);
      if (i >= n || p[i] !== COLON) return false;
      i = skipSpace(p, i + 1, n);
      if (i >= n) return false;
      // A value.
      const c = p[i];
      if (c === QUOTE) {
        if (!this.string(p, i + 1, n)) return false;
        const start = i + 1;
        const end = this.stringEnd;
        if (field === EVENT_TYPE) {
          if (!sameBytes(SPIKE, p, start, end)) return false;
        } else if (field === STREAM) {
          streamStart = start;
          streamEnd = end;
          streamHash = this.stringHash;
        } else if (field === ELECTRODE) {
          if (end === start) return false;
          electrodeStart = start;
          electrodeEnd = end;
          electrodeHash = this.stringHash;
        } else if (field !== 0) return false;
        i = end + 1;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        if (!this.numberAt(p, i, n)) return false;
        const value = this.number;
        if (field === SAMPLE_NUMBER) {
          if (!Number.isSafeInteger(value) || value < 0) return false;
          sampleNumber = value;
        } else if (field === SAMPLE_RATE) {
          if (!Number.isFinite(value) || value <= 0) return false;
          sampleRate = value;
        } else if (field === SORTED_ID) {
          if (!Number.isInteger(value) || value < 0 || value > 65535) return false;
          sortedId = value;
        } else if (field !== 0) return false;
        i = this.numberEnd;
      } else {
        if (field !== 0) return false;
        const end = literalEnd(p, i, n);
        if (end < 0) return false;
        i = end;
      }
      i = skipSpace(p, i, n);
      if (i >= n) return false;
      if (p[i] === COMMA) {
        i = skipSpace(p, i + 1, n);
        continue;
      }
      if (p[i] !== CLOSE) return false;
      break;
    }
    if (skipSpace(p, i + 1, n) !== n || seen !== ALL) return false;
    this.unsorted = sortedId === 0 && !this.keepUnsorted;
    this.stream = this.names.get(p, streamStart, streamEnd, streamHash);
    this.electrode = this.names.get(p, electrodeStart, electrodeEnd, electrodeHash);
    this.sampleNumber = sampleNumber;
    this.sampleRate = sampleRate;
    this.sortedId = sortedId;
    return true;
  }

  /** A string's bytes from `start` (after its opening quote): printable ASCII, no escapes. Sets stringEnd (its closing quote) and stringHash. */
  private string(p: Uint8Array, start: number, n: number): boolean {
    let hash = 0x811c9dc5;
    for (let i = start; i < n; i++) {
      const c = p[i];
      if (c === QUOTE) {
        this.stringEnd = i;
        this.stringHash = hash;
        return true;
      }
      if (c < 0x20 || c >= 0x7f || c === BACKSLASH) return false;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    return false;
  }

  /** A JSON number at `start`. Sets numberEnd and number (as JSON.parse reads it). */
  private numberAt(p: Uint8Array, start: number, n: number): boolean {
    let i = start;
    if (p[i] === MINUS) i++;
    const intStart = i;
    if (i >= n) return false;
    if (p[i] === ZERO) i++;
    else if (p[i] > ZERO && p[i] <= NINE) while (i < n && p[i] >= ZERO && p[i] <= NINE) i++;
    else return false;
    const intEnd = i;
    let fractionZero = true;
    if (i < n && p[i] === DOT) {
      i++;
      const fractionStart = i;
      while (i < n && p[i] >= ZERO && p[i] <= NINE) {
        if (p[i] !== ZERO) fractionZero = false;
        i++;
      }
      if (i === fractionStart) return false;
    }
    let exponent = false;
    if (i < n && (p[i] === 0x65 || p[i] === 0x45)) {
      exponent = true;
      i++;
      if (i < n && (p[i] === 0x2b || p[i] === MINUS)) i++;
      const exponentStart = i;
      while (i < n && p[i] >= ZERO && p[i] <= NINE) i++;
      if (i === exponentStart) return false;
    }
    this.numberEnd = i;
    if (intStart === start && fractionZero && !exponent && intEnd - intStart <= 15) {
      // A whole number below 10^15, written as digits (and maybe a zero fraction): exact.
      let value = 0;
      for (let k = intStart; k < intEnd; k++) value = value * 10 + (p[k] - ZERO);
      this.number = value;
    } else {
      let text = '';
      for (let k = start; k < i; k++) text += String.fromCharCode(p[k]);
      this.number = Number(text);
    }
    return true;
  }
}

function skipSpace(p: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = p[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** The field bit of the key payload[start, end), 0 for the others. */
function keyOf(p: Uint8Array, start: number, end: number): number {
  const length = end - start;
  for (let k = 0; k < KEYS.length; k++) {
    const key = KEYS[k][1];
    if (key.length === length && sameBytes(key, p, start, end)) return KEYS[k][0];
  }
  return 0;
}

/** The end of `true`, `false` or `null` at `i`, −1 if none is there. */
function literalEnd(p: Uint8Array, i: number, n: number): number {
  const c = p[i];
  if (c === 0x74 /* t */) return i + 4 <= n && p[i + 1] === 0x72 && p[i + 2] === 0x75 && p[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x6e /* n */) return i + 4 <= n && p[i + 1] === 0x75 && p[i + 2] === 0x6c && p[i + 3] === 0x6c ? i + 4 : -1;
  if (c === 0x66 /* f */) return i + 5 <= n && p[i + 1] === 0x61 && p[i + 2] === 0x6c && p[i + 3] === 0x73 && p[i + 4] === 0x65 ? i + 5 : -1;
  return -1;
}
