/**
 * A dedicated PostgreSQL connection that LISTENs on some channels and calls back on each
 * notification. When the connection breaks (server restart, backend terminated) it reconnects
 * with a growing delay and calls `onConnect` again, so the caller can catch up on anything it
 * may have missed while disconnected.
 */
import pg from 'pg';
import { redactUrl } from './database-url.ts';

export interface PgListenerOptions {
  /** postgres:// URL. */
  url: string;
  channels: readonly string[];
  onNotify: (channel: string, payload: string) => void;
  /** Called after every (re)connection, once LISTEN is in place. */
  onConnect?: () => void;
  /** Told about lost connections and failed reconnects. Default: stderr. */
  warn?: (message: string) => void;
}

const RETRY_MS = [100, 250, 500, 1000, 2000, 5000];

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly warn: (m: string) => void;

  constructor(private readonly o: PgListenerOptions) {
    this.warn = o.warn ?? ((m) => process.stderr.write(`${m}\n`));
  }

  /** Connects and listens; rejects when the first connection fails (later ones are retried). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.o.url });
    client.on('error', () => this.lost(client, 'the connection failed'));
    client.on('end', () => this.lost(client, 'the connection ended'));
    client.on('notification', (n) => this.o.onNotify(n.channel, n.payload ?? ''));
    try {
      await client.connect();
      for (const ch of this.o.channels) await client.query(`LISTEN ${pg.escapeIdentifier(ch)}`);
    } catch (e) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw new Error(`could not listen for notifications on PostgreSQL at ${redactUrl(this.o.url)}: ${(e as Error).message}`);
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
    this.o.onConnect?.();
  }

  private lost(client: pg.Client, why: string): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    this.warn(`notifications from PostgreSQL at ${redactUrl(this.o.url)} stopped (${why}); reconnecting`);
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)]!;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().catch((e: Error) => {
        this.warn(`${e.message}; trying again`);
        this.retry();
      });
    }, delay);
    this.retryTimer.unref?.();
  }
}
