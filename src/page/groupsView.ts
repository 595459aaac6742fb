import { el, formatBits, formatP, panel } from './dom.ts';
import type { SynergyUpdate } from './protocol.ts';

type Cell = string | number | null | undefined;

function table(headers: string[], rows: Cell[][]): HTMLTableElement {
  return el(
    'table',
    { class: 'groups-table' },
    el('thead', null, el('tr', null, ...headers.map((text) => el('th', { text })))),
    el('tbody', null, ...rows.map((row) => el('tr', null, ...row.map((cell) => el('td', { class: typeof cell === 'number' ? 'number' : '', text: cell === null || cell === undefined ? '–' : String(cell) }))))),
  );
}

/**
 * Groups, sub-networks and regions compared, each a panel of its own shown
 * only when the latest update carries it (`--groups`, `--subnetworks`).
 */
export class GroupsView {
  readonly groups = panel('Groups', 'groups-panel');
  readonly subnetworks = panel('Sub-networks', 'subnetworks-panel');
  readonly regions = panel('Regions compared', 'regions-panel');
  readonly elements = [this.groups.element, this.subnetworks.element, this.regions.element];

  constructor() {
    for (const element of this.elements) element.style.display = 'none';
  }

  show(update: SynergyUpdate | undefined): void {
    const groups = update?.groups ?? [];
    this.groups.element.style.display = groups.length > 0 ? '' : 'none';
    if (groups.length > 0) {
      this.groups.body.replaceChildren(
        table(
          ['group', 'units', 'Ω (oinfo)', 'TC', 'DTC', 'synergy', '∂_YΩ', 'p (synergy)'],
          groups.map((group) => [group.name, Array.isArray(group.units) ? group.units.length : group.units, formatBits(group.oinfo), formatBits(group.tc), formatBits(group.dtc), formatBits(group.synergy), formatBits(group.doinfo_y), formatP(group.p?.synergy)]),
        ),
        el('div', { class: 'caption', text: 'bits; Ω < 0: synergy-dominated' }),
      );
    }
    const subnetworks = update?.subnetworks ?? [];
    this.subnetworks.element.style.display = subnetworks.length > 0 ? '' : 'none';
    if (subnetworks.length > 0) {
      this.subnetworks.body.replaceChildren(
        table(
          ['id', 'units', 'order', 'Ω (oinfo)', '∂_YΩ', 'p'],
          subnetworks.map((network) => [network.id, network.units.join(', '), network.order, formatBits(network.oinfo), formatBits(network.doinfo_y), formatP(network.p)]),
        ),
      );
    }
    const regions = update?.regions ?? [];
    this.regions.element.style.display = regions.length > 0 ? '' : 'none';
    if (regions.length > 0) {
      this.regions.body.replaceChildren(
        table(['a vs b', 'difference (bits)', 'p'], regions.map((region) => [`${region.a} vs ${region.b}`, formatBits(region.difference), formatP(region.p)])),
        el('div', { class: 'caption', text: 'mean pair synergy inside a minus inside b, with its permutation p' }),
      );
    }
  }
}
