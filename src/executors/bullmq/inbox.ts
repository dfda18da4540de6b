/**
 * The executor inbox in the metadata database (table `executor_event`): workers append what
 * happened to their tries; schedulers claim rows for a lease, record them, and delete them in
 * the transaction that records them. A result therefore survives a dead scheduler (the lease
 * runs out and another takes it), a restarted Redis and a worker that dies right after writing.
 */
import { sql, type Kysely } from 'kysely';
import type { ExecutorEvent, Receipted } from '../executor.ts';
import { isRecord, isTiKey, isTryResult } from '../local/shapes.ts';
import { CHANNELS, nowIso, type Schema } from '../../store/index.ts';

/** The events a worker reports through the inbox. */
export type InboxEvent = Extract<ExecutorEvent, { kind: 'finished' | 'lost' }>;

/**
 * Appends events and wakes the schedulers: one statement (so one round trip, atomic on its own)
 * per 200 events, whose notification is delivered when it commits.
 */
export async function appendToInbox(db: Kysely<Schema>, events: readonly InboxEvent[]): Promise<void> {
  const at = nowIso();
  for (let i = 0; i < events.length; i += 200) {
    const rows = sql.join(events.slice(i, i + 200).map((e) => sql`(${at}, ${encode(e)})`));
    await sql`with added as (insert into executor_event (created_at, payload) values ${rows} returning id)
      select pg_notify(${CHANNELS.executorEvents}, '') from (select 1 from added limit 1) as one`.execute(db);
  }
}

/**
 * Claims up to `limit` unclaimed (or lease-expired) events for `claimer` for `leaseMs`, oldest
 * first, skipping rows another scheduler is claiming right now. Rows that do not hold a valid
 * event are deleted (with a warning) so they cannot block the inbox.
 */
export async function claimFromInbox(db: Kysely<Schema>, claimer: number, o: { limit: number; leaseMs: number; warn?: (m: string) => void }): Promise<Array<Receipted<InboxEvent>>> {
  const now = new Date();
  const until = new Date(now.getTime() + o.leaseMs).toISOString();
  const { rows } = await sql<{ id: number; payload: string }>`
    update executor_event set claimed_by = ${claimer}, claimed_until = ${until}
    where id in (
      select id from executor_event
      where claimed_until is null or claimed_until < ${now.toISOString()}
      order by id limit ${o.limit}
      for update skip locked)
    returning id, payload`.execute(db);
  const out: Array<Receipted<InboxEvent>> = [];
  const bad: number[] = [];
  for (const r of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
    const e = decode(r.payload);
    if (e) out.push({ ...e, receipt: Number(r.id) });
    else bad.push(Number(r.id));
  }
  if (bad.length) {
    o.warn?.(`dropped ${bad.length} executor inbox row(s) that do not hold a valid event (ids ${bad.slice(0, 10).join(', ')})`);
    await db.deleteFrom('executor_event').where('id', 'in', bad).execute();
  }
  return out;
}

/** Deletes recorded events; runs inside the transaction that recorded them. */
export async function removeFromInbox(trx: Kysely<Schema>, receipts: readonly number[]): Promise<void> {
  for (let i = 0; i < receipts.length; i += 500) await trx.deleteFrom('executor_event').where('id', 'in', receipts.slice(i, i + 500)).execute();
}

function encode(e: InboxEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'function' ? `[function ${(v as { name?: string }).name || 'anonymous'}]` : typeof v === 'bigint' ? v.toString() : v));
}

/** The event a payload holds, or null when it is not a valid one. */
export function decode(payload: string): InboxEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!isRecord(v) || !isTiKey(v.key) || !Number.isInteger(v.tryNumber)) return null;
  if (v.kind === 'finished' && isTryResult(v.result)) return { kind: 'finished', key: v.key, tryNumber: v.tryNumber as number, result: v.result };
  if (v.kind === 'lost' && typeof v.reason === 'string' && typeof v.at === 'string') return { kind: 'lost', key: v.key, tryNumber: v.tryNumber as number, reason: v.reason, at: v.at };
  return null;
}
