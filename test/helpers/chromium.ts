import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (CI: `apt-get install chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether the browser tests can run here; they skip, saying why, when not. */
export const hasChromium = existsSync(CHROMIUM_PATH);

/** Why browser tests are skipped, for their titles. */
export const CHROMIUM_SKIP_REASON = hasChromium ? '' : ` (skipped: no ${CHROMIUM_PATH}; apt-get install chromium)`;

/**
 * Headless chromium driven by playwright-core. The flags keep it off the
 * network beyond the page's own server: on a closed network its background
 * services (component updates, sync, QUIC probes) make it hang on
 * connections that never answer.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
