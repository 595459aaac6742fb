import { UsageError } from '../src/errors.ts';
import { Command, Option } from 'commander';
import { runLiveAnalyses, type LiveSummary } from '../src/live/liveAnalysis.ts';
import { sourcesSummary } from '../src/live/ingestSession.ts';
import { SynergyServer } from '../src/server/synergyServer.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import { addGroupOptions, groupAnalysisOptions, resolveGroups, type GroupFlags } from './groupOptions.ts';
import { addParallelOptions, openTiles, withTileAlerts, type ParallelFlags } from './parallelOptions.ts';
import {
  addAlertOptions,
  addServerOptions,
  alertOptionsFrom,
  LIVE_DEFAULT_SURROGATES,
  serverOptionsFrom,
  untilInterrupted,
  type AlertFlags,
  type ServerFlags,
} from './liveOptions.ts';
import type { CliIo } from './cliIo.ts';
import { runHeader } from './runHeader.ts';

interface ServeFlags extends AnalysisFlags, AlertFlags, ServerFlags, ParallelFlags, GroupFlags {
  out?: string;
  snapshotValues: 'quantiles' | 'gaussian-copula';
}

export const DEFAULT_SERVE_PORT = 7700;

export function serveCommand(io: CliIo): Command {
  const command = new Command('serve')
    .summary('accept rigs that push spikes, analyze live, publish updates and alerts (and the page)')
    .description(
      `Listens on one port with two WebSocket endpoints (docs/PROTOCOL.md):
  ws://HOST:PORT/ingest     rigs and bridges push hello, spikes (JSON or binary
                            frames), labels, heartbeats and end
  ws://HOST:PORT/subscribe  clients send {"type":"subscribe","topics":
                            ["synergy","alerts"],"top":20} and receive
                            updates and alerts
  http://HOST:PORT/         a page that shows the analysis live in a
                            browser (docs/PAGE.md)
Each source (the name its hello gives) has an analysis of its own, on its
own clock: sources never share windows, units or labels. A source whose
hello gives "trials" is analyzed by trials (it sends trial messages), one
whose hello says "kind":"snapshots" sends snapshots of activations, each
analyzed whole (docs/PROTOCOL.md, "Trials and snapshots"). Every --hop seconds
of a source's time an update (one JSON object, bits, with "source") goes to
subscribers and to --out; alerts go to subscribers, to stderr as a line and
to --alerts-out:
  synergy / redundancy  a pair beyond every label-lag surrogate over all
                        pairs, at a level that keeps null recordings to
                        --alert-alpha of their hours; cleared when
                        p_fwer > 2·alpha
  source-lost, source-silent, sequence-gap, data-gap, time-jump, clock-reset,
  late-data, input-rejected, source-retired
                        what happened to the data on the way in
  analysis-lag          the analysis fell behind the wall clock
Malformed or unknown messages, and messages past a limit (--max-units,
--max-modes, --max-time-jump), are answered with an error frame and
counted; the connection stays open. Connections, sources, message and spike
rates and each connection's share of the analyzer's time are capped
(docs/RELIABILITY.md). A slow subscriber gets the newest update (older
ones conflated), never an unbounded queue; alerts are never dropped
silently. Stop with Ctrl-C: the analysis is flushed and a summary printed.

Examples:
  synergy serve --port 7700 --window 30 --alerts-out alerts.jsonl
  SYNERGY_TOKEN=… synergy serve --host 0.0.0.0 --out updates.jsonl
  synergy serve --host 0.0.0.0 --token-file ~/.synergy-token`,
    )
    .option('--out <file>', 'also write updates as JSONL to this file')
    .addOption(
      new Option('--snapshot-values <how>', "snapshot sources: 'quantiles' (each neuron quantized by its own quantiles into --levels symbols) or 'gaussian-copula'")
        .choices(['quantiles', 'gaussian-copula'])
        .default('quantiles'),
    );
  addServerOptions(command, DEFAULT_SERVE_PORT);
  addAnalysisOptions(command, { surrogates: LIVE_DEFAULT_SURROGATES });
  addParallelOptions(command);
  addAlertOptions(command);
  addGroupOptions(command, { groupBy: false });
  return command.action(async (flags: ServeFlags) => {
    const groups = await resolveGroups(flags);
    if (groups !== undefined && flags.snapshotValues === 'gaussian-copula') {
      throw new UsageError('--groups with --snapshot-values gaussian-copula: snapshot sources measure groups on quantile symbols only; drop one of the two');
    }
    // Every pair's synergy rides with each update for the page's matrix (docs/PAGE.md).
    const options: AnalysisOptions = { ...sourceAnalysisOptions(flags), ...groupAnalysisOptions(flags, groups), pairMatrix: true };
    const serverOptions = serverOptionsFrom(flags, true, options);
    const started = new Date();
    const server = await SynergyServer.start({ ...serverOptions, analysis: analysisDescription(options) });
    const header = runHeader('serve', server.ingestUrl, 'protocol', options.groups === undefined ? flags : { ...flags, groupUnits: options.groups }, options.seed, started);
    server.describeRun(header);
    io.stderr(`synergy serve: ingest ${server.ingestUrl}  subscribe ${server.subscribeUrl}\n`);
    const interrupted = untilInterrupted();
    // One pool of worker threads for every source's tiles.
    const tiles = await openTiles(flags, undefined, (line) => io.stderr(`synergy serve: ${line}\n`));
    const done = runLiveAnalyses(server.sources, withTileAlerts(server.sourceAlerts, tiles.alerts), options, alertOptionsFrom(flags, options), {
      header,
      publish: (item) => server.publish(item),
      updatesFile: flags.out,
      alertsFile: flags.alertsOut,
      alertLine: flags.quietAlerts ? undefined : (line) => io.stderr(`${line}\n`),
      sourceEnded: (name, updates) => server.publishEnd(name, updates, `source ${name} ended after ${updates} update${updates === 1 ? '' : 's'}`),
    }, tiles.source);
    await Promise.race([interrupted.promise, done]);
    interrupted.cancel();
    await server.close();
    const summary = await done.finally(() => tiles.close());
    io.stderr(`${liveSummaryLine('synergy serve', summary, sourcesSummary(server.registry))}\n`);
  });
}

