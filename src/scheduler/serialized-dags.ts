/**
 * Reading serialized DAGs from the database, cached by content hash so a scheduler tick does
 * not re-parse the same JSON.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { Schema } from '../store/index.ts';

export class SerializedDagCache {
  private readonly byId = new Map<string, { hash: string; dag: SerializedDag }>();

  /** The DAG's serialized form, or undefined when the DAG has none (never parsed, deleted). */
  async get(db: Kysely<Schema>, dagId: string): Promise<SerializedDag | undefined> {
    const head = await db.selectFrom('serialized_dag').select('dag_hash').where('dag_id', '=', dagId).executeTakeFirst();
    if (!head) {
      this.byId.delete(dagId);
      return undefined;
    }
    const hit = this.byId.get(dagId);
    if (hit && hit.hash === head.dag_hash) return hit.dag;
    const row = await db.selectFrom('serialized_dag').select(['dag_hash', 'data']).where('dag_id', '=', dagId).executeTakeFirst();
    if (!row) return undefined;
    const dag = JSON.parse(row.data) as SerializedDag;
    this.byId.set(dagId, { hash: row.dag_hash, dag });
    return dag;
  }

  /** Same as get(), but throws a clear error when the DAG is unknown. */
  async require(db: Kysely<Schema>, dagId: string): Promise<SerializedDag> {
    const d = await this.get(db, dagId);
    if (!d) throw new UnknownDagError(dagId);
    return d;
  }
}

export class UnknownDagError extends Error {
  override readonly name = 'UnknownDagError';
  constructor(readonly dagId: string) {
    super(`DAG '${dagId}' is not known: check the id, and that its file is in the DAGs folder and imports without errors (see import errors)`);
  }
}
