/**
 * Backoff for failed sign-ins, per username, in memory: after `freeFailures` consecutive
 * failures a username is locked for `baseDelayMs`, doubling with each further failure up to
 * `maxDelayMs`. A success clears the count. Unknown usernames are tracked like known ones, so
 * the lock says nothing about whether a user exists; while locked, every attempt is refused,
 * right password or not.
 */

/** Options of `LoginLimiter`. */
export interface LoginLimiterOptions {
  /** Failures allowed before the first lock. Default 5. */
  freeFailures?: number;
  /** First lock, in milliseconds. Default 1000. */
  baseDelayMs?: number;
  /** Longest lock, in milliseconds. Default 900000 (15 minutes). */
  maxDelayMs?: number;
  /** A username's failures are forgotten after this long without one, in ms. Default 900000. */
  forgetAfterMs?: number;
  /** Most usernames tracked; the oldest are forgotten beyond it. Default 10000. */
  maxEntries?: number;
  /** The clock, in epoch milliseconds. Default Date.now. */
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/** Tracks failed sign-ins and says when a username must wait. */
export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<LoginLimiterOptions>;

  constructor(options: LoginLimiterOptions = {}) {
    this.o = {
      freeFailures: options.freeFailures ?? 5,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 900_000,
      forgetAfterMs: options.forgetAfterMs ?? 900_000,
      maxEntries: options.maxEntries ?? 10_000,
      now: options.now ?? Date.now,
    };
  }

  /** Milliseconds the username must still wait before trying again (0: it may try now). */
  retryAfterMs(username: string): number {
    const e = this.current(username);
    return e ? Math.max(0, e.lockedUntil - this.o.now()) : 0;
  }

  /** Records a failed attempt. */
  failure(username: string): void {
    const now = this.o.now();
    const e = this.current(username) ?? { failures: 0, lastFailure: now, lockedUntil: 0 };
    e.failures++;
    e.lastFailure = now;
    const over = e.failures - this.o.freeFailures;
    if (over >= 0) e.lockedUntil = now + Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.min(over, 30));
    this.entries.delete(username);
    this.entries.set(username, e);
    if (this.entries.size > this.o.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Records a successful sign-in: the count starts again. */
  success(username: string): void {
    this.entries.delete(username);
  }

  private current(username: string): Entry | undefined {
    const e = this.entries.get(username);
    if (e && this.o.now() - e.lastFailure > this.o.forgetAfterMs && this.o.now() >= e.lockedUntil) {
      this.entries.delete(username);
      return undefined;
    }
    return e;
  }
}
