import { Subject, type Observable } from 'rxjs';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { ConnectionError } from '../../src/errors.ts';
import { DEFAULT_TIME_JUMP_LIMITS, type TimeJumpLimits } from '../../src/live/ingestSession.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import type { LiveSource } from '../liveSource.ts';
import { DEFAULT_RECONNECT, retryDelayMs, type ReconnectPolicy } from '../reconnectPolicy.ts';
import { broadcasterUnitId, parseBroadcasterMessage, type BroadcasterRefusal } from './eventBroadcasterMessages.ts';
import { SpikeScanner } from './spikeScanner.ts';
import { StreamClocks, type StreamClockLimits } from './streamClocks.ts';
import { IdTable } from '../../src/stream/idTable.ts';
import { MAX_MESSAGE_BYTES, ZmqReceiverProcess } from './zmqReceiverProcess.ts';

export interface EventBroadcasterSourceOptions {
  /** tcp://HOST:PORT of the Event Broadcaster's PUB socket (the plugin's default port is 5557). */
  url: string;
  /** TTL states to modes (parseTtlLabels): +line high, −line low, lines from 1. Without it TTL events are counted only. */
  ttlLabels?: Map<number, string | null>;
  /** sorted_id 0: dropped and counted (default), or kept as one multi-unit per electrode, `<electrode>:0`. */
  unsorted?: 'drop' | 'channel';
  /** Wall seconds without a message before a `source-silent` alert (default 5). */
  silenceSeconds?: number;
  reconnect?: Partial<ReconnectPolicy>;
  /** Status lines (connecting, connected, retrying in …). */
  onStatus?: (line: string) => void;
  /** The stream whose clock is the reference (default: the first stream seen); see StreamClocks. */
  clockStream?: string;
  timeJumps?: TimeJumpLimits;
  clockLimits?: Partial<StreamClockLimits>;
  /** Random numbers for the jitter (tests pass a seeded one). */
  random?: () => number;
}

/** Spikes handed on in one batch at most (a full socket queue is drained in batches of this size). */
const MAX_BATCH_SPIKES = 16_384;
/** Wall seconds between two alerts about refused messages of one reason (the count in between goes in the next). */
const REFUSAL_ALERT_EVERY_SECONDS = 10;

/**
 * `synergy connect zmq://HOST:5557 --format openephys`: the Open Ephys
 * GUI's Event Broadcaster plugin, read over ZeroMQ (a SUB socket subscribed
 * to everything), in its JSON format (eventBroadcasterMessages.ts).
 *
 * - The socket lives in a child process (zmqReceiver.mjs, one per connection
 *   attempt; zmqReceiverProcess.ts): it receives on a core of its own and
 *   hands the messages on in bulk, and an abort inside libzmq ends that
 *   process, not the analyzer (reported as a lost connection, then retried).
 *   Messages over 1 MiB are refused there, unread (`oversized`).
 * - Spikes become unit `<electrode>:<sorted_id>` at sample_number /
 *   sample_rate seconds, in columnar batches: one per turn of the event
 *   loop (at most MAX_BATCH_SPIKES spikes), never one event per spike.
 * - TTL events become mode changes through `ttlLabels` (+line high, −line
 *   low, lines from 1); other states leave the mode and are counted.
 * - Time: StreamClocks. One clock per stream, all on one time line; a
 *   restarted acquisition (sample numbers back near zero) raises
 *   `clock-reset` and continues after the old run's latest time (the analysis
 *   clock stays monotonic), with the mode unknown (a gap in the labels)
 *   until the next mapped TTL event.
 * - ZeroMQ hides a lost publisher (a SUB socket reconnects by itself and
 *   reports nothing to its reader), so the socket's monitor events are
 *   watched instead: `disconnect` (reported after the messages queued before
 *   it) raises `source-lost` and opens a data gap at the latest time, and so
 *   does the end of the receiver process; ZMTP heartbeats (every second, 5 s
 *   timeout) make a vanished host show as a disconnect too. Reconnection is
 *   ours, as in RigConnection: a new socket (and process) per attempt
 *   (libzmq's own reconnect is off), exponential backoff with full jitter,
 *   `maxAttempts` then ConnectionError.
 *   When data resume, the gap is closed at the first new time and a
 *   `data-gap` alert says how much was missed; the mode is unknown until
 *   the next mapped TTL event (TTL changes while away are lost too).
 * - `source-silent` after `silenceSeconds` of wall time without a message
 *   while connected (acquisition stopped, or nothing upstream sends).
 * - Malformed messages are counted by reason (summary()), and raise an
 *   `input-rejected` alert at most every 10 s per reason.
 */
