/**
 * Resolves once `condition()` holds (checked every `everyMs`). The time limit
 * is only a safety net against a hang, generous enough for a loaded machine:
 * past it, rejects naming what was awaited.
 */
export function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000, everyMs = 10): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) {
      resolve();
      return;
    }
    const started = Date.now();
    const check = setInterval(() => {
      if (condition()) {
        clearInterval(check);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(check);
        reject(new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`));
      }
    }, everyMs);
  });
}
