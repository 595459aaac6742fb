import { el, formatSeconds, panel } from './dom.ts';
import type { AlertEvent, UnitId } from './protocol.ts';

/** Alerts shown at once (the log keeps more). */
const SHOWN = 200;

/**
 * The alerts, newest first, the past included (the history message): raised
 * and cleared styled apart, and a pair alert selects its pair when clicked.
 */
export class AlertsView {
  readonly element: HTMLElement;
  private readonly list = el('ol', { class: 'alerts' });
  private readonly caption = el('div', { class: 'caption' });

  constructor(private readonly onSelect: (a: UnitId, b: UnitId) => void) {
    const { element, body } = panel('Alerts', 'alerts-panel');
    this.element = element;
    body.append(this.caption, this.list);
  }

  show(newestFirst: AlertEvent[], total: number): void {
    this.caption.textContent = total === 0 ? 'No alerts yet.' : `${total} alert${total === 1 ? '' : 's'}${total > SHOWN ? `, the newest ${SHOWN} shown` : ''}.`;
    this.list.replaceChildren(
      ...newestFirst.slice(0, SHOWN).map((alert) => {
        const pair = alert.a !== undefined && alert.b !== undefined;
        const item = el(
          'li',
          { class: `alert ${alert.state} kind-${alert.kind}${pair ? ' pair' : ''}`, title: pair ? 'click to select the pair' : '' },
          el('span', { class: 'alert-t', text: `t ${formatSeconds(alert.t)}` }),
          el('span', { class: 'alert-kind', text: `${alert.state === 'raised' ? '▲' : '▽'} ${alert.kind}` }),
          alert.source === undefined ? null : el('span', { class: 'alert-source', text: alert.source }),
          el('span', { class: 'alert-message', text: alert.message }),
        );
        if (pair) {
          item.dataset.a = String(alert.a);
          item.dataset.b = String(alert.b);
          item.addEventListener('click', () => this.onSelect(alert.a!, alert.b!));
        }
        return item;
      }),
    );
  }
}
