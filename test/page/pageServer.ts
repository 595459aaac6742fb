import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { buildPage } from '../../src/server/pageBundle.ts';
import type { AlertEvent, EndMessage, RunHeader, SynergyUpdate } from '../../src/page/protocol.ts';

/**
 * A small server that speaks the page's side of the protocol: it serves the
 * page (buildPage's assets) at `/`, and at `/subscribe` sends the welcome,
 * answers the subscribe with `subscribed` and a `history` of what it sent
 * before, then whatever the test sends. It stands in for synergy's server in
 * the browser tests and the benchmark, so that they need no analysis.
 */
export class PageProtocolServer {
  /** Subscribe requests received, with the URL each connection asked for. */
  readonly requests: Array<{ url: string; message: unknown }> = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly past = { alerts: [] as AlertEvent[], updates: [] as SynergyUpdate[], ended: [] as EndMessage[] };
  connections = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly welcome: () => object,
  ) {}

  static async start(run: RunHeader, analysis: Record<string, unknown> = { bin: 0.02, window: 30, hop: 1, estimator: 'jackknife', surrogates: 99, levels: 3 }): Promise<PageProtocolServer> {
    const assets = await buildPage();
    const http = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      const file = path === '/' ? ['text/html', assets.html] : path === '/page.js' ? ['text/javascript', assets.js] : path === '/page.css' ? ['text/css', assets.css] : undefined;
      if (file === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': `${file[0]}; charset=utf-8`, 'cache-control': 'no-cache' }).end(file[1]);
    });
    const wss = new WebSocketServer({ server: http, path: '/subscribe' });
    const server = new PageProtocolServer(http, wss, () => ({ type: 'welcome', protocol: 1, topics: ['synergy', 'alerts', 'matrix', 'status'], analysis, run }));
    wss.on('connection', (socket, request) => server.accept(socket, request.url ?? ''));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** The page's address (`query`: e.g. "?token=T"). */
  url(query = ''): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/${query}`;
  }

  /** Subscribed pages now. */
  get subscribers(): number {
    return this.sockets.size;
  }

  /** A message to every subscribed page; updates, alerts and ends are kept for the history of pages that come later. */
  send(message: SynergyUpdate | AlertEvent | EndMessage | object): void {
    const typed = message as { type: string };
    if (typed.type === 'synergy') this.past.updates.push(message as SynergyUpdate);
    if (typed.type === 'alert') this.past.alerts.push(message as AlertEvent);
    if (typed.type === 'end') this.past.ended.push(message as EndMessage);
    const text = JSON.stringify(message);
    for (const socket of this.sockets) socket.send(text);
  }

  /** A binary matrix frame to every subscribed page. */
  sendFrame(frame: ArrayBuffer): void {
    for (const socket of this.sockets) socket.send(new Uint8Array(frame));
  }

  /** Closes every subscriber's connection (the page should come back). */
  dropSubscribers(): void {
    for (const socket of this.sockets) socket.close(1001, 'going away');
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private accept(socket: WebSocket, url: string): void {
    this.connections++;
    socket.send(JSON.stringify(this.welcome()));
    socket.on('message', (data, binary) => {
      if (binary) return;
      const message = JSON.parse(String(data)) as { type?: string; topics?: string[]; top?: number; history?: boolean };
      this.requests.push({ url, message });
      if (message.type !== 'subscribe') return;
      socket.send(JSON.stringify({ type: 'subscribed', topics: message.topics, top: message.top ?? null, history: message.history === true }));
      if (message.history) socket.send(JSON.stringify({ type: 'history', ...this.past }));
      this.sockets.add(socket);
    });
    socket.on('close', () => this.sockets.delete(socket));
  }
}
