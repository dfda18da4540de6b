/**
 * Users of the web UI and REST API (the `ab_user` table): create, read, update, delete, reset a
 * password and check one. Roles are Airflow's (Admin, Op, User, Viewer, Public). The password
 * hash never leaves this module: a `User` has no password field.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { isRole, ROLES, type Role } from '../api/authz.ts';
import { fromFlag, nowIso, toFlag } from '../store/codec.ts';
import type { AbUserTable, Schema } from '../store/schema.ts';
import { burnTime, checkPassword, hashPassword, PasswordError, verifyPasswordHash } from './passwords.ts';

/** A user, without its password hash. */
export interface User {
  id: number;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  active: boolean;
  createdOn: string;
  lastLogin: string | null;
}

/** A user to create. */
export interface NewUser {
  username: string;
  /** Null creates a user who cannot sign in with a password (API tokens only). */
  password: string | null;
  role: Role | string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Default true. */
  active?: boolean;
}

/** Changes to a user; fields left undefined keep their value. */
export interface UserPatch {
  /** A new username (renames the user). */
  username?: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  role?: Role | string;
  active?: boolean;
  password?: string;
}

/** Why a user operation was refused: `invalid` input, the user `exists` already, or `not_found`. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: 'invalid' | 'exists' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}

const MAX_NAME = 256;

/** Throws unless the username can be stored and used with HTTP basic auth. */
export function checkUsername(username: unknown): asserts username is string {
  if (typeof username !== 'string' || username.trim() === '' || username !== username.trim()) {
    throw new UserError('invalid', 'A username must be a non-empty string without leading or trailing spaces.');
  }
  if (username.length > MAX_NAME || /[:\u0000-\u001f\u007f]/.test(username)) {
    throw new UserError('invalid', `Username ${JSON.stringify(username.slice(0, 40))} is invalid: use at most ${MAX_NAME} characters, without ':' or control characters.`);
  }
}

function checkRole(role: unknown): Role {
  if (!isRole(role)) throw new UserError('invalid', `Role ${JSON.stringify(role)} is not a role; use one of ${ROLES.join(', ')}.`);
  return role;
}

function checkText(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > MAX_NAME) throw new UserError('invalid', `${what} must be a string of at most ${MAX_NAME} characters.`);
  if (what === 'Email' && !/^[^\s@]+@[^\s@]+$/.test(value)) throw new UserError('invalid', `Email ${JSON.stringify(value)} is not an email address.`);
  return value;
}

async function hashOrNull(password: string | null): Promise<string | null> {
  if (password === null) return null;
  try {
    checkPassword(password);
  } catch (e) {
    throw new UserError('invalid', (e as PasswordError).message);
  }
  return hashPassword(password);
}

/** Creates a user and returns it. */
export async function createUser(db: Kysely<Schema>, input: NewUser): Promise<User> {
  checkUsername(input.username);
  const role = checkRole(input.role);
  const email = checkText(input.email, 'Email');
  const firstName = checkText(input.firstName, 'First name');
  const lastName = checkText(input.lastName, 'Last name');
  if (await findRow(db, input.username)) throw new UserError('exists', `User '${input.username}' already exists.`);
  await checkEmailFree(db, email, null);
  const row = {
    username: input.username, email, first_name: firstName, last_name: lastName,
    password_hash: await hashOrNull(input.password), role, active: toFlag(input.active ?? true), created_on: nowIso(), last_login: null,
  };
  try {
    const { id } = await db.insertInto('ab_user').values(row).returning('id').executeTakeFirstOrThrow();
    return toUser({ id, ...row });
  } catch (e) {
    // Two creations of the same name raced: the unique index refused the second.
    if (await findRow(db, input.username)) throw new UserError('exists', `User '${input.username}' already exists.`);
    throw e;
  }
}

/** The user called `username`, or undefined. */
export async function getUser(db: Kysely<Schema>, username: string): Promise<User | undefined> {
  const row = await findRow(db, username);
  return row && toUser(row);
}

