import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { PROTOCOL_VERSION } from '../live/ingestMessages.ts';
import { refuseHttp, type HttpRefusal } from './httpRefusal.ts';
import type { PageAssets } from './pageBundle.ts';
import { listenError } from './listenError.ts';

/**
 * The server's HTTP side (docs/PROTOCOL.md, "Endpoints"): `GET /` is the
 * page, `GET /info` describes the endpoints, every other plain request is
 * refused with 404, and each
 * WebSocket upgrade is routed to `/ingest` or `/subscribe`, or refused
 * (bad target, no such endpoint, no token, too many connections) before a
 * WebSocket is opened.
 */

export type Endpoint = 'ingest' | 'subscribe';

/** Where an upgrade request goes: an endpoint, or a refusal with the line that says why. */
export type UpgradeRoute = { endpoint: Endpoint } | { refusal: HttpRefusal; message: string };

/** What routing an upgrade depends on. */
export interface UpgradeRules {
  /** /ingest exists (serve); elsewhere it answers 404. */
  ingest: boolean;
  /** When set, both endpoints require it. */
  token?: string;
  /** The server is shutting down: nothing new is opened. */
  closing: boolean;
  /** Connections open now at an endpoint, and the most it takes. */
  open(endpoint: Endpoint): number;
  limit(endpoint: Endpoint): number;
}

/**
 * The HTTP server: `GET /` is the page (docs/PAGE.md), with `/page.js` and
 * `/page.css`; `GET /info` (or `GET /` asking for JSON only) describes the
 * endpoints; any other plain request is refused. The page holds no data:
 * what it shows comes through /subscribe, which checks the token.
 */
export function createHttpEndpoints(ingest: boolean, page?: () => Promise<PageAssets>): Server {
  const info = () => `${JSON.stringify({ name: 'synergy-stream', protocol: PROTOCOL_VERSION, ingest: ingest ? '/ingest' : null, subscribe: '/subscribe', page: page === undefined ? null : '/' })}\n`;
  return createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET') {
      refuseHttp(response, 'not-found', notFound(page !== undefined));
      return;
    }
    if (path === '/favicon.ico' && page !== undefined) {
      // Browsers ask for it; the page has none (and no 404 in its console).
      response.writeHead(204);
      response.end();
      return;
    }
    const accept = request.headers.accept ?? '';
    const wantsJson = path === '/info' || (path === '/' && accept.includes('application/json') && !accept.includes('text/html'));
    if (wantsJson || (path === '/' && page === undefined)) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(info());
      return;
    }
    const asset = page === undefined ? undefined : ({ '/': ['html', 'text/html; charset=utf-8'], '/page.js': ['js', 'text/javascript; charset=utf-8'], '/page.css': ['css', 'text/css; charset=utf-8'] } as const)[path as '/'];
    if (asset === undefined || page === undefined) {
      refuseHttp(response, 'not-found', notFound(page !== undefined));
      return;
    }
    page().then(
      (assets) => {
        response.writeHead(200, { 'content-type': asset[1], 'cache-control': 'no-cache' });
        response.end(assets[asset[0]]);
      },
      (error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`the page could not be built: ${error.message}\n`);
      },
    );
  });
}

function notFound(page: boolean): string {
  return `not found: the endpoints are ${page ? 'GET / (the page), ' : ''}GET /info and /ingest and /subscribe (WebSocket)`;
}

/** Listens on host:port; a port or address that cannot be used is a UsageError (listenError). */
export async function listenHttp(http: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const refused = (error: Error) => reject(listenError(error, host, port));
    http.once('error', refused);
    http.listen(port, host, () => {
      http.off('error', refused);
      resolve();
    });
  });
  // After listening, a failing accept (too many open files) must not end the process.
  http.on('error', () => {});
}

/** Routes an upgrade request, checking in order: the target, the path, the token, shutdown, the connection limit. */
export function routeUpgrade(request: IncomingMessage, rules: UpgradeRules): UpgradeRoute {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return { refusal: 'bad-request', message: `the request target is not a path: ${JSON.stringify((request.url ?? '').slice(0, 80))}` };
  }
  const endpoint: Endpoint | undefined = url.pathname === '/ingest' && rules.ingest ? 'ingest' : url.pathname === '/subscribe' ? 'subscribe' : undefined;
  if (endpoint === undefined) {
    return { refusal: 'not-found', message: `no WebSocket endpoint at ${JSON.stringify(url.pathname.slice(0, 80))}: the endpoints are ${rules.ingest ? '/ingest and ' : ''}/subscribe` };
  }
  if (rules.token !== undefined && !givesToken(request, url, rules.token)) {
    return { refusal: 'unauthorized', message: 'a token is required: Authorization: Bearer <token> or ?token=<token>' };
  }
  if (rules.closing) return { refusal: 'too-many-connections', message: 'the server is shutting down' };
  const open = rules.open(endpoint);
  if (open >= rules.limit(endpoint)) {
    const ingest = endpoint === 'ingest';
    return {
      refusal: 'too-many-connections',
      message: `${open} ${ingest ? 'ingest connections' : 'subscribers'} are open, the most this server accepts (--max-${ingest ? 'connections' : 'subscribers'})`,
    };
  }
  return { endpoint };
}

/** Whether the request carries the token, as `Authorization: Bearer T` or `?token=T` (compared in constant time). */
function givesToken(request: IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token') ?? '';
  const expected = Buffer.from(token);
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
