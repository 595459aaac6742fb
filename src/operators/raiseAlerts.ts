import type { OperatorFunction } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import { EmergenceAlerts } from '../alerts/emergenceAlerts.ts';
import { PairAlerts, type PairAlertOptions } from '../alerts/pairAlerts.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { statefulOperator } from './statefulOperator.ts';

/**
 * Passes every synergy update through and, after it, the alerts it raised or
 * cleared: pair alerts (PairAlerts: family-wise significant synergy or
 * redundancy at the per-hour level, cleared with hysteresis) and a `late-data` alert
 * whenever spikes later than the lateness were dropped since the previous
 * update (with how many); with `emergence`, the `emergence` alerts of the
 * updates' group, population and sub-network series (EmergenceAlerts).
 *
 * ```ts
 * events$.pipe(analyzeStream(options), raiseAlerts({ alpha: 0.05 }))
 * ```
 */
export function raiseAlerts(options: PairAlertOptions): OperatorFunction<SynergyUpdate, SynergyUpdate | AlertEvent> {
  return statefulOperator<SynergyUpdate, SynergyUpdate | AlertEvent>((subscriber) => {
    const alerts = new PairAlerts(options);
    const emergence = options.emergence === undefined ? undefined : new EmergenceAlerts(options.emergence);
    let lateSoFar = 0;
    return {
      next(update) {
        subscriber.next(update);
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
        if (emergence !== undefined) for (const alert of emergence.next(update)) subscriber.next(alert);
      },
    };
  });
}
