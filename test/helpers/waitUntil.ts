/** Resolves once `condition()` holds (checked every `everyMs`), rejects after `timeoutMs` naming what was awaited. */
export function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000, everyMs = 10): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = setInterval(() => {
      if (condition()) {
        clearInterval(check);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(check);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, everyMs);
  });
}
