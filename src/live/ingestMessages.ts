/**
 * The ingest protocol's text frames (docs/PROTOCOL.md): what a rig or bridge
 * sends to `synergy serve`, or serves to `synergy connect`. One JSON object
 * per WebSocket text frame; every message but `hello` and `end` carries the
 * connection's sequence number `seq`, so that gaps are seen.
 *
 * The parser checks each message completely and says what is wrong in a
 * ProtocolError with a stable code; it never throws anything else. Fields it
 * does not know are reported (so a misspelt `sampleRate` is noticed) but do
 * not reject the message: a newer rig can add fields.
 */

import { EXIT_STATUS, SynergyError } from '../errors.ts';
import { MAX_EVENT_SECONDS } from '../stream/binIndex.ts';
import type { Snapshot } from '../snapshots/snapshot.ts';
import { parseSnapshotMessage, SNAPSHOT_MESSAGE_FIELDS } from '../snapshots/snapshotMessage.ts';

/** The protocol version this analyzer speaks. */
export const PROTOCOL_VERSION = 1;

/** Error codes of error frames (stable: clients may branch on them). */
export type ProtocolErrorCode =
  | 'malformed-json'
  | 'not-an-object'
  | 'unknown-type'
  | 'bad-field'
  | 'hello-required'
  | 'duplicate-hello'
  | 'unsupported-protocol'
  | 'bad-binary-frame'
  | 'unknown-unit-index'
  | 'sample-rate-required'
  | 'duplicate-seq'
  | 'after-end'
  | 'unauthorized'
  | 'rate-limited'
  | 'message-too-big'
  | 'too-many-units'
  | 'too-many-modes'
  | 'too-many-intervals'
  | 'too-many-sources'
  | 'too-many-connections'
  | 'invalid-utf8'
  | 'bad-frame'
  | 'hello-timeout'
  | 'wrong-kind'
  | 'too-many-samples'
  | 'step-backwards';

/**
 * A message the protocol does not allow. Its `code` is the wire code the
 * error frame carries (kebab-case, docs/PROTOCOL.md), not an UPPER_SNAKE
 * code of its own: the one name a client branches on and a user reads. Like
 * every SynergyError it has an exit status: what a source sent is bad data
 * (1), should one ever end a command.
 */
export class ProtocolError extends SynergyError {
  static override readonly exitStatus = EXIT_STATUS.badData;

  constructor(
    override readonly code: ProtocolErrorCode,
    message: string,
    /** The message's seq, when it had a readable one. */
    readonly seq?: number,
  ) {
    super(code, message);
  }
}

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  /** The rig's name; a connection that says the same name again resumes that source. */
  source: string;
  /** Samples per second, needed for `sample` spikes and sample-clock binary frames. */
  sampleRate?: number;
  /** Unit ids that binary frames index into (more can follow in `units` messages). */
  units?: string[];
  /**
   * This run of the source. A source that comes back with another run (a
   * restarted rig) starts its seq numbering again; with the same run (or
   * none) seq continues where it stopped.
   */
  run?: string;
  /** The mode names the source will use, informational. */
  modes?: string[];
  /**
   * What the source sends: 'spikes' (the default: spikes, labels, trials)
   * or 'snapshots' (matrices of activations, `snapshot` messages and binary
   * snapshot frames; docs/PROTOCOL.md, "Snapshots").
   */
  kind?: 'spikes' | 'snapshots';
  /** Trials: the counting window after each onset, seconds ([from, to)), and how the analysis slides over trials. */
  trials?: { window: [number, number]; count: number; hop: number };
}

export interface SpikesMessage {
  type: 'spikes';
  seq: number;
  /** Seconds, or undefined when `sample` is given. */
  t?: number[];
  /** Sample numbers on the hello's clock. */
  sample?: number[];
  unit: string[];
}

export interface LabelMessage {
  type: 'label';
  seq: number;
  t: number;
  /** null: a gap (unlabeled) starts at t. */
  label: string | null;
}

export interface IntervalMessage {
  type: 'interval';
  seq: number;
  start: number;
  end: number;
  label: string;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  seq: number;
  t: number;
}

export interface UnitsMessage {
  type: 'units';
  seq: number;
  /** Appended to the connection's unit table, in order. */
  units: string[];
}