/**
 * The analysis options every source of `synergy serve` gets from its flags:
 * each source has an analysis of its own, and the surrogates' tables of all
 * of them share one bound (--max-surrogate-cells, 2^28 by default).
 */
export function sourceAnalysisOptions(flags: AnalysisFlags & { maxSources: number; snapshotValues: 'quantiles' | 'gaussian-copula' }): AnalysisOptions {
  const analysis = analysisOptionsFrom(flags);
  return { ...analysis, maxSurrogateCells: Math.floor(analysis.maxSurrogateCells! / flags.maxSources), snapshotValues: flags.snapshotValues };
}

/** What subscribers are told about the analysis in the welcome frame. */
export function analysisDescription(options: AnalysisOptions): Record<string, unknown> {
  return {
    bin: options.binSeconds,
    window: options.windowSeconds,
    hop: options.hopSeconds,
    levels: options.levels,
    estimator: options.estimator,
    surrogates: options.surrogates,
    lateness: options.latenessSeconds,
    top: options.top ?? null,
  };
}

/** The summary line of a live command: updates, alerts by kind, and each source's counts. */
export function liveSummaryLine(command: string, summary: LiveSummary, sources: string): string {
  const alerts = Object.entries(summary.alertsByKind).map(([kind, count]) => `${count} ${kind}`);
  return `${command}: ${summary.updates} updates; alerts: ${alerts.length === 0 ? 'none' : alerts.join(', ')}; ${sources}`;
}
