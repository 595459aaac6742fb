import { UNSORTED_GROUP } from './clusterGroupTable.ts';

/** Cluster ids in [0, this) are looked up in a flat table; others (rare: negative or huge ids) in a Map. */
const FLAT_TABLE_LIMIT = 1 << 22;

/**
 * What each cluster id met in spike_clusters.npy becomes: a unit of the
 * recording (its index into the shared `unitIds` table, the id being the
 * cluster id as text) when the selection keeps it, or left out, counted
 * under its group. Clusters are numbered in the order they are first met
 * ("cluster slots"), so that per-cluster tallies are flat arrays.
 *
 * The lookup from cluster id to slot is a flat Int32Array for the
 * non-negative ids Kilosort and Phy use (a few thousand at most), so the
 * per-spike cost is one array read.
 *
 * @example
 * const units = new ClusterUnits(new Map([[7, 'good'], [3, 'mua']]), (id, group) => group === 'good', unitIds);
 * units.slotOf(7)  // → 0; unitIds → ['7'], units.unitOfSlot[0] → 0
 * units.slotOf(3)  // → 1; units.unitOfSlot[1] → -1 (mua is not kept)
 */
export class ClusterUnits {
  /** Cluster id of each slot. */
  readonly clusterIdOfSlot: number[] = [];
  /** Index into `groups` of each slot's group. */
  readonly groupOfSlot: number[] = [];
  /** Unit index (into unitIds) of each slot, or −1 when its group is not kept. */
  unitOfSlot = new Int32Array(64);
  /** Group names met so far (a cluster no table lists is 'unsorted'). */
  readonly groups: string[] = [];
  /** Slot + 1 of each cluster id below FLAT_TABLE_LIMIT (0: not met yet). */
  private flat = new Int32Array(1024);
  private readonly others = new Map<number, number>();

  constructor(
    private readonly groupOf: ReadonlyMap<number, string>,
    /** Whether a cluster (its id and group) is kept (undefined: every cluster). */
    private readonly keep: ((clusterId: number, group: string) => boolean) | undefined,
    /** The recording's unit id table, appended to as kept clusters are met. */
    private readonly unitIds: string[],
  ) {}

  /** Number of clusters met so far. */
  get slots(): number {
    return this.clusterIdOfSlot.length;
  }

  /** The slot of cluster `clusterId` (a whole number), made on first sight. */
  slotOf(clusterId: number): number {
    if (clusterId >= 0 && clusterId < this.flat.length) {
      const slot = this.flat[clusterId] - 1;
      if (slot >= 0) return slot;
    }
    return this.slowSlotOf(clusterId);
  }

  /** A cluster id outside the flat table, or one met for the first time. */
  private slowSlotOf(clusterId: number): number {
    const inFlat = clusterId >= 0 && clusterId < FLAT_TABLE_LIMIT;
    if (!inFlat) {
      const known = this.others.get(clusterId);
      if (known !== undefined) return known;
    }
    const slot = this.clusterIdOfSlot.length;
    const group = this.groupOf.get(clusterId) ?? UNSORTED_GROUP;
    let groupIndex = this.groups.indexOf(group);
    if (groupIndex < 0) groupIndex = this.groups.push(group) - 1;
    this.clusterIdOfSlot.push(clusterId);
    this.groupOfSlot.push(groupIndex);
    if (slot >= this.unitOfSlot.length) {
      const grown = new Int32Array(this.unitOfSlot.length * 2);
      grown.set(this.unitOfSlot);
      this.unitOfSlot = grown;
    }
    const kept = this.keep === undefined || this.keep(clusterId, group);
    this.unitOfSlot[slot] = kept ? this.unitIds.push(String(clusterId)) - 1 : -1;
    if (inFlat) {
      if (clusterId >= this.flat.length) {
        let length = this.flat.length;
        while (length <= clusterId) length *= 2;
        const grown = new Int32Array(Math.min(length, FLAT_TABLE_LIMIT));
        grown.set(this.flat);
        this.flat = grown;
      }
      this.flat[clusterId] = slot + 1;
    } else {
      this.others.set(clusterId, slot);
    }
    return slot;
  }
}
