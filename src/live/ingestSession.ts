import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SourceEvent, SpikeBatch } from '../stream/events.ts';
import { decodeSpikeFrame } from './binarySpikeFrame.ts';
import { parseIngestText, PROTOCOL_VERSION, ProtocolError, type IngestMessage, type ProtocolErrorCode } from './ingestMessages.ts';
import { IdTable } from '../stream/idTable.ts';

/** How far a source's event time may move before it is news, or refused. */
export interface TimeJumpLimits {
  /** A forward jump of more than this many seconds raises a `time-jump` alert (the data are kept). */
  alertSeconds: number;
  /** A message more than this many seconds ahead of the source's latest time is refused (a clock error, not a pause). */
  refuseSeconds: number;
  /** A message more than this many seconds behind the latest time raises a `time-jump` alert (its spikes are late). */
  backSeconds: number;
}

export const DEFAULT_TIME_JUMP_LIMITS: TimeJumpLimits = { alertSeconds: 10, refuseSeconds: 600, backSeconds: 0.1 };

/** What is known of one source (a rig, by the name its hello gives), across its connections. */
export interface SourceState {
  readonly name: string;
  /** The last seq accepted from it. */
  lastSeq: number | undefined;
  /** Its latest event time, seconds (−∞ before the first). */
  latestTime: number;
  sampleRate: number | undefined;
  /** Set when a lost source comes back: its latest time then, to report the stretch of data lost when its data resume. */
  resumedAfter: number | undefined;
  /** The run its last hello named (a new run restarts seq numbering). */
  run: string | undefined;
  connected: boolean;
  /** It said `end`. */
  ended: boolean;
  /** It dropped without `end` and has not come back. */
  lost: boolean;
  /** No message for the silence limit (the server's clock). */
  silent: boolean;
  lastMessageMs: number;
  readonly counters: SourceCounters;
}

export interface SourceCounters {
  messages: number;
  spikes: number;
  /** Messages missing by seq. */
  missing: number;
  /** Messages refused, by error code. */
  rejected: Partial<Record<ProtocolErrorCode, number>>;
  connections: number;
}

/** The sources seen by one analyzer, by name. */
export class SourceRegistry {
  readonly sources = new Map<string, SourceState>();

  get(name: string): SourceState | undefined {
    return this.sources.get(name);
  }

  /** A new or returning source; throws if that name is connected right now. */
  attach(name: string, nowMs: number): { source: SourceState; returning: boolean } {
    let source = this.sources.get(name);
    if (source?.connected) {
      throw new ProtocolError('duplicate-hello', `source "${name}" is already connected; one connection per source name`);
    }
    const returning = source !== undefined;
    if (source === undefined) {
      source = {
        name,
        lastSeq: undefined,
        latestTime: -Infinity,
        sampleRate: undefined,
        run: undefined,
        resumedAfter: undefined,
        connected: false,
        ended: false,
        lost: false,
        silent: false,
        lastMessageMs: nowMs,
        counters: { messages: 0, spikes: 0, missing: 0, rejected: {}, connections: 0 },
      };
      this.sources.set(name, source);
    }
    source.connected = true;
    source.ended = false;
    source.lastMessageMs = nowMs;
    source.counters.connections++;
    return { source, returning };
  }
}

/** The sources of a registry in one line: messages, spikes, messages missing, connections, refused by code. */
export function sourcesSummary(registry: SourceRegistry): string {
  const sources = [...registry.sources.values()].map((source) => {
    const rejected = Object.entries(source.counters.rejected).map(([code, count]) => `${count} ${code}`);
    return `${source.name}: ${source.counters.messages} messages, ${source.counters.spikes} spikes, ${source.counters.missing} missing, ${source.counters.connections} connection${source.counters.connections === 1 ? '' : 's'}${rejected.length > 0 ? `, refused ${rejected.join(', ')}` : ''}`;
  });
  return `sources: ${sources.length === 0 ? 'none' : sources.join('; ')}`;
}

/** What one incoming frame produced. */
export interface SessionOutput {
  /** Events for the analysis, in order. */
  events: SourceEvent[];
  /** Frames to send back on this connection (ready, warning, error), as objects. */
  replies: object[];
  /** Source alerts (sequence gaps, time jumps, a source restored). */
  alerts: AlertEvent[];
  /** The source said `end`. */
  ended: boolean;
}

