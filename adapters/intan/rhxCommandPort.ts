import type { Socket } from 'node:net';
import { ConnectionError } from '../../src/errors.ts';
import { connectTcp } from '../tcpConnection.ts';

/**
 * A client of the RHX command port ("Network → Remote TCP Control",
 * Commands tab; default port 5000): text commands, `;`-separated,
 * case-insensitive: `set <parameter> <value>`, `get <parameter>`,
 * `execute <action>` (GUI/Widgets/tcpdisplay.cpp, parseCommands).
 *
 * RHX answers only `get` commands and errors, as bare text with no line end
 * or other delimiter (Engine/Processing/commandparser.{h,cpp}): a `get`
 * answers `Return: <Parameter> <value>` (e.g. `Return: SampleRateHertz
 * 30000`, `Return: RunMode Stop`); an error is a sentence such as
 * `Unrecognized parameter` or `Error - Command 1: Unrecognized command`. A
 * `set` that worked answers nothing. So every batch of commands ends with
 * `get runmode`, whose `Return: RunMode …` marks the end of the batch's
 * answers: what came before it is the batch's returns and errors.
 *
 * RHX reads whatever has arrived and parses it as whole commands, so a
 * command cut in two by TCP would be misread: batches are kept short (under
 * 1000 bytes) and sent one at a time, each after the previous one answered.
 */
export interface RhxCommandReply {
  /** The run mode RHX reported at the end of the batch: Run, Record, Trigger or Stop. */
  runMode: string;
  /** Everything RHX answered before that (returns and error sentences). */
  text: string;
}

const RUN_MODE_RETURN = /Return: RunMode (Run|Record|Trigger|Stop)/i;
const MAX_BATCH_BYTES = 1000;

export class RhxCommandPort {
  private socket: Socket | undefined;
  private received = '';
  private waiter: (() => void) | undefined;
  private closed = false;
  /** Called once when the connection ends (by either side). */
  onClose: (() => void) | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly replyTimeoutMs = 5000,
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.closed;
  }

  /** Opens the connection; rejects with ConnectionError when it cannot. */
  async connect(): Promise<void> {
    const socket = await connectTcp(this.host, this.port, `RHX command port ${this.address}`);
    this.socket = socket;
    this.closed = false;
    this.received = '';
    socket.on('data', (data: Buffer) => {
      this.received += data.toString('latin1');
      this.waiter?.();
    });
    // 'close' follows, and says it.
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.closed = true;
      this.waiter?.();
      this.onClose?.();
    });
  }

  /**
   * Sends commands (without `;`) in short batches, each closed by `get
   * runmode`, and waits for each batch's answer. Rejects with
   * ConnectionError if the connection closes or RHX does not answer in time.
   */
  async send(commands: readonly string[]): Promise<RhxCommandReply> {
    const batches: string[][] = [[]];
    let size = 0;
    for (const command of commands) {
      if (size + command.length + 1 > MAX_BATCH_BYTES - 20 && batches.at(-1)!.length > 0) {
        batches.push([]);
        size = 0;
      }
      batches.at(-1)!.push(command);
      size += command.length + 1;
    }
    let text = '';
    let runMode = '';
    for (const batch of batches) {
      const reply = await this.batch([...batch, 'get runmode']);
      text += reply.text;
      runMode = reply.runMode;
    }
    return { runMode, text };
  }

  /** Writes `text` as is (no answer awaited), e.g. a last `set runmode stop` before closing. */
  write(text: string): void {
    if (this.connected) this.socket!.write(text, 'latin1');
  }

  close(): void {
    if (this.socket === undefined || this.closed) return;
    this.closed = true;
    this.socket.end();
  }

  private batch(commands: readonly string[]): Promise<RhxCommandReply> {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new ConnectionError(`RHX command port ${this.address} is not connected`));
        return;
      }
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ConnectionError(`RHX command port ${this.address}: no answer to "${commands.join(';')}" within ${this.replyTimeoutMs} ms`));
      }, this.replyTimeoutMs);
      const check = () => {
        const match = RUN_MODE_RETURN.exec(this.received);
        if (match !== null) {
          clearTimeout(timer);
          this.waiter = undefined;
          const text = this.received.slice(0, match.index);
          this.received = this.received.slice(match.index + match[0].length);
          resolve({ runMode: match[1], text });
        } else if (this.closed) {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(new ConnectionError(`RHX command port ${this.address} closed before answering "${commands.join(';')}"`));
        }
      };
      this.waiter = check;
      this.socket!.write(`${commands.join(';')};`, 'latin1');
      check();
    });
  }
}

/**
 * The sample rate in a `get sampleratehertz` answer (`Return: SampleRateHertz
 * 30000`), in Hz; undefined when the text holds none. RHX names its rates by
 * whole numbers: "3333" is 10000/3 Hz (Engine/Processing/systemstate.cpp).
 */
export function sampleRateFromReply(text: string): number | undefined {
  const match = /Return: SampleRateHertz (\d+(?:\.\d+)?)/i.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]);
  return value === 3333 ? 10000 / 3 : value;
}

/** The error sentences of a reply: its text without the `Return: …` answers we asked for. */
export function errorsInReply(text: string): string {
  return text.replace(/Return: SampleRateHertz \S+/gi, '').trim();
}
