import { ProtocolError } from '../live/ingestMessages.ts';
import { DEFAULT_TOPICS, TOPICS, type Topic } from './subscriberChannel.ts';

/**
 * Codes of the error frames a subscriber gets (docs/PROTOCOL.md, "Publish:
 * subscribers"). Each is an ingest code too, with the same meaning, so a
 * client reads one table.
 */
export type SubscriberErrorCode = 'bad-binary-frame' | 'malformed-json' | 'unknown-type' | 'bad-field';

/** A subscriber message the server does not take: answered with an error frame; the connection stays open. */
export class SubscriberMessageError extends ProtocolError {
  declare readonly code: SubscriberErrorCode;

  constructor(code: SubscriberErrorCode, message: string) {
    super(code, message);
  }
}

/** What a subscriber asked for. */
export interface Subscription {
  topics: Set<Topic>;
  /** Each update trimmed to its strongest `top` pairs (undefined: all the analysis emits). */
  top: number | undefined;
  /** Only these sources' updates and alerts (undefined: every source). */
  sources: Set<string> | undefined;
  /** Send first the alerts and updates kept from before (a page opened late). */
  history: boolean;
}

/** The most source names a subscribe may list, and the longest a name may be. */
const MAX_SOURCES = 256;
const MAX_SOURCE_NAME_LENGTH = 256;

/**
 * Reads a subscriber's message, `{"type":"subscribe","topics":["synergy"],
 * "top":20,"sources":["rig-1"],"history":true}` (each field optional;
 * topics default to synergy and alerts), or throws a
 * SubscriberMessageError saying what is wrong. `text` is undefined for a
 * binary frame: subscribers send text.
 *
 * Example: parseSubscribeMessage('{"type":"subscribe","top":5}') gives
 * { topics: {synergy, alerts}, top: 5, sources: undefined, history: false }.
 */
export function parseSubscribeMessage(text: string | undefined): Subscription {
  if (text === undefined) throw new SubscriberMessageError('bad-binary-frame', 'subscribers send text frames: {"type":"subscribe","topics":["synergy","alerts"],"top":20}');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SubscriberMessageError('malformed-json', `not JSON: ${(e as Error).message.slice(0, 120)}`);
  }
  if (typeof json !== 'object' || json === null || (json as { type?: unknown }).type !== 'subscribe') {
    const shown = JSON.stringify((json as { type?: unknown } | null)?.type ?? json) ?? String(json);
    throw new SubscriberMessageError('unknown-type', `unknown message ${shown.slice(0, 80)}: subscribers send {"type":"subscribe",…}`);
  }
  const { topics, top, sources, history } = json as { topics?: unknown; top?: unknown; sources?: unknown; history?: unknown };
  if (topics !== undefined && (!Array.isArray(topics) || topics.some((topic) => !TOPICS.includes(topic as Topic)))) {
    throw new SubscriberMessageError('bad-field', `subscribe: "topics" must be a list drawn from ${TOPICS.join(', ')}`);
  }
  if (top !== undefined && top !== null && (typeof top !== 'number' || !Number.isInteger(top) || top < 1)) {
    throw new SubscriberMessageError('bad-field', 'subscribe: "top" must be a whole number ≥ 1 (or null for every pair the analysis emits)');
  }
  if (
    sources !== undefined &&
    sources !== null &&
    (!Array.isArray(sources) || sources.length > MAX_SOURCES || sources.some((name) => typeof name !== 'string' || name.length > MAX_SOURCE_NAME_LENGTH))
  ) {
    throw new SubscriberMessageError('bad-field', `subscribe: "sources" must be a list of at most ${MAX_SOURCES} source names (or null for every source)`);
  }
  if (history !== undefined && history !== null && typeof history !== 'boolean') {
    throw new SubscriberMessageError('bad-field', 'subscribe: "history" must be true or false');
  }
  return {
    topics: new Set((topics as Topic[] | undefined) ?? DEFAULT_TOPICS),
    top: typeof top === 'number' ? top : undefined,
    sources: Array.isArray(sources) ? new Set(sources as string[]) : undefined,
    history: history === true,
  };
}

/** The server's answer to a subscriber's message: `subscribed` with what it will get, or an `error` frame. */
export function subscribeReply(outcome: Subscription | SubscriberMessageError): Record<string, unknown> & { type: 'subscribed' | 'error' } {
  if (outcome instanceof SubscriberMessageError) return { type: 'error', code: outcome.code, message: outcome.message };
  return { type: 'subscribed', topics: [...outcome.topics], top: outcome.top ?? null, sources: outcome.sources === undefined ? null : [...outcome.sources], history: outcome.history };
}
