// The Event Broadcaster's ZeroMQ subscriber, run as a child process of the
// analyzer (zmqReceiverProcess.ts starts one per connection attempt):
//
//   node zmqReceiver.mjs tcp://HOST:PORT
//
// It connects a SUB socket (subscribed to everything) and writes what it
// reads to its standard output, in order, as records:
//
//   u8 tag, u32le body length, body
//   tag 1, a message: u16le frame count, then per frame u32le length and bytes
//   tag 2, a socket event, JSON: {"event":"handshake"|"disconnect"|"close"}
//          or {"event":"error","message":…} (the connect or a receive failed)
//   tag 3, a message over 1 MiB, not passed on: u32le its bytes, u16le its frames
//
// Messages are gathered into one write per drained socket queue (or per
// 64 KiB), so the analyzer reads them in bulk. A disconnect is reported
// after every message queued before it. When the pipe is full, reading
// waits until it drains: an analyzer that reads slowly holds this process
// back, and ZeroMQ's queue (200,000 messages) takes up the slack.
//
// Why a process of its own: zeromq.js costs about 3 µs of JavaScript per
// message (a promise, an array and a buffer per frame), so reading here puts
// that work on another core; and an
// assertion inside libzmq aborts the process it runs in, which must not be
// the analyzer. The process ends when its standard input closes (the
// analyzer ended or closed the source) or when it is killed.
//
// Plain JavaScript, started without the TypeScript loader, so that an
// attempt starts in tens of milliseconds.
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as zmq from 'zeromq';

const TAG_MESSAGE = 1;
const TAG_EVENT = 2;
const TAG_OVERSIZED = 3;
const HEADER = 5;
/** A larger message (all frames) is not passed on, only its size (MAX_MESSAGE_BYTES in zmqReceiverProcess.ts). */
const MAX_MESSAGE_BYTES = 1 << 20;
/** Bytes gathered before a write. */
const BATCH_BYTES = 64 * 1024;
/** Messages read before yielding to the event loop (socket events, standard input). */
const MESSAGES_PER_TURN = 8192;

const url = process.argv[2];
let buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
let used = 0;

/** Batch buffers whose bytes have been written, for reuse. */
const spare = [];

function flush() {
  if (used === 0) return;
  if (used < BATCH_BYTES / 8) {
    // A few messages (a quiet source): a copy goes out, the buffer stays.
    process.stdout.write(Buffer.from(buffer.subarray(0, used)));
  } else {
    // The stream keeps the bytes until they are written: then the buffer is spare again.
    const full = buffer;
    process.stdout.write(full.subarray(0, used), () => spare.push(full));
    buffer = spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
  }
  used = 0;
}

function append(frames) {
  let size = HEADER + 2;
  for (let i = 0; i < frames.length; i++) size += 4 + frames[i].length;
  if (size - HEADER - 2 - 4 * frames.length > MAX_MESSAGE_BYTES) {
    if (used + HEADER + 6 > buffer.length) flush();
    buffer[used] = TAG_OVERSIZED;
    buffer.writeUInt32LE(6, used + 1);
    buffer.writeUInt32LE(size - HEADER - 2 - 4 * frames.length, used + HEADER);
    buffer.writeUInt16LE(frames.length, used + HEADER + 4);
    used += HEADER + 6;
    return;
  }
  if (used + size > buffer.length) {
    flush();
    if (size > buffer.length) buffer = Buffer.allocUnsafe(size);
  }
  buffer[used] = TAG_MESSAGE;
  buffer.writeUInt32LE(size - HEADER, used + 1);
  buffer.writeUInt16LE(frames.length, used + HEADER);
  let at = used + HEADER + 2;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    buffer.writeUInt32LE(frame.length, at);
    buffer.set(frame, at + 4);
    at += 4 + frame.length;
  }
  used = at;
}

function event(body, written) {
  flush();
  const json = Buffer.from(JSON.stringify(body));
  const record = Buffer.allocUnsafe(HEADER + json.length);
  record[0] = TAG_EVENT;
  record.writeUInt32LE(json.length, 1);
  json.copy(record, HEADER);
  process.stdout.write(record, written);
}

/** The last record: the process ends once it (and everything before it) is in the pipe. */
function lastEvent(body) {
  event(body, () => process.exit(0));
}

process.stdout.on('error', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

// libzmq's own reconnection is off (reconnectInterval −1): the analyzer retries on its schedule, with a new process.
const socket = new zmq.Subscriber({
  reconnectInterval: -1,
  connectTimeout: 5000,
  heartbeatInterval: 1000,
  heartbeatTimeout: 5000,
  receiveHighWaterMark: 200_000,
  linger: 0,
});
let disconnected = false;
let disconnectReported = false;
function reportDisconnect() {
  if (disconnectReported) return;
  disconnectReported = true;
  event({ event: 'disconnect' });
}
socket.events.on('handshake', () => event({ event: 'handshake' }));
socket.events.on('close', () => event({ event: 'close' }));
socket.events.on('disconnect', () => {
  // Messages already queued belong before the loss: the read loop reports it once they are written.
  disconnected = true;
  if (!socket.readable) reportDisconnect();
});
socket.subscribe();
let connecting = true;
try {
  socket.connect(url);
} catch (error) {
  connecting = false;
  lastEvent({ event: 'error', message: error.message });
}

// zeromq.js hands a payload over 128 bytes to JavaScript as an external buffer with a finalizer, unless it runs in
// Electron 21 or later, where it copies every payload (src/incoming_msg.cc; it asks once, at the first message, and
// keeps the answer). Spike messages are about 300 bytes, and copying them costs about 15 % less per message than the
// finalizers (230,000 → 265,000 messages/s here). This process runs nothing else, so it answers "Electron" for that
// one question and takes the answer back once the first message is in; the bytes are the same either way.
const ownElectronVersion = Object.getOwnPropertyDescriptor(process.versions, 'electron');
if (ownElectronVersion === undefined) Object.defineProperty(process.versions, 'electron', { value: '21.0.0', configurable: true });
let firstMessage = true;

try {
  let sinceYield = 0;
  while (connecting && !socket.closed) {
    // Wait for the next message, then drain the queue with a receive timeout of 0 (each receive() reads at once and
    // rejects with EAGAIN when the queue is empty).
    socket.receiveTimeout = -1;
    let frames = await socket.receive();
    socket.receiveTimeout = 0;
    if (firstMessage) {
      firstMessage = false;
      if (ownElectronVersion === undefined) delete process.versions.electron;
    }
    for (;;) {
      append(frames);
      if (used >= BATCH_BYTES - 1024) flush();
      if (process.stdout.writableNeedDrain) {
        // The pipe is full (the analyzer reads slower than this): wait until it drains.
        await once(process.stdout, 'drain');
        sinceYield = 0;
      } else if (++sinceYield >= MESSAGES_PER_TURN) {
        sinceYield = 0;
        flush();
        await nextTurn();
      }
      try {
        frames = await socket.receive();
      } catch (error) {
        if (error.code === 'EAGAIN') break;
        throw error;
      }
    }
    flush();
    if (disconnected) reportDisconnect();
  }
} catch (error) {
  // The read ended (a receive failed): the analyzer sees the process end and retries.
  lastEvent({ event: 'error', message: error.message });
}
