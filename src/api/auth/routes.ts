/**
 * `POST /login` (JSON or form body `{username, password}`: sets the session cookie) and
 * `POST /logout` (clears it), as a Hono sub-app; the API app mounts it under `/auth`.
 * A wrong username and a wrong password get the same answer; a username that failed too often
 * gets 429 with Retry-After, whatever it sends.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { touchLastLogin } from '../../security/users.ts';
import type { ApiEnv } from '../auth-contract.ts';
import { badRequest, Problem, problemResponse } from '../problem.ts';
import type { BatonAuthenticator } from './authenticator.ts';

const MAX_BODY = 8 * 1024;
const INVALID = 'Invalid username or password.';

async function readCredentials(c: Context): Promise<{ username: string; password: string }> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_BODY) throw new Problem(413, `A login request body may have at most ${MAX_BODY} bytes.`);
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await c.req.text();
  if (text.length > MAX_BODY) throw new Problem(413, `A login request body may have at most ${MAX_BODY} bytes.`);
  let body: unknown;
  if (type === 'application/json') {
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest('The request body is not valid JSON: send {"username": "...", "password": "..."}.');
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    body = Object.fromEntries(new URLSearchParams(text));
  } else {
    throw new Problem(415, 'Send the credentials as JSON ("Content-Type: application/json") or as a form.');
  }
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b) || typeof b.username !== 'string' || typeof b.password !== 'string' || b.username === '' || b.password === '') {
    throw badRequest('Send a JSON object with a non-empty "username" and "password" (strings).');
  }
  const unknown = Object.keys(b).filter((k) => k !== 'username' && k !== 'password');
  if (unknown.length) throw badRequest(`Unknown field(s): ${unknown.map((k) => `'${k.slice(0, 40)}'`).join(', ')}; send only "username" and "password".`);
  return { username: b.username, password: b.password };
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** The login and logout routes, for `app.route('/auth', authRoutes(authenticator))`. */
export function authRoutes(auth: BatonAuthenticator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError((err, c) => {
    const res = problemResponse(c, err);
    // A login form must not make the browser pop up its own password dialog.
    res.headers.delete('www-authenticate');
    return res;
  });

  app.post('/login', async (c) => {
    const { username, password } = await readCredentials(c);
    const r = await auth.login(username, password);
    if (!r.ok) {
      if (r.reason === 'locked') {
        const seconds = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
        const res = problemResponse(c, new Problem(429, `Too many failed sign-ins for this username: try again in ${seconds} s.`, 'Too Many Requests'));
        res.headers.set('retry-after', String(seconds));
        return res;
      }
      throw new Problem(401, INVALID);
    }
    await touchLastLogin(auth.db, r.user.id);
    const session = auth.openSession(r.user, r.passwordHash);
    setCookie(c, auth.cookieName, session.value, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: isHttps(c),
      maxAge: auth.sessionTtlSeconds,
      expires: session.expiresAt,
    });
    return c.json({ username: r.user.username, role: r.user.role, expires_at: session.expiresAt.toISOString() });
  });

  app.post('/logout', (c) => {
    deleteCookie(c, auth.cookieName, { path: '/', secure: isHttps(c) });
    return c.body(null, 204);
  });

  return app;
}
