/**
 * Errors a user can act on: each kind has a stable `code`, and the message
 * names the input (file, line, column or message) and what was expected.
 *
 * Each kind also says how the command line ends on it (`exitStatus`, on the
 * class and on every instance): the table is EXIT_STATUS below, and
 * README.md ("Exit statuses") lists it for users. Anything thrown that is
 * not a SynergyError is a bug in synergy-stream (an internal invariant that
 * broke): the command line reports it as internal, with status 70.
 */

/**
 * The `synergy` command line's exit statuses. 1 and 2 follow the usual Unix
 * habit (bad input, bad usage); 69, 70 and 73 are sysexits.h's
 * EX_UNAVAILABLE, EX_SOFTWARE and EX_CANTCREAT, so that a script can tell
 * "retry later", "report a bug" and "check the disk" from a mistake in what
 * it ran.
 */
export const EXIT_STATUS = {
  /** Done. */
  ok: 0,
  /** The data cannot be analyzed as given: a malformed file, a selection that leaves nothing. */
  badData: 1,
  /** An option or argument that cannot be used as given. */
  usage: 2,
  /** A live source that cannot be reached, or was given up on. */
  connection: 69,
  /** A bug: an error that is not a SynergyError. */
  internal: 70,
  /** An output file that cannot be written. */
  cannotWrite: 73,
} as const;

export type ExitStatus = (typeof EXIT_STATUS)[keyof typeof EXIT_STATUS];

export class SynergyError extends Error {
  /** How the command line ends on this kind of error (EXIT_STATUS); subclasses override it. */
  static readonly exitStatus: ExitStatus = EXIT_STATUS.badData;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The exit status of this error's class. */
  get exitStatus(): ExitStatus {
    return (this.constructor as typeof SynergyError).exitStatus;
  }
}

/** An option or argument that cannot be used as given. Its subclasses give the kind a code of its own. */
export class UsageError extends SynergyError {
  static override readonly exitStatus = EXIT_STATUS.usage;

  constructor(message: string, code = 'USAGE') {
    super(code, message);
  }
}

/**
 * Data that cannot be analyzed as given, where no file and line can be
 * named (samples handed to an estimator, what a stream delivered). Its
 * subclasses give the kind a code of its own.
 */
export class BadDataError extends SynergyError {
  static override readonly exitStatus = EXIT_STATUS.badData;

  constructor(message: string, code = 'BAD_DATA') {
    super(code, message);
  }
}

/** Malformed input data: a file's content is not what the format requires. */
export class InputFormatError extends BadDataError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    const where = [file, line === undefined ? undefined : `line ${line}`, column === undefined ? undefined : `column ${column}`]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`${where}: ${message}`, 'INPUT_FORMAT');
  }
}

/** A live source that cannot be reached, or was given up on. */
export class ConnectionError extends SynergyError {
  static override readonly exitStatus = EXIT_STATUS.connection;

  constructor(message: string) {
    super('CONNECTION', message);
  }
}

/**
 * A selection that leaves nothing to analyze: a unit filter no unit passes,
 * a time range without spikes, modes that never meet the spikes. The
 * message names the selection and what the recording holds instead.
 */
export class EmptySelectionError extends SynergyError {
  static override readonly exitStatus = EXIT_STATUS.badData;

  constructor(message: string) {
    super('EMPTY_SELECTION', message);
  }
}

/** An output file that cannot be written (no such folder, no permission, a full disk). */
export class OutputError extends SynergyError {
  static override readonly exitStatus = EXIT_STATUS.cannotWrite;

  constructor(
    message: string,
    readonly file: string,
  ) {
    super('OUTPUT', `${file}: ${message}`);
  }
}
