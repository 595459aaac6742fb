import type { Command } from 'commander';
import { UsageError } from '../src/errors.ts';
import { SynergyServer } from '../src/server/synergyServer.ts';
import type { SourceStatus } from '../src/server/sourceStatus.ts';
import type { AnalysisOptions } from '../src/stream/options.ts';
import type { CliIo } from './cliIo.ts';
import { parseInteger, parseNumber } from './parseOptions.ts';
import { analysisDescription } from './serveCommand.ts';

/** `replay --serve`'s flags (docs/PAGE.md: a page can watch a replay from its first update to its end). */
export interface ReplayServeFlags {
  serve?: number;
  waitSubscribers?: number;
  linger: number;
}

export function addReplayServeOptions(command: Command): Command {
  return command
    .option('--serve <port>', 'publish updates and alerts on ws://127.0.0.1:PORT/subscribe, and the page at http://127.0.0.1:PORT/, while replaying', parseInteger('--serve', 0))
    .option('--wait-subscribers <n>', 'with --serve: start the replay once n subscribers (pages count) have subscribed', parseInteger('--wait-subscribers', 1))
    .option('--linger <seconds>', 'with --serve: keep serving the last state this long after the end-of-stream message, so that a slow page still sees the end', parseNumber('--linger', 0, true), 0);
}

/**
 * The server of a replay with --serve: started before the recording is
 * read, waiting for --wait-subscribers when asked; `finish` sends the
 * end-of-stream message and keeps serving for --linger seconds.
 */
export class ReplayServer {
  private constructor(
    readonly server: SynergyServer,
    private readonly flags: ReplayServeFlags,
    private readonly io: CliIo,
  ) {}

  /** Undefined without --serve; a usage error when --wait-subscribers or --linger come without it. */
  static async start(flags: ReplayServeFlags, options: AnalysisOptions, header: object, io: CliIo): Promise<ReplayServer | undefined> {
    if (flags.serve === undefined) {
      if (flags.waitSubscribers !== undefined) throw new UsageError('--wait-subscribers needs --serve PORT: there is no one to wait for without it');
      if (flags.linger > 0) throw new UsageError('--linger needs --serve PORT: there is nothing to keep serving without it');
      return undefined;
    }
    const server = await SynergyServer.start({ host: '127.0.0.1', port: flags.serve, ingest: false, analysis: analysisDescription(options), run: header });
    const host = server.baseUrl.slice('ws://'.length);
    io.stderr(`synergy replay: subscribe at ${server.subscribeUrl}  page http://${host}/\n`);
    return new ReplayServer(server, flags, io);
  }

  /** Resolves once --wait-subscribers subscribers have subscribed (at once without it). */
  async waitForSubscribers(): Promise<void> {
    const count = this.flags.waitSubscribers;
    if (count === undefined) return;
    this.io.stderr(`synergy replay: waiting for ${count} subscriber${count === 1 ? '' : 's'} before replaying\n`);
    await this.server.subscribers(count);
  }

  reportStatus(status: () => SourceStatus[]): void {
    this.server.reportStatus(status);
  }

  /** The end-of-stream message, the last status, then --linger seconds of serving the last state. */
  async finish(updates: number, message: string): Promise<void> {
    this.server.publishEnd(undefined, updates, message);
    this.server.sendStatus();
    if (this.flags.linger > 0) {
      this.io.stderr(`synergy replay: the replay has ended; serving its last state for ${this.flags.linger} s\n`);
      await new Promise((resolve) => setTimeout(resolve, this.flags.linger * 1000));
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
