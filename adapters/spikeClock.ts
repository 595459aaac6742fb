import { InputFormatError } from '../src/errors.ts';

/**
 * The range a clock of spike timestamps (a sample rate, a NEV time
 * resolution) must lie in: extracellular rigs sample at 20–40 kHz, NEV 3.0
 * counts nanoseconds (1 GHz). A rate outside it is a corrupt header, and
 * dividing by it would put spikes centuries apart (1e-300 Hz) or crowd them
 * into one bin (1 Hz on a 30 kHz counter), so it is refused before any spike
 * is read.
 */
export const MIN_SPIKE_CLOCK_HZ = 1_000;
export const MAX_SPIKE_CLOCK_HZ = 1e9;

/** Why `hz` cannot be the clock of spike timestamps, or undefined when it can. */
export function spikeClockProblem(hz: number): string | undefined {
  if (hz >= MIN_SPIKE_CLOCK_HZ && hz <= MAX_SPIKE_CLOCK_HZ) return undefined;
  return `${hz} Hz is not a plausible spike clock: expected 1 kHz – 1 GHz, e.g. 30000`;
}

/**
 * `hz` if it can be the clock of spike timestamps; else an InputFormatError
 * naming the file (and line), the field, and what was expected, e.g.
 * "session.nev: time resolution of timestamps (byte 20) 1 Hz is not a plausible spike clock: expected 1 kHz – 1 GHz, e.g. 30000".
 */
export function checkedSpikeClock(hz: number, field: string, file: string, line?: number): number {
  const problem = spikeClockProblem(hz);
  if (problem !== undefined) throw new InputFormatError(`${field} ${problem}`, file, line);
  return hz;
}
