/**
 * One message of the Open Ephys GUI's Event Broadcaster plugin (GUI ≥ 0.6,
 * "JSON" output format), read into a spike, a TTL event or a refusal.
 * Plain TypeScript with no sockets: EventBroadcasterSource feeds it what its
 * ZeroMQ SUB socket receives.
 *
 * The wire format, as open-ephys-plugins/event-broadcaster
 * Source/EventBroadcaster.cpp (sendEvent, sendSpike, sendMessage) sends it
 * on its PUB socket (default port 5557), and as gui-docs › Plugins › Event
 * Broadcaster and open-ephys-python-tools streaming/event_listener.py read it:
 *
 * - two frames, no topic or header frame: first the type, a uint16 in host
 *   (little-endian) byte order, 0 = TTL event, 1 = spike; then the payload;
 * - the payload is a JSON object written by JUCE's JSON::toString (CRLF line
 *   breaks, two-space indent, `"name": value`), with fields in this order:
 *   - spike: `event_type` "spike", `stream`, `source_node`, `electrode` (the
 *     spike channel's name), `num_channels`, `sample_rate`, `sample_number`,
 *     `sorted_id` (0 = unsorted), then `amp1` … `ampN`;
 *   - TTL: `event_type` "ttl", `stream`, `source_node`, `sample_rate`,
 *     `channel_name`, `sample_number`, `line`, `state`;
 * - `line` is TTLEvent::getLine(), counted from 0; `state` is a JSON
 *   boolean (TTLEvent::getState(); the docs print it as 1/0, so both are read);
 * - with the "Raw Binary" format the payload is the GUI's internal event
 *   serialization instead: refused here as `raw-binary`, with a message
 *   saying to switch the plugin to JSON.
 *
 * Units are `<electrode>:<sorted_id>`, as the Open Ephys file reader names
 * them (adapters/openephys/openEphysRecording.ts). TTL events become the
 * states `--ttl-labels` maps (adapters/ttlLabels.ts): +line when the line
 * goes high, −line when low, lines counted from 1, as the GUI writes
 * `states.npy` (the broadcaster's line 0 is state ±1).
 */

/** The first frame's value. */
export const BROADCASTER_TYPE_TTL = 0;
export const BROADCASTER_TYPE_SPIKE = 1;

/** Why a message was refused. */
export type BroadcasterRefusal =
  /** Not two frames. */
  | 'frames'
  /** The type frame is not 2 bytes holding 0 or 1. */
  | 'type-frame'
  /** The payload is not JSON text: the plugin is set to "Raw Binary", or it is not the Event Broadcaster. */
  | 'raw-binary'
  /** The payload starts like JSON but does not parse, or is not an object. */
  | 'bad-json'
  /** A field is missing or of the wrong kind. */
  | 'bad-field'
  /** `event_type` disagrees with the type frame. */
  | 'type-mismatch'
  /** Over 1 MiB (MAX_MESSAGE_BYTES): dropped by the receiver unread; the plugin's messages are under 1 KiB. */
  | 'oversized';


export interface BroadcasterSpike {
  readonly kind: 'spike';
  readonly stream: string;
  readonly sampleNumber: number;
  readonly sampleRate: number;
  readonly electrode: string;
  readonly sortedId: number;
  /** `<electrode>:<sorted_id>`. */
  readonly unitId: string;
}

/** A sorted_id 0 spike under `unsorted: 'drop'`: left out, and counted. */
export interface BroadcasterUnsorted {
  readonly kind: 'unsorted';
  readonly stream: string;
  readonly sampleNumber: number;
  readonly sampleRate: number;
  readonly electrode: string;
}

export interface BroadcasterTtl {
  readonly kind: 'ttl';
  readonly stream: string;
  readonly sampleNumber: number;
  readonly sampleRate: number;
  readonly channelName: string | undefined;
  /** As sent: counted from 0. */
  readonly line: number;
  readonly high: boolean;
  /** +(line + 1) going high, −(line + 1) going low: the state `--ttl-labels` maps. */
  readonly state: number;
}

export interface BroadcasterRefused {
  readonly kind: 'refused';
  readonly reason: BroadcasterRefusal;
  /** What was wrong, for a person. */
  readonly message: string;
}

export type BroadcasterRecord = BroadcasterSpike | BroadcasterUnsorted | BroadcasterTtl | BroadcasterRefused;

export interface BroadcasterParseOptions {
  /** What sorted_id 0 means: dropped and counted (default), or one multi-unit per electrode, `<electrode>:0`. */
  unsorted?: 'drop' | 'channel';
}

/** The `--ttl-labels` state of a TTL event: +(line + 1) going high, −(line + 1) going low. */
export function ttlState(line: number, high: boolean): number {
  return (line + 1) * (high ? 1 : -1);
}

