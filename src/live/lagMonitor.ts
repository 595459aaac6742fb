import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { SourceEvent } from '../stream/events.ts';

/**
 * How far a live analysis runs behind its source, in seconds of wall time.
 *
 * Each event's time is set against the wall clock when the analysis takes
 * it: `origin` is the earliest wall time at which event time 0 could have
 * been (the smallest `wall − t` seen, a spike batch dated by its first
 * spike), so a source that sends in real time
 * or faster keeps it current. An update at T can be made once data up to
 * T + lateness are in; when it comes out at wall time `now`, the analysis is
 * `now − (origin + T + lateness)` behind. A source that sends slower than
 * real time, or an analyzer that cannot keep up (messages wait in the
 * socket), shows as a growing lag. A data gap, restart or clock reset
 * starts the reckoning afresh (the source's clock and the wall clock part
 * there).
 *
 * `analysis-lag` is raised when the lag passes `alertSeconds` and cleared
 * when it is back under half of it.
 */
export class LagMonitor {
  private originMs = Infinity;
  private raised = false;
  /** The largest lag seen, seconds. */
  maxLagSeconds = 0;

  constructor(
    private readonly alertSeconds: number,
    private readonly latenessSeconds: number,
    private readonly source: string | undefined,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  /** An event as the analysis takes it. */
  observe(event: SourceEvent): void {
    let t: number;
    switch (event.kind) {
      case 'spikes':
        // A batch is dated by its first spike: a source faster than real time (a replay, a simulator at speed 40)
        // can deliver many seconds of its clock in one batch after the reader paused, and the batch's last spike
        // would set the origin that far back, counting the batch's own span as lag.
        if (event.t.length === 0) return;
        t = event.t[0];
        break;
      case 'label':
      case 'heartbeat':
        t = event.t;
        break;
      case 'gap':
      case 'restart':
        // The source was away or jumped: its clock and the wall clock part here.
        this.originMs = Infinity;
        return;
      default:
        return;
    }
    const origin = this.nowMs() - t * 1000;
    if (origin < this.originMs) this.originMs = origin;
  }

  /** An update as it comes out: the lag alert it raises or clears, if any. */
  check(update: SynergyUpdate): AlertEvent | undefined {
    if (!Number.isFinite(this.originMs)) return undefined;
    const lag = (this.nowMs() - (this.originMs + (update.t + this.latenessSeconds) * 1000)) / 1000;
    if (lag > this.maxLagSeconds) this.maxLagSeconds = lag;
    const who = this.source === undefined ? 'the source' : `source ${this.source}`;
    const alert = (state: 'raised' | 'cleared', message: string): AlertEvent => ({
      type: 'alert',
      state,
      kind: 'analysis-lag',
      t: update.t,
      value: lag,
      ...(this.source === undefined ? {} : { source: this.source }),
      message,
    });
    if (!this.raised && lag > this.alertSeconds) {
      this.raised = true;
      return alert('raised', `the analysis of ${who} is ${lag.toFixed(1)} s behind the wall clock (update at ${update.t} s): the machine cannot keep up with this load, or the source sends late`);
    }
    if (this.raised && lag < this.alertSeconds / 2) {
      this.raised = false;
      return alert('cleared', `the analysis of ${who} has caught up (${lag.toFixed(1)} s behind)`);
    }
    return undefined;
  }
}
