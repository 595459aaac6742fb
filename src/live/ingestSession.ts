import type { AlertEvent, SourceAlertKind } from '../alerts/alertEvent.ts';
import { AlertThrottle, DEFAULT_ALERT_THROTTLE, type AlertThrottleLimits } from '../alerts/alertThrottle.ts';
import { isValidEventTime, MAX_EVENT_SECONDS } from '../stream/binIndex.ts';
import type { SourceEvent, SpikeBatch } from '../stream/events.ts';
import { IdTable } from '../stream/idTable.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { decodeSpikeFrame } from './binarySpikeFrame.ts';
import { decodeSnapshotFrame, isSnapshotFrame } from '../snapshots/binarySnapshotFrame.ts';
import type { Snapshot } from '../snapshots/snapshot.ts';
import { parseIngestText, PROTOCOL_VERSION, ProtocolError, type HelloMessage, type IngestMessage, type ProtocolErrorCode } from './ingestMessages.ts';
import { dataGapAlert, finiteOr, SourceHealth, SYSTEM_CLOCK } from './sourceHealth.ts';
import { DEFAULT_TIME_JUMP_LIMITS, timeJumpLimitsFor, type TimeJumpLimits } from './timeJumpLimits.ts';
import { DEFAULT_CLOCK_RESET_LIMITS, SourceClock, type ClockPlan, type ClockResetLimits } from './sourceClock.ts';

// Re-exported for the CLI, which reads the limits from here with the rest of the ingest limits.
export { DEFAULT_TIME_JUMP_LIMITS, timeJumpLimitsFor, type TimeJumpLimits };

/** Where a message goes on the analysis clock, and whether the analysis restarts there. */
interface SessionPlan extends ClockPlan {
  restart?: boolean;
}


/** The ingest limits for an analysis: its time-jump limits, and the size of its pair-table cells. */
export function ingestLimitsFor(analysis: AnalysisOptions, overrides: Partial<IngestLimits> = {}, refuseSeconds?: number): IngestLimits {
  const symbols = analysis.levels - 1;
  return {
    ...DEFAULT_INGEST_LIMITS,
    timeJumps: timeJumpLimitsFor(analysis, refuseSeconds),
    cellsPerPairAndMode: symbols * symbols * (analysis.estimator === 'qe' ? 4 : 1),
    ...overrides,
  };
}


/**
 * What one source may hold, so that no source can make the analyzer grow
 * without bound (docs/RELIABILITY.md). Each limit refuses the message that
 * would pass it with an error frame of its own code; the connection stays.
 */
export interface IngestLimits {
  timeJumps: TimeJumpLimits;
  clockReset: ClockResetLimits;
  /** Distinct unit ids a source may send spikes of (and declare for binary frames): its pair tables grow with the square. */
  maxUnits: number;
  /** Distinct mode labels a source may use: its count tables grow with them. */
  maxModes: number;
  /**
   * Cells of the pair count tables per pair and mode, from the analysis:
   * (levels − 1)², times 4 for quadratic extrapolation (PairCountTables).
   */
  cellsPerPairAndMode: number;
  /** Pair-table cells one source may need (units·(units−1)/2 × mode capacity × cellsPerPairAndMode); 2 or 4 bytes each. */
  maxPairCells: number;
  /** Pair-table cells all sources together may need. */
  maxTotalPairCells: number;
  /** Label intervals announced ahead and not yet passed by the source's time. */
  maxPendingIntervals: number;
  /** Distinct unknown field names warned about per connection (more are counted, not answered). */
  maxUnknownFields: number;
  /**
   * Messages in a row, near each other, beyond the refuse limit ahead, after
   * which the source is taken to have really jumped there (the first ones
   * are refused: one corrupt time must not move the clock).
   */
  jumpConfirmMessages: number;
  alertThrottle: AlertThrottleLimits;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  timeJumps: DEFAULT_TIME_JUMP_LIMITS,
  clockReset: DEFAULT_CLOCK_RESET_LIMITS,
  maxUnits: 1024,
  maxModes: 64,
  cellsPerPairAndMode: 4,
  maxPairCells: 2 ** 27,
  maxTotalPairCells: 2 ** 27,
  maxPendingIntervals: 10_000,
  maxUnknownFields: 32,
  jumpConfirmMessages: 3,
  alertThrottle: DEFAULT_ALERT_THROTTLE,
};

