import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** What the receiver reports, in the order it read it. */
export interface ReceiverHandlers {
  /**
   * One message: `frameCount` frames in `bytes` from `at`, each a u32le
   * length and its bytes. The bytes are valid during the call only.
   */
  message(bytes: Buffer, at: number, frameCount: number): void;
  /** A message too large to pass on (over MAX_MESSAGE_BYTES): its size and frame count. */
  oversized(bytes: number, frameCount: number): void;
  /** The ZMTP handshake with the publisher is done. */
  handshake(): void;
  /** The connection was lost, after every message queued before the loss was reported. */
  disconnect(): void;
  /** A connection closed (an attempt that failed before its handshake reports this). */
  closed(): void;
  /** The connect or a receive failed. */
  error(message: string): void;
  /** The process ended without being closed: how (exit code or signal, and the last of what it wrote to stderr). */
  exited(description: string): void;
  /** The records of one read from the pipe have all been reported. */
  chunkEnd(): void;
}

/** A message larger than this (all frames) is not passed on by the receiver: it is reported by size. An Event Broadcaster message is under 1 KiB. */
export const MAX_MESSAGE_BYTES = 1 << 20;

const TAG_MESSAGE = 1;
const TAG_EVENT = 2;
const TAG_OVERSIZED = 3;
const HEADER = 5;
/** A record this long cannot come from the receiver: the pipe is out of step. */
const MAX_RECORD_BYTES = MAX_MESSAGE_BYTES + 65_536;
/** What is kept of the receiver's stderr for the report when it ends. */
const STDERR_TAIL_BYTES = 2048;

/**
 * V8's garbage collector on the receiver's own thread: each message leaves
 * buffers whose memory V8 otherwise frees from helper threads, which then
 * contend with the receiving thread and libzmq's I/O thread for the
 * allocator's lock (a third less system time, and 10–30 % more messages a
 * second, measured).
 */
const RECEIVER_NODE_OPTIONS = ['--single-threaded-gc'];

/** The receiver program (plain JavaScript, run with this Node). */
export const RECEIVER = fileURLToPath(new URL('./zmqReceiver.mjs', import.meta.url));

/**
 * One connection attempt to an Event Broadcaster: zmqReceiver.mjs (a ZeroMQ
 * SUB socket) in a child process, its records decoded here. The analyzer
 * process itself never loads libzmq: an abort inside it ends the receiver,
 * which the source reports as a lost connection and retries.
 */
export class ZmqReceiverProcess {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private ended = false;
  private readonly decoder: ReceiverRecordDecoder;
  private stderrTail = '';

  constructor(url: string, private readonly handlers: ReceiverHandlers) {
    // close() stops the decoder: nothing is reported after it.
    this.decoder = new ReceiverRecordDecoder({
      message: handlers.message,
      oversized: handlers.oversized,
      event: (json) => this.event(json),
      outOfStep: (description) => this.fail(`the receiver process's output is out of step: ${description}`),
      chunkEnd: handlers.chunkEnd,
    });
    this.child = spawn(process.execPath, [...RECEIVER_NODE_OPTIONS, RECEIVER, url], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    this.child.on('error', (error) => this.fail(`the receiver process could not start: ${error.message}`));
    // 'close' comes after the pipes are drained: every record written before the end has been read.
    this.child.on('close', (code, signal) => {
      const last = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.fail(`the receiver process ended (${signal !== null ? `signal ${signal}` : `exit code ${code}`})${last !== '' ? `: ${last}` : ''}`);
    });
  }

  /** The receiver's process id (diagnostics; undefined if it did not start). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the attempt: the process is killed, nothing more is reported. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.decoder.stop();
    this.child.stdout.removeAllListeners('data');
    this.child.stdout.destroy();
    this.child.stderr.destroy();
    this.child.stdin.destroy();
    this.child.kill('SIGKILL');
  }

  private fail(description: string): void {
    if (this.ended) return;
    this.close();
    this.handlers.exited(description);
  }

  private event(json: string): void {
    let body: { event?: unknown; message?: unknown };
    try {
      body = JSON.parse(json) as typeof body;
    } catch {
      this.fail(`the receiver process wrote an event that is not JSON: ${json.slice(0, 80)}`);
      return;
    }
    switch (body.event) {
      case 'handshake':
        this.handlers.handshake();
        break;
      case 'disconnect':
        this.handlers.disconnect();
        break;
      case 'close':
        this.handlers.closed();
        break;
      case 'error':
        this.handlers.error(String(body.message));
        break;
      default:
        this.fail(`the receiver process wrote an unknown event: ${json.slice(0, 80)}`);
    }
  }
}

export interface RecordHandlers {
  message(bytes: Buffer, at: number, frameCount: number): void;
  oversized(bytes: number, frameCount: number): void;
  /** An event record's JSON text. */
  event(json: string): void;
  /** The bytes are not records (the decoder then stops). */
  outOfStep(description: string): void;
  chunkEnd(): void;
}

/**
 * The receiver's records (zmqReceiver.mjs) from its output as it comes, in
 * chunks cut anywhere: each record is reported once whole; the bytes of a
 * record cut by a chunk's end are kept until the rest arrives.
 */
export class ReceiverRecordDecoder {
  private carry: Buffer[] = [];
  private carryLength = 0;
  private stopped = false;

  constructor(private readonly handlers: RecordHandlers) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    let bytes = chunk;
    if (this.carryLength > 0) {
      this.carry.push(chunk);
      this.carryLength += chunk.length;
      // Wait for the whole record before joining the pieces (once).
      if (this.carryLength < HEADER) return;
      const first = this.carry[0];
      const head = first.length >= HEADER ? first : Buffer.concat(this.carry);
      const length = head.readUInt32LE(1);
      if (length <= MAX_RECORD_BYTES && this.carryLength < HEADER + length) return;
      bytes = Buffer.concat(this.carry, this.carryLength);
      this.carry = [];
      this.carryLength = 0;
    }
    let at = 0;
    while (bytes.length - at >= HEADER) {
      const length = bytes.readUInt32LE(at + 1);
      if (length > MAX_RECORD_BYTES) return this.stop(`a record of ${length} bytes`);
      if (bytes.length - at - HEADER < length) break;
      const body = at + HEADER;
      const tag = bytes[at];
      at = body + length;
      if (tag === TAG_MESSAGE) {
        if (length < 2) return this.stop('a message record without its frame count');
        this.handlers.message(bytes, body + 2, bytes.readUInt16LE(body));
      } else if (tag === TAG_EVENT) {
        this.handlers.event(bytes.toString('utf8', body, body + length));
      } else if (tag === TAG_OVERSIZED) {
        if (length !== 6) return this.stop(`an oversized-message record of ${length} bytes`);
        this.handlers.oversized(bytes.readUInt32LE(body), bytes.readUInt16LE(body + 4));
      } else {
        return this.stop(`a record of unknown kind ${tag}`);
      }
      if (this.stopped) return;
    }
    if (at < bytes.length) {
      // The rest is the start of a record: kept (copied: the chunk is the stream's) until its end arrives.
      const rest = Buffer.from(bytes.subarray(at));
      this.carry = [rest];
      this.carryLength = rest.length;
    }
    this.handlers.chunkEnd();
  }

  /** No more records (the handlers are not called again). */
  stop(description?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.carry = [];
    this.carryLength = 0;
    if (description !== undefined) this.handlers.outOfStep(description);
  }
}
