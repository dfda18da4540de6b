/**
 * `GET /ui/me`: who the session belongs to and what the role may do, so the UI shows only the
 * buttons the API would accept (the API checks every request anyway).
 */
import { Hono } from 'hono';
import { permissionsOf } from '../authz.ts';
import type { ApiEnv } from '../auth-contract.ts';
import { unauthenticated } from '../problem.ts';

/** The `/me` route. */
export function meRoutes(): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get('/me', (c) => {
    const who = c.get('principal');
    if (!who) throw unauthenticated();
    return c.json({
      username: who.username,
      role: who.role,
      permissions: permissionsOf(who.role).map((p) => `${p.action}:${p.resource}`),
    });
  });
  return app;
}
