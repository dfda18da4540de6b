/**
 * The executor inbox in the metadata database (table `executor_event`): workers append what
 * happened to their tries; schedulers take rows and delete them in the transaction that records
 * them. A result therefore survives a dead scheduler, a restarted Redis and a worker that dies
 * right after writing.
 *
 * Each appended row is also announced with its id and event in the notification (when it fits
 * in one), so the scheduler that hears it can record it without reading the inbox first. Which
 * scheduler records a row is decided by `takeFromInbox`, in the recording transaction: the row
 * is deleted there unless another scheduler holds it (a live lease, or a transaction taking it
 * right now). Rows no notification delivered (a scheduler was down, an event too large) are
 * claimed for a lease by `claimFromInbox`.
 */
import { sql, type Kysely } from 'kysely';
import type { ExecutorEvent, Receipted } from '../executor.ts';
import { isRecord, isTiKey, isTryResult } from '../local/shapes.ts';
import { CHANNELS, nowIso, type Schema } from '../../store/index.ts';

/** The events a worker reports through the inbox. */
export type InboxEvent = Extract<ExecutorEvent, { kind: 'finished' | 'lost' }>;

/**
 * Notification payloads stay below PostgreSQL's limit (8000 bytes); a larger event is announced
 * without its payload and read from the inbox.
 */
const MAX_NOTIFIED_BYTES = 7900;

/**
 * Appends events and wakes the schedulers: one statement (so one round trip, atomic on its own)
 * per 200 events, whose notifications (one per event: `<id> <event>`, or `<id>` alone for an
 * event too large to carry) are delivered when it commits.
 */
export async function appendToInbox(db: Kysely<Schema>, events: readonly InboxEvent[]): Promise<void> {
  const at = nowIso();
  for (let i = 0; i < events.length; i += 200) {
    const rows = sql.join(events.slice(i, i + 200).map((e) => sql`(${at}, ${encode(e)})`));
    await sql`with added as (insert into executor_event (created_at, payload) values ${rows} returning id, payload)
      select pg_notify(${CHANNELS.executorEvents}, case when octet_length(payload) <= ${MAX_NOTIFIED_BYTES} then id || ' ' || payload else id::text end) from added`.execute(db);
  }
}

/**
 * What an inbox notification announces: the row's id with its event, `{ receipt }` alone when the
 * event is to be read from the inbox (too large to carry, or not valid), or null for a
 * notification that names no row (an older worker's empty wake-up).
 */
export function parseNotification(payload: string): { receipt: number; event: InboxEvent | null } | null {
  const m = /^(\d+)(?: ([\s\S]*))?$/.exec(payload);
  if (!m) return null;
  const receipt = Number(m[1]);
  if (!Number.isSafeInteger(receipt)) return null;
  return { receipt, event: m[2] === undefined ? null : decode(m[2]) };
}

/**
 * Takes the rows `receipts` name for `claimer`, inside the transaction that records their events:
 * deletes those that are unclaimed, claimed by `claimer`, or whose lease ran out, skipping rows
 * another transaction holds (another scheduler is claiming or recording them). Returns the ids it
 * deleted: only their events may be recorded; the others are another scheduler's (or gone).
 */
export async function takeFromInbox(trx: Kysely<Schema>, claimer: number, receipts: readonly number[]): Promise<number[]> {
  const now = nowIso();
  const taken: number[] = [];
  for (let i = 0; i < receipts.length; i += 1000) {
    const ids = receipts.slice(i, i + 1000);
    const { rows } = await sql<{ id: number | string }>`
      delete from executor_event where id in (
        select id from executor_event
        where id in (${sql.join(ids)}) and (claimed_by is null or claimed_by = ${claimer} or claimed_until < ${now})
        for update skip locked)
      returning id`.execute(trx);
    for (const r of rows) taken.push(Number(r.id));
  }
  return taken;
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

/** Deletes events whatever their claim (tests, tools); schedulers use `takeFromInbox`. */
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
