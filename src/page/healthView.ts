import { el, formatSeconds, panel } from './dom.ts';
import type { SynergyUpdate } from './protocol.ts';
import { sourceState, type SourceHealthRow } from './sourceHealth.ts';

/** The sources' health (status messages) and what the analysis dropped (the latest update). */
export class HealthView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    const { element, body } = panel('Source health', 'health-panel');
    this.element = element;
    this.body = body;
  }

  show(rows: SourceHealthRow[], latest: SynergyUpdate | undefined, conflated: number): void {
    const children: HTMLElement[] = [];
    if (rows.length === 0) children.push(el('div', { class: 'caption', text: 'No status yet.' }));
    else {
      const header = el('tr', null, ...['source', 'state', 'spikes/s', 'messages', 'missing', 'rejected', 'latest', 'progress'].map((text) => el('th', { text })));
      const body = el('tbody');
      for (const row of rows) {
        const state = sourceState(row);
        const progress = el('td');
        if (row.progress !== undefined) {
          const bar = el('progress');
          bar.max = 1;
          bar.value = row.progress;
          progress.append(bar, ` ${(row.progress * 100).toFixed(0)} %`);
        }
        body.append(
          el(
            'tr',
            { class: `source-${state}` },
            el('td', { text: row.name }),
            el('td', { class: `state state-${state}`, text: state }),
            el('td', { class: 'number', text: row.spikesPerSecond === null ? '–' : row.spikesPerSecond.toFixed(0) }),
            el('td', { class: 'number', text: String(row.messages) }),
            el('td', { class: `number${row.missing > 0 ? ' warn' : ''}`, text: String(row.missing) }),
            el('td', { class: `number${row.rejected > 0 ? ' warn' : ''}`, text: String(row.rejected) }),
            el('td', { class: 'number', text: formatSeconds(row.latestTime) }),
            progress,
          ),
        );
      }
      children.push(el('table', { class: 'health-table' }, el('thead', null, header), body));
    }
    const dropped = latest?.dropped;
    const parts = [
      dropped === undefined ? null : `dropped: ${dropped.unlabeled} unlabeled bins in the window, ${dropped.late} late spikes since the start`,
      conflated > 0 ? `${conflated} updates conflated for this page (it was too slow)` : null,
    ].filter((part): part is string => part !== null);
    if (parts.length > 0) children.push(el('div', { class: 'caption', text: parts.join(' · ') }));
    this.body.replaceChildren(...children);
  }
}
