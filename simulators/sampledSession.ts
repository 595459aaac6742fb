import { Population } from './population.ts';
import { labelIntervals } from './writeSpikesCsv.ts';
import type { LabelChange } from '../src/stream/events.ts';

/** A chunk of a recorded session on a sample clock: spikes sorted by sample number. */
export interface SessionChunk {
  /** Whole sample numbers (float64 holds them exactly up to 2^53), sorted. */
  readonly samples: Float64Array;
  /** Index of each spike's unit into the session's `unitIds`. */
  readonly unit: Uint32Array;
}

/**
 * A session to write in a recording format: what every format writer in
 * simulators/ takes. Chunks are produced on demand, so a writer holds one
 * chunk at a time and sessions of any length can be written (the replay
 * memory benchmark writes 50 million spikes).
 */
export interface SessionToWrite {
  readonly sampleRate: number;
  readonly unitIds: readonly string[];
  /** Spikes in time order, chunk by chunk. May be iterated more than once (each pass regenerates). */
  chunks(): Iterable<SessionChunk>;
  /** Mode intervals [start, end) in seconds, on the sample clock (start·sampleRate is whole). */
  readonly labels: ReadonlyArray<{ start: number; end: number; label: string }>;
  /** The session's span, seconds from 0. */
  readonly seconds: number;
}

export interface SampledPopulationOptions {
  untilSeconds: number;
  sampleRate: number;
  /** Seconds generated per chunk (default 10). */
  chunkSeconds?: number;
}

/**
 * A population's spikes quantized to a sample clock (sample = round(t · rate)),
 * as a SessionToWrite. Rounding keeps the order of sorted times. Mode
 * changes of the population lie on its bin grid; they are quantized the same
 * way, so label times are whole samples too.
 */
export function sampledPopulation(population: Population, options: SampledPopulationOptions): SessionToWrite {
  const { untilSeconds, sampleRate } = options;
  const chunkSeconds = options.chunkSeconds ?? 10;
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new RangeError(`sampleRate must be a finite rate > 0, got ${sampleRate}`);
  if (!(chunkSeconds > 0)) throw new RangeError(`chunkSeconds must be > 0, got ${chunkSeconds}`);
  const toSample = (t: number) => Math.round(t * sampleRate);
  const changes: LabelChange[] = [];
  for (let from = 0; from < untilSeconds; from += chunkSeconds) {
    // Modes are cheap to generate; spikes are generated again, chunk by chunk, on each pass.
    changes.push(...population.generate(from, Math.min(untilSeconds, from + chunkSeconds)).labels);
  }
  const labels = labelIntervals(
    changes.map((change) => ({ ...change, t: toSample(change.t) / sampleRate })),
    toSample(untilSeconds) / sampleRate,
  );
  return {
    sampleRate,
    unitIds: population.unitIds,
    labels,
    seconds: untilSeconds,
    *chunks() {
      for (let from = 0; from < untilSeconds; from += chunkSeconds) {
        const { spikes } = population.generate(from, Math.min(untilSeconds, from + chunkSeconds));
        const samples = new Float64Array(spikes.t.length);
        for (let i = 0; i < samples.length; i++) samples[i] = toSample(spikes.t[i]);
        yield { samples, unit: Uint32Array.from(spikes.unit) };
      }
    },
  };
}
