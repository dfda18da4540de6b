/**
 * `POST /auth/token`: a username and password (JSON `{"username", "password"}`, or the OAuth2
 * password form) in exchange for an access token, as Airflow 3 issues them: 201
 * `{"access_token": "<JWT>"}`. Wrong credentials get 401 and never say which part was wrong;
 * a username that failed too often gets 429 with Retry-After (the same backoff as every sign-in).
 */
import { Hono } from 'hono';
import { touchLastLogin } from '../../../security/users.ts';
import type { BatonAuthenticator } from '../../auth/authenticator.ts';
import { HttpError, invalid } from '../errors.ts';
import type { AccessTokens } from './access-tokens.ts';

const MAX_BODY = 8 * 1024;

/** The token route, for `app.route('/auth', tokenRoutes(…))`. */
export function tokenRoutes(auth: BatonAuthenticator, tokens: AccessTokens): Hono {
  const app = new Hono();
  app.post('/token', async (c) => {
    const text = await c.req.text();
    if (text.length > MAX_BODY) throw new HttpError(413, `A token request body may have at most ${MAX_BODY} bytes.`);
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let body: unknown;
    if (type === 'application/x-www-form-urlencoded') body = Object.fromEntries(new URLSearchParams(text));
    else {
      try {
        body = JSON.parse(text);
      } catch {
        throw invalid(['body'], 'Send a JSON object {"username": "...", "password": "..."}.', undefined, 'json_invalid');
      }
    }
    const b = body as Record<string, unknown> | null;
    for (const field of ['username', 'password']) {
      if (!b || typeof b !== 'object' || typeof b[field] !== 'string' || b[field] === '') throw invalid(['body', field], 'Field required: a non-empty string', undefined, 'missing');
    }
    const r = await auth.login(b!.username as string, b!.password as string);
    if (!r.ok) {
      if (r.reason === 'locked') {
        const seconds = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
        throw new HttpError(429, `Too many failed sign-ins for this username: try again in ${seconds} s.`, { 'retry-after': String(seconds) });
      }
      throw new HttpError(401, 'Invalid credentials');
    }
    await touchLastLogin(auth.db, r.user.id);
    return c.json({ access_token: await tokens.issue(r.user, r.passwordHash) }, 201);
  });
  return app;
}
