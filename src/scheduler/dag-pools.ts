/**
 * Pools that DAGs refer to. A pool that providers declare (DuckDB's one-slot writer pool) is
 * created with its slots when a DAG first uses it; any other missing pool is reported as a DAG
 * warning (`non-existent pool`, as in Airflow) and its tasks wait until someone creates it.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { Schema } from '../store/index.ts';

/** Pools created on first use, with their slots and description. */
export const DECLARED_POOLS: Readonly<Record<string, { slots: number; description: string }>> = {
  duckdb: { slots: 1, description: 'Serialises writers of a DuckDB file (created on first use)' },
};

export async function syncDagPools(trx: Kysely<Schema>, dags: SerializedDag[], now: string): Promise<void> {
  const existing = new Set((await trx.selectFrom('slot_pool').select('pool').execute()).map((p) => p.pool));
  for (const d of dags) {
    const missing = [...new Set(d.tasks.map((t) => t.pool))].filter((p) => !existing.has(p));
    const unknown: string[] = [];
    for (const pool of missing) {
      const declared = DECLARED_POOLS[pool];
      if (declared) {
        await trx.insertInto('slot_pool').values({ pool, slots: declared.slots, description: declared.description, include_deferred: 0 }).onConflict((oc) => oc.doNothing()).execute();
        existing.add(pool);
      } else unknown.push(pool);
    }
    await trx.deleteFrom('dag_warning').where('dag_id', '=', d.dagId).where('warning_type', '=', 'non-existent pool').execute();
    if (unknown.length) {
      await trx
        .insertInto('dag_warning')
        .values({
          dag_id: d.dagId,
          warning_type: 'non-existent pool',
          message: `Dag '${d.dagId}' references non-existent pools: ${unknown.map((p) => `'${p}'`).join(', ')}. Its tasks in those pools wait until the pools are created (baton pools set <name> <slots> "<description>").`,
          timestamp: now,
        })
        .execute();
    }
  }
}
