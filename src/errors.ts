/**
 * Errors a user can act on: each kind has a stable `code`, and the message
 * names the input (file, line, column or message) and what was expected.
 */
export class SynergyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed input data: a file's content is not what the format requires. */
export class InputFormatError extends SynergyError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    const where = [file, line === undefined ? undefined : `line ${line}`, column === undefined ? undefined : `column ${column}`]
      .filter((part) => part !== undefined)
      .join(', ');
    super('INPUT_FORMAT', `${where}: ${message}`);
  }
}

/** An option or argument that cannot be used as given. */
export class UsageError extends SynergyError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A live source that cannot be reached, or was given up on. */
export class ConnectionError extends SynergyError {
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
  constructor(message: string) {
    super('EMPTY_SELECTION', message);
  }
}