export class EventBroadcasterSource implements LiveSource {
  readonly name: string;
  private readonly eventSubject = new Subject<SourceEvent>();
  private readonly alertSubject = new Subject<AlertEvent>();
  private readonly policy: ReconnectPolicy;
  private readonly limits: TimeJumpLimits;
  private readonly silenceMs: number;
  private readonly clocks: StreamClocks;
  private receiver: ZmqReceiverProcess | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  private connected = false;
  private lost = false;
  private silent = false;
  private lastMessageMs = Date.now();
  /** A message arrived since the last silence check. */
  private heard = false;
  /** Set when the source came back: the latest time then, to close the gap where data resume. */
  private resumedAfter: number | undefined;
  private lastBackAlertMs = -Infinity;

  /** Unit ids the batches index into (shared by all batches). */
  private readonly units = new IdTable();
  private pendingT = new Float64Array(1024);
  private pendingUnit = new Uint32Array(1024);
  private pendingLength = 0;
  private flushScheduled = false;
  /** The fast path for spike messages; its interned electrode names keep their unit indices. */
  private readonly scanner: SpikeScanner;

  readonly counters = {
    messages: 0,
    spikes: 0,
    unsorted: 0,
    ttlEvents: 0,
    modeChanges: 0,
    /** TTL events whose state ttlLabels does not map, by state. */
    unmapped: new Map<number, number>(),
    refused: {} as Partial<Record<BroadcasterRefusal, number>>,
    connections: 0,
    attempts: 0,
    clockResets: 0,
  };
  private readonly refusalAlerts = new Map<BroadcasterRefusal, { lastMs: number; since: number }>();

  constructor(readonly options: EventBroadcasterSourceOptions) {
    let address: URL;
    try {
      address = new URL(options.url);
    } catch {
      throw new RangeError(`expected a tcp://HOST:PORT address, got ${options.url}`);
    }
    if (address.protocol !== 'tcp:' || address.port === '') throw new RangeError(`expected a tcp://HOST:PORT address, got ${options.url}`);
    this.name = `openephys@${address.host}`;
    this.policy = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.limits = options.timeJumps ?? DEFAULT_TIME_JUMP_LIMITS;
    const silenceSeconds = options.silenceSeconds ?? 5;
    if (!(silenceSeconds > 0)) throw new RangeError(`silenceSeconds must be > 0, got ${silenceSeconds}`);
    this.silenceMs = silenceSeconds * 1000;
    this.clocks = new StreamClocks(options.clockStream, options.clockLimits);
    this.scanner = new SpikeScanner(options.unsorted);
  }

  get events(): Observable<SourceEvent> {
    return this.eventSubject.asObservable();
  }

  get alerts(): Observable<AlertEvent> {
    return this.alertSubject.asObservable();
  }

  /** Messages, spikes, units, TTL events and mode changes; what was dropped or refused, by cause; connections, clock resets, streams. */
  summary(): string {
    const c = this.counters;
    const unmapped = [...c.unmapped.values()].reduce((sum, n) => sum + n, 0);
    const parts = [
      `${c.messages} messages`,
      `${c.spikes} spikes (${this.units.size} units)`,
      `${c.ttlEvents} TTL events (${c.modeChanges} mode changes${unmapped > 0 ? `, ${unmapped} of unmapped states ${[...c.unmapped.keys()].sort((a, b) => a - b).join(' ')}` : ''})`,
    ];
    if (c.unsorted > 0) parts.push(`${c.unsorted} unsorted spikes dropped`);
    const refused = Object.entries(c.refused).map(([reason, count]) => `${count} ${reason}`);
    if (refused.length > 0) parts.push(`refused ${refused.join(', ')}`);
    parts.push(`${c.connections} connection${c.connections === 1 ? '' : 's'}`);
    if (c.clockResets > 0) parts.push(`${c.clockResets} clock reset${c.clockResets === 1 ? '' : 's'}`);
    const streams = this.clocks.streamRates().map(({ stream, sampleRate }) => `${stream} ${sampleRate} Hz${stream === this.clocks.clockStream ? ' (clock)' : ''}`);
    if (streams.length > 0) parts.push(`streams: ${streams.join(', ')}`);
    return `sources: ${this.name}: ${parts.join(', ')}`;
  }

  /** The process id of the current attempt's receiver (zmqReceiver.mjs), if one is running. */
  get receiverPid(): number | undefined {
    return this.receiver?.pid;
  }

  /** Starts connecting (call after subscribing to `events` and `alerts`). */
  start(): void {
    this.silenceTimer = setInterval(() => this.checkSilence(), Math.min(1000, this.silenceMs / 4));
    this.connect();
  }

