/**
 * The trigger table as the triggerer uses it: claiming rows, listing its own, reading them,
 * giving them back, and removing rows no deferred task instance waits on any more.
 */
import type { Kysely } from 'kysely';
import { toIso, type Schema } from '../store/index.ts';

/** A trigger row, its kwargs parsed. */
export interface TriggerRow {
  id: number;
  kind: string;
  /** The trigger's arguments, without `__timeoutAt`. */
  kwargs: Record<string, unknown>;
  /** When the deferral times out, or null for never. */
  timeoutAt: Date | null;
  /** Set when the stored kwargs cannot be used: the trigger fails with this message. */
  problem: string | null;
}

/** Rows per statement, well under both dialects' bound-parameter limits. */
const CHUNK = 500;

/**
 * Claims up to `limit` trigger rows for the triggerer job `jobId`: rows nobody owns, and rows
 * of a triggerer that is not running or whose heartbeat is older than `threshold`. The claim is
 * a compare-and-set on the owner, so two triggerers never both take a row. Returns how many it took.
 */
export async function claimTriggers(db: Kysely<Schema>, jobId: number, limit: number, threshold: Date): Promise<number> {
  if (limit <= 0) return 0;
  const since = toIso(threshold);
  const alive = db.selectFrom('job').select('id').where('job_type', '=', 'triggerer').where('state', '=', 'running').where('latest_heartbeat', '>=', since);
  const candidates = await db
    .selectFrom('trigger')
    .select('id')
    .where((eb) => eb.or([eb('triggerer_id', 'is', null), eb('triggerer_id', 'not in', alive)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  if (candidates.length === 0) return 0;
  let claimed = 0;
  const ids = candidates.map((c) => c.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const r = await db
      .updateTable('trigger')
      .set({ triggerer_id: jobId })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .where((eb) => eb.or([eb('triggerer_id', 'is', null), eb('triggerer_id', 'not in', alive)]))
      .executeTakeFirst();
    claimed += Number(r.numUpdatedRows);
  }
  return claimed;
}

/** Ids of the rows the job owns. */
export async function ownedTriggerIds(db: Kysely<Schema>, jobId: number): Promise<Set<number>> {
  const rows = await db.selectFrom('trigger').select('id').where('triggerer_id', '=', jobId).execute();
  return new Set(rows.map((r) => r.id));
}

/** The rows with these ids (those that still exist). */
export async function loadTriggers(db: Kysely<Schema>, ids: number[]): Promise<TriggerRow[]> {
  const out: TriggerRow[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db.selectFrom('trigger').select(['id', 'classpath', 'kwargs']).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.push(parseRow(r.id, r.classpath, r.kwargs));
  }
  return out;
}

/** Gives the job's rows back (on shutdown), so another triggerer takes them at once. */
export async function releaseTriggers(db: Kysely<Schema>, jobId: number): Promise<void> {
  await db.updateTable('trigger').set({ triggerer_id: null }).where('triggerer_id', '=', jobId).execute();
}

/**
 * Deletes trigger rows no deferred task instance points at (the task was cleared, marked by
 * a user, or its deferral was never recorded). Returns how many it deleted.
 */
export async function deleteUnusedTriggers(db: Kysely<Schema>): Promise<number> {
  const r = await db
    .deleteFrom('trigger')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('task_instance').select('task_instance.trigger_id').whereRef('task_instance.trigger_id', '=', 'trigger.id').where('task_instance.state', '=', 'deferred'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

function parseRow(id: number, kind: string, text: string): TriggerRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { id, kind, kwargs: {}, timeoutAt: null, problem: `its arguments are not valid JSON (${(e as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { id, kind, kwargs: {}, timeoutAt: null, problem: 'its arguments are not a JSON object' };
  }
  const { __timeoutAt, ...kwargs } = parsed as Record<string, unknown>;
  if (__timeoutAt === null || __timeoutAt === undefined) return { id, kind, kwargs, timeoutAt: null, problem: null };
  const at = typeof __timeoutAt === 'string' ? new Date(__timeoutAt) : null;
  if (!at || Number.isNaN(at.getTime())) return { id, kind, kwargs, timeoutAt: null, problem: `its __timeoutAt ${JSON.stringify(__timeoutAt)} is not an ISO-8601 time` };
  return { id, kind, kwargs, timeoutAt: at, problem: null };
}
