import type { Browser } from 'playwright-core';
// The type of window.synergyPage, for the functions run in the page.
import type {} from '../../src/page/pageHook.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_SKIP_REASON, hasChromium, launchChromium } from '../helpers/chromium.ts';
import { DEMO_PLANT, frameAt, RUN, updateAt } from './pageFixtures.ts';
import { cellPixel, isBlue, isNeutral, isRed } from './matrixPixels.ts';
import { PageProtocolServer } from './pageServer.ts';

describe(`the page in chromium, against a protocol-speaking server${CHROMIUM_SKIP_REASON}`, { timeout: 60_000 }, () => {
  let browser: Browser;
  let server: PageProtocolServer;

  beforeAll(async () => {
    if (!hasChromium) return;
    [browser, server] = await Promise.all([launchChromium(), PageProtocolServer.start(RUN)]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.skipIf(!hasChromium)('subscribes to every topic with the top 50 and the history, and draws a fed pair red, a redundant one blue, the rest neutral', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url());
    await page.waitForFunction(() => window.synergyPage?.state.connected);
    await expect.poll(() => server.subscribers).toBe(1);
    expect(server.requests[0].message).toEqual({ type: 'subscribe', topics: ['synergy', 'alerts', 'matrix', 'status'], top: 50, history: true });
    await expect.poll(() => page.locator('.run').textContent()).toContain('0.02 s bins, 30 s window, an update every 1 s');

    server.send(updateAt(16, 31, DEMO_PLANT));
    server.sendFrame(frameAt(16, 31, DEMO_PLANT));
    await page.waitForFunction(() => window.synergyPage.state.matrixFrames === 1 && window.synergyPage.redrawTimes.length > 0);
    await page.waitForFunction(() => document.querySelector('.top-table tbody tr') !== null);

    expect(isRed(await cellPixel(page, 3, 11))).toBe(true);
    expect(isRed(await cellPixel(page, 11, 3))).toBe(true);
    expect(isRed(await cellPixel(page, 0, 5))).toBe(true);
    expect(isBlue(await cellPixel(page, 10, 12))).toBe(true);
    for (const [a, b] of [[1, 2], [4, 9], [6, 13]]) expect(isNeutral(await cellPixel(page, a, b)), `${a}–${b}`).toBe(true);
    // The legend gives the scale in bits; the timeline has the frame's modes.
    await expect.poll(() => page.locator('.matrix-legend').textContent()).toMatch(/bits/);
    await expect.poll(() => page.locator('.timeline-legend').textContent()).toBe('gorest');
    await page.close();
  });

  it.skipIf(!hasChromium)('a click on a cell selects the pair, whose series plot fills as updates come; a pair alert shows in the feed and selects its pair', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url());
    await page.waitForFunction(() => window.synergyPage?.state.connected);
    await expect.poll(() => server.subscribers).toBe(1);
    for (const t of [32, 33, 34]) {
      server.send(updateAt(16, t, DEMO_PLANT));
      server.sendFrame(frameAt(16, t, DEMO_PLANT));
    }
    await page.waitForFunction(() => window.synergyPage.state.matrixFrames === 3 && window.synergyPage.redrawTimes.length > 0);
    const centre = await page.evaluate(() => window.synergyPage.cellCenter(3, 11)!);
    await page.mouse.click(centre.x, centre.y);
    // Polled with the selection in the message: a click that lands on another cell says which.
    await expect.poll(() => page.evaluate(() => window.synergyPage.state.selected), { timeout: 30_000 }).toEqual({ a: 3, b: 11 });
    // The history's updates (31 … 34) and the frames give the pair's past at once.
    await page.waitForFunction(() => window.synergyPage.plottedPoints() >= 4);
    const series = await page.evaluate(() => window.synergyPage.selectedSeries()!);
    expect(series.t).toEqual([31, 32, 33, 34]);
    expect(series.synergy.every((bits) => bits !== null && Math.abs(bits - 0.14) < 1e-6)).toBe(true);
    await expect.poll(() => page.locator('.pair-panel h2').textContent()).toBe('Selected pair: units 3 – 11');
    await expect.poll(() => page.locator('.top-table tr.selected td').first().textContent()).toBe('3 – 11');

    server.send({ type: 'alert', state: 'raised', kind: 'synergy', t: 34, a: 0, b: 5, value: 0.17, p: 0.01, p_fwer: 0.01, message: 'units 0 and 5: synergy (synergy 0.1700 bits)' });
    await page.waitForFunction(() => window.synergyPage.state.alerts === 1);
    await expect.poll(() => page.locator('.alerts li').first().textContent()).toMatch(/synergy.*units 0 and 5/);
    await expect.poll(() => page.locator('.top-table tbody tr', { hasText: '0 – 5' }).locator('.mark').first().textContent()).toBe('▲');
    await page.locator('.alerts li').first().click();
    await page.waitForFunction(() => window.synergyPage.state.selected?.a === 0 && window.synergyPage.state.selected?.b === 5);
    await page.close();
  });

  it.skipIf(!hasChromium)('a page opened late gets the earlier alerts and updates from the history; the end of the stream shows a banner', async () => {
    server.send({ type: 'alert', state: 'raised', kind: 'redundancy', t: 35, a: 10, b: 12, value: -0.14, message: 'units 10 and 12: redundancy' });
    server.send({ type: 'alert', state: 'raised', kind: 'sequence-gap', t: 35.5, source: 'rig', value: 3, message: 'source rig: 3 messages missing' });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url());
    await page.waitForFunction(() => window.synergyPage?.state.alerts === 3 && window.synergyPage.state.updates === 4);
    await expect.poll(() => page.locator('.alerts li').allTextContents()).toEqual([
      expect.stringMatching(/sequence-gap.*3 messages missing/),
      expect.stringMatching(/redundancy.*units 10 and 12/),
      expect.stringMatching(/synergy.*units 0 and 5/),
    ]);
    expect(await page.locator('.alerts li.raised').count()).toBe(3);
    // No frame yet on this page: the matrix is built from the latest update's top list, and says so.
    await expect.poll(() => page.locator('.matrix-note').textContent()).toMatch(/Only the top 5 pairs are known/);
    expect(isRed(await cellPixel(page, 0, 5))).toBe(true);
    // Units 1 and 3 are in top lists, the pair is not: not known, gray apart from the scale.
    expect((await cellPixel(page, 1, 3)).slice(0, 3)).toEqual([236, 236, 236]);

    server.send({ type: 'alert', state: 'cleared', kind: 'synergy', t: 36, a: 0, b: 5, message: 'units 0 and 5: cleared' });
    server.send({ type: 'end', source: null, t: 36, updates: 6, message: 'the recording ended at t = 36 s' });
    await page.waitForFunction(() => window.synergyPage.state.ended);
    await expect.poll(() => page.locator('.end-banner').textContent()).toMatch(/End of stream: the recording ended at t = 36 s/);
    expect(await page.locator('.alerts li.cleared').count()).toBe(1);
    await page.close();
  });
});
