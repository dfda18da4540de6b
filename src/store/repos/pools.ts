/** Pools: named slot budgets that cap how many task instances run at once. */
import type { Kysely, Selectable } from 'kysely';
import { fromFlag, toFlag } from '../codec.ts';
import type { Schema, SlotPoolTable } from '../schema.ts';

/** The pool every task uses unless it names another; it always exists. */
export const DEFAULT_POOL_NAME = 'default_pool';

export interface Pool {
  name: string;
  /** -1 means unlimited. */
  slots: number;
  description: string | null;
  /** Whether deferred task instances occupy slots. */
  includeDeferred: boolean;
}

/** A pool to create or update; fields left undefined keep their current value on update. */
export interface PoolInput {
  name: string;
  slots: number;
  description?: string | null;
  includeDeferred?: boolean;
}

/** Every pool, by name. */
export async function listPools(db: Kysely<Schema>): Promise<Pool[]> {
  const rows = await db.selectFrom('slot_pool').selectAll().orderBy('pool').execute();
  return rows.map(toPool);
}

/** The pool called `name`, or undefined. */
export async function getPool(db: Kysely<Schema>, name: string): Promise<Pool | undefined> {
  const row = await db.selectFrom('slot_pool').selectAll().where('pool', '=', name).executeTakeFirst();
  return row && toPool(row);
}

/** Creates the pool or updates it in place; returns it as stored. */
export async function upsertPool(db: Kysely<Schema>, input: PoolInput): Promise<Pool> {
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 256) {
    throw new Error(`Pool name ${JSON.stringify(input.name)} is invalid: give a non-empty name of at most 256 characters.`);
  }
  if (!Number.isInteger(input.slots) || input.slots < -1) {
    throw new Error(`Pool ${JSON.stringify(input.name)} cannot have ${input.slots} slots: use a whole number of at least 0, or -1 for unlimited.`);
  }
  const changes = {
    slots: input.slots,
    ...(input.description !== undefined && { description: input.description }),
    ...(input.includeDeferred !== undefined && { include_deferred: toFlag(input.includeDeferred) }),
  };
  await db
    .insertInto('slot_pool')
    .values({ pool: input.name, description: null, ...changes })
    .onConflict((oc) => oc.column('pool').doUpdateSet(changes))
    .execute();
  return (await getPool(db, input.name))!;
}

/** Deletes a pool; returns false when there was none. `default_pool` cannot be deleted. */
export async function deletePool(db: Kysely<Schema>, name: string): Promise<boolean> {
  if (name === DEFAULT_POOL_NAME) {
    throw new Error(`The pool ${DEFAULT_POOL_NAME} cannot be deleted: tasks that name no pool run in it. Change its slots instead.`);
  }
  const result = await db.deleteFrom('slot_pool').where('pool', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function toPool(row: Selectable<SlotPoolTable>): Pool {
  return { name: row.pool, slots: row.slots, description: row.description, includeDeferred: fromFlag(row.include_deferred) };
}
