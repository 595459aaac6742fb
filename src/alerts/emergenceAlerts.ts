import { EmergenceDetector, type EmergenceAlert } from '../emergence/emergenceDetector.ts';
import type { AlertEvent } from './alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { GroupUpdate } from '../groups/groupUpdate.ts';
import { SUBNETWORK_ID_GRACE_HOPS } from '../groups/groupAnalyzer.ts';

/** How the emergence alerts read the updates' series (docs/EMERGENCE.md). */
export interface EmergenceAlertOptions {
  /** Seconds between updates. */
  hopSeconds: number;
  /** Hops per window (window / hop; 1 for tumbling windows, trials in blocks and snapshots). */
  windowHops: number;
  /** Prior mean duration of a regime, seconds (EmergenceDetector's `meanRegimeSeconds`; default its own). */
  meanRegimeSeconds?: number;
}

/** The measures watched in each series, and which sign is synergy. */
const WATCHED: ReadonlyArray<{ measure: 'oinfo' | 'synergy' | 'doinfo_y'; synergyIsNegative: boolean }> = [
  { measure: 'oinfo', synergyIsNegative: true },
  { measure: 'synergy', synergyIsNegative: false },
  { measure: 'doinfo_y', synergyIsNegative: true },
];

/**
 * `emergence` alerts: one change-point detector (EmergenceDetector) per
 * series of Ω, group synergy and ∂_YΩ — the population's, each group's and
 * each tracked sub-network's — raising an alert when a series changes
 * regime, with the estimated change time, the means before and after and
 * whether it crossed from redundancy- to synergy-dominated. A sub-network
 * that comes back with its id continues its detector; one gone longer than
 * its id's grace (it cannot come back) has its detectors dropped, so that
 * memory does not grow with the multiplets seen. Snapshot updates (`step`) are watched in snapshot order and
 * their change time reported as a step.
 */
export class EmergenceAlerts {
  private readonly detectors = new Map<string, EmergenceDetector>();
  /** When each sub-network series was last seen (update count): dissolved ones are dropped after SUBNETWORK_ID_GRACE_HOPS. */
  private readonly lastSeen = new Map<string, number>();
  private updates = 0;
  /** Snapshot analyses: the step of each update index, to report the change as a step. */
  private readonly steps: number[] = [];

  constructor(private readonly options: EmergenceAlertOptions) {}

  /** Detectors held (one per series and measure). */
  get detectorCount(): number {
    return this.detectors.size;
  }

  /** The emergence alerts this update raises, as alert events. */
  next(update: SynergyUpdate & { step?: number }): AlertEvent[] {
    return this.detect(update).map((alert) => ({ ...alert, value: alert.after, message: emergenceMessage(alert, update.step !== undefined) }));
  }

  private detect(update: SynergyUpdate & { step?: number }): EmergenceAlert[] {
    const snapshot = update.step !== undefined;
    let t = update.t;
    if (snapshot) {
      this.steps.push(update.step!);
      t = (this.steps.length - 1) * this.options.hopSeconds;
    }
    const alerts: EmergenceAlert[] = [];
    const watch = (series: string, group: Pick<GroupUpdate, 'oinfo' | 'synergy' | 'doinfo_y'>, measures = WATCHED) => {
      for (const { measure, synergyIsNegative } of measures) {
        const value = group[measure];
        const key = `${series}\u0000${measure}`;
        let detector = this.detectors.get(key);
        if (detector === undefined) {
          if (value === null) continue;
          detector = new EmergenceDetector({
            series,
            measure,
            synergyIsNegative,
            hopSeconds: this.options.hopSeconds,
            windowHops: this.options.windowHops,
            ...(this.options.meanRegimeSeconds === undefined ? {} : { meanRegimeSeconds: this.options.meanRegimeSeconds }),
          });
          this.detectors.set(key, detector);
        }
        const alert = detector.push(t, value ?? Number.NaN);
        if (alert !== undefined) alerts.push(snapshot ? this.inSteps(alert, update.t) : alert);
      }
    };
    if (update.population !== undefined) watch('population', update.population);
    for (const group of update.groups ?? []) watch(`group:${group.name}`, group);
    this.updates++;
    for (const subnetwork of update.subnetworks ?? []) {
      const series = `subnetwork:${subnetwork.id}`;
      this.lastSeen.set(series, this.updates);
      watch(series, { oinfo: subnetwork.oinfo, doinfo_y: subnetwork.doinfo_y, synergy: null }, WATCHED.filter((w) => w.measure !== 'synergy'));
    }
    // A dissolved sub-network's id is never reused: its detectors go once it cannot come back.
    for (const [series, last] of this.lastSeen) {
      if (this.updates - last <= SUBNETWORK_ID_GRACE_HOPS) continue;
      this.lastSeen.delete(series);
      for (const { measure } of WATCHED) this.detectors.delete(`${series}\u0000${measure}`);
    }
    return alerts;
  }

  /**
   * A snapshot series' alert with its times as steps: the change at time c
   * (snapshot indices as times, one hop each) ends the window of snapshot
   * c / hop, so the first snapshot of the new regime is the next one.
   */
  private inSteps(alert: EmergenceAlert, t: number): EmergenceAlert {
    const index = Math.max(0, Math.min(this.steps.length - 1, Math.round(alert.change_t / this.options.hopSeconds) + 1));
    return { ...alert, t, change_t: this.steps[index] };
  }
}

function emergenceMessage(alert: EmergenceAlert, snapshot: boolean): string {
  const when = snapshot ? `step ${alert.change_t}` : `t ≈ ${alert.change_t.toFixed(1)} s`;
  const crossing = alert.crossing === null ? 'a change of regime' : alert.crossing === 'redundancy-to-synergy' ? 'from redundancy- to synergy-dominated' : 'from synergy- to redundancy-dominated';
  return `${alert.series} ${alert.measure}: ${crossing} at ${when} (${alert.before.toFixed(4)} → ${alert.after.toFixed(4)} bits, probability ${alert.probability.toFixed(2)})`;
}
