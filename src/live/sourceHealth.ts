import type { AlertEvent, SourceAlertKind } from '../alerts/alertEvent.ts';
import { ConnectionError } from '../errors.ts';
import type { SourceEvent } from '../stream/events.ts';
import { DEFAULT_RECONNECT, retryDelayMs, type ReconnectPolicy } from './reconnectPolicy.ts';
import { DEFAULT_TIME_JUMP_LIMITS, type TimeJumpLimits } from './timeJumpLimits.ts';

/** Wall time for the health of a source: the system clock, or a test's clock that it moves by hand. */
export interface HealthClock {
  nowMs(): number;
  /** Calls `callback` after `ms`; returns what cancels it. A timer that does not `keepAlive` does not hold the process open. */
  after(ms: number, callback: () => void, keepAlive: boolean): () => void;
}

export const SYSTEM_CLOCK: HealthClock = {
  nowMs: () => Date.now(),
  after(ms, callback, keepAlive) {
    const timer = setTimeout(callback, ms);
    if (!keepAlive) timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Where a source's health reports to: the source's streams (SourceStreams), or an outbox the owner empties. */
export interface HealthReports {
  alert(alert: AlertEvent): void;
  /** Data gaps, and the unknown mode after a return (for sources that carry modes). */
  event(event: SourceEvent): void;
  /** The source gave up: `events` ends with this error. */
  fail?(error: Error): void;
}

/** What the health asks of the source's wire side. */
export interface HealthWire {
  /** Hands on the spikes the source holds, so that a gap or mode event comes after them. */
  flush?(): void;
  /**
   * Makes one connection attempt; the source then calls `connectionUp`,
   * `attemptFailed` or, once connected, `connectionLost`. Without it the
   * source is not ours to reconnect (the server's registry: the rig comes
   * back by itself).
   */
  connect?(): void;
  /** The source gave up (`maxAttempts` failed attempts in a row); default: `reports.fail`. */
  giveUp?(error: ConnectionError): void;
}

export interface SourceHealthOptions {
  /** The source's name in alerts. */
  name: string;
  /** Its address in status lines. */
  url: string;
  /** What the give-up error says could not be reached (default: the address). */
  target?: string;
  reconnect?: Partial<ReconnectPolicy>;
  timeJumps?: TimeJumpLimits;
  /** Wall seconds without a message, while connected, before a `source-silent` alert (default 5); 0: no watchdog timer of its own (the owner calls `checkSilence`). */
  silenceSeconds?: number;
  /** The silence alert: "no <silenceWhat> for N s while connected (<silenceHint>)". */
  silenceWhat?: string;
  silenceHint?: string;
  /** Ends the `source-lost` cleared alert: what was lost while away. */
  lostWhileAway?: string;
  /** Sources that carry modes: after a return the mode is unknown until the next change (a `null` label where data resume). */
  unknownModeOnReturn?: boolean;
  clock?: HealthClock;
  /** Random numbers for the retry jitter (tests pass a seeded one). */
  random?: () => number;
  onStatus?: (line: string) => void;
}

/** Rate limit of the repeated alerts a source names by a key (`every`). */
export const REPEAT_ALERT_EVERY_MS = 10_000;

/**
 * The health of one live source, apart from its wire format: every live
 * source holds one (Intan RHX, the Open Ephys Event Broadcaster, `connect
 * ws://`, and each source of the server's registry), and keeps only the
 * decoding of what its rig sends.
 *
 * - Connection: `start` makes the first attempt; a failed attempt or a lost
 *   connection schedules the next after exponential backoff with full
 *   jitter (reconnectPolicy.ts); after `maxAttempts` failures in a row the
 *   source gives up with a ConnectionError. A connection resets the count.
 * - Lost → gap → resume: a lost connection raises `source-lost` and opens a
 *   data gap at the latest event time; the return clears the alert; the
 *   first event time after it closes the gap there (`data-gap` alert when
 *   more than the lateness was missed) and, for sources with modes, leaves
 *   the mode unknown until the next change.
 * - Silence: no message for `silenceSeconds` of wall time while connected
 *   raises `source-silent`; the next message clears it. Messages only set a
 *   flag (`heard`): the clock is read by the watchdog, not per message.
 * - Time: `place` checks each event time against the latest: a forward jump
 *   beyond `alertSeconds` or a step back beyond `backSeconds` raises
 *   `time-jump` (back-steps at most one alert per 10 s). Clock resets are
 *   the source's to detect (its clock format) and are counted and raised
 *   here.
 * - Counters for the summary line: attempts, connections, clock resets.
 *
 * No sockets and no timers of its own beyond the HealthClock, so a test
 * drives it with a clock it moves by hand (test/live/sourceHealth.test.ts).
 */
export class SourceHealth {
  readonly name: string;
  readonly policy: ReconnectPolicy;
  readonly limits: TimeJumpLimits;
  readonly counters = { attempts: 0, connections: 0, clockResets: 0 };
  /** The latest event time placed, seconds on the analysis clock (−∞ before the first). */
  latest = -Infinity;
  connected = false;
  /** Lost without coming back yet. */
  lost = false;
  silent = false;
  /** Set at a return: the latest time then, where the gap closes at the next event time. */
  resumedAfter: number | undefined;
  private readonly clock: HealthClock;
  private readonly silenceMs: number;
  private attempt = 0;
  private closed = false;
  private started = false;
  private heardSinceCheck = false;
  private quietSinceMs: number;
  private cancelRetry: (() => void) | undefined;
  private cancelWatch: (() => void) | undefined;
  private readonly lastRepeatMs = new Map<string, number>();

  constructor(
    readonly options: SourceHealthOptions,
    private readonly reports: HealthReports,
    private readonly wire: HealthWire = {},
  ) {
    this.name = options.name;
    this.policy = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.limits = options.timeJumps ?? DEFAULT_TIME_JUMP_LIMITS;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    const silenceSeconds = options.silenceSeconds ?? 5;
    if (!(silenceSeconds >= 0 && Number.isFinite(silenceSeconds))) throw new RangeError(`silenceSeconds must be ≥ 0 (0: checked by the owner), got ${silenceSeconds}`);
    this.silenceMs = silenceSeconds * 1000;
    this.quietSinceMs = this.clock.nowMs();
  }

  /** Starts the silence watchdog and the first connection attempt. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.silenceMs > 0) this.watch();
    this.tryConnect();
  }

  /** No more attempts or checks. False if it was closed already (the source's close then has nothing left to do). */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.cancelRetry?.();
    this.cancelWatch?.();
    return true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  status(line: string): void {
    this.options.onStatus?.(line);
  }

  /** Raises or clears a source alert of this source; `t` defaults to the latest event time. */
  raise(alert: { state?: 'raised' | 'cleared'; kind: SourceAlertKind; message: string; t?: number; value?: number }): void {
    const { state = 'raised', t = finiteOr(this.latest, 0), ...rest } = alert;
    this.reports.alert({ type: 'alert', state, ...rest, t, source: this.name });
  }

  /** True at most once per `everyMs` for `key` (repeated alerts of one cause; the counts in between go in the next). */
  every(key: string, everyMs = REPEAT_ALERT_EVERY_MS): boolean {
    const now = this.clock.nowMs();
    if (now - (this.lastRepeatMs.get(key) ?? -Infinity) < everyMs) return false;
    this.lastRepeatMs.set(key, now);
    return true;
  }

  /**
   * The connection is up: the retry count starts again; a lost source is
   * back (`backMessage` for its cleared alert, default "back (connection N)").
   * `statusLine` null: no status line.
   */
  connectionUp(statusLine: string | null = `connected to ${this.options.url}`, backMessage?: string): void {
    this.connected = true;
    this.attempt = 0;
    this.counters.connections++;
    this.heardSinceCheck = false;
    this.quietSinceMs = this.clock.nowMs();
    if (statusLine !== null) this.status(statusLine);
    if (this.lost) this.back(backMessage ?? `source ${this.name} is back (connection ${this.counters.connections})${this.options.lostWhileAway === undefined ? '' : `; ${this.options.lostWhileAway}`}`);
  }

  /** A lost source returned (`message` for the cleared alert): the gap closes where its data resume. */
  private back(message: string): void {
    this.lost = false;
    this.resumedAfter = this.latest;
    this.raise({ state: 'cleared', kind: 'source-lost', message });
  }

  /** An attempt that did not connect, or a connection whose loss the source reports itself: the next attempt after the backoff, or giving up. */
  attemptFailed(reason?: string): void {
    if (this.closed) return;
    if (reason !== undefined) this.status(reason);
    this.scheduleRetry();
  }

  /**
   * The connection dropped: `source-lost` (`message`), a data gap from the
   * latest time on, and (for a source we connect to) the next attempt.
   */
  connectionLost(message: string): void {
    if (this.closed) return;
    this.connected = false;
    this.silent = false;
    this.lost = true;
    this.resumedAfter = undefined;
    this.wire.flush?.();
    if (Number.isFinite(this.latest)) this.reports.event({ kind: 'gap', start: this.latest, end: Infinity });
    this.raise({ kind: 'source-lost', message });
    if (this.wire.connect !== undefined) this.scheduleRetry();
  }

  /** A message arrived: clears a `source-silent` alert. */
  heard(): void {
    this.heardSinceCheck = true;
    if (this.silent) {
      this.silent = false;
      this.raise({ state: 'cleared', kind: 'source-silent', message: `source ${this.name} is sending again` });
    }
  }

  /**
   * Raises `source-silent` if nothing was heard for the silence limit while
   * connected (the watchdog calls it every quarter limit, at most every
   * second; an owner with `silenceSeconds` 0 calls it with its own limit).
   * Silence counts from the check after the last message: within one check
   * interval of it.
   */
  checkSilence(silenceMs = this.silenceMs): void {
    const now = this.clock.nowMs();
    if (this.heardSinceCheck) {
      this.heardSinceCheck = false;
      this.quietSinceMs = now;
      return;
    }
    if (this.closed || !this.connected || this.silent) return;
    const quietMs = now - this.quietSinceMs;
    if (quietMs < silenceMs) return;
    this.silent = true;
    this.raise({
      kind: 'source-silent',
      value: quietMs / 1000,
      message: `source ${this.name}: no ${this.options.silenceWhat ?? 'message'} for ${(quietMs / 1000).toFixed(1)} s while connected${this.options.silenceHint === undefined ? '' : ` (${this.options.silenceHint})`}`,
    });
  }

  /**
   * An event at analysis time `t`: closes the gap of a return, or reports a
   * jump from the latest time (`context` ends the alert's message, e.g. which
   * stream); then the latest time moves on.
   */
  place(t: number, context?: string): void {
    if (this.resumedAfter !== undefined) {
      this.resume(t);
    } else if (t - this.latest > this.limits.alertSeconds && this.latest !== -Infinity) {
      const ahead = t - this.latest;
      this.raise({
        kind: 'time-jump',
        value: ahead,
        message: `source ${this.name}: event time jumped ${ahead.toFixed(3)} s forward, from ${this.latest.toFixed(3)} s to ${t.toFixed(3)} s${where(context)}`,
      });
    } else if (this.latest - t > this.limits.backSeconds && this.every('time-back')) {
      this.raise({
        kind: 'time-jump',
        value: t - this.latest,
        message: `source ${this.name}: event time went back ${(this.latest - t).toFixed(3)} s, to ${t.toFixed(3)} s${where(context)}; spikes older than the lateness are dropped as late`,
      });
    }
    if (t > this.latest) this.latest = t;
  }

  /** An event at `t` with no jump check (the first after a clock reset): closes the gap of a return; the latest time moves on. */
  moveTo(t: number): void {
    if (this.resumedAfter !== undefined) this.resume(t);
    if (t > this.latest) this.latest = t;
  }

  /** The first event time `t` after a return: the gap closes there (with `data-gap` when more than the lateness was missed). */
  private resume(t: number): void {
    const start = this.resumedAfter;
    this.resumedAfter = undefined;
    if (start === undefined || !Number.isFinite(start)) return;
    this.wire.flush?.();
    this.reports.event({ kind: 'gap', start, end: Math.max(start, t) });
    if (this.options.unknownModeOnReturn === true) this.reports.event({ kind: 'label', t: start, label: null });
    if (t - start > this.limits.backSeconds) this.reports.alert(dataGapAlert(this.name, start, t, 'while it was away'));
  }

  /** A gap from `start` on with no end yet (a new run the modes given say nothing of); replaces one open since a loss. */
  openGap(start: number): void {
    this.resumedAfter = undefined;
    this.wire.flush?.();
    this.reports.event({ kind: 'gap', start, end: Infinity });
  }

  /** The source's clock restarted (its format tells how): counted, and `clock-reset` raised at `t`. */
  clockReset(t: number, value: number, message: string): void {
    this.counters.clockResets++;
    this.wire.flush?.();
    this.raise({ kind: 'clock-reset', t, value, message });
  }

  /** "sources: <name>: <parts>". */
  summaryLine(parts: readonly string[]): string {
    return `sources: ${this.name}: ${parts.join(', ')}`;
  }

  /** "N connection(s)". */
  connectionsText(): string {
    return plural(this.counters.connections, 'connection');
  }

  /** "N clock reset(s)". */
  clockResetsText(): string {
    return plural(this.counters.clockResets, 'clock reset');
  }

  private tryConnect(): void {
    if (this.closed || this.wire.connect === undefined) return;
    this.counters.attempts++;
    this.wire.connect();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.connected = false;
    this.attempt++;
    if (this.attempt > this.policy.maxAttempts) {
      this.status(`giving up on ${this.options.url} after ${this.policy.maxAttempts} attempts to reconnect`);
      this.wire.flush?.();
      this.close();
      const error = new ConnectionError(`could not reach ${this.options.target ?? this.options.url} after ${this.policy.maxAttempts} attempts to reconnect`);
      if (this.wire.giveUp !== undefined) this.wire.giveUp(error);
      else this.reports.fail?.(error);
      return;
    }
    const delayMs = retryDelayMs(this.policy, this.attempt, this.options.random);
    this.status(`connection to ${this.options.url} lost or refused; retry ${this.attempt} in ${(delayMs / 1000).toFixed(2)} s`);
    this.cancelRetry = this.clock.after(delayMs, () => this.tryConnect(), true);
  }

  private watch(): void {
    this.cancelWatch = this.clock.after(
      Math.max(50, Math.min(1000, this.silenceMs / 4)),
      () => {
        this.checkSilence();
        if (!this.closed) this.watch();
      },
      false,
    );
  }
}

/** The `data-gap` alert of source `name`: nothing from `from` to `to` (seconds on the analysis clock), `why` ending the message. */
export function dataGapAlert(name: string, from: number, to: number, why: string): AlertEvent & { kind: SourceAlertKind } {
  return {
    type: 'alert',
    state: 'raised',
    kind: 'data-gap',
    t: to,
    source: name,
    value: to - from,
    message: `source ${name}: no data from ${from.toFixed(3)} s to ${to.toFixed(3)} s (${(to - from).toFixed(3)} s) ${why}`,
  };
}

export function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

/** " (context)" for an alert's message; empty without one. */
function where(context: string | undefined): string {
  return context === undefined ? '' : ` (${context})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
