/**
 * Reading serialized DAGs from the database, cached by content hash so a scheduler tick does
 * not re-parse the same JSON.
 */
import type { Kysely } from 'kysely';
import type { SerializedDag } from '../core/serialized-dag.ts';
import type { Schema } from '../store/index.ts';

export class SerializedDagCache {
  private readonly byId = new Map<string, { hash: string; dag: SerializedDag; checkedAt: number }>();

  /**
   * @param ttlMs How long a cached DAG is used before its hash is checked again. Default 1000;
   *   `invalidate()` (called when the DAG folder changed) forces a check.
   */
  constructor(private readonly ttlMs = 1000) {}

  /** Forces the next lookups to compare hashes with the database. */
  invalidate(): void {
    for (const v of this.byId.values()) v.checkedAt = 0;
  }

  /** The DAG's serialized form, or undefined when the DAG has none (never parsed, deleted). */
  async get(db: Kysely<Schema>, dagId: string): Promise<SerializedDag | undefined> {
    const cached = this.byId.get(dagId);
    if (cached && Date.now() - cached.checkedAt < this.ttlMs) return cached.dag;
    const head = await db.selectFrom('serialized_dag').select('dag_hash').where('dag_id', '=', dagId).executeTakeFirst();
    if (!head) {
      this.byId.delete(dagId);
      return undefined;
    }
    const hit = this.byId.get(dagId);
    if (hit && hit.hash === head.dag_hash) {
      hit.checkedAt = Date.now();
      return hit.dag;
    }
    const row = await db.selectFrom('serialized_dag').select(['dag_hash', 'data']).where('dag_id', '=', dagId).executeTakeFirst();
    if (!row) return undefined;
    const dag = JSON.parse(row.data) as SerializedDag;
    this.byId.set(dagId, { hash: row.dag_hash, dag, checkedAt: Date.now() });
    return dag;
  }

  /** The hash of the DAG's serialized form last read by `get`, if any. */
  hashOf(dagId: string): string | undefined {
    return this.byId.get(dagId)?.hash;
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
