/**
 * Wake-ups between Baton processes on PostgreSQL (LISTEN/NOTIFY). A notification sent inside a
 * transaction is delivered when it commits, and not at all when it rolls back, so a listener
 * never hears of a change it cannot see yet. On SQLite (one machine, one scheduler) sending is a
 * no-op: the scheduler there is woken in-process.
 */

/** `application_name` of a scheduler's connections: the wake-up triggers ignore their changes. */
export const SCHEDULER_APPLICATION_NAME = 'baton-scheduler';
import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.ts';

/** The channels Baton notifies on. */
export const CHANNELS = {
  /** Something the scheduler should look at now (sent by database triggers, see migration 0011). Payload: `dagId` U+0001 `runId`, or empty. */
  scheduler: 'baton_scheduler',
  /** A worker reported results into the executor inbox. */
  executorEvents: 'baton_executor_events',
  /** Stop a running try. Payload: JSON `{ key, tryNumber, reason }`. */
  cancelTry: 'baton_cancel_try',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Sends `payload` on `channel` when the surrounding transaction commits (PostgreSQL only). */
export async function notify(db: Kysely<any>, channel: Channel, payload = ''): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`select pg_notify(${channel}, ${payload})`.execute(db);
}
