/**
 * The API's `Authenticator`: who is calling, from (in this order) the `Authorization` header —
 * HTTP Basic (username and password) or `Bearer <API token>` — or else the signed session
 * cookie that `POST /auth/login` sets. Inactive users are refused. Failed passwords back off
 * per username (`LoginLimiter`), and every refusal looks the same: nothing tells whether the
 * username or the password was wrong.
 *
 * Checking a password costs a scrypt hash, so a password that just verified is remembered for
 * `credentialCacheSeconds` (keyed by an HMAC of user, password hash and password; changing the
 * password invalidates it at once).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { Kysely, type Selectable } from 'kysely';
import type { BatonConfig } from '../../config.ts';
import { sessionSecret } from '../../security/keys.ts';
import { burnTime, verifyPasswordHash } from '../../security/passwords.ts';
import { userForApiToken } from '../../security/api-tokens.ts';
import { findRow, toUser, type User } from '../../security/users.ts';
import type { BatonDb } from '../../store/database.ts';
import type { AbUserTable, Schema } from '../../store/schema.ts';
import type { ApiEnv, Authenticator } from '../auth-contract.ts';
import type { Principal } from '../authz.ts';
import { LoginLimiter, type LoginLimiterOptions } from './login-limiter.ts';
import { passwordFingerprint, SessionSigner } from './session.ts';

/** Options of `createAuthenticator`. */
export interface AuthenticatorOptions {
  /** The metadata database (a Kysely instance or an open `BatonDb`). */
  db: Kysely<Schema> | BatonDb;
  /** Gives BATON_SECRET_KEY (or BATON_HOME, where a generated one is kept). */
  config: Pick<BatonConfig, 'home' | 'secretKey'>;
  /** How long a session lasts, in seconds. Default 43200 (12 hours). */
  sessionTtlSeconds?: number;
  /** Name of the session cookie. Default `baton_session`. */
  cookieName?: string;
  /** Backoff for failed passwords (or options for a new one). Default: `new LoginLimiter()`. */
  limiter?: LoginLimiter | LoginLimiterOptions;
  /** How long a verified password is remembered, in seconds; 0 disables. Default 60. */
  credentialCacheSeconds?: number;
  /** The clock, in epoch milliseconds. Default Date.now. */
  now?: () => number;
}

/** The result of checking a username and password. */
export type LoginOutcome =
  | { ok: true; user: User; passwordHash: string | null }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

/** An `Authenticator` that also signs users in (for the login route). */
export interface BatonAuthenticator extends Authenticator {
  readonly db: Kysely<Schema>;
  readonly cookieName: string;
  readonly sessionTtlSeconds: number;
  readonly limiter: LoginLimiter;
  /** Checks a username and password, with backoff; inactive users are refused as `invalid`. */
  login(username: string, password: string): Promise<LoginOutcome>;
  /** A signed session cookie value for the user, and when it expires. */
  openSession(user: User, passwordHash: string | null): { value: string; expiresAt: Date };
}

const MAX_CACHE = 1000;

/** Name of the session cookie unless `cookieName` says otherwise. */
export const DEFAULT_SESSION_COOKIE = 'baton_session';

/** Builds the authenticator; see the module comment for what it accepts. */
export function createAuthenticator(o: AuthenticatorOptions): BatonAuthenticator {
  const db = o.db instanceof Kysely ? o.db : o.db.db;
  const now = o.now ?? Date.now;
  const ttl = o.sessionTtlSeconds ?? 43_200;
  const cookieName = o.cookieName ?? DEFAULT_SESSION_COOKIE;
  const limiter = o.limiter instanceof LoginLimiter ? o.limiter : new LoginLimiter({ now, ...o.limiter });
  const signer = new SessionSigner(sessionSecret(o.config));
  const cacheMs = (o.credentialCacheSeconds ?? 60) * 1000;
  const cacheKey = randomBytes(32);
  const verified = new Map<string, number>();

  const remembered = (row: Selectable<AbUserTable>, password: string): { key: string; hit: boolean } => {
    const key = createHmac('sha256', cacheKey).update(`${row.id}\0${row.password_hash ?? ''}\0${password}`).digest('base64url');
    const until = verified.get(key);
    return { key, hit: until !== undefined && until > now() };
  };

  async function login(username: string, password: string): Promise<LoginOutcome> {
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || username.length > 256 || password.length > 1024) {
      await burnTime();
      return { ok: false, reason: 'invalid' };
    }
    const wait = limiter.retryAfterMs(username);
    if (wait > 0) return { ok: false, reason: 'locked', retryAfterMs: wait };
    const row = await findRow(db, username);
    let good = false;
    if (!row) await burnTime();
    else {
      const cached = cacheMs > 0 ? remembered(row, password) : null;
      good = cached?.hit || (await verifyPasswordHash(password, row.password_hash));
      if (good && cached && !cached.hit) {
        if (verified.size >= MAX_CACHE) verified.delete(verified.keys().next().value!);
        verified.set(cached.key, now() + cacheMs);
      }
    }
    if (!row || !good) {
      limiter.failure(username);
      return { ok: false, reason: 'invalid' };
    }
    limiter.success(username);
    const user = toUser(row);
    return user.active ? { ok: true, user, passwordHash: row.password_hash } : { ok: false, reason: 'invalid' };
  }

  async function fromAuthorization(header: string): Promise<User | null> {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const text = Buffer.from(value, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon <= 0) return null;
      const r = await login(text.slice(0, colon), text.slice(colon + 1));
      return r.ok ? r.user : null;
    }
    if (scheme === 'bearer') {
      const user = await userForApiToken(db, value);
      return user?.active ? user : null;
    }
    return null;
  }

  async function fromSession(cookie: string | undefined): Promise<User | null> {
    const claims = signer.verify(cookie, Math.floor(now() / 1000));
    if (!claims) return null;
    const row = await db.selectFrom('ab_user').selectAll().where('id', '=', claims.uid).executeTakeFirst();
    if (!row || passwordFingerprint(row.password_hash) !== claims.pwd) return null;
    const user = toUser(row);
    return user.active ? user : null;
  }

  const authenticate = async (c: Context<ApiEnv>): Promise<Principal | null> => {
    const header = c.req.header('authorization');
    const user = header !== undefined ? await fromAuthorization(header) : await fromSession(getCookie(c, cookieName));
    return user ? { username: user.username, role: user.role } : null;
  };

  return Object.assign(authenticate, {
    db,
    cookieName,
    sessionTtlSeconds: ttl,
    limiter,
    login,
    openSession(user: User, passwordHash: string | null) {
      const exp = Math.floor(now() / 1000) + ttl;
      return { value: signer.sign({ uid: user.id, exp, pwd: passwordFingerprint(passwordHash) }), expiresAt: new Date(exp * 1000) };
    },
  });
}
