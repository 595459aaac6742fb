import { UsageError } from '../errors.ts';

/**
 * The Redis keys of one scaled-out run, all under `synergy:<run>:` so that
 * runs sharing a Redis never meet and one SCAN (or an ACL key pattern
 * `~synergy:<run>:*`) takes a run whole.
 */
export interface RunKeys {
  /** The run's name, as given. */
  readonly run: string;
  /** The frame log (a stream): synergy:<run>:frames. */
  readonly frames: string;
  /** The tiles' emissions (a stream): synergy:<run>:results. */
  readonly results: string;
  /** The run's plan and configuration (a hash): synergy:<run>:control. */
  readonly control: string;
  /** A tile's lease (a string holding its owner): synergy:<run>:lease:<tile>. */
  lease(tile: number): string;
}

/** Letters, digits, '.', '_' and '-', up to 64, starting with a letter or digit: no ':' that would let one run's keys reach into another's. */
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The keys of run `run`; throws UsageError (code RUN_NAME) for a name that could not be told apart in a key. */
export function runKeys(run: string): RunKeys {
  if (typeof run !== 'string' || !RUN_NAME.test(run)) {
    throw new UsageError(`run name ${JSON.stringify(run)}: expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`, 'RUN_NAME');
  }
  const prefix = `synergy:${run}:`;
  return {
    run,
    frames: `${prefix}frames`,
    results: `${prefix}results`,
    control: `${prefix}control`,
    lease: (tile) => `${prefix}lease:${checkTile(tile)}`,
  };
}

/** A tile's index: a whole number ≥ 0 (RangeError otherwise). */
export function checkTile(tile: number): number {
  if (!Number.isSafeInteger(tile) || tile < 0) throw new RangeError(`tile must be a whole number ≥ 0, got ${tile}`);
  return tile;
}
