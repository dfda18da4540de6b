/**
 * The REST API's `UserStore` backed by the `ab_user` table: the `/users` endpoints manage
 * users through it, with passwords hashed here and never returned.
 */
import type { Kysely } from 'kysely';
import { UserConflictError, UserInputError, type ApiUser, type UserStore } from '../api/user-store.ts';
import type { Schema } from '../store/schema.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser, UserError, type User } from './users.ts';

function toApiUser(u: User): ApiUser {
  return {
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    role: u.role,
    active: u.active,
    createdOn: u.createdOn,
    changedOn: null,
    lastLogin: u.lastLogin,
    loginCount: null,
    failedLoginCount: null,
  };
}

/** Maps the security module's errors to the ones the API turns into 400 / 409; undefined for `not_found`. */
function translate(e: unknown): undefined {
  if (e instanceof UserError) {
    if (e.code === 'exists') throw new UserConflictError(e.message);
    if (e.code === 'invalid') throw new UserInputError(e.message);
    return undefined;
  }
  throw e;
}

/** A `UserStore` on `db`, for `ApiDeps.users`. */
export function databaseUserStore(db: Kysely<Schema>): UserStore {
  return {
    list: async () => (await listUsers(db)).map(toApiUser),
    get: async (username) => {
      const u = await getUser(db, username);
      return u && toApiUser(u);
    },
    create: async (input) => {
      try {
        return toApiUser(await createUser(db, input));
      } catch (e) {
        translate(e);
        throw e;
      }
    },
    update: async (username, patch) => {
      try {
        return toApiUser(await updateUser(db, username, patch));
      } catch (e) {
        return translate(e);
      }
    },
    delete: (username) => deleteUser(db, username),
  };
}
