import { Redis, type RedisOptions } from 'ioredis';
import { Subject, type Observable } from 'rxjs';
import { ConnectionError, UsageError } from '../errors.ts';
import { retryDelayMs, type ReconnectPolicy } from '../live/reconnectPolicy.ts';

/**
 * The Redis connection of a scaled-out run's coordinator or worker: an
 * ioredis client from a redis:// or rediss:// URL, kept alive through
 * outages, that reports each outage (`links`: down, then up with the gap) so
 * that the coordinator can say Redis was away and for how long.
 *
 * Commands issued while Redis is away wait for it (ioredis' offline queue,
 * no cap on retries per command), and a command in flight when the
 * connection dropped is sent again once it is back; they fail only when the
 * connection is closed or gives up. What cannot get better by retrying is an
 * error at once: a URL that cannot be parsed (UsageError REDIS_URL), a
 * refused AUTH or a database that does not exist (UsageError REDIS_AUTH,
 * REDIS_URL), and then reconnecting stops.
 */

/**
 * A change of the link to Redis: it went down (at `at`, ms since the epoch),
 * came back up after `gapMs`, or is given up for good (`error` says why:
 * refused credentials, reconnect attempts exhausted) — the last event.
 */
export type RedisLinkEvent =
  | { kind: 'down'; at: number; reason: string | undefined }
  | { kind: 'up'; at: number; downAt: number; gapMs: number }
  | { kind: 'gave-up'; at: number; error: Error };

/** Where a URL points: what ioredis is given, the credentials as the URL gave them (percent-decoded). */
export interface RedisAddress {
  host: string;
  port: number;
  /** ACL user; absent: the default user. */
  username?: string;
  password?: string;
  db: number;
  /** rediss://: TLS, with the host as the server name. */
  tls: boolean;
}

/** How a connection reconnects, names itself and keeps time. */
export interface RedisConnectionOptions {
  /** Backoff between attempts to reconnect (full jitter); maxAttempts in a row may fail before giving up. Default: 50 ms doubling to 2 s, never giving up. */
  reconnect?: ReconnectPolicy;
  /** How long the first connection may take, ms (default 10 s): past it, openRedis rejects with ConnectionError. */
  connectTimeoutMs?: number;
  /** The connection's name in CLIENT LIST. */
  name?: string;
  /** The clock of the down/up events, ms since the epoch (default Date.now). */
  now?: () => number;
}

/** Reconnect soon (a restarting Redis is back in well under a second), then back off to 2 s, never giving up. */
export const DEFAULT_REDIS_RECONNECT: ReconnectPolicy = { initialMs: 50, maxMs: 2_000, maxAttempts: Infinity };

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const URL_FORM = 'redis://[user:password@]host[:port][/db] or rediss://…';

/** The URL with its password replaced by ***, for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/**
 * Where a redis:// or rediss:// URL points. Throws UsageError (code
 * REDIS_URL, naming the URL without its password) for anything else: another
 * scheme, no host, a port or database that is not a whole number in range,
 * or a query string (options are not taken from the URL).
 */
export function parseRedisUrl(url: string): RedisAddress {
  const shown = redactRedisUrl(url);
  const refuse = (why: string): never => {
    throw new UsageError(`Redis URL ${shown}: ${why} (expected ${URL_FORM})`, 'REDIS_URL');
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') refuse(`scheme ${parsed.protocol} is not redis: or rediss:`);
  if (parsed.hostname === '') refuse('no host');
  if (parsed.search !== '' || parsed.hash !== '') refuse('a query string or fragment is not supported');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) refuse(`port ${parsed.port} is not from 1 to 65535`);
  const path = parsed.pathname;
  let db = 0;
  if (path !== '' && path !== '/') {
    if (!/^\/\d{1,9}$/.test(path)) refuse(`database ${path.slice(1)} is not a whole number`);
    db = Number(path.slice(1));
  }
  const decode = (part: string, what: string): string | undefined => {
    if (part === '') return undefined;
    try {
      return decodeURIComponent(part);
    } catch {
      return refuse(`the ${what} is not percent-encoded correctly`);
    }
  };
  const address: RedisAddress = { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port, db, tls: parsed.protocol === 'rediss:' };
  const username = decode(parsed.username, 'user');
  const password = decode(parsed.password, 'password');
  if (username !== undefined) address.username = username;
  if (password !== undefined) address.password = password;
  return address;
}

/** Errors of the handshake that retrying cannot mend: credentials refused, a user without the rights to connect, a database out of range. */
function unrecoverable(error: Error, shown: string): UsageError | undefined {
  const message = error.message ?? '';
  if (/^(WRONGPASS|NOAUTH|NOPERM)\b|^ERR invalid (username-)?password/.test(message)) return new UsageError(`Redis at ${shown} refused the connection's credentials: ${message}`, 'REDIS_AUTH');
  if (/DB index is out of range/i.test(message)) return new UsageError(`Redis at ${shown} has no database ${/\/(\d+)$/.exec(shown)?.[1] ?? ''}: ${message}`, 'REDIS_URL');
  return undefined;
}

/**
 * One connection to Redis (an ioredis client, `client`), with its outages
 * reported on `links`. Made by openRedis (resolved once ready) or
 * duplicate() (another connection to the same place: a blocking read needs
 * a connection of its own, as it holds the one it runs on).
 */
