import { InvalidArgumentError } from 'commander';

/** A commander option parser for integers, with an optional lower bound. */
export function parseInteger(option: string, minimum?: number): (value: string) => number {
  return (value: string) => {
    if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError(`${option} takes an integer, got '${value}'`);
    const parsed = Number.parseInt(value, 10);
    if (minimum !== undefined && parsed < minimum) {
      throw new InvalidArgumentError(`${option} must be at least ${minimum}, got ${parsed}`);
    }
    return parsed;
  };
}

/** A parser for a numeric option: a finite number ≥ minimum (> minimum when not inclusive). */
export function parseNumber(option: string, minimum: number, inclusive = true): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || (inclusive ? number < minimum : number <= minimum)) {
      throw new InvalidArgumentError(`${option} takes a number ${inclusive ? '≥' : '>'} ${minimum}, got '${value}'`);
    }
    return number;
  };
}
