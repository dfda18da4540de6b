/**
 * Users, through the `UserStore` the app is given: list, get, create (409 when the username or
 * email is taken), update with `update_mask` (renaming too), delete. A Baton user has exactly
 * one role, sent as Airflow's `roles: [{"name": …}]`. Passwords are write-only.
 */
import { Hono } from 'hono';
import { isRole, ROLES, type Role } from '../authz.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { updateMask } from '../http/fields.ts';
import { checkKey, keyParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { checkLimit, parseOrderBy, queryInt, queryString } from '../http/query.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import { UserConflictError, UserInputError, type ApiUser, type ApiUserPatch } from '../user-store.ts';

const ORDER = { username: 'username', email: 'email', first_name: 'firstName', last_name: 'lastName', active: 'active', created_on: 'createdOn', last_login: 'lastLogin' } as const;
const UPDATABLE = ['username', 'email', 'first_name', 'last_name', 'roles', 'password'] as const;

interface UserBody {
  username?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  roles?: Array<{ name: string } | null>;
  password?: string;
}
const userBody = bodyValidator<UserBody>(closedObject(
  {
    username: { type: 'string', minLength: 1 }, email: { type: 'string', minLength: 1 }, first_name: { type: 'string' }, last_name: { type: 'string' },
    roles: { type: 'array', items: { type: ['object', 'null'], properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
    password: { type: 'string', minLength: 1 },
  },
  { readOnly: ['active', 'changed_on', 'created_on', 'failed_login_count', 'last_login', 'login_count'] },
));

/** The UserCollectionItem shape (never a password). */
function userView(u: ApiUser) {
  return {
    username: u.username, email: u.email ?? '', first_name: u.firstName ?? '', last_name: u.lastName ?? '', roles: [{ name: u.role }], active: u.active,
    created_on: u.createdOn, changed_on: u.changedOn, last_login: u.lastLogin, login_count: u.loginCount, failed_login_count: u.failedLoginCount,
  };
}

function oneRole(roles: UserBody['roles']): Role {
  const names = (roles ?? []).filter((r): r is { name: string } => r !== null).map((r) => r.name);
  if (names.length === 0) return 'Public';
  const unknown = names.filter((n) => !isRole(n));
  if (unknown.length) throw badRequest(`Unknown roles: ${unknown.join(', ')}; roles: ${ROLES.join(', ')}.`);
  if (new Set(names).size > 1) throw badRequest(`A Baton user has exactly one role (got ${names.join(', ')}).`);
  return names[0] as Role;
}

async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UserConflictError) throw conflict(e.message);
    if (e instanceof UserInputError) throw badRequest(e.message);
    throw e;
  }
}

/** User routes. */
export function userRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const users = deps.users;

  app.get('/users', requirePermission('read', 'Users'), async (c) => {
    const limit = checkLimit(queryInt(c, 'limit'));
    const offset = queryInt(c, 'offset', 0) ?? 0;
    const [order] = parseOrderBy(queryString(c, 'order_by'), ORDER, 'username');
    const all = await users.list();
    const key = (u: ApiUser) => u[order!.column] ?? '';
    all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.username.localeCompare(b.username)) * (order!.desc ? -1 : 1));
    return c.json({ users: all.slice(offset, offset + limit).map(userView), total_entries: all.length });
  });

  app.post('/users', requirePermission('create', 'Users'), async (c) => {
    const b = await readJsonBody(c, userBody);
    const missing = (['username', 'email', 'first_name', 'last_name', 'password'] as const).filter((f) => b[f] === undefined);
    if (missing.length) throw badRequest(`Missing required property(ies): ${missing.join(', ')}.`);
    const username = checkKey(b.username!, 'Username', 256);
    const role = oneRole(b.roles);
    const created = await storeCall(() => users.create({ username, email: b.email!, firstName: b.first_name!, lastName: b.last_name!, role, password: b.password! }));
    await deps.audit(c, { event: 'user.create', extra: { username, role } });
    return c.json(userView(created));
  });

  app.get('/users/:username', requirePermission('read', 'Users'), async (c) => {
    const username = keyParam(c, 'username', 'Username', 256);
    const user = await users.get(username);
    if (!user) throw notFound(`The User with username '${username}' was not found`);
    return c.json(userView(user));
  });

  app.patch('/users/:username', requirePermission('edit', 'Users'), async (c) => {
    const username = keyParam(c, 'username', 'Username', 256);
    const mask = updateMask(c, UPDATABLE);
    const b = await readJsonBody(c, userBody);
    const fields: string[] = mask ?? UPDATABLE.filter((f) => b[f] !== undefined);
    for (const f of fields) if (b[f as keyof UserBody] === undefined) throw badRequest(`update_mask names '${f}' but the body does not set it.`);
    if (!(await users.get(username))) throw notFound(`The User with username '${username}' was not found`);
    const patch: ApiUserPatch = {};
    if (fields.includes('username') && b.username !== username) patch.username = checkKey(b.username!, 'Username', 256);
    if (fields.includes('email')) patch.email = b.email;
    if (fields.includes('first_name')) patch.firstName = b.first_name;
    if (fields.includes('last_name')) patch.lastName = b.last_name;
    if (fields.includes('roles')) patch.role = oneRole(b.roles);
    if (fields.includes('password')) patch.password = b.password;
    const updated = await storeCall(() => users.update(username, patch));
    if (!updated) throw notFound(`The User with username '${username}' was not found`);
    await deps.audit(c, { event: 'user.edit', extra: { username, fields } });
    return c.json(userView(updated));
  });

  app.delete('/users/:username', requirePermission('delete', 'Users'), async (c) => {
    const username = keyParam(c, 'username', 'Username', 256);
    if (!(await users.delete(username))) throw notFound(`The User with username '${username}' was not found`);
    await deps.audit(c, { event: 'user.delete', extra: { username } });
    return c.body(null, 204);
  });

  return app;
}
