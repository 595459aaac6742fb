import { Command } from 'commander';
import { unitGroupsOf } from '../adapters/unitGroups.ts';
import type { RecordingSource } from '../adapters/recording.ts';
import { UsageError } from '../src/errors.ts';
import { DEFAULT_GROUP_DISCRETE_MAX_UNITS, DEFAULT_SUBNETWORK_BUDGET, DEFAULT_SUBNETWORK_MAX_ORDER } from '../src/groups/groupAnalyzer.ts';
import { readGroupsFile } from '../src/groups/groupSpec.ts';

import type { AnalysisOptions } from '../src/stream/options.ts';
import type { AnalysisGroup } from '../src/groups/groupUpdate.ts';
import { parseInteger } from './parseOptions.ts';

/** Raw values of the group options, as commander parses them. */
export interface GroupFlags {
  groups?: string;
  groupBy?: string;
  groupDiscreteMax: number;
  subnetworks: number;
  maxOrder: number;
  subnetworkBudget: number;
}

/**
 * Adds `--groups FILE` and `--group-discrete-max` (every analyzing command)
 * and, where the command reads a recording, `--group-by` (its metadata).
 */
export function addGroupOptions(command: Command, options: { groupBy: boolean }): Command {
  command
    .option('--groups <file>', 'named groups of units (JSON: {"CA1": [3, 7, 12], …}); each update then carries every group\'s O-information, TC, DTC, S-information, synergy and ∂_YΩ with surrogate p (docs/MEASURES.md, "Groups")')
    .option(
      '--group-discrete-max <n>',
      'groups of at most n units are measured with discrete count tables and the estimator; larger ones under the Gaussian copula',
      parseInteger('--group-discrete-max', 2),
      DEFAULT_GROUP_DISCRETE_MAX_UNITS,
    )
    .option('--subnetworks <n>', 'with groups: track the n most synergy-dominated multiplets (Ω) and the n most synergistically informative (∂_YΩ) among the grouped units, with stable ids and a family-wise surrogate p (docs/SUBNETWORKS.md); 0: none', parseInteger('--subnetworks', 0), 0)
    .option('--max-order <n>', 'the largest sub-network searched (3-6)', parseInteger('--max-order', 3), DEFAULT_SUBNETWORK_MAX_ORDER)
    .option('--subnetwork-budget <n>', 'candidate multiplets evaluated per update by the sub-network search', parseInteger('--subnetwork-budget', 1), DEFAULT_SUBNETWORK_BUDGET);
  if (options.groupBy) {
    command.option('--group-by <key>', "groups from the recording's own metadata: region (NWB electrodes location), shank (Phy cluster_info sh), channel-group (NWB electrode group, Open Ephys/NEV electrode), or any unit column");
  }
  return command;
}

/**
 * The groups the flags name: the `--groups` file's, then those `--group-by`
 * reads from the recording; undefined when neither is given. `note` hears
 * which metadata column was used and what it left out.
 */
export async function resolveGroups(flags: GroupFlags, recording?: RecordingSource, note?: (line: string) => void): Promise<AnalysisGroup[] | undefined> {
  const groups: AnalysisGroup[] = [];
  if (flags.groups !== undefined) groups.push(...(await readGroupsFile(flags.groups)));
  if (flags.groupBy !== undefined) {
    if (recording === undefined) throw new UsageError('--group-by needs a recording to read unit metadata from');
    const found = await unitGroupsOf(recording, flags.groupBy);
    for (const line of found.notes) note?.(line);
    groups.push(...found.groups);
  }
  if (groups.length === 0) return undefined;
  const names = new Set<string>();
  for (const group of groups) {
    if (names.has(group.name)) throw new UsageError(`group '${group.name}' is named twice (by --groups and --group-by?); rename one`);
    names.add(group.name);
  }
  return groups;
}

/** The analysis options the group flags set (with the groups resolveGroups found). */
export function groupAnalysisOptions(flags: GroupFlags, groups: AnalysisOptions['groups'] | undefined): Partial<AnalysisOptions> {
  if (flags.maxOrder > 6) throw new UsageError(`--max-order must be 3 to 6, got ${flags.maxOrder}`);
  if (flags.subnetworks > 0 && groups === undefined) throw new UsageError('--subnetworks searches among grouped units: give --groups FILE or --group-by KEY');
  return {
    groupDiscreteMaxUnits: flags.groupDiscreteMax,
    ...(groups === undefined ? {} : { groups }),
    ...(flags.subnetworks > 0 ? { subnetworks: flags.subnetworks, subnetworkMaxOrder: flags.maxOrder, subnetworkBudget: flags.subnetworkBudget } : {}),
  };
}