/** What is known of one source (a rig, by the name its hello gives), across its connections. */
export interface SourceState {
  readonly name: string;
  /** The last seq accepted from it. */
  lastSeq: number | undefined;
  /**
   * Its connection, silence and the gap of a return (src/live/sourceHealth.ts,
   * the component every live source holds); what it raises waits in `outbox`
   * for the session or the server's silence check to hand on.
   */
  readonly health: SourceHealth;
  readonly outbox: { alerts: AlertEvent[]; events: SourceEvent[] };
  /** Its latest event time on the analysis clock, seconds (−∞ before the first): the health's. */
  latestTime: number;
  sampleRate: number | undefined;
  /** What it sends, from its first hello of this analysis (HelloMessage.kind), and its trial settings. */
  kind: 'spikes' | 'snapshots' | undefined;
  trials: HelloMessage['trials'];
  /** The step of its last snapshot accepted. */
  lastStep: number;
  /** The onset of its last trial accepted (source seconds). */
  lastTrialOnset: number;
  /** Set when a lost source comes back: its latest time then, to report the stretch of data lost when its data resume (the health's). */
  resumedAfter: number | undefined;
  /** The run its last hello named (a new run restarts seq numbering). */
  run: string | undefined;
  /** Connected now (the health's). */
  readonly connected: boolean;
  /** It said `end`. */
  ended: boolean;
  /** It dropped without `end` and has not come back (the health's). */
  readonly lost: boolean;
  /** No message for the silence limit (the server's clock; the health's). */
  readonly silent: boolean;
  lastMessageMs: number;
  /** Source seconds → analysis time (clock resets of restarted rigs). */
  readonly clock: SourceClock;
  /** Unit ids it sent spikes of or declared. */
  readonly units: Set<string>;
  /** Mode labels it used. */
  readonly modes: Set<string>;
  /** Pair-table cells its units and modes need (counted in the registry's total while its analysis lives). */
  pairCells: number;
  /** Ends of announced intervals not yet passed (a min-heap). */
  readonly pendingIntervalEnds: number[];
  /** While its time has gone back: the latest time before (no further back-jump alerts until it is passed again). */
  behindUntil: number | undefined;
  /** Messages refused in a row for lying more than the refuse limit ahead, near each other: where they lie (analysis time) and how many. */
  pendingJump: { at: number; messages: number } | undefined;
  readonly alertThrottle: AlertThrottle;
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
  /** Clock resets (restarted rigs). */
  clockResets: number;
  /** One-off alerts held back by the alert rate limit (each reported in the next alert of its kind). */
  alertsHeldBack: number;
  /** Unknown fields not warned about: beyond the per-connection limit. */
  unknownFieldsNotWarned: number;
}

/** The sources seen by one analyzer, by name. */
export class SourceRegistry {
  readonly sources = new Map<string, SourceState>();
  /** Pair-table cells of every source whose analysis lives. */
  pairCells = 0;

  constructor(
    readonly limits: IngestLimits = DEFAULT_INGEST_LIMITS,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  get(name: string): SourceState | undefined {
    return this.sources.get(name);
  }

  /**
   * A new or returning source; throws if that name is connected right now.
   * A source that said `end` and comes back starts afresh (a new clock, seq
   * and tables: a new analysis), keeping only its counters.
   */
  attach(name: string, nowMs: number): { source: SourceState; returning: boolean } {
    let source = this.sources.get(name);
    if (source?.connected) {
      throw new ProtocolError('duplicate-hello', `source "${name}" is already connected; one connection per source name`);
    }
    const returning = source !== undefined && !source.ended;
    if (source === undefined || source.ended) {
      if (source !== undefined) this.release(source);
      const outbox: SourceState['outbox'] = { alerts: [], events: [] };
      const health = new SourceHealth(
        // The server's silence check calls checkSilence (silenceSeconds 0: no timer per source); the rig reconnects by itself.
        { name, url: name, silenceSeconds: 0, silenceHint: 'no heartbeat either', clock: { nowMs: this.nowMs, after: SYSTEM_CLOCK.after } },
        { alert: (alert) => outbox.alerts.push(alert), event: (event) => outbox.events.push(event) },
      );
      source = {
        name,
        health,
        outbox,
        lastSeq: undefined,
        get latestTime() {
          return health.latest;
        },
        set latestTime(t: number) {
          health.latest = t;
        },
        sampleRate: undefined,
        kind: undefined,
        trials: undefined,
        lastStep: -Infinity,
        lastTrialOnset: -Infinity,
        run: undefined,
        get resumedAfter() {
          return health.resumedAfter;
        },
        set resumedAfter(t: number | undefined) {
          health.resumedAfter = t;
        },
        get connected() {
          return health.connected;
        },
        ended: false,
        get lost() {
          return health.lost;
        },
        get silent() {
          return health.silent;
        },
        lastMessageMs: nowMs,
        clock: new SourceClock(this.limits.clockReset),
        units: new Set(),
        modes: new Set(),
        pairCells: 0,
        pendingIntervalEnds: [],
        behindUntil: undefined,
        pendingJump: undefined,
        alertThrottle: new AlertThrottle(this.limits.alertThrottle, this.nowMs),
        counters: source?.counters ?? { messages: 0, spikes: 0, missing: 0, rejected: {}, connections: 0, clockResets: 0, alertsHeldBack: 0, unknownFieldsNotWarned: 0 },
      };
      this.sources.set(name, source);
    }
    source.lastMessageMs = nowMs;
    source.counters.connections++;
    return { source, returning };
  }

  /** Forgets a source (its analysis was retired). */
  forget(name: string): void {
    const source = this.sources.get(name);
    if (source !== undefined) this.release(source);
    this.sources.delete(name);
  }

  /** The source's analysis has ended: its tables no longer count against the total. */
  release(source: SourceState): void {
    this.pairCells -= source.pairCells;
    source.pairCells = 0;
  }
}

/** Takes what a source's health raised (alerts, gap events) out of its outbox. */
export function takeOutbox(source: SourceState): { alerts: AlertEvent[]; events: SourceEvent[] } {
  return { alerts: source.outbox.alerts.splice(0), events: source.outbox.events.splice(0) };
}

/** The sources of a registry in one line: messages, spikes, messages missing, connections, refused by code. */
export function sourcesSummary(registry: SourceRegistry): string {
  const sources = [...registry.sources.values()].map((source) => {
    const c = source.counters;
    const rejected = Object.entries(c.rejected).map(([code, count]) => `${count} ${code}`);
    const extra = [
      ...(c.clockResets > 0 ? [`${c.clockResets} clock reset${c.clockResets === 1 ? '' : 's'}`] : []),
      ...(rejected.length > 0 ? [`refused ${rejected.join(', ')}`] : []),
      ...(c.alertsHeldBack > 0 ? [`${c.alertsHeldBack} alerts held back by the alert rate limit`] : []),
    ];
    return `${source.name}: ${c.messages} messages, ${c.spikes} spikes, ${c.missing} missing, ${c.connections} connection${c.connections === 1 ? '' : 's'}${extra.map((part) => `, ${part}`).join('')}`;
  });
  return `sources: ${sources.length === 0 ? 'none' : sources.join('; ')}`;
}

/** What one incoming frame produced. */
export interface SessionOutput {
  /** Events for the analysis, in order (times on the source's analysis clock). */
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
 * sequence and unit tables, converts samples to seconds, places times on the
 * source's analysis clock, and turns messages into the analyzer's
 * SourceEvents. Plain TypeScript with no sockets, so it is tested message by
 * message; the server and `synergy connect` wire it up.
 *
 * Nothing is dropped silently: a refused message is answered with an error
 * frame (code and reason) and counted in the source's counters; a gap in
 * `seq` raises a `sequence-gap` alert with the number missing; a duplicate
 * seq (a resent message) is refused; a jump of event time raises
 * `time-jump`, and a jump beyond `refuseSeconds` is refused as a clock error;
 * a restarted rig whose clock went back to zero raises one `clock-reset` and
 * continues after its old run. What a source may hold is capped
 * (IngestLimits): units, modes, intervals announced ahead.
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
  readonly limits: IngestLimits;

