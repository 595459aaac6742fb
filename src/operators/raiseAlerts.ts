import { Observable, type OperatorFunction } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import { PairAlerts, type PairAlertOptions } from '../alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';

/**
 * Passes every synergy update through and, after it, the alerts it raised or
 * cleared: pair alerts (PairAlerts: synergy or redundancy held for
 * `forUpdates` updates, cleared with hysteresis) and a `late-data` alert
 * whenever spikes later than the lateness were dropped since the previous
 * update (with how many).
 *
 * ```ts
 * events$.pipe(analyzeStream(options), raiseAlerts({ thresholdBits: 0.05, maxP: 0.01, forUpdates: 3 }))
 * ```
 */
export function raiseAlerts(options: PairAlertOptions): OperatorFunction<SynergyUpdate, SynergyUpdate | AlertEvent> {
  return (source) =>
    new Observable<SynergyUpdate | AlertEvent>((subscriber) => {
      let alerts: PairAlerts;
      try {
        alerts = new PairAlerts(options);
      } catch (error) {
        subscriber.error(error);
        return undefined;
      }
      let lateSoFar = 0;
      return source.subscribe({
        next(update) {
          subscriber.next(update);
          try {
            if (update.dropped.late > lateSoFar) {
              const late = update.dropped.late - lateSoFar;
              lateSoFar = update.dropped.late;
              subscriber.next({
                type: 'alert',
                state: 'raised',
                kind: 'late-data',
                t: update.t,
                value: late,
                message: `${late} spikes arrived later than the lateness allows and were dropped (${lateSoFar} since the start)`,
              });
            }
            for (const alert of alerts.next(update)) subscriber.next(alert);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error(error) {
          subscriber.error(error);
        },
        complete() {
          subscriber.complete();
        },
      });
    });
}
