import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { SynergyError } from '../../src/errors.ts';
import { ProtocolError } from '../../src/live/ingestMessages.ts';
import { parseSubscribeMessage, subscribeReply, SubscriberMessageError, type SubscriberErrorCode } from '../../src/server/subscribeMessage.ts';
import { SynergyServer } from '../../src/server/synergyServer.ts';
import { connectRig } from '../helpers/protocolRig.ts';

const servers: SynergyServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

function refusal(text: string | undefined): SubscriberMessageError {
  try {
    parseSubscribeMessage(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SubscriberMessageError);
    return error as SubscriberMessageError;
  }
  throw new Error(`accepted: ${text}`);
}

/** Every subscriber error code, with a message that draws it and what its error frame says. */
const REFUSED: Array<[SubscriberErrorCode, string | Buffer, RegExp]> = [
  ['bad-binary-frame', Buffer.from([1, 2, 3]), /^subscribers send text frames/],
  ['malformed-json', '{"type":"subscribe",', /^not JSON: /],
  ['unknown-type', '{"type":"unsubscribe"}', /^unknown message "unsubscribe": subscribers send/],
  ['unknown-type', '[1,2]', /^unknown message \[1,2\]/],
  ['bad-field', '{"type":"subscribe","topics":["weather"]}', /"topics" must be a list drawn from synergy, alerts/],
  ['bad-field', '{"type":"subscribe","top":0}', /"top" must be a whole number ≥ 1/],
  ['bad-field', '{"type":"subscribe","top":2.5}', /"top" must be a whole number ≥ 1/],
  ['bad-field', '{"type":"subscribe","sources":[1]}', /"sources" must be a list of at most 256 source names/],
  ['bad-field', `{"type":"subscribe","sources":["${'x'.repeat(257)}"]}`, /"sources" must be a list/],
];

describe('parseSubscribeMessage', () => {
  it('reads a subscribe with its defaults: updates and alerts (not the page topics), every pair, every source, no history', () => {
    expect(parseSubscribeMessage('{"type":"subscribe"}')).toEqual({ topics: new Set(['synergy', 'alerts']), top: undefined, sources: undefined, history: false });
    expect(parseSubscribeMessage('{"type":"subscribe","topics":["alerts","matrix","status"],"top":5,"sources":["rig-1"],"history":true}')).toEqual({
      topics: new Set(['alerts', 'matrix', 'status']),
      top: 5,
      sources: new Set(['rig-1']),
      history: true,
    });
    expect(parseSubscribeMessage('{"type":"subscribe","top":null,"sources":null}')).toMatchObject({ top: undefined, sources: undefined });
  });

  it.each(REFUSED)('refuses with %s: %s', (code, message, says) => {
    const error = refusal(typeof message === 'string' ? message : undefined);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(says);
  });

  it('its errors are ProtocolErrors, and so SynergyErrors, with the wire code as their code', () => {
    const error = refusal('nope');
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toBeInstanceOf(SynergyError);
    expect(error.exitStatus).toBe(1);
    expect(subscribeReply(error)).toEqual({ type: 'error', code: 'malformed-json', message: error.message });
  });
});

describe('subscriber error frames over a real WebSocket', () => {
  it('answers each refused message with its code, in order, and keeps the connection open and subscribable', async () => {
    const server = await SynergyServer.start({ host: '127.0.0.1', port: 0, subscriberLimits: { highWaterBytes: 256 * 1024, maxQueuedAlerts: 100, maxRepliesPerSecond: 1000 } });
    servers.push(server);
    const subscriber = await connectRig(server.subscribeUrl);
    sockets.push(subscriber.socket);
    await subscriber.reply((frame) => frame.type === 'welcome');
    const answered = new Set<Record<string, unknown>>();
    for (const [code, message, says] of REFUSED) {
      subscriber.socket.send(message);
      // Each message is answered before the next is sent: the next error frame is its answer.
      const frame = await subscriber.reply((f) => f.type === 'error' && !answered.has(f));
      answered.add(frame);
      expect(frame.code, String(message).slice(0, 40)).toBe(code);
      expect(frame.message).toMatch(says);
      expect(Object.keys(frame)).toEqual(['type', 'code', 'message']);
    }
    subscriber.socket.send('{"type":"subscribe","topics":["alerts"],"top":3}');
    expect(await subscriber.reply((f) => f.type === 'subscribed')).toEqual({ type: 'subscribed', topics: ['alerts'], top: 3, sources: null, history: false });
    expect(subscriber.replies.filter((frame) => frame.type === 'error').map((frame) => frame.code)).toEqual(REFUSED.map(([code]) => code));
    expect(subscriber.socket.readyState).toBe(subscriber.socket.OPEN);
  });
});
