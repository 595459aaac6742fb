/**
 * The page's redraw benchmark (`npm run bench:page [-- --json] [--units N] [--redraws N]`):
 * the dashboard in headless chromium, fed a synthetic 1,024-unit run through
 * its test hook — one update (top 50) and one matrix frame (523,776 pairs,
 * encoded per the contract) per step, a pair selected so that its series
 * plot redraws too. It reports
 *
 * - `redraw`: the matrix redraw alone (the page's own redrawTimes: fill the
 *   U × U ImageData, putImageData, scale onto the canvas, outline the
 *   significant pairs), target under 50 ms;
 * - `update`: the whole handling of one step (parse and decode, histories,
 *   every panel redrawn), measured around feed + feedMatrix + flush;
 * - `recluster`: choosing the clustering order (greedy chain seriation).
 *
 * Each as median, p95 and max over the redraws (at least 50). Needs
 * /usr/bin/chromium.
 */
import { launchChromium, hasChromium, CHROMIUM_PATH } from '../test/helpers/chromium.ts';
import { DEMO_PLANT, RUN, synergyOf, updateAt, type Planted } from '../test/page/pageFixtures.ts';
import { PageProtocolServer } from '../test/page/pageServer.ts';
import { pairIndex } from '../src/page/pairIndex.ts';
// The type of window.synergyPage, for the functions run in the page.
import type {} from '../src/page/pageHook.ts';

const json = process.argv.includes('--json');
const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const UNITS = option('--units', 1024);
const REDRAWS = Math.max(50, option('--redraws', 60));
const WARMUP = 5;

function report(result: Record<string, unknown>): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const { name, ...rest } = result;
    process.stdout.write(`${String(name).padEnd(28)} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v}`).join('  ')}\n`);
  }
}

function summary(times: number[]): { median: number; p95: number; max: number; n: number } {
  const sorted = [...times].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1)!, n: sorted.length };
}

if (!hasChromium) {
  process.stderr.write(`bench:page: no ${CHROMIUM_PATH} (apt-get install chromium); skipped\n`);
  process.exit(0);
}

// The demo's plant spread over the units, and a few hundred more significant pairs, so that the outlines cost what they would.
const planted: Planted[] = DEMO_PLANT.map(([a, b, bits]) => [Math.round((a * (UNITS - 1)) / 15), Math.round((b * (UNITS - 1)) / 15), bits]);
const synergy = synergyOf(UNITS, 1, planted, 0.01);
const flags = new Uint8Array(synergy.length);
for (let k = 0; k < flags.length; k += 1009) flags[k] = 1;
for (const [a, b] of planted) flags[pairIndex(a, b, UNITS)] = 1;
const body = Buffer.concat([Buffer.from(synergy.buffer), Buffer.from(flags)]).toString('base64');

const server = await PageProtocolServer.start(RUN);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(server.url());
  await page.waitForFunction(() => window.synergyPage?.state.connected);
  // The frame's body once; each step's frame is a new buffer with its own header (the page keeps recent frames by reference).
  await page.evaluate(
    ([body, units]) => {
      const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
      const ids = Array.from({ length: units }, (_, i) => i);
      (globalThis as unknown as { makeFrame: (t: number) => ArrayBuffer }).makeFrame = (t: number) => {
        const header = new TextEncoder().encode(JSON.stringify({ source: null, t, units: ids, alpha: 0.05, significant: 520, modes: [[t - 1, t - 0.5, 'go'], [t - 0.5, t, 'rest']] }));
        const start = (8 + header.length + 3) & ~3;
        const frame = new Uint8Array(start + bytes.length);
        frame.set([0x53, 0x53, 0x4d, 0x58]);
        new DataView(frame.buffer).setUint32(4, header.length, true);
        frame.set(header, 8);
        frame.set(bytes, start);
        return frame.buffer;
      };
    },
    [body, UNITS] as const,
  );
  const updates = Array.from({ length: WARMUP + REDRAWS }, (_, i) => JSON.stringify(updateAt(UNITS, i + 1, [...planted, ...Array.from({ length: 46 }, (_, k): Planted => [k, k + 1, 0.005])])));
  const [a, b] = planted[0];
  const handling = await page.evaluate(
    ([updates, warmup, a, b]) => {
      const hook = window.synergyPage;
      const make = (globalThis as unknown as { makeFrame: (t: number) => ArrayBuffer }).makeFrame;
      const times: number[] = [];
      hook.select(a, b);
      updates.forEach((update, i) => {
        const frame = make(i + 1);
        const started = performance.now();
        hook.feed(update);
        hook.feedMatrix(frame);
        hook.flush();
        if (i >= warmup) times.push(performance.now() - started);
      });
      return { times, redraws: hook.redrawTimes.slice(-(updates.length - warmup)), points: hook.plottedPoints() };
    },
    [updates, WARMUP, a, b] as const,
  );
  const recluster = await page.evaluate(() => {
    const started = performance.now();
    window.synergyPage.setOrder('cluster');
    return performance.now() - started;
  });
  const pairs = (UNITS * (UNITS - 1)) / 2;
  report({ name: `page/redraw/${UNITS}-units`, pairs, ...summary(handling.redraws), unit: 'ms', target: 50 });
  report({ name: `page/update/${UNITS}-units`, ...summary(handling.times), unit: 'ms' });
  report({ name: `page/recluster/${UNITS}-units`, ms: recluster, plottedPoints: handling.points });
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
