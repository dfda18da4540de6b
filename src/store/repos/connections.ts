/** Connections: how tasks reach external systems (host, credentials, extra settings). */
import type { Kysely, Selectable } from 'kysely';
import { fromFlag, toFlag } from '../codec.ts';
import type { ConnectionTable, Schema } from '../schema.ts';

export interface Connection {
  connId: string;
  connType: string;
  description: string | null;
  host: string | null;
  schema: string | null;
  login: string | null;
  /** Stored as given; when `isEncrypted`, this is the ciphertext. */
  password: string | null;
  port: number | null;
  /** Usually a JSON object, stored as text; when `isExtraEncrypted`, the ciphertext. */
  extra: string | null;
  isEncrypted: boolean;
  isExtraEncrypted: boolean;
}

/** A connection to create or replace; omitted fields are stored as null / false. */
export type ConnectionInput = Pick<Connection, 'connId' | 'connType'> & Partial<Omit<Connection, 'connId' | 'connType'>>;

/** The connection called `connId`, or undefined. */
export async function getConnection(db: Kysely<Schema>, connId: string): Promise<Connection | undefined> {
  const row = await db.selectFrom('connection').selectAll().where('conn_id', '=', connId).executeTakeFirst();
  return row && toConnection(row);
}

/** Creates the connection or replaces every field of an existing one. */
export async function upsertConnection(db: Kysely<Schema>, input: ConnectionInput): Promise<void> {
  if (typeof input.connId !== 'string' || input.connId.trim() === '' || input.connId.length > 250) {
    throw new Error(`Connection id ${JSON.stringify(input.connId)} is invalid: give a non-empty id of at most 250 characters.`);
  }
  if (typeof input.connType !== 'string' || input.connType.trim() === '') {
    throw new Error(`Connection ${JSON.stringify(input.connId)} needs a conn_type (e.g. "postgres", "http").`);
  }
  const port = input.port ?? null;
  if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`Connection ${JSON.stringify(input.connId)} has port ${port}: use a whole number from 0 to 65535, or leave it empty.`);
  }
  const fields = {
    conn_type: input.connType,
    description: input.description ?? null,
    host: input.host ?? null,
    schema: input.schema ?? null,
    login: input.login ?? null,
    password: input.password ?? null,
    port,
    extra: input.extra ?? null,
    is_encrypted: toFlag(input.isEncrypted ?? false),
    is_extra_encrypted: toFlag(input.isExtraEncrypted ?? false),
  };
  await db
    .insertInto('connection')
    .values({ conn_id: input.connId, ...fields })
    .onConflict((oc) => oc.column('conn_id').doUpdateSet(fields))
    .execute();
}

/** Deletes a connection; returns false when there was none. */
export async function deleteConnection(db: Kysely<Schema>, connId: string): Promise<boolean> {
  const result = await db.deleteFrom('connection').where('conn_id', '=', connId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every connection, by id. */
export async function listConnections(db: Kysely<Schema>): Promise<Connection[]> {
  const rows = await db.selectFrom('connection').selectAll().orderBy('conn_id').execute();
  return rows.map(toConnection);
}

function toConnection(row: Selectable<ConnectionTable>): Connection {
  return {
    connId: row.conn_id,
    connType: row.conn_type,
    description: row.description,
    host: row.host,
    schema: row.schema,
    login: row.login,
    password: row.password,
    port: row.port,
    extra: row.extra,
    isEncrypted: fromFlag(row.is_encrypted),
    isExtraEncrypted: fromFlag(row.is_extra_encrypted),
  };
}
