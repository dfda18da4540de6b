/**
 * Batched file polling: every trigger waiting for a file registers here, and one timer scans
 * for all of them. Each pattern is looked up once per scan however many triggers wait on it,
 * and each waiter is checked no more often than its own poll interval.
 */
import { findFirstFile } from '../sdk/sensors/path-glob.ts';

interface Waiter {
  pattern: string;
  recursive: boolean;
  intervalMs: number;
  dueAt: number;
  resolve: (path: string) => void;
  reject: (error: unknown) => void;
}

/** The shortest time between two looks for the same waiter, whatever it asks for. */
const MIN_INTERVAL_MS = 100;

/** Waits for files on behalf of many triggers with one timer. */
export class FilePoller {
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private scanning = false;

  /** How many waits are registered (for status lines and tests). */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves with the first file matching `pattern` (see `findFirstFile`), looking at once and
   * then every `intervalSeconds` (at least 0.1 s); rejects with the signal's reason when `signal` aborts.
   */
  waitFor(pattern: string, options: { recursive: boolean; intervalSeconds: number }, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        pattern,
        recursive: options.recursive,
        intervalMs: Math.max(MIN_INTERVAL_MS, options.intervalSeconds * 1000),
        dueAt: Date.now(),
        resolve: (path) => {
          signal.removeEventListener('abort', onAbort);
          resolve(path);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.arm();
    });
  }

  /** Stops the timer; registered waits stay pending until their signals abort. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private arm(): void {
    if (this.scanning || this.waiters.size === 0) return;
    let next = Infinity;
    for (const w of this.waiters) next = Math.min(next, w.dueAt);
    if (this.timer && next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => void this.scan(), Math.max(0, next - Date.now()));
    this.timer.unref?.();
  }

  private async scan(): Promise<void> {
    this.timer = null;
    this.timerAt = Infinity;
    this.scanning = true;
    try {
      const now = Date.now();
      const due = new Map<string, Waiter[]>();
      for (const w of this.waiters) {
        if (w.dueAt > now) continue;
        const key = `${w.recursive ? 'r' : '-'}${w.pattern}`;
        (due.get(key) ?? due.set(key, []).get(key)!).push(w);
      }
      await Promise.all(
        [...due.values()].map(async (group) => {
          const first = group[0]!;
          let found: string | null = null;
          try {
            found = await findFirstFile(first.pattern, { recursive: first.recursive });
          } catch (e) {
            for (const w of group) if (this.waiters.delete(w)) w.reject(e);
            return;
          }
          const after = Date.now();
          for (const w of group) {
            if (!this.waiters.has(w)) continue;
            if (found !== null) {
              this.waiters.delete(w);
              w.resolve(found);
            } else w.dueAt = after + w.intervalMs;
          }
        }),
      );
    } finally {
      this.scanning = false;
      this.arm();
    }
  }
}
