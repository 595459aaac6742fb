import type { Duplex } from 'node:stream';

/** HTTP refusals of a WebSocket upgrade, each with the status and a line saying which limit or rule was hit. */
export const UPGRADE_REFUSALS = {
  'bad-request': { status: 400, reason: 'Bad Request' },
  unauthorized: { status: 401, reason: 'Unauthorized' },
  'not-found': { status: 404, reason: 'Not Found' },
  'too-many-connections': { status: 503, reason: 'Service Unavailable' },
} as const;

export type UpgradeRefusal = keyof typeof UPGRADE_REFUSALS;

/** Answers an upgrade request with an HTTP refusal and closes the socket (no WebSocket is opened). */
export function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal, message: string): void {
  const { status, reason } = UPGRADE_REFUSALS[refusal];
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
