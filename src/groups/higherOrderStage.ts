import type { LabeledFrame } from '../engine/countFrame.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { GroupAnalyzer, type GroupEmission } from './groupAnalyzer.ts';

/**
 * The higher-order part of an analysis, beside the pair tiles: it takes the
 * same frames in the coordinator's thread and adds to each update, at the
 * same end bin, what the pairs alone cannot say — the measures of each named
 * group (GroupAnalyzer). Absent when the analysis names no group.
 */
export class HigherOrderStage {
  private readonly groups: GroupAnalyzer;

  private constructor(options: AnalysisOptions) {
    this.groups = new GroupAnalyzer(options, options.groups ?? []);
  }

  /** The stage an analysis needs, or undefined when it names no group. */
  static for(options: AnalysisOptions): HigherOrderStage | undefined {
    return options.groups === undefined || options.groups.length === 0 ? undefined : new HigherOrderStage(options);
  }

  push(frame: LabeledFrame, startTime: number): GroupEmission[] {
    return this.groups.push(frame, startTime);
  }

  finish(endTime: number): GroupEmission[] {
    return this.groups.finish(endTime);
  }

  /** The update with its emission's group measures (the same end bin, or an internal error). */
  decorate(update: SynergyUpdate, endBin: number, emission: GroupEmission | undefined): SynergyUpdate {
    if (emission === undefined) throw new Error(`internal: no group emission for the update at bin ${endBin}`);
    if (emission.endBin !== endBin) throw new Error(`internal: group emission at bin ${emission.endBin} for the update at bin ${endBin}`);
    update.groups = emission.groups;
    return update;
  }
}
