/**
 * Writes a worker's results to the executor inbox with group commit: results that arrive while
 * a write is in flight go together in the next one. A write that fails (PostgreSQL restarting,
 * a connection terminated) is retried with a growing delay until it succeeds; a result is only
 * dropped if the process itself dies, and then the try's missing heartbeat gives it away.
 */
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/index.ts';
import { appendToInbox, type InboxEvent } from './inbox.ts';

const RETRY_MS = [100, 250, 500, 1000, 2000, 5000];

export class InboxWriter {
  private pending: Array<{ event: InboxEvent; done: () => void }> = [];
  private writing = false;
  private failures = 0;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly warn: (m: string) => void,
  ) {}

  /** Resolves once the event is committed to the inbox. */
  append(event: InboxEvent): Promise<void> {
    return new Promise((done) => {
      this.pending.push({ event, done });
      void this.drain();
    });
  }

  /** Results not yet written, counting a write in flight as one. */
  get backlog(): number {
    return this.pending.length + (this.writing ? 1 : 0);
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        try {
          await appendToInbox(this.db, batch.map((b) => b.event));
          this.failures = 0;
          for (const b of batch) b.done();
        } catch (e) {
          this.pending.unshift(...batch);
          const delay = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)]!;
          this.warn(`could not report ${batch.length} result(s) to the metadata database (${(e as Error).message}); trying again in ${delay} ms`);
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
