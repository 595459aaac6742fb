import type { WindowBin } from '../../src/engine/windowReadout.ts';

/** A window bin from every unit's symbol (0: silent): the units that fired, ascending, with their symbols. */
export function windowBin(bin: number, label: number, symbols: readonly number[]): WindowBin {
  const units: number[] = [];
  const fired: number[] = [];
  symbols.forEach((s, u) => {
    if (s > 0) {
      units.push(u);
      fired.push(s);
    }
  });
  return { bin, label, units: Uint32Array.from(units), symbols: Uint8Array.from(fired) };
}
