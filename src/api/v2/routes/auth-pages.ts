/**
 * Airflow 3's browser sign-in links: `GET /auth/login` sends the browser to the web UI's sign-in
 * page (keeping `next`, a path on this server), and `GET /auth/logout` ends the browser's session
 * and sends it there too. Scripts sign in with `POST /auth/token` instead.
 */
import { deleteCookie } from 'hono/cookie';
import { DEFAULT_SESSION_COOKIE } from '../../auth/authenticator.ts';
import { param, route, type RouteDef, type V2Context } from '../context.ts';

/** `next` when it is a path on this server (never another site: no open redirect), else `/`. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : '/';
}

/** A 307 to `location`, with the JSON body the document declares for it. */
function redirect(c: V2Context, location: string): Response {
  return c.json({ detail: `Redirecting to ${location}` }, 307, { location });
}

export function authPageRoutes(): RouteDef[] {
  return [
    route('login', null, (c, input) => redirect(c, `/login?next=${encodeURIComponent(safeNext(param<string | undefined>(input, 'next')))}`)),
    route('logout', null, (c) => {
      deleteCookie(c, DEFAULT_SESSION_COOKIE, { path: '/', secure: new URL(c.req.url).protocol === 'https:' });
      return redirect(c, '/login');
    }),
  ];
}
