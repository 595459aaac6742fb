import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';

/** What a stateful operator does with each value, and at the end. */
export interface OperatorHandlers<T> {
  next(value: T): void;
  /** Before the output completes (flushes, end events). */
  complete?(): void;
}

/**
 * An operator that keeps state for each subscription: `setup` builds the
 * state and returns the handlers, given the subscriber to emit to. An
 * exception in `setup`, in a value's handling or at the end ends the stream
 * as an error — it never vanishes and never escapes into RxJS; errors from
 * the source pass through; the output completes after `complete`.
 *
 * ```ts
 * const count = <T>() => statefulOperator<T, number>((subscriber) => {
 *   let n = 0;
 *   return { next: () => subscriber.next(++n) };
 * });
 * ```
 */
export function statefulOperator<T, R>(setup: (subscriber: Subscriber<R>) => OperatorHandlers<T>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let handlers: OperatorHandlers<T>;
      try {
        handlers = setup(subscriber);
      } catch (error) {
        subscriber.error(error);
        return undefined;
      }
      return source.subscribe({
        next(value) {
          try {
            handlers.next(value);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error(error) {
          subscriber.error(error);
        },
        complete() {
          try {
            handlers.complete?.();
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.complete();
        },
      });
    });
}
