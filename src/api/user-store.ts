/**
 * The users the `/users` endpoints manage, behind a small interface so the API does not know how
 * users, passwords and roles are stored. The security module implements it; the API only
 * validates requests, pages results and renders Airflow's user shape. A Baton user holds
 * exactly one role (see authz.ts).
 */
import type { Role } from './authz.ts';

/** A user as the API shows it (never with a password or its hash). */
export interface ApiUser {
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  active: boolean;
  /** ISO-8601 timestamps, or null when unknown. */
  createdOn: string | null;
  changedOn: string | null;
  lastLogin: string | null;
  loginCount: number | null;
  failedLoginCount: number | null;
}

/** A user to create; the store hashes the password. */
export interface NewApiUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  password: string;
}

/** Fields to change on a user; absent fields keep their value. */
export interface ApiUserPatch {
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  role?: Role;
  password?: string;
}

/** Thrown by a store when a username or email is already taken (the API answers 409). */
export class UserConflictError extends Error {
  override readonly name = 'UserConflictError';
}

/** Thrown by a store when it refuses a value, e.g. a too-weak password (the API answers 400). */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

/** Where the `/users` endpoints read and change users. */
export interface UserStore {
  /** Every user (the API sorts and pages them). */
  list(): Promise<ApiUser[]>;
  /** The user called `username`, or undefined. */
  get(username: string): Promise<ApiUser | undefined>;
  /** Creates a user; throws UserConflictError or UserInputError. */
  create(user: NewApiUser): Promise<ApiUser>;
  /** Changes a user; undefined when there is no such user. Throws UserConflictError or UserInputError. */
  update(username: string, patch: ApiUserPatch): Promise<ApiUser | undefined>;
  /** Deletes a user; false when there was none. */
  delete(username: string): Promise<boolean>;
}
