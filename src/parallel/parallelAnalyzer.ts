import type { LabeledFrame } from '../engine/countFrame.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { EmissionMerger, tileFrameOf, type DueEmission } from '../engine/tileMerge.ts';
import type { TileEmission, TileFrame } from '../engine/tiles.ts';
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

  constructor(
    readonly options: AnalysisOptions,
    private readonly session: TileSessionLike,
  ) {
    this.merger = new EmissionMerger(options);
  }

  push(frame: LabeledFrame, startTime: number, lateSpikes: number): Promise<SynergyUpdate[]> {
    const due = this.merger.take(frame, startTime, lateSpikes);
    return this.session.push(tileFrameOf(frame, startTime)).then((parts) => this.mergeAll(due, parts));
  }

  finish(endTime: number, lateSpikes: number): Promise<SynergyUpdate[]> {
    const due = this.merger.takeFinish(endTime, lateSpikes);
    return this.session.finish(endTime).then((parts) => this.mergeAll(due, parts));
  }

  /** Resolves when the tiles can take more (a source that can wait waits on it). */
  ready(): Promise<void> {
    return this.session.ready();
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  private mergeAll(due: DueEmission[], parts: TileEmission[][]): SynergyUpdate[] {
    parts.forEach((tileParts, tile) => {
      if (tileParts.length !== due.length) throw new Error(`internal: tile ${tile} made ${tileParts.length} emissions where ${due.length} were due`);
    });
    return due.map((emission, e) => this.merger.merge(emission, parts.map((tileParts) => tileParts[e])));
  }
}
