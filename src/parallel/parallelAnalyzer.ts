import type { LabeledFrame } from '../engine/countFrame.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { EmissionMerger, tileFrameOf, type DueEmission } from '../engine/tileMerge.ts';
import { attachPairMatrix } from '../engine/pairMatrix.ts';
import { DEFAULT_ALPHA } from '../engine/tileAnalyzer.ts';
import type { TileEmission, TileFrame } from '../engine/tiles.ts';
import type { GroupEmission } from '../groups/groupAnalyzer.ts';
import { HigherOrderStage } from '../groups/higherOrderStage.ts';
import type { AnalysisOptions } from '../stream/options.ts';

/** Where a parallel analysis's tiles live: the pool's threads, or Redis workers (the same commands). */
export interface TileSessionLike {
  push(frame: TileFrame): Promise<TileEmission[][]>;
  finish(endTime: number): Promise<TileEmission[][]>;
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The sliding-window analysis with its tiles elsewhere (worker threads, or
 * worker processes through Redis): the coordinator keeps the schedule and
 * the window's modes (EmissionMerger), sends each frame to the tiles and
 * merges their emissions into the updates one process makes, in order.
 * `push` may be called again before its promise settles; the promises
 * settle in call order.
 */
export class ParallelAnalyzer {
  private readonly merger: EmissionMerger;
  /** Groups are measured here, in the coordinator's thread, as the frames go out to the tiles. */
  private readonly higherOrder: HigherOrderStage | undefined;

  constructor(
    readonly options: AnalysisOptions,
    private readonly session: TileSessionLike,
  ) {
    this.merger = new EmissionMerger(options);
    this.higherOrder = HigherOrderStage.for(options);
  }

  push(frame: LabeledFrame, startTime: number, lateSpikes: number): Promise<SynergyUpdate[]> {
    const due = this.merger.take(frame, startTime, lateSpikes);
    const sent = this.session.push(tileFrameOf(frame, startTime));
    const groups = this.higherOrder?.push(frame, startTime);
    return sent.then((parts) => this.mergeAll(due, parts, groups));
  }

  finish(endTime: number, lateSpikes: number): Promise<SynergyUpdate[]> {
    const due = this.merger.takeFinish(endTime, lateSpikes);
    const sent = this.session.finish(endTime);
    const groups = this.higherOrder?.finish(endTime);
    return sent.then((parts) => this.mergeAll(due, parts, groups));
  }

  /** Resolves when the tiles can take more (a source that can wait waits on it). */
  ready(): Promise<void> {
    return this.session.ready();
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  private mergeAll(due: DueEmission[], parts: TileEmission[][], groups: GroupEmission[] | undefined): SynergyUpdate[] {
    parts.forEach((tileParts, tile) => {
      if (tileParts.length !== due.length) throw new Error(`internal: tile ${tile} made ${tileParts.length} emissions where ${due.length} were due`);
    });
    return due.map((emission, e) => {
      const tileParts = parts.map((perTile) => perTile[e]);
      const merged = this.merger.merge(emission, tileParts);
      const update = this.options.pairMatrix === true ? attachPairMatrix(merged, emission, tileParts, this.options.alpha ?? DEFAULT_ALPHA) : merged;
      return this.higherOrder === undefined ? update : this.higherOrder.decorate(update, emission, tileParts, groups?.[e]);
    });
  }
}