/** A snapshot of activations (a source whose hello said `"kind":"snapshots"`). */
export interface SnapshotMessage {
  type: 'snapshot';
  seq: number;
  snapshot: Snapshot;
}

/** A trial's onset and condition (a source whose hello gave `trials`). */
export interface TrialMessage {
  type: 'trial';
  seq: number;
  t: number;
  label: string | null;
}

export interface EndMessage {
  type: 'end';
  seq?: number;
}

export type IngestMessage = HelloMessage | SpikesMessage | LabelMessage | IntervalMessage | HeartbeatMessage | UnitsMessage | SnapshotMessage | TrialMessage | EndMessage;

/** A parsed message and the fields it carried that the protocol does not know. */
export interface ParsedMessage {
  message: IngestMessage;
  unknownFields: string[];
}

const FIELDS: Record<IngestMessage['type'], readonly string[]> = {
  hello: ['type', 'protocol', 'source', 'sampleRate', 'units', 'run', 'modes', 'kind', 'trials'],
  spikes: ['type', 'seq', 't', 'sample', 'unit'],
  label: ['type', 'seq', 't', 'label'],
  interval: ['type', 'seq', 'start', 'end', 'label'],
  heartbeat: ['type', 'seq', 't'],
  units: ['type', 'seq', 'units'],
  snapshot: SNAPSHOT_MESSAGE_FIELDS,
  trial: ['type', 'seq', 't', 'label'],
  end: ['type', 'seq'],
};

/** The sample rates a hello may give, samples per second (1 Hz: sample numbers are seconds; 1 GHz: nanosecond clocks). */
export const MIN_SAMPLE_RATE = 1;
export const MAX_SAMPLE_RATE = 1e9;

/** Longest unit id or label, in characters. */
export const MAX_NAME_LENGTH = 256;

type Json = Record<string, unknown>;

