/**
 * Airflow 3's public REST API v2 under `/api/v2`, from the same store and rules as v1. Routes
 * are declared by OpenAPI operation id (see context.ts) and registered from the document's
 * paths, literal segments before parameters where paths overlap. Every call needs
 * `Authorization: Bearer` with an access token from `POST /auth/token` (or a Baton API token);
 * each route checks its permission; parameters and bodies are converted and checked against the
 * document before the route runs (422 when malformed); errors are `{"detail": …}` JSON.
 */
import { Hono } from 'hono';
import { allowed } from '../authz.ts';
import type { Authenticator } from '../auth-contract.ts';
import { errorResponse, HttpError } from './errors.ts';
import { looksLikeJwt, type AccessTokens } from './auth/access-tokens.ts';
import type { RouteDef, V2Deps, V2Env } from './context.ts';
import { readInput } from './request.ts';
import { openApiV2Text, specOperation } from './spec.ts';
import { allRoutes } from './routes/index.ts';

/** What `createV2Api` is built with. */
export interface V2ApiOptions {
  deps: V2Deps;
  tokens: AccessTokens;
  /** Checks Bearer values that are not access tokens (Baton API tokens). */
  fallback: Authenticator;
}

/** Hono path syntax of a document path (`/dags/{dag_id}` → `/dags/:dag_id`). */
function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

/** Sorts paths so that at the first segment where two differ, a literal comes before a parameter. */
function specificity(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const pa = sa[i]!.startsWith('{');
    const pb = sb[i]!.startsWith('{');
    if (pa !== pb) return pa ? 1 : -1;
  }
  return 0;
}

/** The served operations, in registration order. */
export function servedOperations(deps: V2Deps): Array<RouteDef & { method: string; path: string }> {
  return allRoutes(deps)
    .map((r) => ({ ...r, ...specOperation(r.op) }))
    .map(({ id: _id, parameters: _p, body: _b, bodyRequired: _r, ...rest }) => rest)
    .sort((a, b) => specificity(a.path, b.path));
}

/** Builds the `/api/v2` sub-app (see the module comment). */
export function createV2Api(o: V2ApiOptions): Hono<V2Env> {
  const api = new Hono<V2Env>();
  api.onError((err, c) => errorResponse(c, err));
  api.get('/openapi.yaml', (c) => c.body(openApiV2Text(), 200, { 'content-type': 'application/yaml; charset=utf-8' }));

  api.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const [scheme, ...rest] = header.trim().split(/\s+/);
    const value = rest.join(' ');
    let principal = null;
    if (scheme?.toLowerCase() === 'bearer' && value !== '') {
      if (looksLikeJwt(value)) {
        const user = await o.tokens.verify(value);
        principal = user && { username: user.username, role: user.role };
      } else principal = await o.fallback(c as never);
    }
    c.set('principal', principal);
    await next();
  });

  for (const r of servedOperations(o.deps)) {
    const needsNoAuth = r.op === 'get_health' || r.op === 'get_version' || r.op === 'login' || r.op === 'logout';
    api.on(r.method, honoPath(r.path), async (c) => {
      const who = c.get('principal');
      if (!needsNoAuth) {
        if (!who) throw new HttpError(401, 'Not authenticated');
        if (r.perm && !allowed(who.role, r.perm[0], r.perm[1])) throw new HttpError(403, `User '${who.username}' (role ${who.role}) may not ${r.perm[0]} ${r.perm[1]}.`);
      }
      const input = await readInput(c, specOperation(r.op));
      c.set('input', input);
      return r.handle(c, input);
    });
  }
  return api;
}