/** The unit id the file reader gives the same spikes. */
export function broadcasterUnitId(electrode: string, sortedId: number): string {
  return `${electrode}:${sortedId}`;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads one multipart message. Never throws: anything that is not a spike
 * or TTL message of the plugin's JSON format is a `refused` record with a
 * reason, for the caller to count. Fields beyond those read (`amp1`,
 * `num_channels`, `source_node`, metadata a later version may add) are ignored.
 *
 * @example
 * parseBroadcasterMessage([Buffer.from([1, 0]), Buffer.from('{"event_type": "spike", "stream": "s", "electrode": "Electrode 1",
 *   "sample_rate": 30000.0, "sample_number": 300, "sorted_id": 2}')])
 * // → { kind: 'spike', stream: 's', sampleNumber: 300, sampleRate: 30000, electrode: 'Electrode 1', sortedId: 2, unitId: 'Electrode 1:2' }
 */
export function parseBroadcasterMessage(frames: ReadonlyArray<Uint8Array>, options: BroadcasterParseOptions = {}): BroadcasterRecord {
  if (frames.length !== 2) return refused('frames', `expected 2 frames (type, JSON), got ${frames.length}`);
  const typeFrame = frames[0];
  if (typeFrame.length !== 2) return refused('type-frame', `the type frame holds ${typeFrame.length} bytes; expected 2 (uint16 little-endian: 0 = TTL, 1 = spike)`);
  const type = typeFrame[0] | (typeFrame[1] << 8);
  if (type !== BROADCASTER_TYPE_TTL && type !== BROADCASTER_TYPE_SPIKE) return refused('type-frame', `type ${type} is neither 0 (TTL) nor 1 (spike)`);
  const payload = frames[1];
  let start = 0;
  while (start < payload.length && (payload[start] === 0x20 || payload[start] === 0x09 || payload[start] === 0x0a || payload[start] === 0x0d)) start++;
  if (payload[start] !== 0x7b /* { */ && payload[start] !== 0x5b /* [ */) {
    return refused('raw-binary', `the ${type === 1 ? 'spike' : 'TTL'} payload (${payload.length} bytes) is not JSON text: set the Event Broadcaster's Format to JSON`);
  }
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(payload));
  } catch (error) {
    return refused('bad-json', `the payload does not parse as JSON (${(error as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refused('bad-json', 'the payload is JSON but not an object');
  const fields = body as Record<string, unknown>;
  const eventType = fields.event_type;
  if (eventType !== 'spike' && eventType !== 'ttl') return refused('bad-field', `"event_type" must be "spike" or "ttl", got ${shown(eventType)}`);
  if ((eventType === 'spike') !== (type === BROADCASTER_TYPE_SPIKE)) return refused('type-mismatch', `"event_type" is "${eventType}" but the type frame says ${type} (${type === 1 ? 'spike' : 'TTL'})`);

  const stream = fields.stream;
  if (typeof stream !== 'string') return refused('bad-field', `${eventType}: "stream" must be a string, got ${shown(stream)}`);
  const sampleNumber = fields.sample_number;
  if (typeof sampleNumber !== 'number' || !Number.isSafeInteger(sampleNumber) || sampleNumber < 0) {
    return refused('bad-field', `${eventType}: "sample_number" must be a whole number ≥ 0, got ${shown(sampleNumber)}`);
  }
  const sampleRate = fields.sample_rate;
  if (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0) {
    return refused('bad-field', `${eventType}: "sample_rate" must be a number > 0, got ${shown(sampleRate)}`);
  }

  if (eventType === 'spike') {
    const electrode = fields.electrode;
    if (typeof electrode !== 'string' || electrode === '') return refused('bad-field', `spike: "electrode" must be a non-empty string, got ${shown(electrode)}`);
    const sortedId = fields.sorted_id;
    if (typeof sortedId !== 'number' || !Number.isInteger(sortedId) || sortedId < 0 || sortedId > 65535) {
      return refused('bad-field', `spike: "sorted_id" must be a whole number 0–65535, got ${shown(sortedId)}`);
    }
    if (sortedId === 0 && (options.unsorted ?? 'drop') === 'drop') return { kind: 'unsorted', stream, sampleNumber, sampleRate, electrode };
    return { kind: 'spike', stream, sampleNumber, sampleRate, electrode, sortedId, unitId: broadcasterUnitId(electrode, sortedId) };
  }

  const line = fields.line;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 0 || line > 255) return refused('bad-field', `ttl: "line" must be a whole number 0–255, got ${shown(line)}`);
  const state = fields.state;
  let high: boolean;
  if (state === true || state === 1) high = true;
  else if (state === false || state === 0) high = false;
  else return refused('bad-field', `ttl: "state" must be true/false (or 1/0), got ${shown(state)}`);
  const channelName = typeof fields.channel_name === 'string' ? fields.channel_name : undefined;
  return { kind: 'ttl', stream, sampleNumber, sampleRate, channelName, line, high, state: ttlState(line, high) };
}

function refused(reason: BroadcasterRefusal, message: string): BroadcasterRefused {
  return { kind: 'refused', reason, message };
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
