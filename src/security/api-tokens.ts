/**
 * API tokens: long random secrets a user sends as `Authorization: Bearer <token>`. A token is
 * shown once, when created (`baton_` + 32 random bytes in base64url); the database keeps only
 * its SHA-256, so a stolen database does not yield working tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { nowIso } from '../store/codec.ts';
import type { Schema } from '../store/schema.ts';
import { toUser, UserError, type User } from './users.ts';

/** Every token starts with this, so that secret scanners and people can recognize one. */
export const TOKEN_PREFIX = 'baton_';
const TOKEN_BYTES = 32;
/** `last_used_at` is written at most this often per token, to keep reads cheap. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A token as listed: never the token itself. */
export interface ApiToken {
  id: number;
  username: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A token just created: `token` is the only time the secret is available. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

/** The stored form of a token: its SHA-256 in hex. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates a token called `name` for the user and returns it, secret included, once. */
export async function createApiToken(db: Kysely<Schema>, username: string, name: string): Promise<CreatedApiToken> {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256) {
    throw new UserError('invalid', 'A token name must be a non-empty string of at most 256 characters (e.g. "ci-deploy").');
  }
  const user = await db.selectFrom('ab_user').select(['id', 'username']).where('username', '=', username).executeTakeFirst();
  if (!user) throw new UserError('not_found', `User '${username}' does not exist.`);
  const clash = await db.selectFrom('api_token').select('id').where('user_id', '=', user.id).where('name', '=', name).executeTakeFirst();
  if (clash) throw new UserError('exists', `User '${username}' already has a token called '${name}'; revoke it first or choose another name.`);
  const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
  const createdAt = nowIso();
  const { id } = await db
    .insertInto('api_token')
    .values({ user_id: user.id, token_hash: hashApiToken(token), name, created_at: createdAt, last_used_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, username: user.username, name, createdAt, lastUsedAt: null, token };
}

/** The user's tokens (every user's when `username` is undefined), by user then name. */
export async function listApiTokens(db: Kysely<Schema>, username?: string): Promise<ApiToken[]> {
  let q = db
    .selectFrom('api_token as t')
    .innerJoin('ab_user as u', 'u.id', 't.user_id')
    .select(['t.id', 'u.username', 't.name', 't.created_at', 't.last_used_at']);
  if (username !== undefined) q = q.where('u.username', '=', username);
  const rows = await q.orderBy('u.username').orderBy('t.name').execute();
  return rows.map((r) => ({ id: r.id, username: r.username, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}

/** Revokes the user's token called `name`; returns false when there was none. */
export async function revokeApiToken(db: Kysely<Schema>, username: string, name: string): Promise<boolean> {
  const user = await db.selectFrom('ab_user').select('id').where('username', '=', username).executeTakeFirst();
  if (!user) return false;
  const r = await db.deleteFrom('api_token').where('user_id', '=', user.id).where('name', '=', name).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Revokes a token by id; returns false when there was none. */
export async function revokeApiTokenById(db: Kysely<Schema>, id: number): Promise<boolean> {
  const r = await db.deleteFrom('api_token').where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/**
 * The user a presented token belongs to, or undefined for an unknown (or revoked) token.
 * Records when the token was last used. Does not look at `active`: callers decide.
 */
export async function userForApiToken(db: Kysely<Schema>, token: string): Promise<User | undefined> {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const row = await db
    .selectFrom('api_token as t')
    .innerJoin('ab_user as u', 'u.id', 't.user_id')
    .selectAll('u')
    .select(['t.id as token_id', 't.last_used_at as token_last_used_at'])
    .where('t.token_hash', '=', hashApiToken(token))
    .executeTakeFirst();
  if (!row) return undefined;
  const last = row.token_last_used_at === null ? 0 : Date.parse(row.token_last_used_at);
  if (Date.now() - last >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_token').set({ last_used_at: nowIso() }).where('id', '=', row.token_id).execute();
  }
  const { token_id: _id, token_last_used_at: _last, ...user } = row;
  return toUser(user);
}