  constructor(
    private readonly registry: SourceRegistry,
    limits: Partial<IngestLimits> = registry.limits,
    private readonly nowMs: () => number = () => Date.now(),
    /** Called with a hello's source name before it is accepted; throws a ProtocolError to refuse it (the server's source limit). */
    private readonly admitSource?: (name: string) => void,
  ) {
    this.limits = { ...registry.limits, ...limits };
  }

  /** Handles one frame. Never throws: every problem becomes an error reply and a count. */
  receive(data: Buffer | Uint8Array | string, isBinary: boolean): SessionOutput {
    const out: SessionOutput = { events: [], replies: [], alerts: [], ended: false };
    try {
      if (isBinary) this.binary(data instanceof Uint8Array ? data : Buffer.from(data), out);
      else {
        const parsed = parseIngestText(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
        for (const field of parsed.unknownFields) this.unknownField(parsed.message.type, field, out);
        this.text(parsed.message, out);
      }
    } catch (error) {
      const problem = error instanceof ProtocolError ? error : new ProtocolError('bad-field', (error as Error).message);
      this.reject(problem, out);
    }
    return out;
  }

  /** Counts a refusal the transport made (a frame it could not hand over: invalid UTF-8, too big, a hello that never came). */
  countRefusal(code: ProtocolErrorCode): void {
    const counts = this.source?.counters.rejected ?? this.rejectedBeforeHello;
    counts[code] = (counts[code] ?? 0) + 1;
  }

  /**
   * The connection closed. Unless the source said `end`: a `source-lost`
   * alert, and a data gap from its latest time on, open until it is back.
   */
  close(): Pick<SessionOutput, 'alerts' | 'events'> {
    const source = this.source;
    if (source === undefined || !source.connected) return { alerts: [], events: [] };
    if (source.ended) {
      source.health.connected = false;
      return { alerts: [], events: [] };
    }
    source.health.connectionLost(`source ${source.name} disconnected without "end" (last seq ${source.lastSeq ?? 'none'}); waiting for it to come back`);
    return takeOutbox(source);
  }

  /** What the source's health raised, into this frame's output. */
  private collect(source: SourceState, out: SessionOutput): void {
    // Called for every accepted message: nothing to do in the usual case.
    if (source.outbox.alerts.length === 0 && source.outbox.events.length === 0) return;
    const { alerts, events } = takeOutbox(source);
    for (const alert of alerts) out.alerts.push(alert);
    for (const event of events) out.events.push(event);
  }

  private unknownField(type: string, field: string, out: SessionOutput): void {
    const key = `${type}.${field}`;
    if (this.reportedUnknownFields.has(key)) return;
    if (this.reportedUnknownFields.size >= this.limits.maxUnknownFields) {
      if (this.source !== undefined) this.source.counters.unknownFieldsNotWarned++;
      return;
    }
    this.reportedUnknownFields.add(key);
    const shown = field.length > 64 ? `${field.slice(0, 61)}...` : field;
    const last = this.reportedUnknownFields.size === this.limits.maxUnknownFields ? ` (the last such warning on this connection: ${this.limits.maxUnknownFields} distinct unknown fields)` : '';
    out.replies.push({ type: 'warning', code: 'unknown-field', message: `${type}: field ${JSON.stringify(shown)} is not part of protocol ${PROTOCOL_VERSION} and was ignored${last}` });
  }

  private reject(problem: ProtocolError, out: SessionOutput): void {
    // A refused message with a readable seq was still received: its seq is used up, so the next one is no gap.
    const source = this.source;
    if (problem.seq !== undefined && source !== undefined && problem.code !== 'duplicate-seq' && (source.lastSeq === undefined || problem.seq > source.lastSeq)) {
      this.sequence(source, problem.seq, out);
    }
    this.countRefusal(problem.code);
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
    const snapshotsOnly = message.type === 'snapshot';
    const spikesOnly = message.type === 'spikes' || message.type === 'label' || message.type === 'interval' || message.type === 'heartbeat' || message.type === 'units' || message.type === 'trial';
    if ((snapshotsOnly && source.kind !== 'snapshots') || (spikesOnly && source.kind === 'snapshots')) {
      throw new ProtocolError('wrong-kind', `${message.type}: this source said hello as a ${source.kind === 'snapshots' ? 'snapshot' : 'spike'} source ("kind" in hello), which does not send ${message.type} messages`, message.seq);
    }
    if (message.type === 'trial' && source.trials === undefined) {
      throw new ProtocolError('wrong-kind', 'trial: this source gave no "trials" in its hello (the counting window and sliding), so its analysis is not by trials', message.seq);
    }
    if ((message.type === 'label' || message.type === 'interval') && source.trials !== undefined) {
      throw new ProtocolError('wrong-kind', `${message.type}: a trial source labels its trials in its "trial" messages, not with ${message.type} messages`, message.seq);
    }
    switch (message.type) {
      case 'snapshot':
        this.snapshot(source, message.snapshot, message.seq, out);
        break;
      case 'trial': {
        if (message.t < source.lastTrialOnset) {
          throw new ProtocolError('bad-field', `trial: onset ${message.t} s is before the last trial's onset ${source.lastTrialOnset} s; trials come in onset order`, message.seq);
        }
        if (message.label !== null) this.checkModes(source, [message.label], message.seq);
        // Trials may be announced ahead of their onset (or after it): like intervals, they do not move the clock.
        const t = message.t + source.clock.currentOffset;
        const latest = source.latestTime;
        if (Number.isFinite(latest) && t - latest > this.limits.timeJumps.refuseSeconds) {
          throw new ProtocolError('bad-field', `trial: onset ${message.t} s is more than ${this.limits.timeJumps.refuseSeconds} s ahead of this source's latest time: refused as a clock error`, message.seq);
        }
        this.sequence(source, message.seq, out);
        if (message.label !== null) this.addMode(source, message.label);
        source.lastTrialOnset = message.t;
        out.events.push({ kind: 'trial', t, label: message.label });
        break;
      }
      case 'end':
        if (message.seq !== undefined) this.sequence(source, message.seq, out);
        source.ended = true;
        this.registry.release(source);
        out.ended = true;
        return;
      case 'spikes': {
        let t: Float64Array;
        if (message.t !== undefined) t = Float64Array.from(message.t);
        else {
          const rate = this.sampleRate(source, message.seq);
          t = Float64Array.from(message.sample!, (sample) => sample / rate);
        }
        this.checkUnits(source, message.unit, message.seq);
        const unit = new Uint32Array(message.unit.length);
        for (let i = 0; i < unit.length; i++) unit[i] = this.textUnits.indexOf(message.unit[i]);
        for (const id of message.unit) source.units.add(id);
        this.takeCells(source, pairTableCells(source.units.size, source.modes.size, this.limits.cellsPerPairAndMode));
        // Counted and touched there, with its times checked.
        this.spikes(source, t, unit, this.textUnits.ids, message.seq, out);
        return;
      }
      case 'label': {
        if (message.label !== null) this.checkModes(source, [message.label], message.seq);
        const plan = this.plan(source, message.t, message.t, message.seq, out);
        this.sequence(source, message.seq, out);
        const t = this.commit(source, plan, message.t, message.t, out);
        if (message.label !== null) this.addMode(source, message.label);
        out.events.push({ kind: 'label', t, label: message.label });
        break;
      }
      case 'interval': {
        this.checkModes(source, [message.label], message.seq);
        const offset = source.clock.currentOffset;
        const start = message.start + offset;
        const end = message.end + offset;
        const latest = source.latestTime;
        if (Number.isFinite(latest) && end - latest > this.limits.timeJumps.refuseSeconds) {
          throw new ProtocolError('bad-field', `interval: "end" ${message.end} s is more than ${this.limits.timeJumps.refuseSeconds} s ahead of this source's latest time: refused as a clock error`, message.seq);
        }
        const pending = source.pendingIntervalEnds;
        if (Number.isFinite(latest)) while (pending.length > 0 && pending[0] <= latest) heapPop(pending);
        if (pending.length >= this.limits.maxPendingIntervals) {
          throw new ProtocolError(
            'too-many-intervals',
            `interval: ${pending.length} intervals announced ahead of this source's time are still pending (limit ${this.limits.maxPendingIntervals}); send them closer to their time`,
            message.seq,
          );
        }
        this.sequence(source, message.seq, out);
        heapPush(pending, end);
        this.addMode(source, message.label);
        // Intervals may be announced ahead of time: they do not move the clock.
        out.events.push({ kind: 'interval', start, end, label: message.label });
        break;
      }
      case 'heartbeat': {
        const plan = this.plan(source, message.t, message.t, message.seq, out);
        this.sequence(source, message.seq, out);
        const t = this.commit(source, plan, message.t, message.t, out);
        out.events.push({ kind: 'heartbeat', t });
        break;
      }
      case 'units':
        this.declare(message.units, message.seq);
        this.sequence(source, message.seq, out);
        break;
    }
    this.touch(source, out);
  }

  /** An accepted message: counts it, and clears a `source-silent` alert. */
  private touch(source: SourceState, out: SessionOutput): void {
    source.counters.messages++;
    source.lastMessageMs = this.nowMs();
    source.health.heard();
    this.collect(source, out);
  }

  private hello(message: Extract<IngestMessage, { type: 'hello' }>, out: SessionOutput): void {
    if (this.source !== undefined) throw new ProtocolError('duplicate-hello', 'hello: this connection already said hello');
    if (message.units !== undefined && message.units.length > this.limits.maxUnits) {
      throw new ProtocolError('too-many-units', `hello: "units" declares ${message.units.length} units; a source may have at most ${this.limits.maxUnits}`);
    }
    const existing = this.registry.get(message.source);
    const kind = message.kind ?? 'spikes';
    if (existing !== undefined && !existing.ended && existing.kind !== undefined && (existing.kind !== kind || JSON.stringify(existing.trials) !== JSON.stringify(message.trials))) {
      throw new ProtocolError('wrong-kind', `hello: source "${message.source}" began its analysis as ${describeKind(existing.kind, existing.trials)}; it cannot come back as ${describeKind(kind, message.trials)} (say "end" first)`);
    }
    this.admitSource?.(message.source);
    const { source, returning } = this.registry.attach(message.source, this.nowMs());
    source.kind = kind;
    source.trials = message.trials;
    this.source = source;
    if (message.sampleRate !== undefined) source.sampleRate = message.sampleRate;
    const newRun = returning && message.run !== undefined && source.run !== undefined && message.run !== source.run;
    if (message.run !== undefined) source.run = message.run;
    // A restarted source numbers its messages afresh: its old seq says nothing about what is missing now.
    if (newRun) {
      source.lastSeq = undefined;
      source.clock.expectNewRun = true;
    }
    if (message.units !== undefined) this.declare(message.units, undefined);
    for (const [code, count] of Object.entries(this.rejectedBeforeHello)) {
      source.counters.rejected[code as ProtocolErrorCode] = (source.counters.rejected[code as ProtocolErrorCode] ?? 0) + count;
    }
    out.replies.push({ type: 'ready', protocol: PROTOCOL_VERSION, source: source.name, lastSeq: source.lastSeq ?? null });
    source.health.connectionUp(
      null,
      newRun
        ? `source ${source.name} is back as a new run (${source.run}): it restarted, so what it sent while away is lost`
        : `source ${source.name} is back (connection ${source.counters.connections}); resuming after seq ${source.lastSeq ?? 'none'}`,
    );
    this.collect(source, out);
  }

  /** Appends to the unit table binary frames index into, within the unit limit (repeats included, at most 4 × the limit entries). */
  private declare(units: readonly string[], seq: number | undefined): void {
    const source = this.source!;
    let fresh = 0;
    const seen = new Set<string>();
    for (const id of units) if (!source.units.has(id) && !seen.has(id)) seen.add(id), fresh++;
    if (this.declaredUnits.length + units.length > this.limits.maxUnits * 4 || source.units.size + fresh > this.limits.maxUnits) {
      throw new ProtocolError(
        'too-many-units',
        `units: declaring ${units.length} more units would pass the limit of ${this.limits.maxUnits} units per source (${source.units.size} so far)`,
        seq,
      );
    }
    const cells = this.checkTables(source, source.units.size + fresh, source.modes.size, 'too-many-units', seq);
    // Declared units count against the limit at once, so a binary frame needs no check per spike.
    this.declaredUnits.push(...units);
    for (const id of units) source.units.add(id);
    this.takeCells(source, cells);
  }

  /**
   * The pair-table cells `units` and `modes` would need; refuses with `code`
   * if that passes the source's or all sources' memory for pair tables.
   */
  private checkTables(source: SourceState, units: number, modes: number, code: 'too-many-units' | 'too-many-modes', seq: number | undefined): number {
    const cells = pairTableCells(units, modes, this.limits.cellsPerPairAndMode);
    if (cells <= source.pairCells) return cells;
    const total = this.registry.pairCells - source.pairCells + cells;
    if (cells > this.limits.maxPairCells || total > this.limits.maxTotalPairCells) {
      const what = code === 'too-many-units' ? `${units} units` : `${modes} modes`;
      throw new ProtocolError(
        code,
        `${what} would need ${cells.toLocaleString('en')} pair-table cells for this source (${units} units, ${modes} modes): more than ${cells > this.limits.maxPairCells ? `a source may hold (${this.limits.maxPairCells.toLocaleString('en')})` : `is left of what all sources may hold together (${(this.limits.maxTotalPairCells - this.registry.pairCells + source.pairCells).toLocaleString('en')})`}`,
        seq,
      );
    }
    return cells;
  }

  private takeCells(source: SourceState, cells: number): void {
    if (cells <= source.pairCells) return;
    this.registry.pairCells += cells - source.pairCells;
    source.pairCells = cells;
  }

  /** Refuses spikes of units that would pass the unit limit. */
  private checkUnits(source: SourceState, ids: readonly string[], seq: number): void {
    let missing = false;
    for (const id of ids) {
      if (!source.units.has(id)) {
        missing = true;
        break;
      }
    }
    if (!missing) return;
    const fresh = new Set<string>();
    for (const id of ids) if (!source.units.has(id)) fresh.add(id);
    if (source.units.size + fresh.size > this.limits.maxUnits) {
      throw new ProtocolError(
        'too-many-units',
        `spikes: ${fresh.size} new unit${fresh.size === 1 ? '' : 's'} would pass the limit of ${this.limits.maxUnits} units per source (${source.units.size} so far); the message is refused`,
        seq,
      );
    }
    this.checkTables(source, source.units.size + fresh.size, source.modes.size, 'too-many-units', seq);
  }

  private checkModes(source: SourceState, labels: readonly string[], seq: number): void {
    for (const label of labels) {
      if (source.modes.has(label)) continue;
      if (source.modes.size >= this.limits.maxModes) {
        throw new ProtocolError('too-many-modes', `mode ${JSON.stringify(label.slice(0, 64))} would pass the limit of ${this.limits.maxModes} modes per source`, seq);
      }
      this.checkTables(source, source.units.size, source.modes.size + 1, 'too-many-modes', seq);
    }
  }

  private addMode(source: SourceState, label: string): void {
    if (source.modes.has(label)) return;
    source.modes.add(label);
    this.takeCells(source, pairTableCells(source.units.size, source.modes.size, this.limits.cellsPerPairAndMode));
  }

  private binary(data: Uint8Array, out: SessionOutput): void {
    if (isSnapshotFrame(data)) {
      let decoded: ReturnType<typeof decodeSnapshotFrame>;
      try {
        decoded = decodeSnapshotFrame(data);
      } catch (error) {
        throw new ProtocolError('bad-binary-frame', (error as Error).message);
      }
      const source = this.requireSource(decoded.seq);
      if (source.ended) throw new ProtocolError('after-end', 'snapshot frame after "end": the source said it had ended', decoded.seq);
      if (source.kind !== 'snapshots') throw new ProtocolError('wrong-kind', 'snapshot frame: this source said hello as a spike source ("kind":"snapshots" in hello for snapshots)', decoded.seq);
      this.snapshot(source, decoded.snapshot, decoded.seq, out);
      this.touch(source, out);
      return;
    }
    const frame = decodeSpikeFrame(data);
    const source = this.requireSource(frame.seq);
    if (source.ended) throw new ProtocolError('after-end', 'binary frame after "end": the source said it had ended', frame.seq);
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
    this.spikes(source, t, frame.units, this.declaredUnits, frame.seq, out);
  }

  /** Checks a batch's times, places them on the analysis clock and hands the batch on. */
  private spikes(source: SourceState, t: Float64Array, unit: Uint32Array, unitIds: readonly string[], seq: number, out: SessionOutput): void {
    if (t.length === 0) {
      this.sequence(source, seq, out);
      this.touch(source, out);
      return;
    }
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < t.length; i++) {
      const time = t[i];
      if (!isValidEventTime(time)) {
        throw new ProtocolError('bad-field', `spikes: time ${i} is ${time} s; times are seconds from 0 to ${MAX_EVENT_SECONDS}`, seq);
      }
      if (time < min) min = time;
      if (time > max) max = time;
    }
    const plan = this.plan(source, min, max, seq, out);
    this.sequence(source, seq, out);
    this.commit(source, plan, min, max, out);
    if (plan.offset !== 0) for (let i = 0; i < t.length; i++) t[i] += plan.offset;
    source.counters.spikes += t.length;
    out.events.push({ kind: 'spikes', t, unit, unitIds } satisfies SpikeBatch);
    this.touch(source, out);
  }

