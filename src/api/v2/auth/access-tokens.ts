/**
 * API access tokens: JWTs (HS512, via `jose`) that `POST /auth/token` issues and every v2 call
 * carries as `Authorization: Bearer`. A token names its user by id and carries a fingerprint of
 * the user's password hash; it is accepted only while it is unexpired, well signed with a key
 * of `api_signing_key`, its user still exists and is active, and the password is unchanged. A
 * token that fails any check is just "not authenticated": the caller learns nothing more.
 */
import { jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import type { Kysely } from 'kysely';
import { toUser, type User } from '../../../security/users.ts';
import type { Schema } from '../../../store/index.ts';
import { passwordFingerprint } from '../../auth/session.ts';
import type { SigningKeys } from './signing-key.ts';

/** Issuer and audience written into, and required of, every token. */
export const TOKEN_ISSUER = 'baton';
export const TOKEN_AUDIENCE = 'baton-api';
const ALG = 'HS512';

/** Options of `AccessTokens`. */
export interface AccessTokensOptions {
  /** Seconds a token stays valid. */
  expirationSeconds: number;
  /** The clock, epoch milliseconds. Default Date.now. */
  now?: () => number;
}

/** Issues and checks access tokens. */
export class AccessTokens {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly keys: SigningKeys,
    private readonly options: AccessTokensOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A signed token for the user. */
  async issue(user: User, passwordHash: string | null): Promise<string> {
    const key = await this.keys.signingKey();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ pwd: passwordFingerprint(passwordHash), role: user.role })
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setSubject(String(user.id))
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + this.options.expirationSeconds)
      .sign(key.secret);
  }

  /** The token's user when every check passes (see the module comment), else null. */
  async verify(token: string): Promise<User | null> {
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== ALG || typeof header.kid !== 'string') return null;
      const key = await this.keys.byKid(header.kid);
      if (!key) return null;
      const { payload } = await jwtVerify(token, key.secret, {
        algorithms: [ALG], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.now()),
      });
      if (!/^\d+$/.test(payload.sub ?? '')) return null;
      const row = await this.db.selectFrom('ab_user').selectAll().where('id', '=', Number(payload.sub)).executeTakeFirst();
      if (!row || payload.pwd !== passwordFingerprint(row.password_hash)) return null;
      const user = toUser(row);
      return user.active ? user : null;
    } catch {
      return null;
    }
  }
}

/** True when the text has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
