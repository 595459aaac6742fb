import type { AnalysisOptions } from '../src/stream/options.ts';
import { Command } from 'commander';
import { RigConnection } from '../adapters/ws/rigConnection.ts';
import { RigSimulator } from '../simulators/rigSimulator.ts';
import type { AlertEvent } from '../src/alerts/alertEvent.ts';
import { alertLine } from '../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import { UsageError } from '../src/errors.ts';
import { sourcesSummary } from '../src/live/ingestSession.ts';
import { runLiveAnalysis } from '../src/live/liveAnalysis.ts';
import { SynergyServer } from '../src/server/synergyServer.ts';
import { registryStatus } from '../src/server/sourceStatus.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import { addGroupOptions, groupAnalysisOptions, resolveGroups, type GroupFlags } from './groupOptions.ts';
import { addParallelOptions, openTiles, withTileAlerts, type ParallelFlags } from './parallelOptions.ts';
import { addAlertOptions, alertOptionsFrom, LIVE_DEFAULT_SURROGATES, untilInterrupted, type AlertFlags } from './liveOptions.ts';
import { renderLiveTable, TerminalTable } from './liveTable.ts';
import type { CliIo } from './cliIo.ts';
import { parseInteger, parseNumber } from './parseOptions.ts';
import { analysisDescription, liveSummaryLine } from './serveCommand.ts';
import { populationFlags, populationOptions } from './simulateCommand.ts';
import { compareUnitIds, outputUnitId, unitPairKey } from '../src/stream/unitIds.ts';
import { runHeader } from './runHeader.ts';

interface DemoFlags extends AnalysisFlags, AlertFlags, ParallelFlags, GroupFlags {
  units: number;
  rate: number;
  seed: number;
  modes: number;
  dwell: number;
  synergistic: number;
  redundant: number;
  speed: number;
  port: number;
  duration?: number;
  rows: number;
  out?: string;
  plain?: boolean;
}

/** The demo's analysis: a 30 s window so that a newcomer sees alerts within the first minute. */
export const DEMO_ANALYSIS_DEFAULTS = { windowSeconds: 30, surrogates: LIVE_DEFAULT_SURROGATES, top: 20 };

