import type { AnalysisOptions } from '../src/stream/options.ts';
import { Command, Option } from 'commander';
import { readLabelIntervals } from '../adapters/files/labelIntervalReader.ts';
import { withModeIntervals } from '../adapters/liveSource.ts';
import { LIVE_FORMATS, liveFormatOf, openLiveSource, parseChannelList, type LiveFormat } from '../adapters/openLiveSource.ts';
import { ingestLimitsFor } from '../src/live/ingestSession.ts';
import { runLiveAnalysis } from '../src/live/liveAnalysis.ts';
import { SynergyServer } from '../src/server/synergyServer.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import { addGroupOptions, groupAnalysisOptions, resolveGroups, type GroupFlags } from './groupOptions.ts';
import { addParallelOptions, openTiles, withTileAlerts, type ParallelFlags } from './parallelOptions.ts';
import {
  addAlertOptions,
  alertOptionsFrom,
  LIVE_DEFAULT_SURROGATES,
  requireTokenBeyondLoopback,
  resolveToken,
  TOKEN_ENVIRONMENT_VARIABLE,
  untilInterrupted,
  type AlertFlags,
} from './liveOptions.ts';
import type { CliIo } from './cliIo.ts';
import { runHeader } from './runHeader.ts';
import { parseInteger, parseNumber } from './parseOptions.ts';
import { analysisDescription, liveSummaryLine } from './serveCommand.ts';

/** The environment variable that holds the token `connect` sends to a ws:// rig. */
export const RIG_TOKEN_ENVIRONMENT_VARIABLE = 'SYNERGY_RIG_TOKEN';

interface ConnectFlags extends AnalysisFlags, AlertFlags, ParallelFlags, GroupFlags {
  out?: string;
  token?: string;
  tokenFile?: string;
  serveTokenFile?: string;
  serve?: number;
  serveHost: string;
  serveToken?: string;
  maxRetries?: number;
  format?: LiveFormat;
  ttlLabels?: string;
  unsorted?: 'drop' | 'channel';
  command?: string;
  channels?: string[];
  sampleRate?: number;
  labels?: string;
  silence: number;
}

