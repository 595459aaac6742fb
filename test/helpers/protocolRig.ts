import { WebSocket } from 'ws';
import type { SourceEvent } from '../../src/stream/events.ts';

/** A client that pushes the ingest protocol (docs/PROTOCOL.md) and records what the server answers. */
export interface ProtocolRig {
  socket: WebSocket;
  /** Every text frame the server sent, parsed. */
  replies: Array<Record<string, unknown>>;
  /** Resolves with the close code when the connection closes. */
  closed: Promise<number>;
  /** Sends a message as JSON text. */
  send(message: Record<string, unknown>): void;
  /** Sends source events as numbered messages (spikes as JSON text), from `seq` on; returns the next seq. */
  sendEvents(events: Iterable<SourceEvent>, seq: number): number;
  /** Resolves once a frame matching `match` has arrived. */
  reply(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** Opens an ingest connection (waits for it to be open). */
export async function connectRig(url: string, headers?: Record<string, string>): Promise<ProtocolRig> {
  const socket = new WebSocket(url, { headers });
  const replies: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (frame: Record<string, unknown>) => boolean; resolve: (frame: Record<string, unknown>) => void }> = [];
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    replies.push(frame);
    for (const waiter of [...waiters]) {
      if (!waiter.match(frame)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(frame);
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('close', (code) => reject(new Error(`closed with ${code} before opening`)));
  });
  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
  return {
    socket,
    replies,
    closed,
    send,
    sendEvents(events, seq) {
      for (const event of events) {
        if (event.kind === 'spikes') {
          send({ type: 'spikes', seq: seq++, t: Array.from(event.t), unit: Array.from(event.unit, (k) => event.unitIds[k]) });
        } else if (event.kind === 'label') {
          send({ type: 'label', seq: seq++, t: event.t, label: event.label });
        } else if (event.kind === 'heartbeat') {
          send({ type: 'heartbeat', seq: seq++, t: event.t });
        } else if (event.kind === 'interval') {
          send({ type: 'interval', seq: seq++, start: event.start, end: event.end, label: event.label });
        }
      }
      return seq;
    },
    reply(match) {
      return new Promise((resolve) => {
        const found = replies.find(match);
        if (found !== undefined) resolve(found);
        else waiters.push({ match, resolve });
      });
    },
  };
}
