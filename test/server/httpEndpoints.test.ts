import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { routeUpgrade, type Endpoint, type UpgradeRules } from '../../src/server/httpEndpoints.ts';
import { SynergyServer } from '../../src/server/synergyServer.ts';

const servers: SynergyServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

function rules(overrides: Partial<UpgradeRules> = {}, open: Partial<Record<Endpoint, number>> = {}): UpgradeRules {
  return { ingest: true, closing: false, open: (endpoint) => open[endpoint] ?? 0, limit: () => 2, ...overrides };
}

describe('routeUpgrade: where an upgrade goes, or why it is refused', () => {
  it('routes the two endpoints, with or without a query', () => {
    expect(routeUpgrade(request('/ingest'), rules())).toEqual({ endpoint: 'ingest' });
    expect(routeUpgrade(request('/subscribe?x=1'), rules())).toEqual({ endpoint: 'subscribe' });
  });

  it('refuses a target that is no path (400) and a path with no endpoint (404); /ingest only where rigs may push', () => {
    expect(routeUpgrade(request('http://[::1/ingest'), rules())).toMatchObject({ refusal: 'bad-request', message: expect.stringMatching(/not a path/) });
    expect(routeUpgrade(request('/elsewhere'), rules())).toMatchObject({ refusal: 'not-found', message: expect.stringMatching(/the endpoints are \/ingest and \/subscribe$/) });
    expect(routeUpgrade(request('/ingest'), rules({ ingest: false }))).toMatchObject({ refusal: 'not-found', message: expect.stringMatching(/the endpoints are \/subscribe$/) });
  });

  it('asks for the token, in the header or the query (401)', () => {
    const withToken = rules({ token: 's3cret' });
    expect(routeUpgrade(request('/ingest'), withToken)).toMatchObject({ refusal: 'unauthorized' });
    expect(routeUpgrade(request('/ingest?token=wrong'), withToken)).toMatchObject({ refusal: 'unauthorized' });
    expect(routeUpgrade(request('/ingest', { authorization: 'Bearer s3cre' }), withToken)).toMatchObject({ refusal: 'unauthorized' });
    expect(routeUpgrade(request('/ingest', { authorization: 'Bearer s3cret' }), withToken)).toEqual({ endpoint: 'ingest' });
    expect(routeUpgrade(request('/subscribe?token=s3cret'), withToken)).toEqual({ endpoint: 'subscribe' });
  });

  it('refuses past the connection limit of each endpoint, and while shutting down (503)', () => {
    expect(routeUpgrade(request('/ingest'), rules({}, { ingest: 2 }))).toMatchObject({ refusal: 'too-many-connections', message: expect.stringMatching(/2 ingest connections are open.*--max-connections/) });
    expect(routeUpgrade(request('/subscribe'), rules({}, { ingest: 2, subscribe: 1 }))).toEqual({ endpoint: 'subscribe' });
    expect(routeUpgrade(request('/subscribe'), rules({}, { subscribe: 2 }))).toMatchObject({ message: expect.stringMatching(/--max-subscribers/) });
    expect(routeUpgrade(request('/subscribe'), rules({ closing: true }))).toMatchObject({ refusal: 'too-many-connections', message: 'the server is shutting down' });
  });

  it('checks the token before saying how full the server is: no one learns its load without it', () => {
    expect(routeUpgrade(request('/ingest'), rules({ token: 't' }, { ingest: 5 }))).toMatchObject({ refusal: 'unauthorized' });
  });
});

describe('the HTTP side of a real server', () => {
  it('refuses a plain request elsewhere than the page and GET /info with 404 and a line naming the endpoints', async () => {
    const server = await SynergyServer.start({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    expect(await fetch(`${base}/info`).then((response) => response.json())).toEqual({ name: 'synergy-stream', protocol: 1, ingest: '/ingest', subscribe: '/subscribe', page: '/' });
    for (const [method, path] of [['GET', '/nothing'], ['POST', '/'], ['GET', '/ingest'], ['GET', '/page.js.map']]) {
      const response = await fetch(`${base}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.text()).toBe('not found: the endpoints are GET / (the page), GET /info and /ingest and /subscribe (WebSocket)\n');
    }
  });

  it('a port already in use is a UsageError that names the address and what to do', async () => {
    const first = await SynergyServer.start({ host: '127.0.0.1', port: 0 });
    servers.push(first);
    const failure = await SynergyServer.start({ host: '127.0.0.1', port: first.port }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UsageError);
    expect(failure).toMatchObject({ code: 'CANNOT_LISTEN', exitStatus: 2 });
    expect((failure as Error).message).toBe(
      `cannot listen on 127.0.0.1:${first.port} (EADDRINUSE): the port is in use by another program: choose another port, or 0 for any free one`,
    );
  });
});
