/**
 * Names (unit ids, labels) numbered in the order first seen: `ids[k]` is the
 * name of index k. `ids` only grows, so batches may share it as their
 * `unitIds` table while new names keep arriving.
 */
export class IdTable {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  /** The index of a name, numbering it on first sight. */
  indexOf(id: string): number {
    let index = this.index.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.ids.push(id);
      this.index.set(id, index);
    }
    return index;
  }

  get size(): number {
    return this.ids.length;
  }
}
