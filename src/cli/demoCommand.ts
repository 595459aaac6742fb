import { sourcesSummary } from '../live/ingestSession.ts';
import { Command } from 'commander';
import { RigConnection } from '../../adapters/ws/rigConnection.ts';
import { RigSimulator } from '../../simulators/rigSimulator.ts';
import type { AlertEvent } from '../alerts/alertEvent.ts';
import { alertLine } from '../alerts/alertEvent.ts';
import type { SynergyUpdate } from '../engine/synergyUpdate.ts';
import { UsageError } from '../errors.ts';
import { runLiveAnalysis } from '../live/liveAnalysis.ts';
import { SynergyServer } from '../server/synergyServer.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import { addAlertOptions, alertOptionsFrom, LIVE_DEFAULT_SURROGATES, untilInterrupted, type AlertFlags } from './liveOptions.ts';
import { renderLiveTable, TerminalTable } from './liveTable.ts';
import type { CliIo } from './main.ts';
import { parseInteger } from './parseOptions.ts';
import { analysisDescription, liveSummaryLine } from './serveCommand.ts';
import { populationFlags, populationOptions } from './simulateCommand.ts';
import { unitPairKey } from '../stream/unitIds.ts';

interface DemoFlags extends AnalysisFlags, AlertFlags {
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
    .summary('a simulated rig analyzed live, with a table of the strongest pairs (what npm start runs)')
    .description(
      `Runs a rig simulator, the analyzer and the publishing server in one
process on localhost: the simulated population has planted synergistic
pairs (each unit alone says nothing of the behavioral mode, together they
do), planted redundant pairs and independent units. The terminal shows the
strongest pairs by |synergy| in bits, redrawn every update, with their
surrogate p-value, alert state and — since the demo knows its ground truth —
what was planted; alerts appear as they fire. Within a minute the planted
pairs should be alerted and the independent ones stay quiet.

Other programs can subscribe to the same updates and alerts at the printed
ws://…/subscribe address (docs/PROTOCOL.md). Stop with Ctrl-C.

Examples:
  synergy demo
  synergy demo --units 32 --speed 5 --port 0
  synergy demo --duration 120 --plain > demo.log`,
    )
    .option('--speed <factor>', 'simulated seconds per second of wall time', Number, 1)
    .option('--port <port>', 'port of the subscribe endpoint (0: any free port)', parseInteger('--port', 0), 7700)
    .option('--duration <seconds>', 'stop after this many simulated seconds', Number)
    .option('--rows <n>', 'pairs shown in the table', parseInteger('--rows', 1), 10)
    .option('--out <file>', 'also write updates as JSONL to this file')
    .option('--plain', 'plain lines instead of the table redrawn in place (the default off a terminal)');
  populationFlags(command, false);
  addAnalysisOptions(command, DEMO_ANALYSIS_DEFAULTS);
  addAlertOptions(command);
  return command.action(async (flags: DemoFlags) => {
    if (2 * (flags.synergistic + flags.redundant) > flags.units) {
      throw new UsageError(`${flags.synergistic} synergistic and ${flags.redundant} redundant pairs need ${2 * (flags.synergistic + flags.redundant)} units; --units is ${flags.units}`);
    }
    if (!(flags.speed > 0)) throw new UsageError(`--speed must be > 0, got ${flags.speed}`);
    const options = analysisOptionsFrom(flags);
    const simulator = await RigSimulator.start({ ...populationOptions(flags), port: 0, speed: flags.speed, source: 'demo-rig' });
    const server = await SynergyServer.start({ host: '127.0.0.1', port: flags.port, ingest: false, analysis: analysisDescription(options) });
    const rig = new RigConnection({ url: simulator.url });
    const truth = new Map(simulator.population.truth.map((pair) => [unitPairKey(pair.a, pair.b), pair.kind]));
    const title = [
      `synergy-stream demo — simulated rig: ${flags.units} units, ${flags.modes} modes; planted: ${[...truth].map(([pair, kind]) => `${pair.replace('|', '–')} ${kind}`).join(', ')}`,
      `analysis: ${options.binSeconds} s bins, ${options.windowSeconds} s window, an update every ${options.hopSeconds} s, ${options.estimator}, ${options.surrogates} surrogates`,
      `alerts: |synergy| ≥ ${flags.alertThreshold} bits with p ≤ ${flags.alertP} for ${flags.alertFor} updates (synergy > 0: together they tell more than apart)`,
      `subscribe: ${server.subscribeUrl}   (Ctrl-C to stop)`,
    ];
    const recent: AlertEvent[] = [];
    const raised = new Map<string, string>();
    let latest: SynergyUpdate | undefined;
    const tableMode = isTerminal && !flags.plain;
    const table = new TerminalTable(io.stdout, () => renderLiveTable({ title, update: latest, alerts: recent, raised, truth, rows: flags.rows }));
    if (tableMode) table.draw();
    else io.stdout(`${title.join('\n')}\n`);
    let updates = 0;
    const observe = (item: SynergyUpdate | AlertEvent) => {
      if (item.type === 'synergy') {
        latest = item;
        updates++;
        if (!tableMode && updates % 5 === 0) io.stdout(`${plainLine(item, truth)}\n`);
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
    const done = runLiveAnalysis(rig.events, rig.alerts, options, alertOptionsFrom(flags, options), {
      publish: (item) => server.publish(item),
      updatesFile: flags.out,
      alertsFile: flags.alertsOut,
      observe,
    });
    rig.start();
    const stop = async () => {
      await simulator.stop();
    };
    if (flags.duration !== undefined) {
      const check = setInterval(() => {
        if (simulator.now() >= flags.duration!) {
          clearInterval(check);
          void stop();
        }
      }, 20);
      void done.finally(() => clearInterval(check));
    }
    void interrupted.promise.then(() => {
      rig.close();
      void stop();
    });
    try {
      const summary = await done;
      table.stop();
      if (tableMode) table.draw();
      io.stderr(`${liveSummaryLine('synergy demo', summary, sourcesSummary(rig.registry))}\n`);
    } finally {
      interrupted.cancel();
      await server.close();
    }
  });
}

/** One line per few updates off a terminal. */
function plainLine(update: SynergyUpdate, truth: Map<string, string>): string {
  const pairs = update.pairs
    .slice(0, 3)
    .map((pair) => {
      const planted = truth.get(unitPairKey(pair.a, pair.b));
      return `${pair.a}–${pair.b} ${pair.synergy >= 0 ? '+' : ''}${pair.synergy.toFixed(3)} bits${pair.p === undefined ? '' : ` p ${pair.p.toFixed(2)}`}${planted ? ` (planted ${planted})` : ''}`;
    })
    .join(', ');
  return `t=${update.t.toFixed(0)} s, ${update.samples} labeled bins: ${pairs || 'no pairs yet'}`;
}
