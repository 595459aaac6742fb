import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BatchReadout } from '../../src/engine/batchReadout.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { Population } from '../../simulators/population.ts';
import { referenceEmissions } from '../helpers/streamReference.ts';

// normalized in streaming updates: synergy / joint only when the joint exceeds
// (levels² − 1)(modes present − 1) / (samples · ln 2), null otherwise; the
// same value from the incremental and the batch readouts and from the
// independent batch reference's joint and synergy.

const options: AnalysisOptions = {
  binSeconds: 0.02,
  windowSeconds: 20,
  hopSeconds: 10,
  levels: 3,
  estimator: 'panzeri-treves',
  surrogates: 0,
  seed: 0,
  latenessSeconds: 0.1,
  top: undefined,
};

const population = new Population({ units: 10, seed: 11 });
const events: SourceEvent[] = [...population.stream({ chunkSeconds: 5, untilSeconds: 60 })];

function floorOf(samples: number, labels: Record<string, number>): number {
  const modesPresent = Object.values(labels).filter((count) => count > 0).length;
  return ((options.levels ** 2 - 1) * (modesPresent - 1)) / (samples * Math.LN2);
}

describe('normalized synergy in streaming updates', () => {
  it('is null below the floor (every negative joint included), synergy / joint above it, equal to the batch value', async () => {
    const updates = await lastValueFrom(from(events).pipe(analyzeStream(options), toArray()));
    const batch = await lastValueFrom(from(events).pipe(analyzeStream(options, (o) => new BatchReadout(o)), toArray()));
    const reference = referenceEmissions(events, options);
    expect(updates.length).toBe(reference.emissions.length);
    expect(updates.length).toBeGreaterThanOrEqual(5);

    let negativeJoints = 0;
    let nulls = 0;
    let values = 0;
    updates.forEach((update, n) => {
      const floor = floorOf(update.samples, update.labels);
      const expected = reference.emissions[n];
      update.pairs.forEach((pair, k) => {
        // Batch readout: the same value, or null in the same places.
        const twin = batch[n].pairs[k];
        expect(twin.a).toBe(pair.a);
        if (pair.normalized === null) expect(twin.normalized).toBeNull();
        else expect(Math.abs(pair.normalized - twin.normalized!)).toBeLessThan(1e-9);
        // Independent reference: its joint and synergy decide.
        const want = expected.pair(pair.a, pair.b);
        if (want.joint < 0) negativeJoints++;
        if (want.joint > floor + 1e-9) {
          values++;
          expect(pair.normalized).not.toBeNull();
          expect(Math.abs(pair.normalized! - want.synergy / want.joint)).toBeLessThan(1e-9);
        } else if (want.joint < floor - 1e-9) {
          nulls++;
          expect(pair.normalized).toBeNull();
        }
      });
    });
    // The run exercises both branches, negative joints among the nulls.
    expect(negativeJoints).toBeGreaterThan(10);
    expect(nulls).toBeGreaterThan(negativeJoints);
    expect(values).toBeGreaterThan(0);

    // Planted pairs carry the mode: their normalized synergy is reported, with the planted sign.
    const last = updates.at(-1)!;
    for (const planted of population.truth) {
      const pair = last.pairs.find(
        (p) => (String(p.a) === planted.a && String(p.b) === planted.b) || (String(p.a) === planted.b && String(p.b) === planted.a),
      )!;
      expect(pair.normalized).not.toBeNull();
      if (planted.kind === 'synergistic') expect(pair.normalized!).toBeGreaterThan(0.5);
      else expect(pair.normalized!).toBeLessThan(0);
    }
    // And in JSON it is null, not 0 or absent.
    const nullPair = updates.flatMap((u) => u.pairs).find((p) => p.normalized === null)!;
    expect(JSON.parse(JSON.stringify(nullPair))).toHaveProperty('normalized', null);
  });
});
