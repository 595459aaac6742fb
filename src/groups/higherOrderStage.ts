import type { LabeledFrame } from '../engine/countFrame.ts';
import { familyTests } from '../engine/labelLagSignificance.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { DEFAULT_ALPHA } from '../engine/tileAnalyzer.ts';
import { mergeSignificance, type DueEmission } from '../engine/tileMerge.ts';
import { pairsBelow, type TileEmission } from '../engine/tiles.ts';
import { SeededRandom } from '../math/seededRandom.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { compareUnitIds, outputUnitId } from '../stream/unitIds.ts';
import { GroupAnalyzer, type GroupEmission } from './groupAnalyzer.ts';
import { compareRegions, pairDistribution, REGION_PERMUTATIONS, type RegionComparison } from './regionComparison.ts';

/** Groups compared two by two at most (28 comparisons); with more, the update compares none. */
export const MAX_COMPARED_GROUPS = 8;

/** The population (every grouped unit) is measured up to this many units: its Gaussian model costs units³ a hop. */
export const MAX_POPULATION_UNITS = 512;

/**
 * The higher-order part of an analysis, beside the pair tiles: it takes the
 * same frames in the coordinator's thread and adds to each update, at the
 * same end bin, what the pairs alone cannot say:
 * - each named group's measures (GroupAnalyzer), and with two groups or
 *   more the same measures of the population of every grouped unit (no
 *   surrogates: its series feeds the emergence alerts);
 * - the distribution of pair synergy inside each group and, between every
 *   two disjoint groups, a permutation test of their difference
 *   (regionComparison.ts), from every pair's synergy and excess the tiles
 *   send when groups are on.
 * Absent when the analysis names no group.
 */
export class HigherOrderStage {
  private readonly groups: GroupAnalyzer;
  private readonly alpha: number;
  /** Whether the last group of the analyzer is the population (every grouped unit, no surrogates). */
  private readonly population: boolean;

  private constructor(private readonly options: AnalysisOptions) {
    const named = options.groups ?? [];
    const everyUnit = [...new Set(named.flatMap((group) => group.units))];
    this.population = named.length >= 2 && everyUnit.length >= 2 && everyUnit.length <= MAX_POPULATION_UNITS;
    this.groups = new GroupAnalyzer(options, this.population ? [...named, { name: 'population', units: everyUnit, surrogates: false }] : named);
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
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

  /** The update with its emission's group measures, pair distributions and comparisons. */
  decorate(update: SynergyUpdate, due: DueEmission, parts: readonly TileEmission[], emission: GroupEmission | undefined): SynergyUpdate {
    if (emission === undefined) throw new Error(`internal: no group emission for the update at bin ${due.endBin}`);
    if (emission.endBin !== due.endBin) throw new Error(`internal: group emission at bin ${emission.endBin} for the update at bin ${due.endBin}`);
    if (this.population) {
      update.groups = emission.groups.slice(0, -1);
      update.population = emission.groups.at(-1);
    } else {
      update.groups = emission.groups;
    }
    if (emission.subnetworks !== undefined) {
      update.subnetworks = emission.subnetworks.map((found) => {
        const units = found.units.map((member) => outputUnitId(this.groups.memberIdOf(member))).sort(compareUnitIds);
        return { id: found.id, units, order: units.length, criterion: found.criterion, oinfo: found.oinfo, doinfo_y: found.doinfo_y, p: found.p, since: found.since, hops: found.hops };
      });
      // The next search grows the strongest pairs of this update (by member; pairs outside the groups are no seeds).
      this.groups.strongPairs = update.pairs.flatMap((pair) => {
        const a = this.groups.memberOf(String(pair.a));
        const b = this.groups.memberOf(String(pair.b));
        return a === undefined || b === undefined ? [] : [[a, b] as const];
      });
    }
    const synergy = assemble(parts, due.units, (part) => part.allPairs?.synergy);
    if (synergy === undefined) return update;
    const excess = assemble(parts, due.units, (part) => part.allPairs?.excess);
    const merged = mergeSignificance(parts);
    const family = merged === undefined ? undefined : familyTests(merged.available, merged.effective, merged.maxima, merged.beyondCounts);
    const canReach = family?.canReach(this.alpha) === true;
    const significant =
      family === undefined || excess === undefined ? undefined : (index: number) => canReach && family.familyP(Math.abs(excess[index])) <= this.alpha;
    const indexOf = new Map<string, number>();
    for (let u = 0; u < due.units; u++) indexOf.set(due.unitIds[u], u);
    const definitions = this.options.groups ?? [];
    const members = definitions.map((group) => group.units.flatMap((id) => (indexOf.has(id) ? [indexOf.get(id)!] : [])));
    members.forEach((units, g) => {
      const distribution = pairDistribution(synergy, units, significant);
      if (distribution !== undefined) update.groups![g].pairs = distribution;
    });
    if (definitions.length >= 2 && definitions.length <= MAX_COMPARED_GROUPS) {
      const random = new SeededRandom(this.options.seed, `region-permutations-${due.endBin}`);
      const comparisons: RegionComparison[] = [];
      for (let g = 0; g < definitions.length; g++) {
        for (let h = g + 1; h < definitions.length; h++) {
          if (members[g].length < 2 || members[h].length < 2) continue;
          const inG = new Set(members[g]);
          if (members[h].some((u) => inG.has(u))) continue;
          const { difference, p } = compareRegions(synergy, members[g], members[h], random);
          comparisons.push({ a: definitions[g].name, b: definitions[h].name, difference, p, permutations: REGION_PERMUTATIONS });
        }
      }
      update.regions = comparisons;
    }
    return update;
  }
}

/** Every pair's value over the tiles, in triangle order, or undefined when a tile did not send it. */
function assemble(parts: readonly TileEmission[], units: number, pick: (part: TileEmission) => Float64Array | undefined): Float64Array | undefined {
  const total = pairsBelow(units);
  const all = new Float64Array(total);
  let at = 0;
  for (const part of [...parts].sort((x, y) => x.tile - y.tile)) {
    const values = pick(part);
    if (values === undefined) {
      if (part.pairs.length === 0 && at === total) continue;
      return undefined;
    }
    if (at + values.length > total) return undefined;
    all.set(values, at);
    at += values.length;
  }
  return at === total ? all : undefined;
}
