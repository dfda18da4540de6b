/** Deferred task instances written straight into a test database, and a helper to wait for a condition. */
import type { Kysely } from 'kysely';
import { nowIso } from '../../src/store/codec.ts';
import type { Schema } from '../../src/store/schema.ts';
import { insertTi } from '../support/store-fixtures.ts';

export interface Deferral {
  kind: string;
  kwargs: Record<string, unknown>;
  /** ISO, or null for no timeout. Default null. */
  timeoutAt?: string | null;
  /** The owning triggerer job. Default none. */
  triggererId?: number | null;
}

/** Inserts a trigger row and a deferred TI waiting on it (resuming with executeComplete); returns the trigger id. */
export async function insertDeferred(db: Kysely<Schema>, run: { dagId: string; runId: string }, taskId: string, d: Deferral): Promise<number> {
  const trig = await db
    .insertInto('trigger')
    .values({ classpath: d.kind, kwargs: JSON.stringify({ ...d.kwargs, __timeoutAt: d.timeoutAt ?? null }), created_date: nowIso(), triggerer_id: d.triggererId ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertTi(db, run, taskId, 'deferred', { trigger_id: trig.id, next_method: 'executeComplete', try_number: 1 });
  return trig.id;
}

/** The TI's state and parsed next_kwargs. */
export async function tiState(db: Kysely<Schema>, run: { dagId: string; runId: string }, taskId: string) {
  const r = await db
    .selectFrom('task_instance')
    .select(['state', 'next_kwargs', 'next_method', 'trigger_id', 'try_number'])
    .where('dag_id', '=', run.dagId)
    .where('run_id', '=', run.runId)
    .where('task_id', '=', taskId)
    .executeTakeFirstOrThrow();
  return { ...r, event: r.next_kwargs === null ? null : (JSON.parse(r.next_kwargs) as Record<string, unknown>) };
}

/**
 * Resolves once `check` returns a truthy value (checked every 20 ms); rejects naming `what`
 * when it has not within `limitMs` (a bound on a hang, not a measurement).
 */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, limitMs = 30_000): Promise<NonNullable<T>> {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
