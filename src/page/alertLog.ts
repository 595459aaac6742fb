import { pairKey, type AlertEvent, type UnitId } from './protocol.ts';

/**
 * The alerts the page has seen, oldest first, at most `maxAlerts` (the
 * history message holds the last 1,000), and which pairs are raised now
 * (raised and not yet cleared), replayed from the log.
 */
export class AlertLog {
  private alerts: AlertEvent[] = [];
  readonly raised = new Map<string, AlertEvent>();

  constructor(readonly maxAlerts = 1000) {}

  get length(): number {
    return this.alerts.length;
  }

  /** The past from a `history` message: it replaces what the page held, since it holds all of it (a reconnect sends it again). */
  replace(alerts: readonly AlertEvent[]): void {
    this.alerts = [];
    this.raised.clear();
    for (const alert of alerts) this.add(alert);
  }

  add(alert: AlertEvent): void {
    this.alerts.push(alert);
    if (this.alerts.length > this.maxAlerts * 1.25) this.alerts.splice(0, this.alerts.length - this.maxAlerts);
    if (alert.a !== undefined && alert.b !== undefined) {
      const key = `${alert.source ?? ''} ${pairKey(alert.a, alert.b)}`;
      if (alert.state === 'raised') this.raised.set(key, alert);
      else this.raised.delete(key);
    }
  }

  /** The newest `count` alerts, newest first. */
  newestFirst(count = this.maxAlerts): AlertEvent[] {
    const start = Math.max(0, this.alerts.length - count);
    return this.alerts.slice(start).reverse();
  }

  /** The pair's alerts (of any source given, or those with no source), oldest first. */
  forPair(a: UnitId, b: UnitId, source: string | null): AlertEvent[] {
    const key = pairKey(a, b);
    return this.alerts.filter((alert) => alert.a !== undefined && alert.b !== undefined && pairKey(alert.a, alert.b) === key && (source === null || alert.source === undefined || alert.source === source));
  }

  /** The raised alert of a pair, if it is raised now. */
  raisedFor(a: UnitId, b: UnitId, source: string | null): AlertEvent | undefined {
    return this.raised.get(`${source ?? ''} ${pairKey(a, b)}`) ?? this.raised.get(` ${pairKey(a, b)}`);
  }
}