/** The user with this id, or undefined. */
export async function getUserById(db: Kysely<Schema>, id: number): Promise<User | undefined> {
  const row = await db.selectFrom('ab_user').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

/** Every user, by username. */
export async function listUsers(db: Kysely<Schema>): Promise<User[]> {
  const rows = await db.selectFrom('ab_user').selectAll().orderBy('username').execute();
  return rows.map(toUser);
}

/** How many users there are. */
export async function countUsers(db: Kysely<Schema>): Promise<number> {
  const r = await db.selectFrom('ab_user').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Applies `patch` and returns the updated user; throws `not_found` when there is none. */
export async function updateUser(db: Kysely<Schema>, username: string, patch: UserPatch): Promise<User> {
  const current = await findRow(db, username);
  if (!current) throw notFound(username);
  const changes: Updateable<AbUserTable> = {};
  if (patch.username !== undefined && patch.username !== username) {
    checkUsername(patch.username);
    if (await findRow(db, patch.username)) throw new UserError('exists', `User '${patch.username}' already exists.`);
    changes.username = patch.username;
  }
  if (patch.email !== undefined) {
    changes.email = checkText(patch.email, 'Email');
    await checkEmailFree(db, changes.email, current.id);
  }
  if (patch.firstName !== undefined) changes.first_name = checkText(patch.firstName, 'First name');
  if (patch.lastName !== undefined) changes.last_name = checkText(patch.lastName, 'Last name');
  if (patch.role !== undefined) changes.role = checkRole(patch.role);
  if (patch.active !== undefined) {
    if (typeof patch.active !== 'boolean') throw new UserError('invalid', 'active must be true or false.');
    changes.active = toFlag(patch.active);
  }
  if (patch.password !== undefined) changes.password_hash = await hashOrNull(patch.password);
  if (Object.keys(changes).length > 0) {
    const r = await db.updateTable('ab_user').set(changes).where('id', '=', current.id).executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw notFound(username);
  }
  const user = await getUserById(db, current.id);
  if (!user) throw notFound(username);
  return user;
}

/** Sets a new password; throws `not_found` when there is no such user. */
export async function resetPassword(db: Kysely<Schema>, username: string, password: string): Promise<void> {
  await updateUser(db, username, { password });
}

/** Deletes a user (and its API tokens); returns false when there was none. */
export async function deleteUser(db: Kysely<Schema>, username: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('ab_user').select('id').where('username', '=', username).executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('api_token').where('user_id', '=', row.id).execute();
    await trx.deleteFrom('ab_user').where('id', '=', row.id).execute();
    return true;
  });
}

/**
 * The user when `password` is theirs, else null; the same answer (and about the same time)
 * for an unknown user as for a wrong password. Does not look at `active`: callers decide.
 */
export async function verifyPassword(db: Kysely<Schema>, username: string, password: string): Promise<User | null> {
  const row = typeof username === 'string' && username.length <= MAX_NAME ? await findRow(db, username) : undefined;
  if (!row) {
    await burnTime();
    return null;
  }
  return (await verifyPasswordHash(password, row.password_hash)) ? toUser(row) : null;
}

/** Records a successful sign-in. */
export async function touchLastLogin(db: Kysely<Schema>, userId: number): Promise<void> {
  await db.updateTable('ab_user').set({ last_login: nowIso() }).where('id', '=', userId).execute();
}

/** The user's row including its password hash; for the authentication code only. */
export async function findRow(db: Kysely<Schema>, username: string): Promise<Selectable<AbUserTable> | undefined> {
  return db.selectFrom('ab_user').selectAll().where('username', '=', username).executeTakeFirst();
}

/** Throws `exists` when another user (not `selfId`) has this email; emails identify users, as in Airflow. */
async function checkEmailFree(db: Kysely<Schema>, email: string | null, selfId: number | null): Promise<void> {
  if (email === null) return;
  let q = db.selectFrom('ab_user').select('username').where('email', '=', email);
  if (selfId !== null) q = q.where('id', '!=', selfId);
  const other = await q.executeTakeFirst();
  if (other) throw new UserError('exists', `Email ${email} is already used by user '${other.username}'.`);
}

function notFound(username: string): UserError {
  return new UserError('not_found', `User '${username}' does not exist.`);
}

/** A row as a `User`; a role the database holds but Baton does not know reads as Public. */
export function toUser(row: Selectable<AbUserTable>): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    role: isRole(row.role) ? row.role : 'Public',
    active: fromFlag(row.active),
    createdOn: row.created_on,
    lastLogin: row.last_login,
  };
}
