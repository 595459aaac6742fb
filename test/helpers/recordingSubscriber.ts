import { WebSocket, type RawData } from 'ws';

/** A subscriber that records every message it gets, JSON objects and binary frames (as Buffers), in arrival order. */
export interface RecordingSubscriber {
  socket: WebSocket;
  received: Array<Record<string, unknown> | Buffer>;
  text(): Array<Record<string, unknown>>;
  binary(): Buffer[];
}

/** Connects to a /subscribe URL and sends `{"type":"subscribe", …subscribe}` once open (it does not wait for the reply). */
export async function recordingSubscriber(url: string, subscribe: object): Promise<RecordingSubscriber> {
  const socket = new WebSocket(url);
  const received: RecordingSubscriber['received'] = [];
  socket.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    received.push(isBinary ? bytes : (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>));
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', ...subscribe }));
  return {
    socket,
    received,
    text: () => received.filter((item): item is Record<string, unknown> => !Buffer.isBuffer(item)),
    binary: () => received.filter((item): item is Buffer => Buffer.isBuffer(item)),
  };
}
