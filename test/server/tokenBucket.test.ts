import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/server/tokenBucket.ts';

/** A bucket on a clock the test sets. */
function bucket(ratePerSecond: number) {
  let now = 5_000;
  const tokens = new TokenBucket(ratePerSecond, () => now);
  return { tokens, at: (ms: number) => (now = ms), advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('starts full with one second of budget and takes while it holds enough', () => {
    const { tokens } = bucket(10);
    for (let i = 0; i < 10; i++) expect(tokens.take(1), `take ${i}`).toBe(true);
    expect(tokens.take(1)).toBe(false);
  });

  it('a refused take takes nothing', () => {
    const { tokens } = bucket(10);
    expect(tokens.take(7)).toBe(true);
    expect(tokens.take(4)).toBe(false);
    expect(tokens.take(3)).toBe(true);
    expect(tokens.take(0.001)).toBe(false);
  });

  it('refills at the rate, never past one second of budget', () => {
    const { tokens, advance } = bucket(10);
    expect(tokens.take(10)).toBe(true);
    advance(250); // 2.5 tokens
    expect(tokens.take(3)).toBe(false);
    expect(tokens.take(2.5)).toBe(true);
    advance(60_000); // a minute idle still holds only 10
    expect(tokens.take(10)).toBe(true);
    expect(tokens.take(0.1)).toBe(false);
  });

  it('debt spends beyond the budget and says how long to wait for it to be paid back', () => {
    const { tokens, advance } = bucket(100);
    expect(tokens.debt(60)).toBe(0);
    expect(tokens.debt(40)).toBe(0);
    // 50 over budget at 100/s: 500 ms.
    expect(tokens.debt(50)).toBeCloseTo(500, 9);
    advance(200); // 20 paid back: 30 owed
    expect(tokens.debt(0)).toBeCloseTo(300, 9);
    advance(300);
    expect(tokens.debt(0)).toBe(0);
    // While in debt, take refuses everything.
    expect(tokens.debt(10)).toBeCloseTo(100, 9);
    expect(tokens.take(1)).toBe(false);
  });

  it('a large spend on a small rate waits in proportion (the spike budget: one batch may exceed a second of it)', () => {
    const { tokens } = bucket(1000);
    expect(tokens.debt(5000)).toBeCloseTo(4000, 9);
  });
});
