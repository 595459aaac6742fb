import { readFileSync, statSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { PairAlertOptions } from '../src/alerts/pairAlerts.ts';
import { UsageError } from '../src/errors.ts';
import { DEFAULT_ANALYSIS_OPTIONS, type AnalysisOptions } from '../src/stream/options.ts';
import { DEFAULT_INGEST_LIMITS, DEFAULT_TIME_JUMP_LIMITS, ingestLimitsFor } from '../src/live/ingestSession.ts';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../src/server/synergyServer.ts';
import { parseInteger } from './parseOptions.ts';

/** Surrogates by default on every analyzing command: alerts need a p (99 gives p down to 0.01). */
export const LIVE_DEFAULT_SURROGATES = DEFAULT_ANALYSIS_OPTIONS.surrogates;

export interface AlertFlags {
  alertAlpha: number;
  alertEffect?: number;
  alertFor: number;
  alertMinSamples?: number;
  alertsOut?: string;
  quietAlerts?: boolean;
}

export interface ServerFlags {
  host: string;
  port: number;
  token?: string;
  tokenFile?: string;
  maxPayload: number;
  silence: number;
  maxTimeJump: number;
  maxSources: number;
  maxUnits: number;
  maxModes: number;
  maxConnections: number;
  maxSubscribers: number;
}

/** The environment variable that holds the token a server of this analyzer requires (instead of --token on the command line, which every local user can read). */
export const TOKEN_ENVIRONMENT_VARIABLE = 'SYNERGY_TOKEN';

/**
 * A token from, in order: the option itself, a file (first line, trimmed),
 * or an environment variable. A file other users can read is refused: the
 * token is then no secret.
 */
export function resolveToken(given: { token?: string; tokenFile?: string }, environmentVariable: string, option: string): string | undefined {
  if (given.token !== undefined && given.tokenFile !== undefined) throw new UsageError(`give ${option} or ${option}-file, not both`);
  if (given.tokenFile !== undefined) {
    let text: string;
    try {
      if ((statSync(given.tokenFile).mode & 0o077) !== 0) {
        throw new UsageError(`${option}-file ${given.tokenFile} can be read by other users: chmod 600 it`);
      }
      text = readFileSync(given.tokenFile, 'utf8');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${option}-file ${given.tokenFile}: ${(error as Error).message}`);
    }
    const token = text.split(/\r?\n/)[0].trim();
    if (token === '') throw new UsageError(`${option}-file ${given.tokenFile}: the first line is empty`);
    return token;
  }
  if (given.token !== undefined) return given.token;
  const fromEnvironment = process.env[environmentVariable];
  return fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment;
}

function parsePositive(option: string, maximum = Infinity): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (value.trim() === '' || !(number > 0) || number > maximum) {
      throw new InvalidArgumentError(`${option} takes a number > 0${maximum < Infinity ? ` and ≤ ${maximum}` : ''}, got '${value}'`);
    }
    return number;
  };
}

/** --alert-alpha, --alert-effect, --alert-for, --alert-min-samples, --alerts-out, --quiet-alerts (DESIGN §5; docs/MEASURES.md "Alerts"). */
export function addAlertOptions(command: Command): Command {
  return command
    .option('--alert-alpha <rate>', 'share of hours of a null recording that may raise a pair alert', parsePositive('--alert-alpha', 0.5), DEFAULT_ANALYSIS_OPTIONS.alpha)
    .option('--alert-effect <bits>', 'also require |synergy| ≥ this (default: none; the test decides)', parseNonNegative('--alert-effect'))
    .option('--alert-for <updates>', 'updates in a row the condition must hold to raise (and to clear)', parseInteger('--alert-for', 1), 1)
    .option('--alert-min-samples <bins>', 'labeled bins an update needs before it can raise or clear an alert (default: half the window)', parseInteger('--alert-min-samples', 1))
    .option('--alerts-out <file>', 'also write alerts as JSONL to this file')
    .option('--quiet-alerts', 'do not print alert lines on stderr');
}

export function alertOptionsFrom(flags: AlertFlags, analysis: AnalysisOptions): PairAlertOptions {
  const windowBins = Math.round(analysis.windowSeconds / analysis.binSeconds);
  return {
    alpha: flags.alertAlpha,
    minEffectBits: flags.alertEffect ?? 0,
    forUpdates: flags.alertFor,
    minSamples: flags.alertMinSamples ?? Math.ceil(windowBins / 2),
    ...(analysis.groups === undefined || analysis.groups.length === 0
      ? {}
      : { emergence: { hopSeconds: analysis.hopSeconds, windowHops: Math.max(1, Math.round(analysis.windowSeconds / analysis.hopSeconds)) } }),
  };
}

function parseNonNegative(option: string): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (value.trim() === '' || !(number >= 0) || !Number.isFinite(number)) throw new InvalidArgumentError(`${option} takes a number ≥ 0, got '${value}'`);
    return number;
  };
}

/** --host, --port, --token, --token-file, --max-payload, --silence, --max-time-jump and the per-source and connection limits. */
export function addServerOptions(command: Command, defaultPort: number): Command {
  return command
    .option('--host <address>', 'address to listen on (beyond loopback a token is required)', DEFAULT_SERVER_OPTIONS.host)
    .option('--port <port>', 'port to listen on (0: any free port)', parseInteger('--port', 0), defaultPort)
    .option('--token <token>', `require this token from rigs and subscribers (Authorization: Bearer <token>, or ?token=<token>); or --token-file, or $${TOKEN_ENVIRONMENT_VARIABLE}`)
    .option('--token-file <file>', 'read the token from the first line of this file (readable by you only)')
    .option('--max-payload <bytes>', 'largest WebSocket message accepted', parseInteger('--max-payload', 1024), DEFAULT_SERVER_OPTIONS.maxPayloadBytes)
    .option('--silence <seconds>', 'alert when a connected source sends nothing for this long', parsePositive('--silence'), DEFAULT_SERVER_OPTIONS.silenceSeconds)
    .option(
      '--max-time-jump <seconds>',
      'refuse a message this far ahead of its source’s latest time as a clock error (the third in a row is taken as a jump)',
      parsePositive('--max-time-jump'),
      DEFAULT_TIME_JUMP_LIMITS.refuseSeconds,
    )
    .option('--max-sources <n>', 'sources analyzed at once (each has its own analysis)', parseInteger('--max-sources', 1), DEFAULT_SERVER_OPTIONS.maxSources)
    .option('--max-units <n>', 'units a source may send (its pair tables grow with the square)', parseInteger('--max-units', 2), DEFAULT_INGEST_LIMITS.maxUnits)
    .option('--max-modes <n>', 'distinct modes (labels) a source may use', parseInteger('--max-modes', 1), DEFAULT_INGEST_LIMITS.maxModes)
    .option('--max-connections <n>', 'open ingest connections', parseInteger('--max-connections', 1), DEFAULT_SERVER_OPTIONS.maxIngestConnections)
    .option('--max-subscribers <n>', 'open subscriber connections', parseInteger('--max-subscribers', 1), DEFAULT_SERVER_OPTIONS.maxSubscribers);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Listening beyond loopback needs a token. */
export function requireTokenBeyondLoopback(host: string, token: string | undefined, hostOption: string, tokenOption: string): void {
  if (!LOOPBACK.has(host) && (token === undefined || token === '')) {
    throw new UsageError(`${hostOption} ${host} listens beyond this machine: give a token (${tokenOption}-file, $${TOKEN_ENVIRONMENT_VARIABLE} or ${tokenOption}) so that only your rigs and subscribers get in`);
  }
}

/** Server options from the flags; binding beyond loopback without a token is refused. */
export function serverOptionsFrom(flags: ServerFlags, ingest: boolean, analysis: AnalysisOptions): Partial<ServerOptions> {
  const token = resolveToken(flags, TOKEN_ENVIRONMENT_VARIABLE, '--token');
  requireTokenBeyondLoopback(flags.host, token, '--host', '--token');
  if (flags.maxTimeJump < analysis.windowSeconds) {
    throw new UsageError(`--max-time-jump (${flags.maxTimeJump} s) must be at least the window (${analysis.windowSeconds} s)`);
  }
  return {
    host: flags.host,
    port: flags.port,
    token,
    ingest,
    maxPayloadBytes: flags.maxPayload,
    silenceSeconds: flags.silence,
    maxSources: flags.maxSources,
    maxIngestConnections: flags.maxConnections,
    maxSubscribers: flags.maxSubscribers,
    limits: ingestLimitsFor(analysis, { maxUnits: flags.maxUnits, maxModes: flags.maxModes }, flags.maxTimeJump),
  };
}

/** Resolves on the first SIGINT or SIGTERM (and removes its listeners). */
export function untilInterrupted(): { promise: Promise<string>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<string>((resolve) => {
    const onSignal = (signal: string) => {
      cancel();
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    cancel = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  return { promise, cancel };
}