  /** Stops: closes the socket, no more retries; `events` and `alerts` complete. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.stopTimers();
    this.receiver?.close();
    this.receiver = undefined;
    this.eventSubject.complete();
    this.alertSubject.complete();
  }

  private stopTimers(): void {
    clearTimeout(this.retryTimer);
    clearInterval(this.silenceTimer);
  }

  private status(line: string): void {
    this.options.onStatus?.(line);
  }

  private alert(alert: Omit<AlertEvent, 'type' | 'source' | 't'> & { t?: number }): void {
    this.alertSubject.next({ type: 'alert', source: this.name, ...alert, t: alert.t ?? finiteOr(this.clocks.latest, 0) });
  }

  private connect(): void {
    if (this.closed) return;
    this.counters.attempts++;
    let ended = false;
    const end = (connectedBefore: boolean, cause?: string) => {
      if (ended) return;
      ended = true;
      receiver.close();
      if (this.receiver === receiver) this.receiver = undefined;
      if (this.closed) return;
      if (connectedBefore) this.connectionLost(cause);
      this.scheduleRetry();
    };
    const receiver = new ZmqReceiverProcess(this.options.url, {
      message: (bytes, at, frameCount) => this.receiveWire(bytes, at, frameCount),
      oversized: (bytes, frameCount) => {
        if (this.closed) return;
        this.touch();
        this.refuse('oversized', `a message of ${bytes} bytes in ${frameCount} frame${frameCount === 1 ? '' : 's'} (over ${MAX_MESSAGE_BYTES} bytes; the Event Broadcaster's are under 1 KiB)`);
      },
      handshake: () => {
        this.connected = true;
        this.attempt = 0;
        this.counters.connections++;
        this.lastMessageMs = Date.now();
        this.status(`connected to ${this.options.url}`);
        if (this.lost) {
          this.lost = false;
          this.resumedAfter = this.clocks.latest;
          this.alert({
            state: 'cleared',
            kind: 'source-lost',
            message: `source ${this.name} is back (connection ${this.counters.connections}); what it broadcast while away is lost`,
          });
        }
      },
      // Reported after every message queued before the loss (a disconnect before the handshake is a failed attempt).
      disconnect: () => end(this.connected),
      // A connection that closes before its handshake is a failed attempt.
      closed: () => {
        if (!this.connected) end(false);
      },
      error: (message) => this.status(`${this.options.url}: ${message}`),
      exited: (description) => {
        this.status(`${this.options.url}: ${description}`);
        end(this.connected, description);
      },
      chunkEnd: () => {
        if (this.pendingLength >= MAX_BATCH_SPIKES) this.flush();
        else if (this.pendingLength > 0 && !this.flushScheduled) {
          // What arrives within one turn of the event loop goes in one batch.
          this.flushScheduled = true;
          setImmediate(this.scheduledFlush);
        }
      },
    });
    this.receiver = receiver;
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** The spike the scanner just read (spikeScanner.ts). */
  private receiveSpike(): void {
    const scanner = this.scanner;
    const t = this.place(scanner.stream!.text, scanner.sampleNumber, scanner.sampleRate);
    if (scanner.unsorted) {
      if (this.counters.unsorted++ === 0) this.status(`${this.name}: spikes with sorted_id 0 (unsorted) are dropped and counted; --unsorted channel keeps them as <electrode>:0`);
      return;
    }
    this.counters.spikes++;
    const electrode = scanner.electrode!;
    let unit = electrode.units[scanner.sortedId];
    if (unit === undefined) {
      unit = this.units.indexOf(broadcasterUnitId(electrode.text, scanner.sortedId));
      electrode.units[scanner.sortedId] = unit;
    }
    this.push(t, unit);
  }

