import { createServer, type AddressInfo } from 'node:net';
import type { LiveSource } from '../../adapters/liveSource.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SourceEvent } from '../../src/stream/events.ts';

/** A live source started with everything it reports recorded; `cleanups` gets its close. */
export function watchSource(source: LiveSource, statuses: string[], cleanups: Array<() => unknown>) {
  const alerts: AlertEvent[] = [];
  const events: SourceEvent[] = [];
  let failure: unknown;
  source.alerts.subscribe((alert) => alerts.push(alert));
  source.events.subscribe({ next: (event) => events.push(event), error: (error) => (failure = error) });
  cleanups.push(() => source.close());
  source.start();
  return {
    alerts,
    events,
    statuses,
    failure: () => failure,
    /** "retry n in …" status lines so far. */
    retries: () => statuses.filter((line) => / retry \d+ in \d+\.\d\d s$/.test(line)).length,
    alertsOf: (kind: string, state: 'raised' | 'cleared' = 'raised') => alerts.filter((alert) => alert.kind === kind && alert.state === state),
    gaps: () => events.filter((event) => event.kind === 'gap'),
  };
}

export type WatchedSource = ReturnType<typeof watchSource>;

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
