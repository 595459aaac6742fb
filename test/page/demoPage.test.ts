import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
// The type of window.synergyPage, for the functions run in the page.
import type {} from '../../src/page/pageHook.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_SKIP_REASON, hasChromium, launchChromium } from '../helpers/chromium.ts';
import { projectRoot } from '../helpers/shared.ts';
import { cellPixel } from './matrixPixels.ts';

/**
 * The page end to end: `synergy demo` serves it at `/` from src/page, and a
 * browser that opens it sees the demo's planted pairs light up, alerts, and
 * — opened late — the alerts it missed. With UPDATE_SCREENSHOT=1 the first
 * page is saved as docs/dashboard.png (the README's picture); otherwise to a
 * temporary folder, so that a test run changes no file of the repository.
 */

interface PlantedPair {
  a: number;
  b: number;
  kind: 'synergistic' | 'redundant';
}

/** The planted pairs from the demo's title line: "…; planted: 3–11 synergistic, 0–5 synergistic, 10–12 redundant, 14–15 redundant". */
function plantedPairs(title: string): PlantedPair[] {
  const list = /planted: (.*)$/.exec(title)?.[1] ?? '';
  return [...list.matchAll(/(\d+)–(\d+) (synergistic|redundant)/g)].map((match) => ({ a: Number(match[1]), b: Number(match[2]), kind: match[3] as PlantedPair['kind'] }));
}

/** Clearly colored, past the pale tints of noise (under ±0.2 of the scale): red (synergy) or blue (redundancy). */
const isSaturatedRed = ([r, g, b]: number[]) => r > b + 40 && g < 180;
const isSaturatedBlue = ([r, g, b]: number[]) => b > r + 40 && r < 180;

describe(`the page served by synergy demo${CHROMIUM_SKIP_REASON}`, { timeout: 60_000 }, () => {
  let demo: ChildProcess | undefined;
  let browser: Browser;
  let title = '';
  let pageUrl = '';
  const folder = mkdtempSync(join(tmpdir(), 'synergy-page-'));

  beforeAll(async () => {
    if (!hasChromium) return;
    demo = spawn(process.execPath, [resolve(projectRoot, 'bin', 'synergy'), 'demo', '--port', '0', '--speed', '8', '--plain'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    demo.stderr!.resume();
    const lines = createInterface({ input: demo.stdout! });
    const ready = new Promise<void>((resolveReady, reject) => {
      demo!.once('exit', (code) => reject(new Error(`synergy demo exited (${code}) before printing its page's address`)));
      lines.on('line', (line) => {
        if (line.startsWith('synergy-stream demo')) title = line;
        const match = /^page: (http:\/\/\S+)/.exec(line);
        if (match !== null) {
          pageUrl = match[1];
          resolveReady();
        }
      });
    });
    [browser] = await Promise.all([launchChromium(), ready]);
  });

  afterAll(async () => {
    await browser?.close();
    if (demo !== undefined && demo.exitCode === null) {
      const exited = once(demo, 'exit');
      demo.kill('SIGINT');
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it.skipIf(!hasChromium)('connects, lights up the planted pairs, shows a clicked pair’s series and the alerts, and a page opened later gets the alerts it missed', async () => {
    const planted = plantedPairs(title);
    expect(planted.length, title).toBe(4);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const response = await page.goto(pageUrl);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.waitForFunction(() => window.synergyPage?.state.connected);
    await expect.poll(() => page.locator('.run').textContent()).toMatch(/0\.02 s bins, 30 s window, an update every 1 s · jackknife, 99 surrogates/);

    // The demo's planted pairs are alerted after about 50 s of recording (6 s at --speed 8).
    await page.waitForFunction(() => window.synergyPage.state.alerts > 0, null, { timeout: 45_000 });
    await page.waitForFunction(() => window.synergyPage.state.matrixFrames > 0 && window.synergyPage.redrawTimes.length > 0);
    await expect.poll(() => page.locator('.alerts li').first().textContent()).toMatch(/(synergy|redundancy)units \d+ and \d+/);
    const firstAlert = await page.locator('.alerts li').last().textContent();

    for (const { a, b, kind } of planted) {
      const pixel = await cellPixel(page, a, b);
      expect(kind === 'synergistic' ? isSaturatedRed(pixel) : isSaturatedBlue(pixel), `${a}–${b} ${kind}: rgb ${pixel.slice(0, 3).join(',')}`).toBe(true);
    }

    // Units 0 and 5, the pair the README's picture and examples show (any planted pair otherwise).
    const { a, b } = planted.find((pair) => pair.a === 0 && pair.b === 5) ?? planted[0];
    const centre = (await page.evaluate(([a, b]) => window.synergyPage.cellCenter(a, b), [a, b]))!;
    await page.mouse.click(centre.x, centre.y);
    await page.waitForFunction(([a, b]) => window.synergyPage.state.selected?.a === a && window.synergyPage.state.selected?.b === b, [a, b]);
    await page.waitForFunction(() => window.synergyPage.plottedPoints() > 10);
    await expect.poll(() => page.locator('.pair-panel h2').textContent()).toBe(`Selected pair: units ${a} – ${b}`);

    const late = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    await late.goto(pageUrl);
    await late.waitForFunction(() => window.synergyPage?.state.connected && window.synergyPage.state.alerts > 0);
    await expect.poll(() => late.locator('.alerts li').allTextContents()).toContain(firstAlert);
    // The late page's past comes from the history: its first update is the demo's first.
    expect(await late.evaluate(() => window.synergyPage.state.updates)).toBeGreaterThan(40);

    // A moment for the selected pair's plots and the tables to settle before the picture.
    await page.mouse.move(5, 5);
    await page.evaluate(() => window.synergyPage.flush());
    const screenshot = process.env.UPDATE_SCREENSHOT === '1' ? resolve(projectRoot, 'docs', 'dashboard.png') : join(folder, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    await late.close();
    await page.close();
  });
});
