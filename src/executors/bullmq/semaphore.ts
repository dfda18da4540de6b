/** A counting semaphore whose waiters can all be turned away at once (a worker that stops). */
export class Semaphore {
  private readonly waiters: Array<(ok: boolean) => void> = [];
  private closed = false;

  constructor(private free: number) {}

  /** Resolves true with a permit, or false once the semaphore is closed. */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else this.free++;
  }

  /** Refuses every waiting and future `acquire`. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(false);
  }
}
