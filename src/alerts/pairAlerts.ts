import type { EmergenceAlertOptions } from './emergenceAlerts.ts';
import { unitPairKey, type UnitId } from '../stream/unitIds.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { AlertEvent, PairAlertKind } from './alertEvent.ts';

export interface PairAlertOptions {
  /**
   * Family-wise error rate: a pair alerts when its p_fwer (max-statistic over
   * all pairs, label-lag surrogates) is ≤ alpha. docs/MEASURES.md, "Alerts".
   */
  alpha: number;
  /** Optional effect size, bits: |synergy| must also reach it (0: none). It never stands in for the test. */
  minEffectBits?: number;
  /** Consecutive updates the condition must hold to raise, and its opposite to clear (default 1). */
  forUpdates?: number;
  /** Labeled bins an update needs to count at all (default 1). */
  minSamples?: number;
  /** With groups: watch the series of Ω and synergy for changes of regime (EmergenceAlerts). */
  emergence?: EmergenceAlertOptions;
}

/** An alert clears once p_fwer exceeds this multiple of alpha (hysteresis)… */
export const CLEAR_P_FACTOR = 2;
/** …or |synergy| falls under this fraction of the effect size, or the sign turns. */
export const CLEAR_FRACTION = 0.5;

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
 * Raises and clears pair alerts from successive synergy updates (DESIGN §6,
 * docs/MEASURES.md "Alerts").
 *
 * A pair's synergy alert is raised when its synergy is positive, beyond
 * chance (excess > 0) and family-wise significant at the update's share of
 * the hour: beyond every label-lag surrogate's largest |excess| over all
 * pairs (p_fwer = min_p, Westfall–Young max-T), and its p_fwer_tail (the
 * Gumbel tail of those maxima) ≤ alertLevel(alpha, hop), so that a recording
 * where the modes tell nothing about the spikes raises an alert in at most
 * a share alpha of its hours. A redundancy alert: negative synergy and
 * excess, the same test. An optional effect size (minEffectBits) must be
 * reached too. No p, no alert: an update without p_fwer (surrogates off)
 * raises no pair alert.
 *
 * It clears once p_fwer exceeds CLEAR_P_FACTOR·alpha, the sign turns or
 * |synergy| falls under half the effect size (hysteresis: a pair near the
 * line does not flap). `forUpdates` > 1 asks the condition to hold over
 * that many updates; overlapping windows are not independent evidence, so
 * this lowers the alert rate without promising more (docs/MEASURES.md).
 *
 * Updates hold the strongest `top` pairs only. A raised pair missing from an
 * update counts as clearing when the update says no pair beyond those
 * listed is significant (`significant` equals the listed ones with p_fwer ≤
 * alpha); otherwise nothing is known of it. An update with fewer than
 * `minSamples` labeled bins changes nothing.
 *
 * @example
 * const alerts = new PairAlerts({ alpha: 0.05 });
 * for (const update of updates) for (const alert of alerts.next(update)) notify(alert);
 */
export class PairAlerts {
  private readonly pairs = new Map<string, PairState>();
  private readonly forUpdates: number;
  /** End time of the previous update seen, s (the hop that the next update's level spends). */
  private previousT: number | undefined;

  constructor(readonly options: PairAlertOptions) {
    if (!(options.alpha > 0 && options.alpha < 1)) throw new RangeError(`alert alpha must lie between 0 and 1, got ${options.alpha}`);
    if (options.minEffectBits !== undefined && !(options.minEffectBits >= 0)) throw new RangeError(`alert effect size must be ≥ 0 bits, got ${options.minEffectBits}`);
    this.forUpdates = options.forUpdates ?? 1;
    if (!Number.isInteger(this.forUpdates) || this.forUpdates < 1) {
      throw new RangeError(`alert-for must be a whole number of updates ≥ 1, got ${options.forUpdates}`);
    }
  }

  /** Pairs with a raised alert, with their kind. */
  raised(): Array<{ a: UnitId; b: UnitId; kind: PairAlertKind }> {
    const out: Array<{ a: UnitId; b: UnitId; kind: PairAlertKind }> = [];
    for (const state of this.pairs.values()) if (state.raised) out.push({ a: state.a, b: state.b, kind: state.kind });
    return out;
  }