  /**
   * Checks a message's source times [min, max] and says where they go on the
   * analysis clock. Refuses (changing nothing but the count of such
   * refusals) a message that spans more than the refuse limit, or one that
   * lies further ahead — unless the source keeps sending there
   * (`jumpConfirmMessages` in a row) or is just back from a loss. A message
   * whose earliest time lies more than `restartSeconds` (the window) past
   * the source's latest time restarts the analysis there, so that the empty
   * span costs nothing.
   */
  private plan(source: SourceState, min: number, max: number, seq: number, out: SessionOutput): SessionPlan {
    const { refuseSeconds, restartSeconds } = this.limits.timeJumps;
    if (max - min > refuseSeconds) {
      throw new ProtocolError('bad-field', `the message's times span ${(max - min).toFixed(3)} s (${min} to ${max}), more than ${refuseSeconds} s: refused as a clock error`, seq);
    }
    const plan: SessionPlan = source.clock.plan(min);
    if (plan.reset !== undefined) return plan;
    const from = Number.isFinite(source.resumedAfter ?? NaN) ? source.resumedAfter! : source.latestTime;
    if (from === -Infinity) return plan;
    const ahead = max + plan.offset - from;
    if (ahead > refuseSeconds && source.resumedAfter === undefined) {
      const at = min + plan.offset;
      const pending = source.pendingJump;
      source.pendingJump = pending !== undefined && Math.abs(at - pending.at) <= refuseSeconds ? { at, messages: pending.messages + 1 } : { at, messages: 1 };
      const confirm = this.limits.jumpConfirmMessages;
      if (source.pendingJump.messages < confirm) {
        this.alert(out, this.jumpAlert(source, `message seq ${seq} is ${ahead.toFixed(3)} s ahead of the latest time ${from.toFixed(3)} s; refused as a clock error (limit ${refuseSeconds} s)`, ahead));
        throw new ProtocolError(
          'bad-field',
          `time ${max} s is ${ahead.toFixed(3)} s ahead of this source's latest time ${from} s (more than ${refuseSeconds} s): refused as a clock error (${source.pendingJump.messages} of ${confirm}: after ${confirm} such messages in a row the source is taken to have jumped there)`,
          seq,
        );
      }
    }
    if (min + plan.offset - from > restartSeconds) plan.restart = true;
    return plan;
  }

