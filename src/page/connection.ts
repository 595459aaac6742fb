import { SUBSCRIBE_REQUEST, type ServerMessage } from './protocol.ts';

/** Waits before reconnecting, ms: doubling from half a second to ten. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];

export interface SubscriberHandlers {
  onConnecting(): void;
  onMessage(message: ServerMessage): void;
  onFrame(frame: ArrayBuffer): void;
  onRetry(inMs: number, reason: string): void;
}

/** The page's subscribe URL: same host, ws or wss as the page, and the page's own `?token=`. */
export function subscribeUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/subscribe${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/**
 * A subscriber that stays connected: it subscribes on open (every topic, the
 * top 50, the history), hands text messages on parsed and binary ones as
 * ArrayBuffers, and reconnects with backoff when the connection closes,
 * the backoff starting again once a welcome arrives.
 */
export class Subscriber {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: SubscriberHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.socket?.close();
  }

  private connect(): void {
    this.handlers.onConnecting();
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => socket.send(JSON.stringify(SUBSCRIBE_REQUEST)));
    socket.addEventListener('message', (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) {
        this.handlers.onFrame(event.data);
        return;
      }
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data as string) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'welcome') this.attempt = 0;
      this.handlers.onMessage(message);
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (this.stopped || this.socket !== socket) return;
      const wait = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
      this.handlers.onRetry(wait, event.reason || (event.code === 1006 ? 'no connection' : `closed, code ${event.code}`));
      this.timer = window.setTimeout(() => this.connect(), wait);
    });
  }
}