  /** One message as the receiver process wrote it (zmqReceiverProcess.ts): `frameCount` frames from `at`. Never throws. */
  private receiveWire(bytes: Buffer, at: number, frameCount: number): void {
    if (this.closed) return;
    // Spikes as the plugin writes them (type frame 1, then the JSON) take the fast path (spikeScanner.ts), read in place;
    // everything else, and anything in doubt, the full parse.
    if (frameCount === 2 && bytes.readUInt32LE(at) === 2 && bytes[at + 4] === 1 && bytes[at + 5] === 0) {
      const start = at + 10;
      if (this.scanner.scanPayload(bytes, start, start + bytes.readUInt32LE(at + 6))) {
        this.receiveSpike();
        return;
      }
    }
    const frames: Buffer[] = [];
    for (let i = 0; i < frameCount; i++) {
      const length = bytes.readUInt32LE(at);
      frames.push(bytes.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.receive(frames);
  }

  /** One message that the fast path did not take. Never throws. */
  private receive(frames: Buffer[]): void {
    const record = parseBroadcasterMessage(frames, { unsorted: this.options.unsorted });
    if (record.kind === 'refused') {
      this.refuse(record.reason, record.message);
      return;
    }
    const t = this.place(record.stream, record.sampleNumber, record.sampleRate);
    switch (record.kind) {
      case 'spike':
        this.counters.spikes++;
        this.push(t, this.units.indexOf(record.unitId));
        break;
      case 'unsorted':
        if (this.counters.unsorted++ === 0) this.status(`${this.name}: spikes with sorted_id 0 (unsorted) are dropped and counted; --unsorted channel keeps them as <electrode>:0`);
        break;
      case 'ttl': {
        this.counters.ttlEvents++;
        const label = this.options.ttlLabels?.get(record.state);
        if (label === undefined) {
          this.counters.unmapped.set(record.state, (this.counters.unmapped.get(record.state) ?? 0) + 1);
          break;
        }
        this.counters.modeChanges++;
        this.flush();
        this.eventSubject.next({ kind: 'label', t, label });
        break;
      }
    }
  }

  /** A message that was read: counted, placed on the analysis clock (clock resets, time jumps, the gap after a return); its time. */
  private place(stream: string, sampleNumber: number, sampleRate: number): number {
    this.touch();
    this.counters.messages++;
    const previous = this.clocks.latest;
    const placement = this.clocks.place(stream, sampleNumber, sampleRate);
    const t = placement.t;
    if (placement.reset !== undefined) {
      const reset = placement.reset;
      this.counters.clockResets++;
      this.flush();
      this.alert({
        state: 'raised',
        kind: 'clock-reset',
        t: reset.runStart,
        value: reset.fromSeconds,
        message: `source ${this.name}: stream "${reset.stream}" sample clock went back from ${reset.fromSeconds.toFixed(3)} s to ${reset.toSeconds.toFixed(3)} s: acquisition restarted; run ${reset.run} continues the analysis clock at ${reset.runStart.toFixed(3)} s, mode unknown until the next TTL change`,
      });
      this.eventSubject.next({ kind: 'label', t: reset.runStart, label: null });
    } else if (this.resumedAfter === undefined) {
      this.checkJump(stream, previous, t, placement.offStream);
    }
    if (this.resumedAfter !== undefined) this.resume(t);
    return t;
  }

  /** The first data after the source came back: the gap closes at their time. */
  private resume(t: number): void {
    const start = this.resumedAfter!;
    this.resumedAfter = undefined;
    if (!Number.isFinite(start)) return;
    this.flush();
    this.eventSubject.next({ kind: 'gap', start, end: Math.max(start, t) });
    // What the TTL lines did while away is unknown: no mode until the next mapped change.
    this.eventSubject.next({ kind: 'label', t: start, label: null });
    if (t - start > this.limits.backSeconds) {
      this.alert({
        state: 'raised',
        kind: 'data-gap',
        t,
        value: t - start,
        message: `source ${this.name}: no data from ${start.toFixed(3)} s to ${t.toFixed(3)} s (${(t - start).toFixed(3)} s) while it was away`,
      });
    }
  }

  /** Alerts for an event at `t` of `stream` that lies far from the latest time before it (`previous`). */
  private checkJump(stream: string, previous: number, t: number, offStream: number | undefined): void {
    if (offStream !== undefined) {
      this.alert({
        state: 'raised',
        kind: 'time-jump',
        value: offStream,
        message: `source ${this.name}: stream "${stream}" is ${offStream.toFixed(3)} s from the clock stream "${this.clocks.clockStream}"; the streams may not share an origin (their sample counts are taken as seconds since acquisition start)`,
      });
    }
    if (previous === -Infinity) return;
    const ahead = t - previous;
    if (ahead > this.limits.alertSeconds) {
      this.alert({
        state: 'raised',
        kind: 'time-jump',
        t: previous,
        value: ahead,
        message: `source ${this.name}: event time jumped ${ahead.toFixed(3)} s forward, from ${previous.toFixed(3)} s to ${t.toFixed(3)} s (stream "${stream}")`,
      });
    }
    const behind = previous - t;
    if (behind > this.limits.backSeconds) {
      const now = Date.now();
      if (now - this.lastBackAlertMs >= REFUSAL_ALERT_EVERY_SECONDS * 1000) {
        this.lastBackAlertMs = now;
        this.alert({
          state: 'raised',
          kind: 'time-jump',
          t: previous,
          value: -behind,
          message: `source ${this.name}: event time went back ${behind.toFixed(3)} s, to ${t.toFixed(3)} s (stream "${stream}"); spikes older than the lateness are dropped as late`,
        });
      }
    }
  }

  private refuse(reason: BroadcasterRefusal, message: string): void {
    this.counters.refused[reason] = (this.counters.refused[reason] ?? 0) + 1;
    const now = Date.now();
    const state = this.refusalAlerts.get(reason) ?? { lastMs: -Infinity, since: 0 };
    state.since++;
    if (now - state.lastMs >= REFUSAL_ALERT_EVERY_SECONDS * 1000) {
      this.alert({
        state: 'raised',
        kind: 'input-rejected',
        value: state.since,
        message: `source ${this.name}: ${state.since} message${state.since === 1 ? '' : 's'} refused (${reason}): ${message}`,
      });
      state.lastMs = now;
      state.since = 0;
    }
    this.refusalAlerts.set(reason, state);
  }

  /** A message arrived: clears a `source-silent` alert. */
  /** A message arrived. (The clock is read by the silence check, not per message: at 200,000 messages a second it shows.) */
  private touch(): void {
    this.heard = true;
    if (this.silent) {
      this.silent = false;
      this.alert({ state: 'cleared', kind: 'source-silent', message: `source ${this.name} is sending again` });
    }
  }

  private checkSilence(): void {
    if (this.heard) {
      // Messages since the last check: silence counts from now (within one check interval of the last message).
      this.heard = false;
      this.lastMessageMs = Date.now();
      return;
    }
    if (this.closed || !this.connected || this.silent) return;
    const quietMs = Date.now() - this.lastMessageMs;
    if (quietMs < this.silenceMs) return;
    this.silent = true;
    this.alert({
      state: 'raised',
      kind: 'source-silent',
      value: quietMs / 1000,
      message: `source ${this.name}: no message for ${(quietMs / 1000).toFixed(1)} s while connected (is acquisition running, with spikes or TTL events upstream of the Event Broadcaster?)`,
    });
  }

  /** The connection is gone: a gap opens, `source-lost` is raised (`cause`: the receiver process ended, and how). */
  private connectionLost(cause?: string): void {
    this.connected = false;
    this.flush();
    if (this.silent) this.silent = false;
    this.lost = true;
    this.resumedAfter = undefined;
    const latest = this.clocks.latest;
    if (Number.isFinite(latest)) this.eventSubject.next({ kind: 'gap', start: latest, end: Infinity });
    this.alert({
      state: 'raised',
      kind: 'source-lost',
      message:
        cause === undefined
          ? `source ${this.name} disconnected (the GUI closed, the plugin restarted its connection, or the host stopped answering heartbeats); waiting for it to come back`
          : `source ${this.name}: ${cause}; connecting again`,
    });
  }

  private scheduleRetry(): void {
    this.connected = false;
    this.attempt++;
    if (this.attempt > this.policy.maxAttempts) {
      this.status(`giving up on ${this.options.url} after ${this.policy.maxAttempts} attempts`);
      this.flush();
      this.closed = true;
      this.stopTimers();
      this.eventSubject.error(new ConnectionError(`could not reach the Event Broadcaster at ${this.options.url} after ${this.policy.maxAttempts} attempts`));
      this.alertSubject.complete();
      return;
    }
    const delayMs = retryDelayMs(this.policy, this.attempt, this.options.random);
    this.status(`connection to ${this.options.url} lost or refused; retry ${this.attempt} in ${(delayMs / 1000).toFixed(2)} s`);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  private push(t: number, unit: number): void {
    if (this.pendingLength === this.pendingT.length) {
      const t2 = new Float64Array(this.pendingT.length * 2);
      t2.set(this.pendingT);
      this.pendingT = t2;
      const unit2 = new Uint32Array(this.pendingUnit.length * 2);
      unit2.set(this.pendingUnit);
      this.pendingUnit = unit2;
    }
    this.pendingT[this.pendingLength] = t;
    this.pendingUnit[this.pendingLength] = unit;
    this.pendingLength++;
  }

  /** Hands on the spikes gathered so far as one batch. */
  private flush(): void {
    if (this.pendingLength === 0 || this.closed) return;
    const n = this.pendingLength;
    this.pendingLength = 0;
    this.eventSubject.next({ kind: 'spikes', t: this.pendingT.slice(0, n), unit: this.pendingUnit.slice(0, n), unitIds: this.units.ids });
  }
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
