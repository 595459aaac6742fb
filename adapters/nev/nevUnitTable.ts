/**
 * The units of a NEV file: a spike packet's electrode (its packet id) and
 * unit classification name the unit `<electrode>:<unit>` (e.g. '12:2'), and
 * each such pair gets an index into the recording's `unitIds` the first time
 * it is seen. The lookup is a table per electrode (256 entries, one per
 * classification value), so the hot loop does no string work per spike.
 */
export class NevUnitTable {
  /** Per unit index: its electrode and unit classification. */
  readonly electrodeOfUnit: number[] = [];
  readonly classOfUnit: number[] = [];
  private readonly byElectrode: Array<Int32Array | undefined> = [];

  constructor(readonly unitIds: string[]) {}

  /** The unit index of (electrode, unit classification), registering the unit on first sight. */
  indexOf(electrode: number, unitClass: number): number {
    let table = this.byElectrode[electrode];
    if (table === undefined) {
      table = new Int32Array(256).fill(-1);
      this.byElectrode[electrode] = table;
    }
    let index = table[unitClass];
    if (index < 0) {
      index = this.unitIds.length;
      this.unitIds.push(nevUnitId(electrode, unitClass));
      this.electrodeOfUnit.push(electrode);
      this.classOfUnit.push(unitClass);
      table[unitClass] = index;
    }
    return index;
  }
}

/** The id of a NEV unit: `<electrode id>:<unit classification>`. */
export function nevUnitId(electrode: number, unitClass: number): string {
  return `${electrode}:${unitClass}`;
}
