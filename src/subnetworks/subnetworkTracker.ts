import type { SubnetworkCriterion, TestedMultiplet } from './subnetworkSearch.ts';

/** A sub-network as reported at one hop. */
export interface ReportedSubnetwork {
  /** Stable across hops for the same unit set; never reused. */
  id: number;
  /** Unit indices, ascending. */
  units: number[];
  order: number;
  criterion: SubnetworkCriterion;
  /** Plug-in Ω(X_S) and ∂_YΩ(X_S) on this hop's test samples, bits. */
  oinfo: number;
  doinfo_y: number;
  /** Family-wise p (SubnetworkSearch). */
  p: number;
  /** Hop time when this id was first reported. */
  since: number;
  /** Hops this id has been reported in so far (this one included). */
  hops: number;
}

export interface TrackerUpdate {
  subnetworks: ReportedSubnetwork[];
  /** Ids reported at the previous hop and not at this one (they may come back within the grace). */
  left: number[];
  /** Ids absent for more than graceHops hops as of this hop: they will never be reported again. */
  dissolved: number[];
}

export interface SubnetworkTrackerOptions {
  /** A unit set that leaves the report and comes back after at most this many hops keeps its id (default 10). */
  graceHops?: number;
  /** Only multiplets with p ≤ maxP are reported (default 1: every tested multiplet). */
  maxP?: number;
}

interface Identity {
  id: number;
  since: number;
  hops: number;
  /** The last hop (update count) it was reported at. */
  lastHop: number;
}

/**
 * Stable ids for the reported sub-networks: a unit set (order-independent)
 * keeps its id while it is reported hop after hop, and when it comes back
 * after a gap of at most `graceHops` hops; after a longer gap it gets a new
 * id. Ids count up from 1 and are never reused. One tracker per search; call
 * `update` once per hop, with that hop's tested multiplets.
 */
export class SubnetworkTracker {
  private readonly graceHops: number;
  private readonly maxP: number;
  private readonly identities = new Map<string, Identity>();
  private previous = new Set<number>();
  private hop = 0;
  private nextId = 1;

  constructor(options: SubnetworkTrackerOptions = {}) {
    const graceHops = options.graceHops ?? 10;
    if (!Number.isInteger(graceHops) || graceHops < 0) throw new RangeError(`graceHops must be a non-negative integer, got ${graceHops}`);
    const maxP = options.maxP ?? 1;
    if (!(maxP > 0 && maxP <= 1)) throw new RangeError(`maxP must be in (0, 1], got ${maxP}`);
    this.graceHops = graceHops;
    this.maxP = maxP;
  }

  /** The report at hop time `t` (e.g. seconds) from the multiplets tested at that hop. */
  update(t: number, multiplets: readonly TestedMultiplet[]): TrackerUpdate {
    this.hop++;
    // One entry per unit set: the smallest p wins if a set comes twice.
    const bySet = new Map<string, TestedMultiplet>();
    for (const multiplet of multiplets) {
      if (!(multiplet.p <= this.maxP)) continue;
      const units = [...multiplet.units].sort((a, b) => a - b);
      const key = units.join(',');
      const known = bySet.get(key);
      if (known === undefined || multiplet.p < known.p) bySet.set(key, { ...multiplet, units });
    }
    const subnetworks: ReportedSubnetwork[] = [];
    const current = new Set<number>();
    for (const [key, multiplet] of bySet) {
      let identity = this.identities.get(key);
      if (identity === undefined || this.hop - identity.lastHop - 1 > this.graceHops) {
        identity = { id: this.nextId++, since: t, hops: 0, lastHop: this.hop };
        this.identities.set(key, identity);
      }
      identity.hops++;
      identity.lastHop = this.hop;
      current.add(identity.id);
      subnetworks.push({
        id: identity.id,
        units: multiplet.units,
        order: multiplet.units.length,
        criterion: multiplet.criterion,
        oinfo: multiplet.oinfo,
        doinfo_y: multiplet.doinfo_y,
        p: multiplet.p,
        since: identity.since,
        hops: identity.hops,
      });
    }
    const left = [...this.previous].filter((id) => !current.has(id));
    const dissolved: number[] = [];
    for (const [key, identity] of this.identities) {
      // Absent for graceHops + 1 hops: a return now would take a new id.
      if (this.hop - identity.lastHop > this.graceHops) {
        dissolved.push(identity.id);
        this.identities.delete(key);
      }
    }
    this.previous = current;
    return { subnetworks, left, dissolved: dissolved.sort((a, b) => a - b) };
  }
}