  /**
   * Accepts a planned message: a clock reset, a restart after a jump or the
   * first data after a return are reported (and the gap closed), other time
   * jumps raise alerts, and the latest time moves on. Returns the analysis
   * time of `min`.
   */
  private commit(source: SourceState, plan: SessionPlan, min: number, max: number, out: SessionOutput): number {
    const latest = source.latestTime;
    source.clock.commit(plan, max);
    source.pendingJump = undefined;
    const tMin = min + plan.offset;
    const tMax = max + plan.offset;
    const resumedAfter = Number.isFinite(source.resumedAfter ?? NaN) ? source.resumedAfter : undefined;
    source.resumedAfter = undefined;
    if (plan.reset !== undefined) {
      const reset = plan.reset;
      source.counters.clockResets++;
      source.behindUntil = undefined;
      this.alert(out, {
        type: 'alert',
        state: 'raised',
        kind: 'clock-reset',
        t: reset.runStart,
        source: source.name,
        value: reset.fromSeconds,
        message: `source ${source.name}: its clock went back from ${reset.fromSeconds.toFixed(3)} s to ${reset.toSeconds.toFixed(3)} s (the rig restarted); its new run continues the analysis clock at ${reset.runStart.toFixed(3)} s, mode unknown until its next label`,
      });
      const gapStart = resumedAfter ?? latest;
      if (Number.isFinite(gapStart)) out.events.push({ kind: 'gap', start: gapStart, end: Math.max(gapStart, tMin) });
      out.events.push({ kind: 'label', t: reset.runStart, label: null });
      if (tMin - gapStart > this.limits.timeJumps.backSeconds) this.dataGapAlert(source, gapStart, tMin, out, 'before its new run');
    } else if (plan.restart === true) {
      const from = resumedAfter ?? latest;
      out.events.push({ kind: 'restart', from, at: tMin });
      if (resumedAfter !== undefined) this.dataGapAlert(source, from, tMin, out, 'while it was away; the analysis restarts at its new time');
      else {
        this.alert(
          out,
          this.jumpAlert(source, `event time jumped ${(tMin - latest).toFixed(3)} s forward, from ${latest.toFixed(3)} s to ${tMin.toFixed(3)} s: the windows that hold data before the jump are made, then the analysis restarts at ${tMin.toFixed(3)} s (no update for the empty span between)`, tMin - latest),
        );
      }
    } else if (resumedAfter !== undefined) {
      // The gap opened when the source was lost ends where its data resume.
      out.events.push({ kind: 'gap', start: resumedAfter, end: Math.max(resumedAfter, tMin) });
      if (tMin - resumedAfter > this.limits.timeJumps.backSeconds) this.dataGapAlert(source, resumedAfter, tMin, out, 'while it was away');
    } else if (latest !== -Infinity) {
      const ahead = tMax - latest;
      if (ahead > this.limits.timeJumps.alertSeconds) {
        this.alert(out, this.jumpAlert(source, `event time jumped ${ahead.toFixed(3)} s forward, from ${latest.toFixed(3)} s to ${tMax.toFixed(3)} s`, ahead));
      }
      const behind = latest - tMin;
      if (behind > this.limits.timeJumps.backSeconds && source.behindUntil === undefined) {
        // One alert per excursion back: not again until the source's time has passed where it was.
        source.behindUntil = latest;
        this.alert(out, this.jumpAlert(source, `event time went back ${behind.toFixed(3)} s, to ${tMin.toFixed(3)} s; spikes older than the lateness are dropped as late (no further alert until it passes ${latest.toFixed(3)} s again)`, -behind));
      }
    }
    if (source.behindUntil !== undefined && tMax >= source.behindUntil) source.behindUntil = undefined;
    if (tMax > source.latestTime) source.latestTime = tMax;
    return tMin;
  }

