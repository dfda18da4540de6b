/**
 * How the API knows who is calling and what they may do. The app is given an `Authenticator`
 * (HTTP basic, session cookie or API token); routes declare what they need with
 * `requirePermission(action, resource)`, which answers 401 without credentials and 403 without
 * the permission.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { allowed, type Action, type Principal, type Resource } from './authz.ts';
import { forbidden, unauthenticated } from './problem.ts';

export interface ApiEnv {
  Variables: { principal: Principal | null };
}

/** Resolves the caller from the request, or null when it carries no valid credentials. */
export type Authenticator = (c: Context<ApiEnv>) => Promise<Principal | null>;

/** Sets `c.var.principal` for every request (null when anonymous). */
export function authenticate(auth: Authenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set('principal', await auth(c));
    await next();
  };
}

/** Route guard: 401 when anonymous, 403 when the role lacks the permission. */
export function requirePermission(action: Action, resource: Resource): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const who = c.get('principal');
    if (!who) throw unauthenticated();
    if (!allowed(who.role, action, resource)) throw forbidden(`User '${who.username}' (role ${who.role}) may not ${action} ${resource}.`);
    await next();
  };
}
