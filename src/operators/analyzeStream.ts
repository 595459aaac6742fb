import type { OperatorFunction } from 'rxjs';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import type { WindowReadout } from '../engine/windowReadout.ts';
import type { SourceEvent } from '../stream/events.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { attachLabels } from './attachLabels.ts';
import { binSpikes } from './binSpikes.ts';
import { slidingSynergy } from './slidingSynergy.ts';

/** The whole analysis: spikes and labels in, synergy updates out. */
export function analyzeStream(
  options: AnalysisOptions,
  readout?: (options: AnalysisOptions, windowBins: number) => WindowReadout,
): OperatorFunction<SourceEvent, SynergyUpdate> {
  return (source) =>
    source.pipe(
      binSpikes({ binSeconds: options.binSeconds, latenessSeconds: options.latenessSeconds }),
      attachLabels({ binSeconds: options.binSeconds }),
      slidingSynergy(options, readout),
    );
}
