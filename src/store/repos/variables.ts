/** Variables: named string values tasks and templates read at run time. */
import type { Kysely, Selectable } from 'kysely';
import { fromFlag, toFlag } from '../codec.ts';
import type { Schema, VariableTable } from '../schema.ts';

export interface Variable {
  key: string;
  /** Stored as given; when `isEncrypted`, this is the ciphertext. */
  value: string;
  description: string | null;
  isEncrypted: boolean;
}

export interface SetVariableOptions {
  /** Left undefined, an existing description is kept. */
  description?: string | null;
  isEncrypted?: boolean;
}

/** The variable called `key`, or undefined. */
export async function getVariable(db: Kysely<Schema>, key: string): Promise<Variable | undefined> {
  const row = await db.selectFrom('variable').selectAll().where('key', '=', key).executeTakeFirst();
  return row && toVariable(row);
}

/** Creates or replaces the variable's value. */
export async function setVariable(db: Kysely<Schema>, key: string, value: string, opts: SetVariableOptions = {}): Promise<void> {
  if (typeof key !== 'string' || key.trim() === '' || key.length > 250) {
    throw new Error(`Variable key ${JSON.stringify(key)} is invalid: give a non-empty key of at most 250 characters.`);
  }
  if (typeof value !== 'string') {
    throw new Error(`Variable ${JSON.stringify(key)} must be set to a string (got ${typeof value}); serialize other values, e.g. with JSON.stringify.`);
  }
  const changes = {
    val: value,
    is_encrypted: toFlag(opts.isEncrypted ?? false),
    ...(opts.description !== undefined && { description: opts.description }),
  };
  await db
    .insertInto('variable')
    .values({ key, description: null, ...changes })
    .onConflict((oc) => oc.column('key').doUpdateSet(changes))
    .execute();
}

/** Deletes a variable; returns false when there was none. */
export async function deleteVariable(db: Kysely<Schema>, key: string): Promise<boolean> {
  const result = await db.deleteFrom('variable').where('key', '=', key).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every variable, by key. */
export async function listVariables(db: Kysely<Schema>): Promise<Variable[]> {
  const rows = await db.selectFrom('variable').selectAll().orderBy('key').execute();
  return rows.map(toVariable);
}

function toVariable(row: Selectable<VariableTable>): Variable {
  return { key: row.key, value: row.val, description: row.description, isEncrypted: fromFlag(row.is_encrypted) };
}
