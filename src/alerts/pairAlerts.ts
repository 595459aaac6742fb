import { unitPairKey, type UnitId } from '../stream/unitIds.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { AlertEvent, PairAlertKind } from './alertEvent.ts';

export interface PairAlertOptions {
  /** Bits: a synergy alert needs synergy ≥ threshold, a redundancy alert synergy ≤ −threshold. */
  thresholdBits: number;
  /** Largest surrogate p-value that counts (ignored when the updates carry no p). */
  maxP: number;
  /** Consecutive updates the condition must hold to raise, and its opposite to clear. */
  forUpdates: number;
  /**
   * Labeled bins an update needs to count at all (default 1). Short windows
   * are noisy — at 200 bins a pair with no synergy can pass 0.05 bits with
   * p = 0.01 — so the CLI waits for half a window.
   */
  minSamples?: number;
}

/** An alert clears below this fraction of the threshold (hysteresis). */
export const CLEAR_FRACTION = 0.5;
/** …or when p exceeds this multiple of --alert-p. */
export const CLEAR_P_FACTOR = 2;

interface PairState {
  kind: PairAlertKind;
  raised: boolean;
  /** Consecutive updates for the move (raise when down, clear when up). */
  streak: number;
  /** The pair, as the updates name it. */
  a: UnitId;
  b: UnitId;
}

/**
 * Raises and clears pair alerts from successive synergy updates.
 *
 * A pair's synergy alert is raised when, for `forUpdates` consecutive
 * updates, its corrected synergy is ≥ `thresholdBits` and its p ≤ `maxP`
 * (a redundancy alert: synergy ≤ −threshold). It clears after `forUpdates`
 * consecutive updates below the clear level: |synergy| under half the
 * threshold, or the wrong sign, or p above twice `maxP`. Between the two
 * levels nothing changes (hysteresis), so a pair near the threshold does not
 * flap.
 *
 * Updates hold the strongest `top` pairs only. A pair missing from an update
 * is weaker than every pair listed: if the weakest listed is below the clear
 * level, so is the missing pair; otherwise nothing is known of it and its
 * streak is left as it is. An update with fewer than `minSamples` labeled
 * bins tells too little and changes nothing.
 *
 * @example
 * const alerts = new PairAlerts({ thresholdBits: 0.05, maxP: 0.01, forUpdates: 3 });
 * for (const update of updates) for (const alert of alerts.next(update)) notify(alert);
 */
export class PairAlerts {
  private readonly pairs = new Map<string, PairState>();

  constructor(readonly options: PairAlertOptions) {
    if (!(options.thresholdBits > 0)) throw new RangeError(`alert threshold must be > 0 bits, got ${options.thresholdBits}`);
    if (!(options.maxP > 0 && options.maxP <= 1)) throw new RangeError(`alert p must be in (0, 1], got ${options.maxP}`);
    if (!Number.isInteger(options.forUpdates) || options.forUpdates < 1) {
      throw new RangeError(`alert-for must be a whole number of updates ≥ 1, got ${options.forUpdates}`);
    }
  }

  /** Pairs with a raised alert, as "a|b" keys with their kind. */
  raised(): Array<{ a: UnitId; b: UnitId; kind: PairAlertKind }> {
    const out: Array<{ a: UnitId; b: UnitId; kind: PairAlertKind }> = [];
    for (const state of this.pairs.values()) if (state.raised) out.push({ a: state.a, b: state.b, kind: state.kind });
    return out;
  }

  next(update: SynergyUpdate): AlertEvent[] {
    if (update.samples === 0 || update.samples < (this.options.minSamples ?? 1)) return [];
    const { thresholdBits, maxP, forUpdates } = this.options;
    const clearBits = thresholdBits * CLEAR_FRACTION;
    const alerts: AlertEvent[] = [];
    const seen = new Set<string>();
    let weakest = Infinity;
    for (const pair of update.pairs) weakest = Math.min(weakest, Math.abs(pair.synergy));
    const complete = update.pairs.length >= update.pairsComputed;

    for (const pair of update.pairs) {
      for (const kind of ['synergy', 'redundancy'] as const) {
        const key = pairKey(pair.a, pair.b, kind);
        seen.add(key);
        const signed = kind === 'synergy' ? pair.synergy : -pair.synergy;
        const significant = pair.p === undefined || pair.p <= maxP;
        const above = signed >= thresholdBits && significant;
        const below = signed < clearBits || (pair.p !== undefined && pair.p > CLEAR_P_FACTOR * maxP);
        let state = this.pairs.get(key);
        if (state === undefined) {
          if (!above) continue;
          state = { kind, raised: false, streak: 0, a: pair.a, b: pair.b };
          this.pairs.set(key, state);
        }
        const moving = state.raised ? below : above;
        state.streak = moving ? state.streak + 1 : 0;
        if (state.streak >= forUpdates) {
          state.raised = !state.raised;
          state.streak = 0;
          alerts.push(pairAlert(update, pair.a, pair.b, kind, state.raised ? 'raised' : 'cleared', pair.synergy, pair.p, this.options));
        }
        if (!state.raised && state.streak === 0) this.pairs.delete(key);
      }
    }

    // Pairs not listed: weaker than every listed pair.
    for (const [key, state] of this.pairs) {
      if (seen.has(key)) continue;
      const knownBelow = complete || weakest < clearBits;
      if (!state.raised) {
        // Not listed is not "above": a raise needs consecutive updates above.
        this.pairs.delete(key);
        continue;
      }
      if (!knownBelow) continue;
      state.streak++;
      if (state.streak >= forUpdates) {
        this.pairs.delete(key);
        alerts.push(pairAlert(update, state.a, state.b, state.kind, 'cleared', undefined, undefined, this.options));
      }
    }
    return alerts;
  }
}

function pairKey(a: UnitId, b: UnitId, kind: PairAlertKind): string {
  return `${unitPairKey(a, b)}\u0000${kind}`;
}

function pairAlert(
  update: SynergyUpdate,
  a: UnitId,
  b: UnitId,
  kind: PairAlertKind,
  state: 'raised' | 'cleared',
  synergy: number | undefined,
  p: number | undefined,
  options: PairAlertOptions,
): AlertEvent {
  const what = kind === 'synergy' ? 'synergy' : 'redundancy';
  const value = synergy === undefined ? 'no longer among the strongest pairs' : `synergy ${synergy.toFixed(4)} bits${p === undefined ? '' : `, p = ${p.toPrecision(2)}`}`;
  const message =
    state === 'raised'
      ? `units ${a} and ${b}: ${what} (${value}) for ${options.forUpdates} updates`
      : `units ${a} and ${b}: ${what} ended (${value})`;
  const alert: AlertEvent = { type: 'alert', state, kind, t: update.t, a, b, message };
  if (synergy !== undefined) alert.value = synergy;
  if (p !== undefined) alert.p = p;
  return alert;
}
