import { UsageError } from '../../src/errors.ts';
import type { ReconnectPolicy } from '../../src/live/reconnectPolicy.ts';
import { SourceHealth, type HealthClock } from '../../src/live/sourceHealth.ts';
import { SourceStreams } from '../../src/live/sourceStreams.ts';
import type { TimeJumpLimits } from '../../src/live/timeJumpLimits.ts';
import type { LiveSource } from '../liveSource.ts';
import { broadcasterUnitId, parseBroadcasterMessage, type BroadcasterRefusal } from './eventBroadcasterMessages.ts';
import { SpikeScanner } from './spikeScanner.ts';
import { StreamClocks, type StreamClockLimits } from './streamClocks.ts';
import { IdTable } from '../../src/stream/idTable.ts';
import { MAX_MESSAGE_BYTES, ZmqReceiverProcess } from './zmqReceiverProcess.ts';
import type { SourceStatus } from '../../src/server/sourceStatus.ts';

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
  /** Wall time for retries, the silence watchdog and alert rate limits (tests pass one they move by hand). */
  clock?: HealthClock;
}

/** Spikes handed on in one batch at most (a full socket queue is drained in batches of this size). */
const MAX_BATCH_SPIKES = 16_384;

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
 * - The connection, silence, gaps and time checks are the source's
 *   SourceHealth (src/live/sourceHealth.ts); this file keeps the wire.
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
  private readonly out = new SourceStreams();
  readonly events = this.out.events;
  readonly alerts = this.out.alerts;
  private readonly health: SourceHealth;
  private readonly clocks: StreamClocks;
  private receiver: ZmqReceiverProcess | undefined;

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
  };
  private readonly streamContexts = new Map<string, string>();
  /** Refusals by reason since the last `input-rejected` alert of that reason. */
  private readonly refusedSinceAlert = new Map<BroadcasterRefusal, number>();

  constructor(readonly options: EventBroadcasterSourceOptions) {
    let address: URL;
    try {
      address = new URL(options.url);
    } catch {
      throw new UsageError(`expected a tcp://HOST:PORT address of the Event Broadcaster (default port 5557), got "${options.url}"`);
    }
    if (address.protocol !== 'tcp:' || address.port === '') throw new UsageError(`expected a tcp://HOST:PORT address of the Event Broadcaster (default port 5557), got "${options.url}"`);
    this.name = `openephys@${address.host}`;
    const silenceSeconds = options.silenceSeconds ?? 5;
    if (!(silenceSeconds > 0)) throw new UsageError(`--silence must be > 0 seconds, got ${silenceSeconds}`);
    this.health = new SourceHealth(
      {
        name: this.name,
        url: options.url,
        target: `the Event Broadcaster at ${options.url}`,
        reconnect: options.reconnect,
        timeJumps: options.timeJumps,
        silenceSeconds,
        silenceHint: 'is acquisition running, with spikes or TTL events upstream of the Event Broadcaster?',
        lostWhileAway: 'what it broadcast while away is lost',
        unknownModeOnReturn: true,
        clock: options.clock,
        random: options.random,
        onStatus: options.onStatus,
      },
      this.out,
      {
        flush: () => this.flush(),
        connect: () => this.connect(),
        // The health is closed by then: nothing more is handed on.
        giveUp: (error) => this.out.fail(error),
      },
    );
    this.clocks = new StreamClocks(options.clockStream, options.clockLimits);
    this.scanner = new SpikeScanner(options.unsorted);
  }

  /** Messages, spikes, units, TTL events and mode changes; what was dropped or refused, by cause; connections, clock resets, streams. */
  status(): SourceStatus[] {
    const health = this.health;
    let refused = 0;
    for (const count of Object.values(this.counters.refused)) refused += count ?? 0;
    return [
      {
        name: this.name,
        connected: health.connected,
        lost: health.lost,
        ended: false,
        messages: this.counters.messages,
        spikes: this.counters.spikes,
        missing: 0,
        rejected: refused,
        latestTime: Number.isFinite(health.latest) ? health.latest : null,
      },
    ];
  }

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
    parts.push(this.health.connectionsText());
    if (this.health.counters.clockResets > 0) parts.push(this.health.clockResetsText());
    const streams = this.clocks.streamRates().map(({ stream, sampleRate }) => `${stream} ${sampleRate} Hz${stream === this.clocks.clockStream ? ' (clock)' : ''}`);
    if (streams.length > 0) parts.push(`streams: ${streams.join(', ')}`);
    return this.health.summaryLine(parts);
  }

  /** The process id of the current attempt's receiver (zmqReceiver.mjs), if one is running. */
  get receiverPid(): number | undefined {
    return this.receiver?.pid;
  }

  /** Starts connecting (call after subscribing to `events` and `alerts`). */
  start(): void {
    this.health.start();
  }

  /** Stops: closes the socket, no more retries; `events` and `alerts` complete. */
  close(): void {
    if (this.health.isClosed) return;
    this.flush();
    this.health.close();
    this.receiver?.close();
    this.receiver = undefined;
    this.out.complete();
  }

  private connect(): void {
    if (this.health.isClosed) return;
    let ended = false;
    const end = (connectedBefore: boolean, cause?: string) => {
      if (ended) return;
      ended = true;
      receiver.close();
      if (this.receiver === receiver) this.receiver = undefined;
      if (this.health.isClosed) return;
      if (!connectedBefore) this.health.attemptFailed();
      else
        this.health.connectionLost(
          cause === undefined
            ? `source ${this.name} disconnected (the GUI closed, the plugin restarted its connection, or the host stopped answering heartbeats); waiting for it to come back`
            : `source ${this.name}: ${cause}; connecting again`,
        );
    };
    const receiver = new ZmqReceiverProcess(this.options.url, {
      message: (bytes, at, frameCount) => this.receiveWire(bytes, at, frameCount),
      oversized: (bytes, frameCount) => {
        if (this.health.isClosed) return;
        this.health.heard();
        this.refuse('oversized', `a message of ${bytes} bytes in ${frameCount} frame${frameCount === 1 ? '' : 's'} (over ${MAX_MESSAGE_BYTES} bytes; the Event Broadcaster's are under 1 KiB)`);
      },
      handshake: () => this.health.connectionUp(),
      // Reported after every message queued before the loss (a disconnect before the handshake is a failed attempt).
      disconnect: () => end(this.health.connected),
      // A connection that closes before its handshake is a failed attempt.
      closed: () => {
        if (!this.health.connected) end(false);
      },
      error: (message) => this.health.status(`${this.options.url}: ${message}`),
      exited: (description) => {
        this.health.status(`${this.options.url}: ${description}`);
        end(this.health.connected, description);
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
      if (this.counters.unsorted++ === 0) this.health.status(`${this.name}: spikes with sorted_id 0 (unsorted) are dropped and counted; --unsorted channel keeps them as <electrode>:0`);
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
    if (this.health.isClosed) return;
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
        if (this.counters.unsorted++ === 0) this.health.status(`${this.name}: spikes with sorted_id 0 (unsorted) are dropped and counted; --unsorted channel keeps them as <electrode>:0`);
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
        this.out.event({ kind: 'label', t, label });
        break;
      }
    }
  }

  /** A message that was read: counted, placed on the analysis clock (clock resets, time jumps, the gap after a return); its time. */
  private place(stream: string, sampleNumber: number, sampleRate: number): number {
    this.health.heard();
    this.counters.messages++;
    const placement = this.clocks.place(stream, sampleNumber, sampleRate);
    const t = placement.t;
    if (placement.reset !== undefined) {
      const reset = placement.reset;
      this.health.clockReset(
        reset.runStart,
        reset.fromSeconds,
        `source ${this.name}: stream "${reset.stream}" sample clock went back from ${reset.fromSeconds.toFixed(3)} s to ${reset.toSeconds.toFixed(3)} s: acquisition restarted; run ${reset.run} continues the analysis clock at ${reset.runStart.toFixed(3)} s, mode unknown until the next TTL change`,
      );
      this.out.event({ kind: 'label', t: reset.runStart, label: null });
      this.health.moveTo(t);
      return t;
    }
    if (placement.offStream !== undefined && this.health.resumedAfter === undefined) {
      this.health.raise({
        kind: 'time-jump',
        value: placement.offStream,
        message: `source ${this.name}: stream "${stream}" is ${placement.offStream.toFixed(3)} s from the clock stream "${this.clocks.clockStream}"; the streams may not share an origin (their sample counts are taken as seconds since acquisition start)`,
      });
    }
    this.health.place(t, this.streamContext(stream));
    return t;
  }

  /** `stream "<name>"` for a time alert's message, made once per stream (place runs for every message). */
  private streamContext(stream: string): string {
    let context = this.streamContexts.get(stream);
    if (context === undefined) {
      context = `stream "${stream}"`;
      if (this.streamContexts.size < 1024) this.streamContexts.set(stream, context);
    }
    return context;
  }

  private refuse(reason: BroadcasterRefusal, message: string): void {
    this.counters.refused[reason] = (this.counters.refused[reason] ?? 0) + 1;
    const since = (this.refusedSinceAlert.get(reason) ?? 0) + 1;
    this.refusedSinceAlert.set(reason, since);
    if (!this.health.every(`refused ${reason}`)) return;
    this.refusedSinceAlert.set(reason, 0);
    this.health.raise({ kind: 'input-rejected', value: since, message: `source ${this.name}: ${since} message${since === 1 ? '' : 's'} refused (${reason}): ${message}` });
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
    if (this.pendingLength === 0 || this.health.isClosed) return;
    const n = this.pendingLength;
    this.pendingLength = 0;
    this.out.event({ kind: 'spikes', t: this.pendingT.slice(0, n), unit: this.pendingUnit.slice(0, n), unitIds: this.units.ids });
  }
}
