import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether `redis-server` can be run here. The tests that need a real Redis
 * (test/cluster) are `describe.skipIf(!hasRedisServer)`, so the suite skips
 * them cleanly where it is absent; CI installs it (.ci/run).
 */
export const hasRedisServer: boolean = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Who may connect: the default user with a password (requirepass), or an ACL user (the default user is then switched off). */
export interface RedisServerOptions {
  password?: string;
  user?: { name: string; password: string };
}

/** A redis-server of a test's own, on 127.0.0.1, with nothing saved to disk. */
export interface RedisProcess {
  /** redis://[user:password@]127.0.0.1:port, with the credentials the server requires (percent-encoded). */
  readonly url: string;
  readonly port: number;
  /** SIGTERM, resolved once the process has exited (its folder removed). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, not a shutdown. Resolved once the process has exited. */
  kill(): Promise<void>;
  /** Stops the server and starts a fresh one on the same port, with empty data; resolved when it answers PING again. */
  restart(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 15_000;
const running = new Set<ChildProcess>();
// A test process that dies must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nobody listens on now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A command in RESP, as redis-cli would send it. */
function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** One PING over a fresh TCP connection (after AUTH when the server wants it): resolves true on +PONG, false on anything else. */
function answersPing(port: number, auth: string[] | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write((auth === undefined ? '' : resp('AUTH', ...auth)) + resp('PING')));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('+PONG\r\n')) done(true);
      else if (reply.includes('-')) done(false);
    });
  });
}

interface Launch {
  child: ChildProcess;
  folder: string;
  exited: Promise<void>;
  output: () => string;
}

function launch(port: number, options: RedisServerOptions): Launch {
  const folder = mkdtempSync(join(tmpdir(), 'synergy-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder, '--loglevel', 'warning'];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  if (options.user !== undefined) {
    if (options.password === undefined) args.push('--user', 'default', 'off');
    args.push('--user', options.user.name, 'on', `>${options.user.password}`, '~*', '&*', '+@all');
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      rmSync(folder, { recursive: true, force: true });
      resolve();
    }),
  );
  return { child, folder, exited, output: () => output };
}

/** Resolves once the server answers PING; rejects (naming its output) if it exits first or does not answer in time. */
async function ready(server: Launch, port: number, auth: string[] | undefined): Promise<void> {
  let exited = false;
  void server.exited.then(() => (exited = true));
  const started = Date.now();
  for (;;) {
    if (await answersPing(port, auth)) return;
    if (exited) throw new Error(`redis-server on port ${port} exited before answering PING: ${server.output()}`);
    if (Date.now() - started > STARTUP_TIMEOUT_MS) {
      server.child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within ${STARTUP_TIMEOUT_MS / 1000} s: ${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts `redis-server` on a free 127.0.0.1 port, in a temp folder, saving
 * nothing (`--save '' --appendonly no`); resolved when it answers PING. A
 * port taken between the pick and the bind is retried with another.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisProcess> {
  const auth = options.user !== undefined ? [options.user.name, options.user.password] : options.password !== undefined ? [options.password] : undefined;
  const credentials =
    options.user !== undefined
      ? `${encodeURIComponent(options.user.name)}:${encodeURIComponent(options.user.password)}@`
      : options.password !== undefined
        ? `:${encodeURIComponent(options.password)}@`
        : '';

  const startOn = async (port: number): Promise<Launch> => {
    const server = launch(port, options);
    await ready(server, port, auth);
    return server;
  };

  let port = 0;
  let server: Launch | undefined;
  for (let attempt = 1; server === undefined; attempt++) {
    port = await freePort();
    try {
      server = await startOn(port);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/i.test(String(error))) throw error;
    }
  }

  let current: Launch = server;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
    await current.exited;
  };
  return {
    url: `redis://${credentials}127.0.0.1:${port}`,
    port,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGTERM');
      current = await startOn(port);
    },
  };
}
