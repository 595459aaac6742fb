import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_REFUSALS, refuseHttp, type HttpRefusal } from '../../src/server/httpRefusal.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const KINDS = Object.keys(HTTP_REFUSALS) as HttpRefusal[];

/** A server on 127.0.0.1, port 0, that refuses every request with the kind its path names. */
async function refusingServer(): Promise<string> {
  const server = createServer((request, response) => refuseHttp(response, request.url!.slice(1) as HttpRefusal, `refused: ${request.url!.slice(1)} ≠ ok`));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('refuseHttp: one function for every HTTP refusal', () => {
  it('maps each kind to its status: 400, 401, 404, 503', () => {
    expect(Object.fromEntries(KINDS.map((kind) => [kind, HTTP_REFUSALS[kind].status]))).toEqual({
      'bad-request': 400,
      unauthorized: 401,
      'not-found': 404,
      'too-many-connections': 503,
    });
  });

  it('answers a plain request with the status, the reason and the message as one line of UTF-8 text', async () => {
    const base = await refusingServer();
    for (const kind of KINDS) {
      const response = await fetch(`${base}/${kind}`);
      expect(response.status, kind).toBe(HTTP_REFUSALS[kind].status);
      expect(response.statusText).toBe(HTTP_REFUSALS[kind].reason);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text()).toBe(`refused: ${kind} ≠ ok\n`);
    }
  });

  it('answers an upgrade socket with a whole HTTP response and closes it', async () => {
    for (const kind of KINDS) {
      const socket = new PassThrough();
      let written = '';
      socket.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
      const ended = new Promise((resolve) => socket.once('end', resolve));
      refuseHttp(socket, kind, 'which limit was hit ≤ here');
      await ended;
      const { status, reason } = HTTP_REFUSALS[kind];
      const body = 'which limit was hit ≤ here\n';
      expect(written).toBe(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(socket.writableEnded).toBe(true);
    }
  });

  it('the Content-Length counts bytes, not characters, so a client reads the whole line', async () => {
    const server = createServer();
    servers.push(server);
    server.on('upgrade', (_request: IncomingMessage, socket) => refuseHttp(socket, 'unauthorized', 'jeton requis — ≠ 𝄞'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const raw = await new Promise<string>((resolve) => {
      const client = connect(port, '127.0.0.1', () => client.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
      let text = '';
      client.on('data', (chunk) => (text += chunk.toString('utf8')));
      client.on('close', () => resolve(text));
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(body).toBe('jeton requis — ≠ 𝄞\n');
    expect(Number(/Content-Length: (\d+)/.exec(head)![1])).toBe(Buffer.byteLength(body));
  });
});
