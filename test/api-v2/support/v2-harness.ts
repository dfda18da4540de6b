/**
 * API v2 on a fresh database of one dialect (the v1 harness's fixtures and engine option), with
 * real authentication: a user per role, each with an access token from `POST /auth/token`.
 * `call()` sends a request as a role (default Admin) with `Authorization: Bearer <token>` and
 * checks every response against openapi-v2.yaml before returning it.
 */
import { createApiApp } from '../../../src/api/app.ts';
import { createAuthenticator, type BatonAuthenticator } from '../../../src/api/auth/index.ts';
import type { Role } from '../../../src/api/authz.ts';
import type { DialectUnderTest } from '../../support/databases.ts';
import { createTestUser } from '../../support/password-hashes.ts';
import { openApiHarness, type ApiHarness, type ApiHarnessOptions, type ApiResponse } from '../../api/support/api-harness.ts';
import { V2Validator } from './v2-validator.ts';

export const validator = new V2Validator();

/** Password of every harness user (`<role lower>-user`). */
export const PASSWORD = 'harness-pass-1';

export interface V2CallOptions {
  /** Default Admin; null sends no Authorization header. */
  role?: Role | null;
  /** Sent as is in Authorization (instead of the role's token). */
  authorization?: string;
  body?: unknown;
  headers?: Record<string, string>;
  unchecked?: boolean;
}

export interface V2Harness extends Omit<ApiHarness, 'call'> {
  auth: BatonAuthenticator;
  tokens: Partial<Record<Role, string>>;
  /** Signs in through POST /auth/token. */
  token(username: string, password: string): Promise<ApiResponse>;
  call<T = any>(method: string, path: string, o?: V2CallOptions): Promise<ApiResponse<T>>;
}

const ROLES: Role[] = ['Admin', 'Op', 'User', 'Viewer', 'Public'];

export async function openV2Harness(dialect: DialectUnderTest, o: ApiHarnessOptions = {}): Promise<V2Harness> {
  const base = await openApiHarness(dialect, o);
  const auth = createAuthenticator({ db: base.db, config: base.config, credentialCacheSeconds: 0 });
  base.app = createApiApp({ db: base.db, config: base.config, authenticator: auth, secrets: base.secrets, onChange: () => { base.changes++; base.engine?.engine.scheduler?.poke(); }, ...o.app });
  const request = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    let text: string | undefined;
    if (body !== undefined) {
      text = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const res = await base.app.request(path, { method, headers, body: text });
    const raw = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    const parsed: unknown = /^application\/json/.test(contentType) && raw !== '' ? JSON.parse(raw) : raw;
    return { status: res.status, headers: res.headers, contentType, body: parsed as any, text: raw };
  };
  const h: V2Harness = Object.assign(base as unknown as V2Harness, {
    auth,
    tokens: {},
    token: (username: string, password: string) => request('POST', '/auth/token', {}, { username, password }),
    async call(method: string, path: string, co: V2CallOptions = {}) {
      const headers: Record<string, string> = { ...co.headers };
      const role = co.role === undefined ? 'Admin' : co.role;
      if (co.authorization !== undefined) headers.authorization = co.authorization;
      else if (role !== null) headers.authorization = `Bearer ${h.tokens[role]}`;
      const r = await request(method, path, headers, co.body);
      if (!co.unchecked) validator.check(method, path.split('?')[0]!, { status: r.status, contentType: r.contentType, body: r.text === '' ? undefined : r.body });
      return r;
    },
  });
  for (const role of ROLES) {
    const username = `${role.toLowerCase()}-user`;
    await createTestUser(base.db, { username, password: PASSWORD, role });
    const r = await h.token(username, PASSWORD);
    if (r.status !== 201) throw new Error(`could not sign in ${username}: ${r.status} ${r.text}`);
    h.tokens[role] = r.body.access_token;
  }
  return h;
}
