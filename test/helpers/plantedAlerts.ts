import { expect } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { unitPairKey, type UnitId } from '../../src/stream/unitIds.ts';

/**
 * Every pair alert is explained by what a simulated population planted: a
 * synergy alert names a planted synergistic pair; a redundancy alert names
 * two units that both carry the mode (the units of planted redundant pairs:
 * any two of them are redundant about it, planted together or not).
 * `nameOf` maps a population unit to the id the alerts use.
 */
export function expectAlertsExplainedBy(
  truth: ReadonlyArray<{ a: UnitId; b: UnitId; kind: string }>,
  alerts: readonly AlertEvent[],
  nameOf: (unit: UnitId) => UnitId = (unit) => unit,
): void {
  const synergistic = new Set(truth.filter((pair) => pair.kind === 'synergistic').map((pair) => unitPairKey(nameOf(pair.a), nameOf(pair.b))));
  const carriers = new Set(truth.filter((pair) => pair.kind === 'redundant').flatMap((pair) => [String(nameOf(pair.a)), String(nameOf(pair.b))]));
  for (const alert of alerts) {
    if (alert.kind === 'synergy') expect(synergistic.has(unitPairKey(alert.a!, alert.b!)), `synergy alert on ${alert.a}–${alert.b}`).toBe(true);
    if (alert.kind === 'redundancy') expect(carriers.has(String(alert.a)) && carriers.has(String(alert.b)), `redundancy alert on ${alert.a}–${alert.b}`).toBe(true);
  }
}