export function connectCommand(io: CliIo): Command {
  const command = new Command('connect')
    .summary('analyze a live rig: our protocol, Open Ephys or Intan RHX')
    .description(
      `Connects to a live source, analyzes its spikes and modes as they arrive,
and writes an update every --hop seconds (one JSON object, bits) to stdout
or --out; alerts go to stderr as a line, to --alerts-out, and with --serve
PORT to subscribers. Three kinds of source (docs/PROTOCOL.md, docs/RIGS.md):

  ws://HOST:PORT      a rig or bridge that serves our ingest protocol. The
                      rig sends hello; the analyzer answers ready with the
                      last seq it holds, so a rig that buffers resends what
                      was missed.
  zmq://HOST:5557     Open Ephys GUI, Event Broadcaster plugin (JSON
                      format): spikes from its spike detector / sorter,
                      units <electrode>:<sorted_id>; modes from TTL lines
                      via --ttl-labels ("1=go,-1=rest": line 1 high = go).
  tcp://HOST:5002     with --format intan: the Intan RHX spike port; units
                      are channels (A-000); --command HOST:5000 enables
                      spike output for --channels, asks the sample rate and
                      starts acquisition; modes from --labels FILE.

A lost connection raises source-lost and is retried with exponential
backoff and jitter (up to 30 s between tries); the stretch not delivered is
reported (data-gap) and left out of the statistics. Silence, missing
messages, clock resets and bytes that are not records are alerts too. The
command ends when a protocol rig says end, or on Ctrl-C.

Examples:
  synergy simulate --port 7701 &        # a simulated rig
  synergy connect ws://127.0.0.1:7701 --window 30 --serve 7700
  synergy connect zmq://127.0.0.1:5557 --ttl-labels "1=go,-1=rest"
  synergy connect tcp://127.0.0.1:5002 --format intan \\
      --command 127.0.0.1:5000 --channels A-000..A-031 --labels modes.csv
  SYNERGY_RIG_TOKEN=… synergy connect ws://rig.lab:7701 \\
      --out updates.jsonl --alerts-out alerts.jsonl`,
    )
    .argument('<url>', 'ws://, zmq:// or tcp:// address of the rig')
    .addOption(new Option('--format <format>', 'what the address speaks (default: from the scheme)').choices(LIVE_FORMATS))
    .option('--out <file>', 'write updates to this file instead of stdout')
    .option('--token <token>', `ws://: token the rig requires (sent as Authorization: Bearer); or --token-file, or $${RIG_TOKEN_ENVIRONMENT_VARIABLE}`)
    .option('--token-file <file>', 'ws://: read the rig’s token from the first line of this file')
    .option('--ttl-labels <map>', 'openephys: TTL states to modes, +line high, -line low, e.g. "1=go,-1=rest" (empty = gap)')
    .addOption(new Option('--unsorted <policy>', "openephys: spikes with sorted_id 0: drop them, or count them per electrode ('channel')").choices(['drop', 'channel']))
    .option('--command <host:port>', 'intan: the RHX command port (enables --channels, asks the sample rate, starts acquisition)')
    .option('--channels <list>', 'intan: channels to enable, e.g. A-000,A-001 or A-000..A-031', parseChannelList)
    .option('--sample-rate <hz>', 'intan: samples per second (else asked from --command)', parseNumber('--sample-rate', 0, false))
    .option('--labels <file>', 'modes as intervals from a .csv/.tsv/.jsonl file (start, end, label), on the rig\'s clock')
    .option('--silence <seconds>', 'zmq://, tcp://: raise source-silent after this long without data', parseNumber('--silence', 0, false), 5)
    .option('--serve <port>', 'also publish updates and alerts to subscribers on ws://127.0.0.1:PORT/subscribe, and the page at http://127.0.0.1:PORT/', parseInteger('--serve', 0))
    .option('--serve-host <address>', 'address --serve listens on (beyond loopback --serve-token is required)', '127.0.0.1')
    .option('--serve-token <token>', `token subscribers must give with --serve; or --serve-token-file, or $${TOKEN_ENVIRONMENT_VARIABLE}`)
    .option('--serve-token-file <file>', 'read the --serve token from the first line of this file')
    .option('--max-retries <n>', 'give up after this many retries in a row fail (each after a failed attempt; default: never)', parseInteger('--max-retries', 0));
  addAnalysisOptions(command, { surrogates: LIVE_DEFAULT_SURROGATES });
  addParallelOptions(command);
  addAlertOptions(command);
  addGroupOptions(command, { groupBy: false });
  return command.action(async (url: string, flags: ConnectFlags) => {
    const groups = await resolveGroups(flags);
    // With --serve, every pair's synergy rides with each update for the page's matrix (docs/PAGE.md).
    const options: AnalysisOptions = { ...analysisOptionsFrom(flags), ...groupAnalysisOptions(flags, groups), ...(flags.serve === undefined ? {} : { pairMatrix: true }) };
    const header = runHeader('connect', url, liveFormatOf(url, flags.format), options.groups === undefined ? flags : { ...flags, groupUnits: options.groups }, options.seed);
    const labels = flags.labels === undefined ? undefined : await readLabelIntervals(flags.labels);
    const rig = await openLiveSource(url, {
      format: flags.format,
      token: resolveToken(flags, RIG_TOKEN_ENVIRONMENT_VARIABLE, '--token'),
      maxRetries: flags.maxRetries,
      silenceSeconds: flags.silence,
      ttlLabels: flags.ttlLabels,
      unsorted: flags.unsorted,
      command: flags.command,
      channels: flags.channels,
      sampleRate: flags.sampleRate,
      limits: ingestLimitsFor(options),
      onStatus: (line) => io.stderr(`synergy connect: ${line}\n`),
    });
    let server: SynergyServer | undefined;
    if (flags.serve !== undefined) {
      const serveToken = resolveToken({ token: flags.serveToken, tokenFile: flags.serveTokenFile }, TOKEN_ENVIRONMENT_VARIABLE, '--serve-token');
      requireTokenBeyondLoopback(flags.serveHost, serveToken, '--serve-host', '--serve-token');
      server = await SynergyServer.start({ host: flags.serveHost, port: flags.serve, token: serveToken, ingest: false, analysis: analysisDescription(options), run: header });
    }
    if (server !== undefined) {
      server.reportStatus(() => rig.status());
      io.stderr(`synergy connect: subscribe at ${server.subscribeUrl}  page http://${server.baseUrl.slice('ws://'.length)}/\n`);
    }
    const interrupted = untilInterrupted();
    const tiles = await openTiles(flags, undefined, (line) => io.stderr(`synergy connect: ${line}\n`));
    const events = withModeIntervals(rig.events, labels?.intervals ?? []);
    const done = runLiveAnalysis(events, withTileAlerts(rig.alerts, tiles.alerts), options, alertOptionsFrom(flags, options), {
      header,
      publish: server === undefined ? undefined : (item) => server.publish(item),
      updatesFile: flags.out,
      updatesText: io.stdout,
      alertsFile: flags.alertsOut,
      alertLine: flags.quietAlerts ? undefined : (line) => io.stderr(`${line}\n`),
    }, tiles.source);
    rig.start();
    void interrupted.promise.then(() => rig.close());
    try {
      const summary = await done;
      server?.publishEnd(undefined, summary.updates, `the rig's stream ended after ${summary.updates} update${summary.updates === 1 ? '' : 's'}`);
      io.stderr(`${liveSummaryLine('synergy connect', summary, rig.summary())}\n`);
    } finally {
      interrupted.cancel();
      await tiles.close();
      await server?.close();
    }
  });
}
