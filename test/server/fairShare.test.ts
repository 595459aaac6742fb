import { describe, expect, it } from 'vitest';
import { FairShare } from '../../src/server/fairShare.ts';

describe('FairShare: a connection’s share of the analyzer’s time', () => {
  it('lets a connection alone use all of it', () => {
    const share = new FairShare(() => 0);
    expect(share.charge(5000, 1)).toBe(0);
  });

  it('with n busy connections, charges each 1/n of the wall time and says how long to wait when it spent more', () => {
    let now = 0;
    const share = new FairShare(() => now);
    // 600 ms of handling with two connections busy: 1.2 s of wall time pays it back.
    expect(share.charge(600, 2)).toBe(1200);
    now = 1200;
    expect(share.charge(0, 2)).toBe(0);
    // Credit builds up to at most a second's share: a long idle stretch does not buy a long burst.
    now = 60_000;
    expect(share.charge(500, 2)).toBe(0);
    expect(share.charge(100, 2)).toBe(200);
    // With four busy, a quarter.
    now = 120_000;
    expect(share.charge(250, 4)).toBe(0);
    expect(share.charge(250, 4)).toBe(1000);
  });
});
