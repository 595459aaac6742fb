import { Subject, type Observable } from 'rxjs';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import type { SourceEvent } from '../stream/events.ts';

/**
 * The two streams a live source hands on (LiveSource): its events (spike
 * batches, modes, gaps) and its source alerts. Once ended, by the source's
 * close (both complete) or by giving up (`events` errors, `alerts`
 * completes), nothing more goes out.
 */
export class SourceStreams {
  private readonly eventSubject = new Subject<SourceEvent>();
  private readonly alertSubject = new Subject<AlertEvent>();
  readonly events: Observable<SourceEvent> = this.eventSubject.asObservable();
  readonly alerts: Observable<AlertEvent> = this.alertSubject.asObservable();
  private endedFlag = false;

  get ended(): boolean {
    return this.endedFlag;
  }

  event(event: SourceEvent): void {
    if (!this.endedFlag) this.eventSubject.next(event);
  }

  alert(alert: AlertEvent): void {
    if (!this.endedFlag) this.alertSubject.next(alert);
  }

  /** The source closed: both streams complete. */
  complete(): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.eventSubject.complete();
    this.alertSubject.complete();
  }

  /** The source failed (gave up): `events` errors with `error`, `alerts` completes. */
  fail(error: Error): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.eventSubject.error(error);
    this.alertSubject.complete();
  }
}
