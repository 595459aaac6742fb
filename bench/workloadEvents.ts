/**
 * The streaming benchmark's recording, in one place so that the analyzer's
 * run (bench/streamingWorkload.ts) and the numpy peer's data
 * (bench/peers/peerData.ts) are the same events: the simulated population
 * and its options, cut into 100 ms batches as a rig would send them (each
 * chunk's label changes, then its spikes).
 */
import type { SourceEvent } from '../src/stream/events.ts';
import { Population, type PopulationOptions } from '../simulators/population.ts';

/** The analysis' binning and window (the estimator, surrogates and top are each run's own). */
export const WORKLOAD_WINDOW = { binSeconds: 0.02, windowSeconds: 60, hopSeconds: 1, levels: 3, latenessSeconds: 0.1 } as const;

/** Modes of 1 s: the automatic lag step is then 1 s, and every surrogate lag is in reach after window + 100 s. */
export const WORKLOAD_MODE_DWELL_SECONDS = 1;

/** Chunk length, seconds: what a rig sends at a time. */
export const WORKLOAD_CHUNK_SECONDS = 0.1;

/** The benchmark's population of `units` (mean 5 Hz, bursty, 4 synergistic and 4 redundant planted pairs, 3 modes). */
export function workloadPopulationOptions(units: number, modeDwellSeconds = WORKLOAD_MODE_DWELL_SECONDS): PopulationOptions {
  return { units, meanRateHz: 5, seed: 7, synergisticPairs: 4, redundantPairs: 4, modeDwellSeconds };
}

export interface WorkloadChunks {
  /** The events of each chunk, in the order they are handed to the analysis. */
  chunks: SourceEvent[][];
  spikes: number;
}

/** The first `totalSeconds` of the population's recording, chunk by chunk (generated up front: only the analysis is timed). */
export function workloadChunks(options: PopulationOptions, totalSeconds: number, chunkSeconds = WORKLOAD_CHUNK_SECONDS): WorkloadChunks {
  const population = new Population(options);
  const chunks: SourceEvent[][] = [];
  let spikes = 0;
  for (let k = 0; k < Math.round(totalSeconds / chunkSeconds); k++) {
    const { spikes: batch, labels } = population.generate(k * chunkSeconds, (k + 1) * chunkSeconds);
    spikes += batch.t.length;
    chunks.push([...labels, batch]);
  }
  return { chunks, spikes };
}
