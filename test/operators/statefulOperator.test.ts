import { from, lastValueFrom, Subject, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { statefulOperator } from '../../src/operators/statefulOperator.ts';

/** Running sums, and the total at the end; throws on a negative value (and at the end after a 13). */
const sums = statefulOperator<number, number>((subscriber) => {
  let total = 0;
  let unlucky = false;
  return {
    next(value) {
      if (value < 0) throw new RangeError(`negative: ${value}`);
      if (value === 13) unlucky = true;
      total += value;
      subscriber.next(total);
    },
    complete() {
      if (unlucky) throw new Error('unlucky total');
      subscriber.next(-total);
    },
  };
});

describe('statefulOperator: state per subscription, every exception an error of the stream', () => {
  it('keeps its state per subscription and runs complete before completing', async () => {
    const source = from([1, 2, 3]);
    expect(await lastValueFrom(source.pipe(sums, toArray()))).toEqual([1, 3, 6, -6]);
    expect(await lastValueFrom(source.pipe(sums, toArray()))).toEqual([1, 3, 6, -6]);
  });

  it('an exception in a value, at the end or in setup ends the stream as an error, after what came before', async () => {
    const seen: number[] = [];
    await expect(lastValueFrom(from([1, -2, 3]).pipe(sums, toArray()))).rejects.toThrow(/negative: -2/);
    const subject = new Subject<number>();
    const done = lastValueFrom(subject.pipe(sums, toArray()));
    subject.subscribe(() => undefined);
    subject.next(13);
    subject.complete();
    await expect(done).rejects.toThrow(/unlucky/);
    const broken = statefulOperator<number, number>(() => {
      throw new RangeError('bad options');
    });
    await expect(lastValueFrom(from([1]).pipe(broken))).rejects.toThrow(/bad options/);
    from([5, -1]).pipe(sums).subscribe({ next: (v) => seen.push(v), error: () => seen.push(Number.NaN) });
    expect(seen).toEqual([5, Number.NaN]);
  });

  it('passes the source error through', async () => {
    await expect(lastValueFrom(throwError(() => new Error('source down')).pipe(sums))).rejects.toThrow(/source down/);
  });
});
