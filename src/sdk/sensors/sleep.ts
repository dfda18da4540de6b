/**
 * Abortable waits that accept any length: Node's timers cap a single delay at about 24.8 days,
 * so longer waits are taken in steps.
 */

/** The longest delay one Node timer accepts, in milliseconds. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal`
 * aborts (at once when it already has).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepUntil(Date.now() + Math.max(0, ms), signal);
}

/** Resolves once the clock reaches `at` (epoch milliseconds); rejects like `sleep` on abort. */
export function sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const arm = () => {
      const left = at - Date.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('the wait was aborted');
}
