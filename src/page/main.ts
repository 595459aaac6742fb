import 'uplot/dist/uPlot.min.css';
import './page.css';
import { Subscriber, subscribeUrl } from './connection.ts';
import { Dashboard } from './dashboard.ts';
import type { SynergyPageHook } from './pageHook.ts';
import type { ServerMessage } from './protocol.ts';

/**
 * The page's entry (bundled by src/server/pageBundle.ts): the dashboard,
 * connected to this server's /subscribe, and a hook for tests and the
 * benchmark on `window.synergyPage` (docs/PAGE.md).
 */
const dashboard = new Dashboard();
document.body.append(dashboard.element);

const hook: SynergyPageHook = {
  state: dashboard.state,
  cellCenter: (a, b) => {
    // What is pending drawn, and the layout it makes read, so that the cell is where a click will find it.
    dashboard.flush();
    dashboard.matrixView.settle();
    return dashboard.matrixView.cellCenter(a, b);
  },
  redrawTimes: dashboard.matrixView.redrawTimes,
  feed: (message) => dashboard.handle(typeof message === 'string' ? (JSON.parse(message) as ServerMessage) : message),
  feedMatrix: (frame) => dashboard.handleFrame(frame),
  flush: () => dashboard.flush(),
  select: (a, b) => dashboard.select(a, b),
  setOrder: (kind) => dashboard.setOrder(kind),
  setScale: (kind) => dashboard.matrixView.setScale(kind),
  selectedSeries: () => dashboard.selectedSeries(),
  plottedPoints: () => dashboard.pairView.points,
};
window.synergyPage = hook;

const subscriber = new Subscriber(subscribeUrl(window.location), {
  onConnecting: () => dashboard.connection({ kind: 'connecting' }),
  onMessage: (message) => {
    if (message.type === 'welcome') dashboard.connection({ kind: 'connected' });
    dashboard.handle(message);
  },
  onFrame: (frame) => dashboard.handleFrame(frame),
  onRetry: (inMs, reason) => dashboard.connection({ kind: 'retrying', inMs, reason }),
});
subscriber.start();
