/**
 * Session cookies: `<payload>.<signature>`, both base64url, where the payload names the user
 * and the expiry and the signature is an HMAC-SHA256 with a key derived from BATON_SECRET_KEY.
 * The payload also carries a fingerprint of the user's password hash, so changing the
 * password ends every session opened with the old one. Nothing secret is in the cookie.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a valid session says. */
export interface SessionClaims {
  /** The user's id. */
  uid: number;
  /** Expiry, epoch seconds. */
  exp: number;
  /** Fingerprint of the user's password hash when the session was opened. */
  pwd: string;
}

/** A short, one-way fingerprint of a password hash (or of "no password"). */
export function passwordFingerprint(passwordHash: string | null): string {
  return createHash('sha256').update(passwordHash ?? '\0none').digest('base64url').slice(0, 16);
}

/** Signs and checks session cookies with one secret. */
export class SessionSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (typeof secret !== 'string' || secret.length < 16) throw new Error('BATON_SECRET_KEY must be at least 16 characters long.');
    this.key = createHmac('sha256', 'baton-session-v1').update(secret).digest();
  }

  /** The cookie value for these claims. */
  sign(claims: SessionClaims): string {
    const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a well-signed, unexpired cookie, else null. `nowSeconds` defaults to the clock. */
  verify(cookie: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): SessionClaims | null {
    if (typeof cookie !== 'string' || cookie.length > 1024) return null;
    const dot = cookie.indexOf('.');
    if (dot <= 0) return null;
    const payload = cookie.slice(0, dot);
    const given = Buffer.from(cookie.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const c = claims as Partial<SessionClaims> | null;
    if (!c || !Number.isInteger(c.uid) || !Number.isInteger(c.exp) || typeof c.pwd !== 'string') return null;
    if (c.exp! <= nowSeconds) return null;
    return { uid: c.uid!, exp: c.exp!, pwd: c.pwd };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
