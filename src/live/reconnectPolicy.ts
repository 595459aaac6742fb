/** How a live source retries a lost or refused connection. */
export interface ReconnectPolicy {
  /** First retry delay cap, ms. */
  initialMs: number;
  /** Largest delay cap, ms. */
  maxMs: number;
  /** Retries in a row that may fail before giving up (Infinity: never): the first attempt and this many retries are made. */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialMs: 250, maxMs: 30_000, maxAttempts: Infinity };

/**
 * The delay before retry `attempt` (1, 2, …): exponential backoff with full
 * jitter, uniform in [0, min(maxMs, initialMs·2^(attempt−1))], so that many
 * analyzers do not hammer a restarting rig in step.
 */
export function retryDelayMs(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
  return Math.round(random() * cap);
}