  private dataGapAlert(source: SourceState, from: number, to: number, out: SessionOutput, why: string): void {
    this.alert(out, dataGapAlert(source.name, from, to, why));
  }

  /** A one-off source alert, through the source's alert rate limit. */
  private alert(out: SessionOutput, alert: AlertEvent & { kind: SourceAlertKind }): void {
    const source = this.source!;
    const admitted = source.alertThrottle.admit(alert);
    if (admitted === undefined) source.counters.alertsHeldBack++;
    else out.alerts.push(admitted);
  }

  private jumpAlert(source: SourceState, message: string, seconds: number): AlertEvent & { kind: SourceAlertKind } {
    return { type: 'alert', state: 'raised', kind: 'time-jump', t: finiteOr(source.latestTime, 0), source: source.name, value: seconds, message: `source ${source.name}: ${message}` };
  }

  /** Accepts seq after the last one; a gap raises an alert, a repeat is refused. */
  /**
   * A snapshot (text or binary): within the source's limits (neurons as
   * units, labels as modes, at most MAX_SNAPSHOT_SAMPLES rows), steps never
   * going back; handed on whole to the source's snapshot analysis.
   */
  private snapshot(source: SourceState, snapshot: Snapshot, seq: number, out: SessionOutput): void {
    if (snapshot.neurons > this.limits.maxUnits) {
      throw new ProtocolError('too-many-units', `snapshot: ${snapshot.neurons} neurons; a source may have at most ${this.limits.maxUnits} (--max-units)`, seq);
    }
    if (snapshot.samples > MAX_SNAPSHOT_SAMPLES) {
      throw new ProtocolError('too-many-samples', `snapshot: ${snapshot.samples} samples (rows); a snapshot may have at most ${MAX_SNAPSHOT_SAMPLES}`, seq);
    }
    if (snapshot.step < source.lastStep) {
      throw new ProtocolError('step-backwards', `snapshot: step ${snapshot.step} is before the last snapshot's step ${source.lastStep}; snapshots come in step order`, seq);
    }
    const labels = new Set<string>(source.modes);
    for (const label of snapshot.labels) if (label !== null) labels.add(label);
    if (labels.size > this.limits.maxModes) {
      throw new ProtocolError('too-many-modes', `snapshot: its labels would make ${labels.size} classes; a source may have at most ${this.limits.maxModes} (--max-modes)`, seq);
    }
    // Neurons are units by name (the analysis keeps every name it has seen): all of them count against the limits.
    const ids = snapshot.neuronIds ?? Array.from({ length: snapshot.neurons }, (_, c) => String(c));
    const fresh = ids.filter((id) => !source.units.has(id));
    if (source.units.size + fresh.length > this.limits.maxUnits) {
      throw new ProtocolError('too-many-units', `snapshot: its neurons would make ${source.units.size + fresh.length} distinct neurons for this source; a source may have at most ${this.limits.maxUnits} (--max-units)`, seq);
    }
    // Its pair tables count against the memory bound as a spike source's do.
    const neurons = source.units.size + fresh.length;
    const cells = this.checkTables(source, neurons, labels.size, labels.size > source.modes.size ? 'too-many-modes' : 'too-many-units', seq);
    this.sequence(source, seq, out);
    for (const label of labels) source.modes.add(label);
    for (const id of fresh) source.units.add(id);
    this.takeCells(source, cells);
    source.lastStep = snapshot.step;
    out.events.push({ kind: 'snapshot', snapshot });
  }

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
        this.alert(out, {
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

/**
 * Cells of the pair count tables of `units` units and `modes` modes: one row
 * per pair, its modes laid out in a capacity that starts at 4 and doubles
 * (PairCountTables).
 */
export function pairTableCells(units: number, modes: number, cellsPerPairAndMode: number): number {
  let capacity = 4;
  while (capacity < modes) capacity *= 2;
  return ((units * (units - 1)) / 2) * capacity * cellsPerPairAndMode;
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= heap[i]) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function heapPop(heap: number[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && heap[left] < heap[smallest]) smallest = left;
    if (right < heap.length && heap[right] < heap[smallest]) smallest = right;
    if (smallest === i) return;
    [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
    i = smallest;
  }
}

/** Rows a snapshot may have (the engine's 16-bit tables hold up to 65,535 samples a window). */
export const MAX_SNAPSHOT_SAMPLES = 65_535;

function describeKind(kind: 'spikes' | 'snapshots', trials: HelloMessage['trials']): string {
  if (kind === 'snapshots') return 'a snapshot source';
  return trials === undefined ? 'a spike source' : `a trial source (${JSON.stringify(trials)})`;
}