  next(update: SynergyUpdate): AlertEvent[] {
    const previousT = this.previousT;
    this.previousT = update.t;
    if (update.samples === 0 || update.samples < (this.options.minSamples ?? 1)) return [];
    const { alpha } = this.options;
    // The first update (or one after the clock went back) has no hop to spend: it raises nothing.
    const hop = previousT === undefined ? 0 : update.t - previousT;
    const level = alertLevel(alpha, hop > 0 ? hop : 0);
    const effect = this.options.minEffectBits ?? 0;
    const forUpdates = this.forUpdates;
    const alerts: AlertEvent[] = [];
    const seen = new Set<string>();
    let listedSignificant = 0;
    for (const pair of update.pairs) if (pair.p_fwer !== undefined && pair.p_fwer <= alpha) listedSignificant++;
    // Every significant pair is listed: a raised pair not listed is not significant.
    const restKnown = update.significant !== undefined && update.significant <= listedSignificant;

    for (const pair of update.pairs) {
      for (const kind of ['synergy', 'redundancy'] as const) {
        const key = pairKey(pair.a, pair.b, kind);
        seen.add(key);
        const signed = kind === 'synergy' ? pair.synergy : -pair.synergy;
        const pFwer = pair.p_fwer;
        // Synergy beyond chance, and synergy: both signs agree (a pair less redundant than chance is no synergy).
        const beyond = pair.excess === undefined ? 0 : kind === 'synergy' ? pair.excess : -pair.excess;
        // Beyond every surrogate's maximum, and past the per-update level in the tail of those maxima.
        const beyondAll = pFwer !== undefined && update.min_p !== undefined && pFwer <= update.min_p + 1e-12;
        const above = beyondAll && pair.p_fwer_tail !== undefined && pair.p_fwer_tail <= level && signed > 0 && beyond > 0 && signed >= effect;
        const below = pFwer === undefined || pFwer > CLEAR_P_FACTOR * alpha || signed <= 0 || beyond <= 0 || signed < effect * CLEAR_FRACTION;
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
          alerts.push(pairAlert(update, pair, kind, state.raised ? 'raised' : 'cleared', this.options, forUpdates, level));
        }
        if (!state.raised && state.streak === 0) this.pairs.delete(key);
      }
    }

    // Pairs not listed.
    for (const [key, state] of this.pairs) {
      if (seen.has(key)) continue;
      if (!state.raised) {
        // Not listed is not "above": a raise needs consecutive updates above.
        this.pairs.delete(key);
        continue;
      }
      if (!restKnown) continue;
      state.streak++;
      if (state.streak >= forUpdates) {
        this.pairs.delete(key);
        alerts.push(pairAlert(update, { a: state.a, b: state.b }, state.kind, 'cleared', this.options, forUpdates, level));
      }
    }
    return alerts;
  }
}

function pairKey(a: UnitId, b: UnitId, kind: PairAlertKind): string {
  return `${unitPairKey(a, b)}\u0000${kind}`;
}

/**
 * The level p_fwer_tail must reach at one update for a null recording to
 * raise an alert in at most a share `alpha` of its hours: alpha spread over
 * the hour's updates in proportion to the time each adds, alpha · hop /
 * 3600 s (a union bound over the updates of an hour; it holds however the
 * windows overlap). A hop of an hour or more: alpha itself; no hop (the
 * first update): 0, nothing raises.
 *
 * Spreading alpha over the hour's disjoint windows instead (alpha · window /
 * 3600 s) is not enough: on null recordings an update's smallest tail p
 * crosses that level in runs of one to three updates, not of a window's
 * length, some one or two runs per null hour, each an alert
 * (docs/MEASURES.md, "Alerts").
 */
export function alertLevel(alpha: number, hopSeconds: number): number {
  if (!(hopSeconds > 0)) return 0;
  return alpha * Math.min(1, hopSeconds / 3600);
}

function pairAlert(
  update: SynergyUpdate,
  pair: { a: UnitId; b: UnitId; synergy?: number; p?: number; p_fwer?: number; p_fwer_tail?: number },
  kind: PairAlertKind,
  state: 'raised' | 'cleared',
  options: PairAlertOptions,
  forUpdates: number,
  level: number,
): AlertEvent {
  const { a, b, synergy, p, p_fwer: pFwer, p_fwer_tail: pTail } = pair;
  const what = kind === 'synergy' ? 'synergy' : 'redundancy';
  const value =
    synergy === undefined
      ? 'no longer among the significant pairs'
      : `synergy ${synergy.toFixed(4)} bits${pTail === undefined ? '' : `, p_fwer ${pTail.toPrecision(2)} over ${update.pairsComputed} pairs`}`;
  const held = forUpdates > 1 ? ` for ${forUpdates} updates` : '';
  const message =
    state === 'raised'
      ? `units ${a} and ${b}: ${what} (${value}), beyond every surrogate and below ${level.toPrecision(2)} (alpha ${options.alpha} an hour)${held}`
      : `units ${a} and ${b}: ${what} ended (${value})`;
  const alert: AlertEvent = { type: 'alert', state, kind, t: update.t, a, b, message };
  if (synergy !== undefined) alert.value = synergy;
  if (p !== undefined) alert.p = p;
  if (pFwer !== undefined) alert.p_fwer = pFwer;
  if (pTail !== undefined) alert.p_fwer_tail = pTail;
  return alert;
}
