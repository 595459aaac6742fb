import { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Every HTTP refusal the server makes, plain requests and WebSocket upgrades
 * alike (docs/PROTOCOL.md, "Endpoints"): the kind, its status and reason.
 */
export const HTTP_REFUSALS = {
  /** The request target is not a path. */
  'bad-request': { status: 400, reason: 'Bad Request' },
  /** The server has a token and the request did not give it. */
  unauthorized: { status: 401, reason: 'Unauthorized' },
  /** No endpoint at that path (or no ingest on this server). */
  'not-found': { status: 404, reason: 'Not Found' },
  /** Past --max-connections or --max-subscribers, or the server is shutting down. */
  'too-many-connections': { status: 503, reason: 'Service Unavailable' },
} as const satisfies Record<string, { status: number; reason: string }>;

export type HttpRefusal = keyof typeof HTTP_REFUSALS;

/**
 * Refuses a request: the refusal's status line and a one-line text body
 * saying which rule or limit was hit. `to` is the response of a plain HTTP
 * request, or the raw socket of an upgrade request (then the socket is
 * closed and no WebSocket is opened).
 */
export function refuseHttp(to: ServerResponse | Duplex, refusal: HttpRefusal, message: string): void {
  const { status, reason } = HTTP_REFUSALS[refusal];
  const body = `${message}\n`;
  if (to instanceof ServerResponse) {
    to.writeHead(status, reason, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    to.end(body);
    return;
  }
  to.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