export class RedisConnection {
  /** The ioredis client: commands go here. */
  readonly client: Redis;
  /** The URL without its password, for messages. */
  readonly url: string;
  private readonly linkSubject = new Subject<RedisLinkEvent>();
  /** down when an established link is lost, up (with the gap) when it is back, gave-up when reconnecting stops; completes after gave-up and on close(). */
  readonly links: Observable<RedisLinkEvent> = this.linkSubject.asObservable();
  private readonly now: () => number;
  private readonly ready: Promise<void>;
  private isUp = false;
  private everUp = false;
  private downAt: number | undefined;
  private lastError: Error | undefined;
  private fatal: Error | undefined;
  private closing = false;
  private outageCount = 0;
  /** Settles the first connection (resolve, or reject with the error); later calls do nothing. */
  private settleFirst: (error?: Error) => void = () => {};

  private constructor(
    private readonly address: RedisAddress,
    private readonly options: RedisConnectionOptions,
    url: string,
  ) {
    this.url = url;
    this.now = options.now ?? Date.now;
    const policy = options.reconnect ?? DEFAULT_REDIS_RECONNECT;
    const redisOptions: RedisOptions = {
      host: address.host,
      port: address.port,
      username: address.username,
      password: address.password,
      db: address.db,
      tls: address.tls ? { servername: address.host } : undefined,
      connectionName: options.name,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => (this.fatal !== undefined || this.closing || attempt > policy.maxAttempts ? null : retryDelayMs(policy, attempt)),
      lazyConnect: true,
    };
    this.client = new Redis(redisOptions);
    this.ready = new Promise<void>((resolve, reject) => {
      const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const timer = setTimeout(() => {
        const last = this.lastError === undefined ? '' : ` (last error: ${this.lastError.message})`;
        this.giveUp(new ConnectionError(`Redis at ${url} did not answer within ${(timeoutMs / 1000).toFixed(1)} s${last}`));
      }, timeoutMs);
      this.settleFirst = (error) => {
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    this.client.on('error', (error: Error) => {
      this.lastError = error;
      const fatal = unrecoverable(error, url);
      if (fatal !== undefined) this.giveUp(fatal);
    });
    this.client.on('ready', () => this.onReady());
    this.client.on('close', () => this.onClose());
    this.client.on('end', () => this.onEnd());
    this.client.connect().catch(() => {
      // Reported through 'error' and 'end' above; the first connection's outcome is `ready`.
    });
  }

  /** Opens a connection and resolves once it is ready (see openRedis). */
  static async open(address: RedisAddress, options: RedisConnectionOptions, url: string): Promise<RedisConnection> {
    const connection = new RedisConnection(address, options, url);
    await connection.ready;
    return connection;
  }

  /** Whether the link is up now. */
  get up(): boolean {
    return this.isUp;
  }

  /** Outages so far (down events). */
  get outages(): number {
    return this.outageCount;
  }

  /** Another connection to the same Redis with the same options, resolved once ready. */
  duplicate(name = this.options.name): Promise<RedisConnection> {
    return RedisConnection.open(this.address, { ...this.options, name }, this.url);
  }

  /**
   * Closes the connection at once: commands still waiting are rejected
   * (await them first), `links` completes. Resolved when the socket is
   * closed; calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.client.status === 'end') {
      this.linkSubject.complete();
      return;
    }
    const ended = new Promise<void>((resolve) => this.client.once('end', () => resolve()));
    this.client.disconnect();
    await ended;
  }

  private onReady(): void {
    if (this.fatal !== undefined) return;
    this.isUp = true;
    this.lastError = undefined;
    if (!this.everUp) {
      this.everUp = true;
      this.settleFirst();
      return;
    }
    if (this.downAt !== undefined) {
      const at = this.now();
      const downAt = this.downAt;
      this.downAt = undefined;
      this.linkSubject.next({ kind: 'up', at, downAt, gapMs: at - downAt });
    }
  }

  private onClose(): void {
    if (!this.isUp) return;
    this.isUp = false;
    if (this.closing) return;
    this.downAt = this.now();
    this.outageCount++;
    this.linkSubject.next({ kind: 'down', at: this.downAt, reason: this.lastError?.message });
  }

  private onEnd(): void {
    this.isUp = false;
    if (this.closing && this.fatal === undefined) {
      this.linkSubject.complete();
      return;
    }
    const error = this.fatal ?? new ConnectionError(`gave up reconnecting to Redis at ${this.url}${this.lastError === undefined ? '' : ` (last error: ${this.lastError.message})`}`);
    this.fatal = error;
    this.settleFirst(error);
    if (this.everUp) this.linkSubject.next({ kind: 'gave-up', at: this.now(), error });
    this.linkSubject.complete();
  }

  /** Stops reconnecting for good: the first connection (if pending) rejects with `error`, `links` errors with it. */
  private giveUp(error: Error): void {
    if (this.fatal !== undefined || this.closing) return;
    this.fatal = error;
    this.settleFirst(error);
    // Retries stop (retryStrategy sees `fatal`); end the current attempt too.
    if (this.client.status !== 'end') this.client.disconnect();
  }
}

/**
 * A connection to the Redis at `url` (redis:// or rediss://, with an ACL user
 * and password and a database as the URL gives them), resolved once it
 * answers. Rejects with UsageError for a URL it cannot use or credentials
 * Redis refuses, with ConnectionError when Redis does not answer within
 * connectTimeoutMs. Once open, the connection reconnects after every outage
 * (backoff per `reconnect`), reporting it on `links`.
 */
export async function openRedis(url: string, options: RedisConnectionOptions = {}): Promise<RedisConnection> {
  return RedisConnection.open(parseRedisUrl(url), options, redactRedisUrl(url));
}
