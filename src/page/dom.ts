/** A small element builder: tag, class, text and children, so that views read as their markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; text?: string; title?: string } | null = null, ...children: Array<Node | string | null | undefined>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props?.class) element.className = props.class;
  if (props?.text !== undefined) element.textContent = props.text;
  if (props?.title !== undefined) element.title = props.title;
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

/** A panel: a titled section whose body the view fills. */
export function panel(title: string, className: string): { element: HTMLElement; body: HTMLElement; heading: HTMLElement } {
  const heading = el('h2', { text: title });
  const body = el('div', { class: 'panel-body' });
  const element = el('section', { class: `panel ${className}` }, heading, body);
  return { element, body, heading };
}

/** Bits with a sign, to 3 decimals (4 when small). */
export function formatBits(bits: number | null | undefined): string {
  if (bits === null || bits === undefined || !Number.isFinite(bits)) return '–';
  const digits = Math.abs(bits) < 0.01 ? 4 : 3;
  return `${bits >= 0 ? '+' : ''}${bits.toFixed(digits)}`;
}

/** A p-value: 2 significant digits, exponent form when small. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  return p >= 0.001 ? p.toPrecision(2) : p.toExponential(1);
}

/** Seconds of stream time. */
export function formatSeconds(t: number | null | undefined): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return '–';
  return Math.abs(t) >= 100 ? `${t.toFixed(0)} s` : `${t.toFixed(1)} s`;
}

/** A canvas sized for the device's pixels, drawn in CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, widthCss: number, heightCss: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const [width, height] = [Math.max(1, Math.round(widthCss * ratio)), Math.max(1, Math.round(heightCss * ratio))];
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${widthCss}px`;
    canvas.style.height = `${heightCss}px`;
  }
  const context = canvas.getContext('2d')!;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

const widths = new WeakMap<Element, number>();
const resizeListeners = new Set<() => void>();
let observer: ResizeObserver | undefined;

/**
 * An element's content width (CSS pixels, padding excluded), kept up to date
 * by a ResizeObserver: drawing reads no layout, since a layout read after
 * the DOM changed forces one, and at 1,024 units the matrix redraw would pay
 * for the tables rebuilt before it. `fallback` until the first observation.
 */
export function contentWidth(element: Element, fallback: number): number {
  observer ??= new ResizeObserver((entries) => {
    let changed = false;
    for (const entry of entries) {
      if (widths.get(entry.target) !== entry.contentRect.width) {
        widths.set(entry.target, entry.contentRect.width);
        changed = true;
      }
    }
    if (changed) for (const listener of resizeListeners) listener();
  });
  if (!widths.has(element)) {
    widths.set(element, fallback);
    observer.observe(element);
  }
  return widths.get(element)!;
}

/**
 * Reads an element's content width from the layout now (a layout read: for
 * the test hook, not for drawing) and records it; true when it differs from
 * what contentWidth had (a ResizeObserver report still to come).
 */
export function measureWidthNow(element: Element): boolean {
  const style = getComputedStyle(element);
  const width = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const changed = widths.get(element) !== width;
  widths.set(element, width);
  return changed;
}

/** Called when an element measured by contentWidth changes width. */
export function onWidthChange(listener: () => void): void {
  resizeListeners.add(listener);
}
