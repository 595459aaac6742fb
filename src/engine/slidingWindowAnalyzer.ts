import type { GroupEmission } from '../groups/groupAnalyzer.ts';
import { HigherOrderStage } from '../groups/higherOrderStage.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import type { LabeledFrame } from './countFrame.ts';
import type { SynergyUpdate } from './synergyUpdate.ts';
import { DEFAULT_ALPHA, TileAnalyzer, type ReadoutFactory } from './tileAnalyzer.ts';
import { EmissionMerger, tileFrameOf, type DueEmission } from './tileMerge.ts';
import { attachPairMatrix } from './pairMatrix.ts';
import { ALL_ROWS, type TileEmission, type TileRows } from './tiles.ts';

export { DEFAULT_ALPHA, DEFAULT_LAG_STEP_SECONDS } from './tileAnalyzer.ts';

/**
 * The sliding-window synergy analysis over labeled count bins (DESIGN §3–4),
 * in this thread: one TileAnalyzer per tile (by default one, every pair)
 * and the coordinator's EmissionMerger. A readout (by default the
 * incremental one: each bin enters and leaves the count tables once, every
 * hop reads them out) turns each tile's window into ranked pairs; every
 * emission equals the batch library's result over the same bins, whatever
 * the tiles.
 *
 * Emissions are at T = m·hop from the first T later than the stream's start;
 * the emission at T covers the labeled bins inside [T − window, T).
 */
export class SlidingWindowAnalyzer {
  readonly windowBins: number;
  readonly hopBins: number;
  private readonly merger: EmissionMerger;
  private readonly tiles: TileAnalyzer[];
  private readonly higherOrder: HigherOrderStage | undefined;

  constructor(
    readonly options: AnalysisOptions,
    readout?: ReadoutFactory,
    /** The tiles (tiles.ts: planTiles); one holding every pair by default. */
    tiles: readonly TileRows[] = [ALL_ROWS],
  ) {
    this.tiles = tiles.map((rows, k) => new TileAnalyzer(options, rows, k, readout));
    this.merger = new EmissionMerger(options);
    this.windowBins = this.merger.windowBins;
    this.hopBins = this.merger.hopBins;
    this.higherOrder = HigherOrderStage.for(options);
  }

  /**
   * Takes the next complete bins (consecutive with the previous frame) and
   * returns the emissions that became due. `startTime` is the stream's origin;
   * `lateSpikes` the late-spike count so far.
   */
  push(frame: LabeledFrame, startTime: number, lateSpikes: number): SynergyUpdate[] {
    const due = this.merger.take(frame, startTime, lateSpikes);
    const tileFrame = tileFrameOf(frame, startTime);
    return this.mergeAll(due, this.tiles.map((tile) => tile.push(tileFrame)), this.higherOrder?.push(frame, startTime));
  }

  /** The stream ended at `endTime`: the emissions still due up to the last full hop. */
  finish(endTime: number, lateSpikes: number): SynergyUpdate[] {
    const due = this.merger.takeFinish(endTime, lateSpikes);
    return this.mergeAll(due, this.tiles.map((tile) => tile.finish(endTime)), this.higherOrder?.finish(endTime));
  }

  private mergeAll(due: DueEmission[], parts: TileEmission[][], groups: GroupEmission[] | undefined): SynergyUpdate[] {
    return due.map((emission, e) => {
      const tileParts = parts.map((perTile) => perTile[e]);
      const merged = this.merger.merge(emission, tileParts);
      const update = this.options.pairMatrix === true ? attachPairMatrix(merged, emission, tileParts, this.options.alpha ?? DEFAULT_ALPHA) : merged;
      return this.higherOrder === undefined ? update : this.higherOrder.decorate(update, emission, tileParts, groups?.[e]);
    });
  }
}
