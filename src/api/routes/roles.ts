/**
 * Roles and permissions, from Baton's fixed role matrix (authz.ts): list and get roles with the
 * (action, resource) pairs each holds, and list the actions. Roles are built in, so creating,
 * changing or deleting one is refused (400).
 */
import { Hono } from 'hono';
import { ACTIONS, isRole, permissionsOf, ROLES, type Role } from '../authz.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { keyParam } from '../http/ids.ts';
import { checkLimit, parseOrderBy, queryInt, queryString } from '../http/query.ts';
import { badRequest, notFound } from '../problem.ts';

function roleView(role: Role) {
  return { name: role, actions: permissionsOf(role).map((p) => ({ action: { name: `can_${p.action}` }, resource: { name: p.resource } })) };
}

const FIXED = `Baton's roles are built in (${ROLES.join(', ')}) and cannot be created, changed or deleted; give a user another role instead.`;

/** Role and permission routes. */
export function roleRoutes(): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/permissions', requirePermission('read', 'Permissions'), (c) => {
    const limit = checkLimit(queryInt(c, 'limit'));
    const offset = queryInt(c, 'offset', 0) ?? 0;
    const actions = ACTIONS.map((a) => ({ name: `can_${a}` }));
    return c.json({ actions: actions.slice(offset, offset + limit), total_entries: actions.length });
  });

  app.get('/roles', requirePermission('read', 'Roles'), (c) => {
    const limit = checkLimit(queryInt(c, 'limit'));
    const offset = queryInt(c, 'offset', 0) ?? 0;
    const [order] = parseOrderBy(queryString(c, 'order_by'), { name: 'name' }, 'name');
    const roles = [...ROLES].sort((a, b) => a.localeCompare(b) * (order!.desc ? -1 : 1));
    return c.json({ roles: roles.slice(offset, offset + limit).map(roleView), total_entries: roles.length });
  });

  app.get('/roles/:role_name', requirePermission('read', 'Roles'), (c) => {
    const name = keyParam(c, 'role_name', 'Role name', 64);
    if (!isRole(name)) throw notFound(`Role with name '${name}' was not found; roles: ${ROLES.join(', ')}.`);
    return c.json(roleView(name));
  });

  app.post('/roles', requirePermission('create', 'Roles'), () => {
    throw badRequest(FIXED);
  });
  app.patch('/roles/:role_name', requirePermission('edit', 'Roles'), (c) => {
    const name = keyParam(c, 'role_name', 'Role name', 64);
    if (!isRole(name)) throw notFound(`Role with name '${name}' was not found; roles: ${ROLES.join(', ')}.`);
    throw badRequest(FIXED);
  });
  app.delete('/roles/:role_name', requirePermission('delete', 'Roles'), (c) => {
    const name = keyParam(c, 'role_name', 'Role name', 64);
    if (!isRole(name)) throw notFound(`Role with name '${name}' was not found; roles: ${ROLES.join(', ')}.`);
    throw badRequest(FIXED);
  });

  return app;
}
