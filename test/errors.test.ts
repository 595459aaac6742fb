import { describe, expect, it } from 'vitest';
import {
  BadDataError,
  ConnectionError,
  EmptySelectionError,
  EXIT_STATUS,
  InputFormatError,
  OutputError,
  SynergyError,
  UsageError,
} from '../src/errors.ts';
import { EstimatorInputError } from '../src/estimators/quadraticExtrapolation.ts';
import { ProtocolError } from '../src/live/ingestMessages.ts';
import { InvalidSamplesError, SingularCovarianceError } from '../src/measures/gaussian/covariance.ts';
import { JointTable } from '../src/measures/jointTable.ts';
import { SubscriberMessageError } from '../src/server/subscribeMessage.ts';
import { Population } from '../simulators/population.ts';

/** Every kind, one instance each, with the code and the exit status README.md's table gives it. */
const KINDS: Array<[SynergyError, string, number]> = [
  [new UsageError('--bin must be positive'), 'USAGE', 2],
  [new EstimatorInputError('qe needs the samples in order'), 'ESTIMATOR_INPUT', 2],
  [new BadDataError('too many words'), 'BAD_DATA', 1],
  [new InputFormatError("'x' is not an integer", 'a.csv', 3, 'b'), 'INPUT_FORMAT', 1],
  [new InvalidSamplesError('no columns'), 'INVALID_SAMPLES', 1],
  [new SingularCovarianceError([0, 1], 1), 'SINGULAR_COVARIANCE', 1],
  [new EmptySelectionError('no unit passes'), 'EMPTY_SELECTION', 1],
  [new ProtocolError('bad-field', 'spikes: "t" must be a list'), 'bad-field', 1],
  [new SubscriberMessageError('unknown-type', 'unknown message'), 'unknown-type', 1],
  [new ConnectionError('tcp://rig:5002: connection refused'), 'CONNECTION', 69],
  [new OutputError('no such folder', 'out/updates.jsonl'), 'OUTPUT', 73],
];

describe('the error model: one class per kind, each with a code and an exit status', () => {
  it.each(KINDS.map(([error, code, status]) => [error.name, error, code, status] as const))('%s: code and exit status', (_name, error, code, status) => {
    expect(error).toBeInstanceOf(SynergyError);
    expect(error.code).toBe(code);
    expect(error.exitStatus).toBe(status);
    expect((error.constructor as typeof SynergyError).exitStatus).toBe(status);
    expect(error.name).toBe(error.constructor.name);
  });

  it('the statuses are the table: 0 ok, 1 bad data, 2 usage, 69 connection, 70 internal, 73 cannot write', () => {
    expect(EXIT_STATUS).toEqual({ ok: 0, badData: 1, usage: 2, connection: 69, internal: 70, cannotWrite: 73 });
    // No SynergyError is internal: that status is for everything else.
    expect(KINDS.map(([error]) => error.exitStatus)).not.toContain(EXIT_STATUS.internal);
  });

  it('kinds of bad data are BadDataErrors, kinds of usage UsageErrors', () => {
    for (const error of [new InputFormatError('m', 'f'), new InvalidSamplesError('m'), new SingularCovarianceError([0], 0)]) expect(error).toBeInstanceOf(BadDataError);
    expect(new EstimatorInputError('m')).toBeInstanceOf(UsageError);
    expect(new SubscriberMessageError('bad-field', 'm')).toBeInstanceOf(ProtocolError);
  });

  it('an InputFormatError names the file, line and column', () => {
    expect(new InputFormatError("'x' is not an integer", 'a.csv', 3, 'b').message).toBe("a.csv, line 3, column b: 'x' is not an integer");
    expect(new OutputError('no such folder', 'out/u.jsonl').message).toBe('out/u.jsonl: no such folder');
  });
});

describe('what data or options reach is a SynergyError, not a RangeError', () => {
  it('a joint alphabet too large for a table is bad data', () => {
    expect(() => new JointTable(Array(60).fill(2), new Map())).toThrow(BadDataError);
    expect(() => new JointTable(Array(60).fill(2), new Map())).toThrow(/too large for a discrete table/);
  });

  it("a simulated rate the bursts cannot reach is a usage error that says the highest", () => {
    expect(() => new Population({ units: 4, meanRateHz: 1000 })).toThrow(UsageError);
    expect(() => new Population({ units: 4, meanRateHz: 1000 })).toThrow(/1000 Hz \(--rate\) is too high .*: below \d+ Hz/);
  });

  it('a precondition only a caller can break stays a RangeError (an internal error to the CLI)', () => {
    expect(() => new JointTable([0], new Map())).toThrow(RangeError);
  });
});