export function demoCommand(io: CliIo, isTerminal: boolean): Command {
  const command = new Command('demo')
    .summary('a simulated rig analyzed live: a table of the strongest pairs, and the page in a browser (what npm start runs)')
    .description(
      `Runs a rig simulator, the analyzer and the publishing server in one
process on localhost: the simulated population has planted synergistic
pairs (each unit alone says nothing of the behavioral mode, together they
do), planted redundant pairs and independent units. The terminal shows the
strongest pairs by |synergy| in bits, redrawn every update, with their
surrogate p-value, alert state and — since the demo knows its ground truth —
what was planted; alerts appear as they fire. Within a minute the planted
pairs should be alerted and the independent ones stay quiet.

The printed http://…/ address is a live page of the analysis: the matrix
of every pair's synergy, the selected pair over time, the alerts, the modes
and the source's health (docs/PAGE.md). Other programs can subscribe to the
same updates and alerts at the printed ws://…/subscribe address
(docs/PROTOCOL.md). Stop with Ctrl-C, or give
--duration D: the recording starts when the analyzer is connected and ends
exactly at D seconds, so a run gives the same updates on any machine, one
per hop up to the last whole hop ≤ D. Off a terminal (or with --plain) a
line is printed every 5 updates, and one for the last.

Examples:
  synergy demo
  synergy demo --units 32 --speed 5 --port 0
  synergy demo --duration 120 --plain > demo.log`,
    )
    .option('--speed <factor>', 'simulated seconds per second of wall time', Number, 1)
    .option('--port <port>', 'port of the subscribe endpoint (0: any free port)', parseInteger('--port', 0), 7700)
    .option('--duration <seconds>', 'simulate exactly this many seconds, then stop', parseNumber('--duration', 0, false))
    .option('--rows <n>', 'pairs shown in the table', parseInteger('--rows', 1), 10)
    .option('--out <file>', 'also write updates as JSONL to this file')
    .option('--plain', 'plain lines instead of the table redrawn in place (the default off a terminal)');
  populationFlags(command, false);
  addAnalysisOptions(command, DEMO_ANALYSIS_DEFAULTS);
  addParallelOptions(command);
  addAlertOptions(command);
  addGroupOptions(command, { groupBy: false });
  return command.action(async (flags: DemoFlags) => {
    if (2 * (flags.synergistic + flags.redundant) > flags.units) {
      throw new UsageError(`${flags.synergistic} synergistic and ${flags.redundant} redundant pairs need ${2 * (flags.synergistic + flags.redundant)} units; --units is ${flags.units}`);
    }
    if (!(flags.speed > 0)) throw new UsageError(`--speed must be > 0, got ${flags.speed}`);
    const groups = await resolveGroups(flags);
    // Every pair's synergy rides with each update for the page's matrix (docs/PAGE.md).
    const options: AnalysisOptions = { ...analysisOptionsFrom(flags), ...groupAnalysisOptions(flags, groups), pairMatrix: true };
    // The recording starts when the analyzer's connection is ready and ends exactly at --duration: the same updates whatever the machine's load.
    const simulator = await RigSimulator.start({ ...populationOptions(flags), port: 0, speed: flags.speed, source: 'demo-rig', untilSeconds: flags.duration });
    // The demo knows its ground truth: the header names the planted pairs (the page marks them; a reader can score against them).
    const header = { ...runHeader('demo', simulator.url, 'protocol', options.groups === undefined ? flags : { ...flags, groupUnits: options.groups }, options.seed), planted: simulator.population.truth.map(({ a, b, kind }) => {
        const [first, second] = [outputUnitId(a), outputUnitId(b)].sort(compareUnitIds);
        return { a: first, b: second, kind };
      }),
    };
    const server = await SynergyServer.start({ host: '127.0.0.1', port: flags.port, ingest: false, analysis: analysisDescription(options), run: header });
    const rig = new RigConnection({ url: simulator.url });
    server.reportStatus(() => registryStatus(rig.registry));
    const truth = new Map(simulator.population.truth.map((pair) => [unitPairKey(pair.a, pair.b), pair.kind]));
    const title = [
      `synergy-stream demo — simulated rig: ${flags.units} units, ${flags.modes} modes; planted: ${[...truth].map(([pair, kind]) => `${pair.replace('|', '–')} ${kind}`).join(', ')}`,
      `analysis: ${options.binSeconds} s bins, ${options.windowSeconds} s window, an update every ${options.hopSeconds} s, ${options.estimator}, ${options.surrogates} surrogates`,
      `alerts: a pair beyond every label-lag surrogate, at most ${flags.alertAlpha} of a null recording's hours${flags.alertEffect ? `, |synergy| ≥ ${flags.alertEffect} bits` : ''} (synergy > 0: together they tell more than apart)`,
      `page: http://${server.baseUrl.slice('ws://'.length)}/   subscribe: ${server.subscribeUrl}   (Ctrl-C to stop)`,
    ];
    const recent: AlertEvent[] = [];
    const raised = new Map<string, string>();
    let latest: SynergyUpdate | undefined;
    const tableMode = isTerminal && !flags.plain;
    const table = new TerminalTable(io.stdout, () => renderLiveTable({ title, update: latest, alerts: recent, raised, truth, rows: flags.rows }));
    if (tableMode) table.draw();
    else io.stdout(`${title.join('\n')}\n`);
    let updates = 0;
    let printed: SynergyUpdate | undefined;
    const observe = (item: SynergyUpdate | AlertEvent) => {
      if (item.type === 'synergy') {
        latest = item;
        updates++;
        if (!tableMode && updates % PLAIN_EVERY_UPDATES === 0) {
          io.stdout(`${plainLine(item, truth)}\n`);
          printed = item;
        }
      } else {
        recent.push(item);
        if (recent.length > 8) recent.shift();
        if (item.a !== undefined && item.b !== undefined) {
          if (item.state === 'raised') raised.set(unitPairKey(item.a, item.b), item.kind);
          else raised.delete(unitPairKey(item.a, item.b));
        }
        if (!tableMode) io.stdout(`${alertLine(item)}\n`);
      }
      if (tableMode) table.draw();
    };
    const interrupted = untilInterrupted();
    const tiles = await openTiles(flags, flags.units, (line) => io.stderr(`synergy demo: ${line}\n`));
    const done = runLiveAnalysis(rig.events, withTileAlerts(rig.alerts, tiles.alerts), options, alertOptionsFrom(flags, options), {
      header,
      publish: (item) => server.publish(item),
      updatesFile: flags.out,
      alertsFile: flags.alertsOut,
      observe,
    }, tiles.source);
    rig.start();
    void interrupted.promise.then(() => {
      rig.close();
      void simulator.stop();
    });
    try {
      const summary = await done;
      server.publishEnd(undefined, summary.updates, `the demo ended after ${summary.updates} update${summary.updates === 1 ? '' : 's'}`);
      table.stop();
      if (tableMode) table.draw();
      // Off a terminal the last update is always shown: with --duration D, the one at the last whole hop ≤ D.
      else if (latest !== undefined && latest !== printed) io.stdout(`${plainLine(latest, truth)}\n`);
      io.stderr(`${liveSummaryLine('synergy demo', summary, sourcesSummary(rig.registry))}\n`);
    } finally {
      interrupted.cancel();
      await tiles.close();
      await simulator.stop();
      await server.close();
    }
  });
}

/** Off a terminal, a line every this many updates (and one for the last). */
const PLAIN_EVERY_UPDATES = 5;

/** One line per few updates off a terminal. */
export function plainLine(update: SynergyUpdate, truth: Map<string, string>): string {
  const pairs = update.pairs
    .slice(0, 3)
    .map((pair) => {
      const planted = truth.get(unitPairKey(pair.a, pair.b));
      return `${pair.a}–${pair.b} ${pair.synergy >= 0 ? '+' : ''}${pair.synergy.toFixed(3)} bits${pair.p === undefined ? '' : ` p ${pair.p.toFixed(2)}`}${planted ? ` (planted ${planted})` : ''}`;
    })
    .join(', ');
  return `t=${update.t.toFixed(0)} s, ${update.samples} labeled bins: ${pairs || 'no pairs yet'}`;
}