/** Parses one text frame. Throws ProtocolError only. */
export function parseIngestText(text: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProtocolError('malformed-json', `not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('not-an-object', `expected a JSON object with a "type", got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return parseIngestObject(value as Json);
}

/** Checks a decoded JSON object as an ingest message. Throws ProtocolError only. */
export function parseIngestObject(json: Json): ParsedMessage {
  const type = json.type;
  if (typeof type !== 'string' || !(type in FIELDS)) {
    throw new ProtocolError(
      'unknown-type',
      `unknown message type ${JSON.stringify(type)}: expected one of ${Object.keys(FIELDS).join(', ')}`,
      typeof json.seq === 'number' ? json.seq : undefined,
    );
  }
  const known = FIELDS[type as IngestMessage['type']];
  const unknownFields = Object.keys(json).filter((key) => !known.includes(key));
  const seqOf = () => (typeof json.seq === 'number' && Number.isSafeInteger(json.seq) ? json.seq : undefined);
  const fail = (field: string, expected: string): never => {
    throw new ProtocolError('bad-field', `${type}: "${field}" must be ${expected}, got ${describe(json[field])}`, seqOf());
  };
  const seq = (required: boolean): number | undefined => {
    const value = json.seq;
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return fail('seq', 'a whole number ≥ 0');
    return value;
  };
  const time = (field: string): number => {
    const value = json[field];
    if (typeof value !== 'number' || !(value >= 0 && value <= MAX_EVENT_SECONDS)) return fail(field, `a time in seconds, 0 to ${MAX_EVENT_SECONDS}`);
    return value;
  };
  const name = (field: string, value: unknown): string => {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string' || text === '' || text.length > MAX_NAME_LENGTH) {
      return fail(field, `a non-empty string (or number) of at most ${MAX_NAME_LENGTH} characters`);
    }
    return text;
  };
  const names = (field: string): string[] => {
    const value = json[field];
    if (!Array.isArray(value)) return fail(field, 'an array of ids');
    return value.map((item) => name(field, item));
  };

  switch (type as IngestMessage['type']) {
    case 'hello': {
      if (json.protocol !== PROTOCOL_VERSION) {
        throw new ProtocolError('unsupported-protocol', `hello: protocol ${describe(json.protocol)} is not supported; this analyzer speaks protocol ${PROTOCOL_VERSION}`);
      }
      const message: HelloMessage = { type: 'hello', protocol: PROTOCOL_VERSION, source: name('source', json.source) };
      if (json.sampleRate !== undefined) {
        const rate = json.sampleRate;
        if (typeof rate !== 'number' || !(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE)) fail('sampleRate', `samples per second, ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE}`);
        message.sampleRate = rate as number;
      }
      if (json.units !== undefined) message.units = names('units');
      if (json.run !== undefined) message.run = name('run', json.run);
      if (json.modes !== undefined) message.modes = names('modes');
      if (json.kind !== undefined) {
        if (json.kind !== 'spikes' && json.kind !== 'snapshots') fail('kind', '"spikes" or "snapshots"');
        message.kind = json.kind as 'spikes' | 'snapshots';
      }
      if (json.trials !== undefined) {
        const trials = json.trials as Json;
        const window = trials?.window;
        if (
          typeof trials !== 'object' || trials === null || !Array.isArray(window) || window.length !== 2 ||
          !window.every((x) => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= 3600) || !(window[1] > window[0]) ||
          !Number.isSafeInteger(trials.count) || (trials.count as number) < 1 || !Number.isSafeInteger(trials.hop) || (trials.hop as number) < 1
        ) {
          fail('trials', '{"window":[from,to] (seconds after each onset, from < to, within ±3600),"count":N,"hop":K} with N, K whole numbers ≥ 1');
        }
        if (message.kind === 'snapshots') fail('trials', 'absent for a snapshot source');
        const [from, to] = window as number[];
        message.trials = { window: [from, to], count: trials.count as number, hop: trials.hop as number };
      }
      return { message, unknownFields };
    }
    case 'spikes': {
      const s = seq(true)!;
      const unit = names('unit');
      const hasT = json.t !== undefined;
      const hasSample = json.sample !== undefined;
      if (hasT === hasSample) throw new ProtocolError('bad-field', 'spikes: give exactly one of "t" (seconds) and "sample" (sample numbers)', s);
      const field = hasT ? 't' : 'sample';
      const values = json[field];
      if (!Array.isArray(values)) return fail(field, 'an array of numbers');
      if (values.length !== unit.length) {
        throw new ProtocolError('bad-field', `spikes: "${field}" has ${values.length} entries and "unit" ${unit.length}; they must be as long`, s);
      }
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        // Seconds from 0 to MAX_EVENT_SECONDS; samples ≥ 0 (converted and checked against the same bound by the session).
        if (typeof v !== 'number' || !(v >= 0 && (hasSample || v <= MAX_EVENT_SECONDS) && Number.isFinite(v))) {
          throw new ProtocolError('bad-field', `spikes: "${field}"[${i}] must be ${hasT ? `a time in seconds, 0 to ${MAX_EVENT_SECONDS}` : 'a sample number ≥ 0'}, got ${describe(v)}`, s);
        }
      }
      const message: SpikesMessage = hasT ? { type: 'spikes', seq: s, t: values as number[], unit } : { type: 'spikes', seq: s, sample: values as number[], unit };
      return { message, unknownFields };
    }
    case 'label': {
      const s = seq(true)!;
      const t = time('t');
      const label = json.label === null ? null : name('label', json.label);
      return { message: { type: 'label', seq: s, t, label }, unknownFields };
    }
    case 'interval': {
      const s = seq(true)!;
      const start = time('start');
      const end = time('end');
      if (!(end > start)) throw new ProtocolError('bad-field', `interval: "end" (${end}) must be later than "start" (${start})`, s);
      return { message: { type: 'interval', seq: s, start, end, label: name('label', json.label) }, unknownFields };
    }
    case 'heartbeat':
      return { message: { type: 'heartbeat', seq: seq(true)!, t: time('t') }, unknownFields };
    case 'units':
      return { message: { type: 'units', seq: seq(true)!, units: names('units') }, unknownFields };
    case 'snapshot': {
      try {
        const parsed = parseSnapshotMessage(json);
        return { message: { type: 'snapshot', seq: parsed.seq, snapshot: parsed.snapshot }, unknownFields };
      } catch (error) {
        throw new ProtocolError('bad-field', (error as Error).message, seqOf());
      }
    }
    case 'trial': {
      const s = seq(true)!;
      const t = time('t');
      const label = json.label === null ? null : name('label', json.label);
      return { message: { type: 'trial', seq: s, t, label }, unknownFields };
    }
    case 'end': {
      const s = seq(false);
      return { message: s === undefined ? { type: 'end' } : { type: 'end', seq: s }, unknownFields };
    }
  }
}

/** A short description of a JSON value for error messages. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