/**
 * One ingest connection: checks each frame (docs/PROTOCOL.md), keeps the
 * sequence and unit tables, converts samples to seconds, and turns messages
 * into the analyzer's SourceEvents. Plain TypeScript with no sockets, so it
 * is tested message by message; the server and `synergy connect` wire it up.
 *
 * Nothing is dropped silently: a refused message is answered with an error
 * frame (code and reason) and counted in the source's counters; a gap in
 * `seq` raises a `sequence-gap` alert with the number missing; a duplicate
 * seq (a resent message) is refused; a jump of event time raises
 * `time-jump`, and a jump beyond `refuseSeconds` is refused as a clock error.
 */
export class IngestSession {
  source: SourceState | undefined;
  /** Ids the binary frames index into: hello.units, then each `units` message. */
  readonly declaredUnits: string[] = [];
  /** Ids met in text `spikes` messages (their own table). */
  private readonly textUnits = new IdTable();
  private readonly reportedUnknownFields = new Set<string>();
  /** Messages refused on this connection before a source was known (no hello yet). */
  readonly rejectedBeforeHello: Partial<Record<ProtocolErrorCode, number>> = {};

  constructor(
    private readonly registry: SourceRegistry,
    private readonly limits: TimeJumpLimits = DEFAULT_TIME_JUMP_LIMITS,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  /** Handles one frame. Never throws: every problem becomes an error reply and a count. */
  receive(data: Buffer | Uint8Array | string, isBinary: boolean): SessionOutput {
    const out: SessionOutput = { events: [], replies: [], alerts: [], ended: false };
    try {
      if (isBinary) this.binary(data instanceof Uint8Array ? data : Buffer.from(data), out);
      else {
        const parsed = parseIngestText(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
        for (const field of parsed.unknownFields) {
          const key = `${parsed.message.type}.${field}`;
          if (this.reportedUnknownFields.has(key)) continue;
          this.reportedUnknownFields.add(key);
          out.replies.push({ type: 'warning', code: 'unknown-field', message: `${parsed.message.type}: field "${field}" is not part of protocol ${PROTOCOL_VERSION} and was ignored` });
        }
        this.text(parsed.message, out);
      }
    } catch (error) {
      const problem = error instanceof ProtocolError ? error : new ProtocolError('bad-field', (error as Error).message);
      this.reject(problem, out);
    }
    return out;
  }

  /**
   * The connection closed. Unless the source said `end`: a `source-lost`
   * alert, and a data gap from its latest time on, open until it is back.
   */
  close(): Pick<SessionOutput, 'alerts' | 'events'> {
    const source = this.source;
    if (source === undefined || !source.connected) return { alerts: [], events: [] };
    source.connected = false;
    if (source.ended) return { alerts: [], events: [] };
    source.lost = true;
    const events: SourceEvent[] = Number.isFinite(source.latestTime) ? [{ kind: 'gap', start: source.latestTime, end: Infinity }] : [];
    const alerts: AlertEvent[] = [
      {
        type: 'alert',
        state: 'raised',
        kind: 'source-lost',
        t: finiteOr(source.latestTime, 0),
        source: source.name,
        message: `source ${source.name} disconnected without "end" (last seq ${source.lastSeq ?? 'none'}); waiting for it to come back`,
      },
    ];
    return { alerts, events };
  }

  private reject(problem: ProtocolError, out: SessionOutput): void {
    // A refused message with a readable seq was still received: its seq is used up, so the next one is no gap.
    const source = this.source;
    if (problem.seq !== undefined && source !== undefined && problem.code !== 'duplicate-seq' && (source.lastSeq === undefined || problem.seq > source.lastSeq)) {
      this.sequence(source, problem.seq, out);
    }
    const counts = this.source?.counters.rejected ?? this.rejectedBeforeHello;
    counts[problem.code] = (counts[problem.code] ?? 0) + 1;
    const reply: Record<string, unknown> = { type: 'error', code: problem.code, message: problem.message };
    if (problem.seq !== undefined) reply.seq = problem.seq;
    out.replies.push(reply);
  }

  private text(message: IngestMessage, out: SessionOutput): void {
    if (message.type === 'hello') {
      this.hello(message, out);
      return;
    }
    const source = this.requireSource(message.seq);
    if (source.ended) throw new ProtocolError('after-end', `${message.type} after "end": the source said it had ended`, message.seq);
    if (message.type === 'end') {
      if (message.seq !== undefined) this.sequence(source, message.seq, out);
      source.ended = true;
      out.ended = true;
      return;
    }
    this.sequence(source, message.seq, out);
    switch (message.type) {
      case 'spikes': {
        let t: Float64Array;
        if (message.t !== undefined) t = Float64Array.from(message.t);
        else {
          const rate = this.sampleRate(source, message.seq);
          t = Float64Array.from(message.sample!, (sample) => sample / rate);
        }
        const unit = new Uint32Array(message.unit.length);
        for (let i = 0; i < unit.length; i++) unit[i] = this.textUnits.indexOf(message.unit[i]);
        this.spikes({ kind: 'spikes', t, unit, unitIds: this.textUnits.ids }, message.seq, out);
        break;
      }
      case 'label':
        this.advance(source, message.t, message.t, message.seq, out);
        out.events.push({ kind: 'label', t: message.t, label: message.label });
        break;
      case 'interval':
        // Intervals may be announced ahead of time: they do not move the clock.
        out.events.push({ kind: 'interval', start: message.start, end: message.end, label: message.label });
        break;
      case 'heartbeat':
        this.advance(source, message.t, message.t, message.seq, out);
        out.events.push({ kind: 'heartbeat', t: message.t });
        break;
      case 'units':
        this.declaredUnits.push(...message.units);
        break;
    }
    this.touch(source, out);
  }

  /** An accepted message: counts it, and clears a `source-silent` alert. */
  private touch(source: SourceState, out: SessionOutput): void {
    source.counters.messages++;
    source.lastMessageMs = this.nowMs();
    if (source.silent) {
      source.silent = false;
      out.alerts.push({
        type: 'alert',
        state: 'cleared',
        kind: 'source-silent',
        t: finiteOr(source.latestTime, 0),
        source: source.name,
        message: `source ${source.name} is sending again`,
      });
    }
  }

  private hello(message: Extract<IngestMessage, { type: 'hello' }>, out: SessionOutput): void {
    if (this.source !== undefined) throw new ProtocolError('duplicate-hello', 'hello: this connection already said hello');
    const { source, returning } = this.registry.attach(message.source, this.nowMs());
    this.source = source;
    if (message.sampleRate !== undefined) source.sampleRate = message.sampleRate;
    const restarted = returning && message.run !== undefined && source.run !== undefined && message.run !== source.run;
    if (message.run !== undefined) source.run = message.run;
    // A restarted source numbers its messages afresh: its old seq says nothing about what is missing now.
    if (restarted) source.lastSeq = undefined;
    if (message.units !== undefined) this.declaredUnits.push(...message.units);
    for (const [code, count] of Object.entries(this.rejectedBeforeHello)) {
      source.counters.rejected[code as ProtocolErrorCode] = (source.counters.rejected[code as ProtocolErrorCode] ?? 0) + count;
    }
    out.replies.push({ type: 'ready', protocol: PROTOCOL_VERSION, source: source.name, lastSeq: source.lastSeq ?? null });
    if (returning && source.lost) {
      source.lost = false;
      source.resumedAfter = source.latestTime;
      out.alerts.push({
        type: 'alert',
        state: 'cleared',
        kind: 'source-lost',
        t: finiteOr(source.latestTime, 0),
        source: source.name,
        message: restarted
          ? `source ${source.name} is back as a new run (${source.run}): it restarted, so what it sent while away is lost`
          : `source ${source.name} is back (connection ${source.counters.connections}); resuming after seq ${source.lastSeq ?? 'none'}`,
      });
    }
  }

  private binary(data: Uint8Array, out: SessionOutput): void {
    const frame = decodeSpikeFrame(data);
    const source = this.requireSource(frame.seq);
    if (source.ended) throw new ProtocolError('after-end', 'binary frame after "end": the source said it had ended', frame.seq);
    this.sequence(source, frame.seq, out);
    for (let i = 0; i < frame.units.length; i++) {
      if (frame.units[i] >= this.declaredUnits.length) {
        throw new ProtocolError(
          'unknown-unit-index',
          `binary frame: spike ${i} names unit index ${frame.units[i]}, but ${this.declaredUnits.length} units are declared (hello "units" and "units" messages)`,
          frame.seq,
        );
      }
    }
    let t = frame.times;
    if (frame.clock === 'samples') {
      const rate = this.sampleRate(source, frame.seq);
      t = new Float64Array(frame.times.length);
      for (let i = 0; i < t.length; i++) t[i] = frame.times[i] / rate;
    }
    this.spikes({ kind: 'spikes', t, unit: frame.units, unitIds: this.declaredUnits }, frame.seq, out);
    this.touch(source, out);
  }

  private spikes(batch: SpikeBatch, seq: number, out: SessionOutput): void {
    const source = this.source!;
    if (batch.t.length === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < batch.t.length; i++) {
      const time = batch.t[i];
      if (time < min) min = time;
      if (time > max) max = time;
    }
    this.advance(source, min, max, seq, out);
    source.counters.spikes += batch.t.length;
    out.events.push(batch);
  }

  /**
   * Checks a message's times [min, max] against the source's latest time:
   * refuses a jump beyond the refuse limit, raises time-jump alerts, and
   * moves the latest time on.
   */
  private advance(source: SourceState, min: number, max: number, seq: number, out: SessionOutput): void {
    const latest = source.latestTime;
    const resumedAfter = source.resumedAfter;
    source.resumedAfter = undefined;
    if (resumedAfter !== undefined && Number.isFinite(resumedAfter) && max - latest <= this.limits.refuseSeconds) {
      // The gap opened when the source was lost ends where its data resume.
      out.events.push({ kind: 'gap', start: resumedAfter, end: Math.max(resumedAfter, min) });
    }
    if (resumedAfter !== undefined && Number.isFinite(resumedAfter) && min - resumedAfter > this.limits.backSeconds && max - latest <= this.limits.refuseSeconds) {
      out.alerts.push({
        type: 'alert',
        state: 'raised',
        kind: 'data-gap',
        t: min,
        source: source.name,
        value: min - resumedAfter,
        message: `source ${source.name}: no data from ${resumedAfter.toFixed(3)} s to ${min.toFixed(3)} s (${(min - resumedAfter).toFixed(3)} s) while it was away`,
      });
      source.latestTime = max;
      return;
    }
    if (latest !== -Infinity) {
      const ahead = max - latest;
      if (ahead > this.limits.refuseSeconds) {
        out.alerts.push(this.jumpAlert(source, `message seq ${seq} is ${ahead.toFixed(3)} s ahead of the latest time ${latest.toFixed(3)} s; refused as a clock error (limit ${this.limits.refuseSeconds} s)`, ahead));
        throw new ProtocolError('bad-field', `time ${max} s is ${ahead.toFixed(3)} s ahead of this source's latest time ${latest} s (more than ${this.limits.refuseSeconds} s): refused as a clock error`, seq);
      }
      if (ahead > this.limits.alertSeconds) {
        out.alerts.push(this.jumpAlert(source, `event time jumped ${ahead.toFixed(3)} s forward, from ${latest.toFixed(3)} s to ${max.toFixed(3)} s (seq ${seq})`, ahead));
      }
      const behind = latest - min;
      if (behind > this.limits.backSeconds) {
        out.alerts.push(this.jumpAlert(source, `event time went back ${behind.toFixed(3)} s, to ${min.toFixed(3)} s (seq ${seq}); spikes older than the lateness are dropped as late`, -behind));
      }
    }
    if (max > source.latestTime) source.latestTime = max;
  }

  private jumpAlert(source: SourceState, message: string, seconds: number): AlertEvent {
    return { type: 'alert', state: 'raised', kind: 'time-jump', t: finiteOr(source.latestTime, 0), source: source.name, value: seconds, message: `source ${source.name}: ${message}` };
  }

  /** Accepts seq after the last one; a gap raises an alert, a repeat is refused. */
  private sequence(source: SourceState, seq: number, out: SessionOutput): void {
    const last = source.lastSeq;
    if (source.resumedAfter !== undefined && last !== undefined && seq === last + 1) {
      // Back without a missing message (the rig resent what was missed): no data gap after all.
      if (Number.isFinite(source.resumedAfter)) out.events.push({ kind: 'gap', start: source.resumedAfter, end: source.resumedAfter });
      source.resumedAfter = undefined;
    }
    if (last !== undefined) {
      if (seq <= last) throw new ProtocolError('duplicate-seq', `seq ${seq} is not after the last accepted seq ${last}: a repeat, ignored`, seq);
      if (seq > last + 1) {
        const missing = seq - last - 1;
        source.counters.missing += missing;
        out.alerts.push({
          type: 'alert',
          state: 'raised',
          kind: 'sequence-gap',
          t: finiteOr(source.latestTime, 0),
          source: source.name,
          value: missing,
          message: `source ${source.name}: ${missing} message${missing === 1 ? '' : 's'} missing (seq ${last + 1}${missing > 1 ? `–${seq - 1}` : ''}); their data are lost`,
        });
      }
    }
    source.lastSeq = seq;
  }

  private requireSource(seq: number | undefined): SourceState {
    if (this.source === undefined) throw new ProtocolError('hello-required', 'the first message on a connection must be {"type":"hello","protocol":1,"source":…}', seq);
    return this.source;
  }

  private sampleRate(source: SourceState, seq: number): number {
    if (source.sampleRate === undefined) throw new ProtocolError('sample-rate-required', 'spikes given in samples, but the hello gave no "sampleRate"', seq);
    return source.sampleRate;
  }

}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
