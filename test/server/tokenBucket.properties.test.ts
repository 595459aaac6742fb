import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from '../../src/server/tokenBucket.ts';

/**
 * TokenBucket's contract beyond the cases of tokenBucket.test.ts: exact
 * numbers (rates and times chosen so that every amount is a binary fraction),
 * the burst bound over any stretch of time, a refused take that leaves no
 * trace, a budget that takes alone never drive below zero, and debt's wait
 * that is exactly long enough. Time is a clock the test moves.
 */

function clocked(ratePerSecond: number, startMs = 1000) {
  let now = startMs;
  return { bucket: new TokenBucket(ratePerSecond, () => now), advance: (ms: number) => (now += ms), now: () => now };
}

describe('TokenBucket: exact numbers', () => {
  afterEach(() => vi.useRealTimers());

  it('8 per second: a token every 125 ms, a burst of 8, and the wait of a debt in whole 125 ms steps', () => {
    const { bucket, advance } = clocked(8);
    expect(bucket.take(8)).toBe(true);
    expect(bucket.take(0.5)).toBe(false);
    advance(125);
    expect(bucket.take(1)).toBe(true);
    expect(bucket.take(Number.MIN_VALUE)).toBe(false);
    advance(62.5); // half a token
    expect(bucket.take(0.5)).toBe(true);
    // Empty: a debt of 3 is paid back in 3 × 125 ms.
    expect(bucket.debt(3)).toBe(375);
    advance(125);
    expect(bucket.debt(0)).toBe(250);
    expect(bucket.take(0)).toBe(false); // in debt, even nothing cannot be taken
    advance(250);
    expect(bucket.debt(0)).toBe(0);
    expect(bucket.take(0)).toBe(true);
    // A full bucket after a long idle: 8, not more.
    advance(3_600_000);
    expect(bucket.debt(8)).toBe(0);
    expect(bucket.debt(1)).toBe(125);
  });

  it('take asks for more than one second holds: refused however long the bucket was idle, and nothing is taken', () => {
    const { bucket, advance } = clocked(4);
    advance(10_000);
    expect(bucket.take(4.25)).toBe(false);
    expect(bucket.take(4)).toBe(true);
  });

  it('debt of zero only reads the budget; a spend that exactly empties it is still in budget (0 ms)', () => {
    const { bucket } = clocked(16);
    expect(bucket.debt(0)).toBe(0);
    expect(bucket.debt(16)).toBe(0);
    expect(bucket.debt(0)).toBe(0);
    expect(bucket.debt(2)).toBe(125);
  });

  it('refill is the same in many small steps as in one (no rounding lost at these rates)', () => {
    const many = clocked(32);
    const one = clocked(32);
    expect(many.bucket.take(32)).toBe(true);
    expect(one.bucket.take(32)).toBe(true);
    for (let k = 0; k < 16; k++) many.advance(31.25); // 16 × 1 token
    one.advance(500);
    expect(many.bucket.debt(0)).toBe(0);
    expect(one.bucket.debt(0)).toBe(0);
    // Both hold exactly 16: 16 more in budget, then 1 over is 31.25 ms.
    expect(many.bucket.debt(16)).toBe(0);
    expect(one.bucket.debt(16)).toBe(0);
    expect(many.bucket.debt(1)).toBe(31.25);
    expect(one.bucket.debt(1)).toBe(31.25);
  });

  it('the default clock is performance.now (moved here by fake timers)', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const bucket = new TokenBucket(2);
    expect(bucket.take(2)).toBe(true);
    expect(bucket.take(1)).toBe(false);
    vi.advanceTimersByTime(500);
    expect(bucket.take(1)).toBe(true);
    expect(bucket.take(1)).toBe(false);
  });
});

/** A step: move the clock (whole ms), then take or spend an amount. */
const stepArbitrary = fc.record({
  advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 100, max: 3000 })),
  kind: fc.constantFrom('take' as const, 'debt' as const),
  amount: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.double({ min: 0, max: 12, noNaN: true })),
});

describe('TokenBucket: properties over random sequences (fast-check)', () => {
  it('takes alone never leave the budget below zero: after any of them, debt(0) is 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(stepArbitrary, { maxLength: 80 }), (rate, steps) => {
        const { bucket, advance } = clocked(rate);
        for (const step of steps) {
          advance(step.advanceMs);
          bucket.take(step.amount);
          expect(bucket.debt(0)).toBe(0);
        }
      }),
    );
  });

  it('what is taken over any stretch of time is at most one second of budget plus the rate times the stretch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(stepArbitrary, { maxLength: 80 }), (rate, steps) => {
        const { bucket, advance, now } = clocked(rate);
        // Successful takes with the time they happened.
        const taken: Array<{ t: number; amount: number }> = [];
        for (const step of steps) {
          advance(step.advanceMs);
          if (step.kind === 'take' && bucket.take(step.amount)) taken.push({ t: now(), amount: step.amount });
        }
        for (let from = 0; from < taken.length; from++) {
          let sum = 0;
          for (let to = from; to < taken.length; to++) {
            sum += taken[to].amount;
            const seconds = (taken[to].t - taken[from].t) / 1000;
            expect(sum).toBeLessThanOrEqual(rate + rate * seconds + 1e-9);
          }
        }
      }),
    );
  });

  it('a refused take leaves no trace: a twin bucket given only the takes that succeeded answers every later call the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.tuple(stepArbitrary, fc.double({ min: 0, max: 25, noNaN: true })), { maxLength: 60 }), (rate, steps) => {
        let now = 0;
        const asked = new TokenBucket(rate, () => now);
        const twin = new TokenBucket(rate, () => now);
        for (const [step, extraAmount] of steps) {
          now += step.advanceMs;
          // An extra take, often more than the bucket holds (and sometimes more than a second of budget).
          if (asked.take(extraAmount)) expect(twin.take(extraAmount)).toBe(true);
          const answer = step.kind === 'take' ? asked.take(step.amount) : asked.debt(step.amount);
          const twinAnswer = step.kind === 'take' ? twin.take(step.amount) : twin.debt(step.amount);
          expect(answer).toBe(twinAnswer);
        }
      }),
    );
  });

  it('after waiting the milliseconds debt returns, the budget is back to zero or more; a millisecond less, still in debt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 5 }),
        (rate, spend, earlier) => {
          const { bucket, advance } = clocked(rate);
          for (const amount of earlier) {
            bucket.debt(amount);
            advance(7);
          }
          const wait = bucket.debt(spend);
          expect(wait).toBeGreaterThanOrEqual(0);
          if (wait === 0) return;
          // The wait is the owed amount at the rate: a millisecond less still owes rate/1000 tokens.
          if (wait > 1) {
            advance(wait - 1);
            expect(bucket.take(0)).toBe(false);
            advance(1);
          } else {
            advance(wait);
          }
          // Rounding in ms ↔ tokens may leave a residue of one part in 10^12 of the debt.
          expect(bucket.debt(0)).toBeLessThan(1e-9 * Math.max(1, wait));
        },
      ),
    );
  });
});
