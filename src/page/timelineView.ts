import { contentWidth, el, formatSeconds, panel, sizeCanvas } from './dom.ts';
import type { ModeTimeline } from './modeTimeline.ts';

/** The behavioral mode over time: a strip colored by mode, with a legend. */
export class TimelineView {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', { class: 'timeline' });
  private readonly axis = el('div', { class: 'timeline-axis' });
  private readonly legend = el('div', { class: 'timeline-legend' });

  constructor() {
    const { element, body } = panel('Mode timeline', 'timeline-panel');
    this.element = element;
    body.append(this.canvas, this.axis, this.legend);
  }

  show(timeline: ModeTimeline): void {
    const segments = timeline.segments();
    const width = Math.max(200, contentWidth(this.element, 720));
    const height = 22;
    const context = sizeCanvas(this.canvas, width, height);
    context.clearRect(0, 0, width, height);
    if (segments.length === 0) {
      this.axis.textContent = 'No labeled time yet.';
      this.legend.replaceChildren();
      return;
    }
    const start = segments[0].start;
    const end = segments.at(-1)!.end;
    const span = Math.max(end - start, 1e-9);
    context.fillStyle = '#eee';
    context.fillRect(0, 0, width, height);
    for (const segment of segments) {
      const x0 = ((segment.start - start) / span) * width;
      const x1 = ((segment.end - start) / span) * width;
      context.fillStyle = timeline.colorOf(segment.label);
      context.fillRect(x0, 0, Math.max(x1 - x0, 0.5), height);
    }
    const firstExact = timeline.firstExactStart;
    const source =
      firstExact === undefined
        ? 'each hop: its mode with most labeled bins'
        : firstExact > start
          ? `to ${formatSeconds(firstExact)}: each hop's mode with most labeled bins; then the mode changes of the matrix frames`
          : 'the mode changes of the matrix frames';
    this.axis.replaceChildren(el('span', { text: formatSeconds(start) }), el('span', { text: source }), el('span', { text: formatSeconds(end) }));
    this.legend.replaceChildren(
      ...timeline.labels().map((label) => {
        const swatch = el('span', { class: 'swatch' });
        swatch.style.background = timeline.colorOf(label);
        return el('span', { class: 'legend-item' }, swatch, label);
      }),
    );
  }
}
