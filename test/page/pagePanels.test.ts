import type { Browser, Page } from 'playwright-core';
// The type of window.synergyPage, for the functions run in the page.
import type {} from '../../src/page/pageHook.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_SKIP_REASON, hasChromium, launchChromium } from '../helpers/chromium.ts';
import { DEMO_PLANT, frameAt, RUN, updateAt } from './pageFixtures.ts';
import { isRed, matrixCell } from './matrixPixels.ts';
import { PageProtocolServer } from './pageServer.ts';

const GROUPS = { CA1: [0, 2, 4, 6, 8, 10, 12, 14], PFC: [1, 3, 5, 7, 9, 11, 13, 15] };


describe(`the page's panels and orders in chromium${CHROMIUM_SKIP_REASON}`, { timeout: 60_000 }, () => {
  let browser: Browser;
  let server: PageProtocolServer;

  beforeAll(async () => {
    if (!hasChromium) return;
    [browser, server] = await Promise.all([launchChromium(), PageProtocolServer.start({ ...RUN, groupUnits: GROUPS })]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(query = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const before = server.subscribers;
    await page.goto(server.url(query));
    await page.waitForFunction(() => window.synergyPage?.state.connected);
    await expect.poll(() => server.subscribers).toBe(before + 1);
    return page;
  }

  it.skipIf(!hasChromium)('passes the page URL’s token to /subscribe, comes back after the connection drops, and does not count the history twice', async () => {
    const page = await openPage('?token=s3cret%2F1');
    expect(server.requests.at(-1)!.url).toBe('/subscribe?token=s3cret%2F1');
    server.send(updateAt(16, 31, DEMO_PLANT));
    server.send({ type: 'alert', state: 'raised', kind: 'synergy', t: 31, a: 0, b: 5, message: 'units 0 and 5: synergy' });
    await page.waitForFunction(() => window.synergyPage.state.updates === 1 && window.synergyPage.state.alerts === 1);
    const connections = server.connections;
    server.dropSubscribers();
    await expect.poll(() => page.locator('.connection').textContent()).toMatch(/disconnected.*retrying/);
    await expect.poll(() => server.connections).toBe(connections + 1);
    await page.waitForFunction(() => window.synergyPage.state.connected);
    expect(server.requests.at(-1)!.url).toBe('/subscribe?token=s3cret%2F1');
    server.send(updateAt(16, 32, DEMO_PLANT));
    await page.waitForFunction(() => window.synergyPage.state.updates === 2);
    expect(await page.evaluate(() => window.synergyPage.state.alerts)).toBe(1);
    await expect.poll(() => page.locator('.alerts li').count()).toBe(1);
    await page.close();
  });

  it.skipIf(!hasChromium)('orders by region (the cells move) and by clustering (planted pairs next to the diagonal), the pairs keeping their colors', async () => {
    const page = await openPage();
    server.send(updateAt(16, 33, DEMO_PLANT));
    server.sendFrame(frameAt(16, 33, DEMO_PLANT));
    await page.waitForFunction(() => window.synergyPage.state.matrixFrames === 1 && window.synergyPage.redrawTimes.length > 0);
    const byId = await matrixCell(page, 3, 11);
    expect(isRed(byId.pixel)).toBe(true);

    await page.locator('.matrix-controls select.order-select').selectOption('region');
    await page.waitForFunction(() => window.synergyPage.state.order === 'region');
    const byRegion = await matrixCell(page, 3, 11);
    expect(isRed(byRegion.pixel)).toBe(true);
    // 3 is in PFC (rows 8–15), 11 too: its cell moved.
    expect([byRegion.x, byRegion.y]).not.toEqual([byId.x, byId.y]);

    await page.locator('.matrix-controls select.order-select').selectOption('cluster');
    await page.waitForFunction(() => window.synergyPage.state.order === 'cluster');
    for (const [a, b] of DEMO_PLANT) {
      const [pair, diagonalA, diagonalB] = [await matrixCell(page, a, b), await matrixCell(page, a, a), await matrixCell(page, b, b)];
      // Adjacent rows: the two units' diagonal cells are one cell apart (16 units here, no region margin).
      const cellSize = (await page.evaluate(() => document.querySelector('.matrix-canvas')!.getBoundingClientRect().width)) / 16;
      expect(Math.abs(diagonalB.x - diagonalA.x) / cellSize, `${a}–${b}`).toBeCloseTo(1, 5);
      expect(pair.pixel.slice(0, 3).every((c) => c > 230), `${a}–${b} colored`).toBe(false);
    }
    expect(await page.locator('.matrix-controls button').isEnabled()).toBe(true);
    await page.close();
  });

  it.skipIf(!hasChromium)('shows source health with a derived spike rate, and groups and regions only when an update has them', async () => {
    const page = await openPage();
    await expect.poll(() => page.locator('.groups-panel').isVisible()).toBe(false);
    const status = (wallMs: number, spikes: number) => ({ type: 'status', wallMs, sources: [{ name: 'demo-rig', connected: true, lost: false, ended: false, messages: 40, spikes, missing: 2, rejected: 0, latestTime: 34.5, progress: 0.25 }] });
    server.send(status(10_000, 1000));
    server.send(status(12_000, 3000));
    await expect.poll(() => page.locator('.health-table tbody tr').first().locator('td').allTextContents()).toEqual(['demo-rig', 'connected', '1000', '40', '2', '0', '34.5 s', ' 25 %']);
    server.send(updateAt(16, 34, DEMO_PLANT, { groups: [{ name: 'CA1', units: 8, oinfo: -0.04, tc: 0.5, dtc: 0.54, synergy: 0.06, doinfo_y: -0.05, p: { synergy: 0.01 } }], regions: [{ a: 'CA1', b: 'PFC', difference: 0.003, p: 0.02 }], conflated: 2 }));
    await expect.poll(() => page.locator('.groups-panel').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.groups-panel tbody td').first().textContent()).toBe('CA1');
    await expect.poll(() => page.locator('.regions-panel tbody td').first().textContent()).toBe('CA1 vs PFC');
    expect(await page.locator('.subnetworks-panel').isVisible()).toBe(false);
    await expect.poll(() => page.locator('.health-panel .caption').textContent()).toMatch(/4 unlabeled bins.*2 updates conflated/);
    await page.close();
  });

  it.skipIf(!hasChromium)('takes a history that comes after a live update (the server may send one before its reply): nothing of it is lost', async () => {
    const page = await openPage();
    // What the server sent before is in this page already: counted from here, for a source of its own.
    const before = await page.evaluate(() => window.synergyPage.state.updates);
    await page.evaluate(
      ([live, history]) => {
        window.synergyPage.feed(live);
        window.synergyPage.feed({ type: 'history', alerts: [], updates: history, ended: [] });
      },
      [updateAt(16, 50, DEMO_PLANT, { source: 'late' }), [48, 49, 50].map((t) => updateAt(16, t, DEMO_PLANT, { source: 'late' }))] as const,
    );
    expect(await page.evaluate(() => window.synergyPage.state.updates)).toBe(before + 3);
    await page.locator('.source-picker').selectOption('late');
    await page.evaluate(() => window.synergyPage.select(0, 5));
    await page.waitForFunction(() => window.synergyPage.state.source === 'late' && window.synergyPage.plottedPoints() === 3);
    expect(await page.evaluate(() => window.synergyPage.selectedSeries()!.t)).toEqual([48, 49, 50]);
    await page.close();
  });

  it.skipIf(!hasChromium)('without frames (panzeri-treves) builds the matrix from the top list and says why; several sources can be switched between', async () => {
    const page = await openPage();
    await page.evaluate((run) => {
      window.synergyPage.feed({ type: 'welcome', protocol: 1, analysis: { bin: 0.02, window: 30, hop: 1, estimator: 'panzeri-treves', surrogates: 0 }, run });
    }, { ...RUN, groupUnits: GROUPS });
    await expect.poll(() => page.locator('.matrix-note').textContent()).toMatch(/the panzeri-treves estimator sends no matrix frames/);
    await page.evaluate(
      ([a, b]) => {
        window.synergyPage.feed(a);
        window.synergyPage.feed(b);
      },
      [updateAt(16, 40, [[3, 11, 0.2]], { source: 'rig-b' }), updateAt(16, 41, [[6, 7, -0.2]], { source: 'rig-c' })],
    );
    await expect.poll(() => page.locator('.source-picker').isVisible()).toBe(true);
    await page.locator('.source-picker').selectOption('rig-c');
    await page.waitForFunction(() => window.synergyPage.state.source === 'rig-c');
    await expect.poll(() => page.locator('.top-table tbody td').first().textContent()).toBe('6 – 7');
    await page.close();
  });
});
