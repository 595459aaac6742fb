import { el } from './dom.ts';
import type { EndMessage, RunHeader } from './protocol.ts';

export type ConnectionState = { kind: 'connecting' } | { kind: 'connected' } | { kind: 'retrying'; inMs: number; reason: string };

/** The analysis as the welcome describes it (its `analysis`, else the run header's options). */
export interface AnalysisSummary {
  bin?: number;
  window?: number;
  hop?: number;
  estimator?: string;
  surrogates?: number;
  alpha?: number;
}

/** The header: what runs (source, bins, window, hop, estimator, surrogates, alpha), the connection, and a banner when the stream ended. */
export class HeaderView {
  readonly element: HTMLElement;
  private readonly run = el('div', { class: 'run' });
  private readonly connection = el('span', { class: 'connection' });
  private readonly sourcePicker = el('select', { class: 'source-picker', title: 'the source shown' });
  readonly banner = el('div', { class: 'end-banner' });
  private readonly errorLine = el('div', { class: 'error-line' });

  constructor(onSource: (source: string) => void) {
    this.element = el('header', { class: 'page-header' }, el('div', { class: 'title-row' }, el('h1', { text: 'synergy-stream' }), this.sourcePicker, this.connection), this.run, this.banner, this.errorLine);
    this.sourcePicker.style.display = 'none';
    this.sourcePicker.addEventListener('change', () => onSource(this.sourcePicker.value));
    this.banner.style.display = 'none';
    this.errorLine.style.display = 'none';
  }

  showRun(run: RunHeader | null | undefined, analysis: AnalysisSummary): void {
    const parts = [
      run?.source === undefined ? null : `source ${run.source}${run.command ? ` (${run.command})` : ''}`,
      analysis.bin === undefined ? null : `${analysis.bin} s bins, ${analysis.window} s window, an update every ${analysis.hop} s`,
      analysis.estimator === undefined ? null : `${analysis.estimator}, ${analysis.surrogates ?? 0} surrogates`,
      analysis.alpha === undefined ? null : `α ${analysis.alpha}`,
    ];
    this.run.textContent = parts.filter((part) => part !== null).join(' · ') || 'waiting for the server…';
  }

  showConnection(state: ConnectionState): void {
    this.connection.className = `connection ${state.kind}`;
    this.connection.textContent =
      state.kind === 'connected' ? '● connected' : state.kind === 'connecting' ? '○ connecting…' : `○ disconnected (${state.reason}): retrying in ${Math.ceil(state.inMs / 1000)} s`;
  }

  showSources(sources: string[], current: string | null): void {
    this.sourcePicker.style.display = sources.length > 1 ? '' : 'none';
    if (sources.length <= 1) return;
    if ([...this.sourcePicker.options].map((option) => option.value).join('\n') !== sources.join('\n')) {
      this.sourcePicker.replaceChildren(...sources.map((source) => Object.assign(el('option', { text: source }), { value: source })));
    }
    this.sourcePicker.value = current ?? '';
  }

  showEnded(ended: EndMessage[]): void {
    this.banner.style.display = ended.length > 0 ? '' : 'none';
    this.banner.textContent = ended.map((end) => `End of stream${end.source ? ` (${end.source})` : ''}: ${end.message}`).join(' · ');
  }

  showError(message: string | undefined): void {
    this.errorLine.style.display = message === undefined ? 'none' : '';
    this.errorLine.textContent = message ?? '';
  }
}
