/**
 * A stand-in authenticator for API tests: the header `x-test-role` names the caller's role
 * (and `x-test-user` their name, default `test-<role>`); no header means anonymous.
 */
import type { Authenticator } from '../../../src/api/auth-contract.ts';
import { isRole, type Role } from '../../../src/api/authz.ts';

export type TestRole = Role;

export const testAuthenticator: Authenticator = async (c) => {
  const role = c.req.header('x-test-role');
  if (!isRole(role)) return null;
  return { username: c.req.header('x-test-user') ?? `test-${role.toLowerCase()}`, role };
};
