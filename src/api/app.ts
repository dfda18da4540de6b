/**
 * Baton's REST API: Airflow's stable API v1 (same paths, fields, envelopes, paging and
 * problem+json errors) under `/api/v1`, plus `/health` and the OpenAPI document. A Hono app,
 * served by `baton webserver` / `baton standalone` and testable with `app.request(...)`.
 *
 * Every route checks its permission (authz.ts) for the caller the authenticator finds; every
 * failure — including unknown paths (404), wrong methods (405) and oversize bodies (413) —
 * is rendered by the one error handler as `application/problem+json`.
 */
import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Kysely } from 'kysely';
import type { BatonConfig } from '../config.ts';
import { redactSensitiveFields } from '../security/masking.ts';
import { DecryptionError } from '../security/encryption.ts';
import { databaseUserStore } from '../security/api-user-store.ts';
import { configuredSecureStore, type SecureStore } from '../security/secure-store.ts';
import { appendEventLog, type NewEventLogEntry, type Schema } from '../store/index.ts';
import { authRoutes } from './auth/routes.ts';
import type { BatonAuthenticator } from './auth/authenticator.ts';
import { authenticate, type ApiEnv, type Authenticator } from './auth-contract.ts';
import { newDagCache, type ApiDeps } from './deps.ts';
import { allowedMethods } from './http/method-not-allowed.ts';
import { Problem, problemResponse } from './problem.ts';
import { configRoutes } from './routes/config.ts';
import { connectionRoutes } from './routes/connections.ts';
import { dagReportRoutes } from './routes/dag-reports.ts';
import { dagRunActionRoutes } from './routes/dag-run-actions.ts';
import { dagRunRoutes } from './routes/dag-runs.ts';
import { dagStructureRoutes } from './routes/dag-structure.ts';
import { dagRoutes } from './routes/dags.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { eventLogRoutes } from './routes/event-logs.ts';
import { healthHandler, versionHandler } from './routes/monitoring.ts';
import { poolRoutes } from './routes/pools.ts';
import { providerRoutes } from './routes/providers.ts';
import { queuedEventRoutes } from './routes/queued-events.ts';
import { roleRoutes } from './routes/roles.ts';
import { taskInstanceActionRoutes } from './routes/task-instance-actions.ts';
import { taskInstanceTryRoutes } from './routes/task-instance-tries.ts';
import { taskInstanceRoutes } from './routes/task-instances.ts';
import { taskLogRoutes } from './routes/task-logs.ts';
import { userRoutes } from './routes/users.ts';
import { variableRoutes } from './routes/variables.ts';
import { xcomRoutes } from './routes/xcom.ts';
import { uiApiRoutes, uiFiles } from './ui/index.ts';
import type { UserStore } from './user-store.ts';
import { AccessTokens } from './v2/auth/access-tokens.ts';
import { SigningKeys } from './v2/auth/signing-key.ts';
import { tokenRoutes } from './v2/auth/token-route.ts';
import { createV2Api } from './v2/app.ts';
import { errorResponse, HttpError } from './v2/errors.ts';

/** Default largest request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What `createApiApp` is built with. */
export interface ApiAppOptions {
  db: Kysely<Schema>;
  config: BatonConfig;
  /** Who is calling; a `BatonAuthenticator` also gets the `/auth/login` and `/auth/logout` routes. */
  authenticator: Authenticator;
  /** Called after a change that needs scheduling (trigger, clear, set state, dataset event, unpause…). */
  onChange?: () => void;
  /** Writes an audit entry; default: the event log, as the calling user. */
  eventLog?: (c: Context<ApiEnv>, entry: NewEventLogEntry) => Promise<void>;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Users for `/users`; default: the `ab_user` table. */
  users?: UserStore;
  /** Variables and connections, encrypted at rest; default: with the configured key. */
  secrets?: SecureStore;
  /** Asks for a DAG file to be parsed again (`PUT /parseDagFile/{file_token}`); default: none. */
  requestReparse?: (fileloc: string) => void | Promise<void>;
  /** The built web UI served at `/`; default ui/dist at the package root (see api/ui/static-ui.ts). */
  uiDir?: string;
}

let specText: string | undefined;
/** The OpenAPI document this API follows. */
export function openApiDocument(): string {
  specText ??= readFileSync(new URL('./openapi-v1.yaml', import.meta.url), 'utf8');
  return specText;
}

function isBatonAuthenticator(a: Authenticator): a is BatonAuthenticator {
  return typeof (a as Partial<BatonAuthenticator>).login === 'function' && typeof (a as Partial<BatonAuthenticator>).openSession === 'function';
}

/** Builds the API app (see the module comment). */
export function createApiApp(o: ApiAppOptions): Hono<ApiEnv> {
  const writeLog = o.eventLog ?? ((_c: Context<ApiEnv>, entry: NewEventLogEntry) => appendEventLog(o.db, entry).then(() => undefined));
  const deps: ApiDeps = {
    db: o.db,
    config: o.config,
    dags: newDagCache(),
    changed: () => {
      try {
        o.onChange?.();
      } catch (e) {
        process.stderr.write(`API: the change hook failed: ${(e as Error).message}\n`);
      }
    },
    audit: async (c, entry) => {
      try {
        await writeLog(c, { ...entry, extra: redactSensitiveFields(entry.extra), owner: c.get('principal')?.username ?? null });
      } catch (e) {
        process.stderr.write(`API: could not write the event log entry '${entry.event}': ${(e as Error).message}\n`);
      }
    },
    users: o.users ?? databaseUserStore(o.db),
    requestReparse: o.requestReparse ?? null,
  };
  const secrets = o.secrets ?? configuredSecureStore(o.db, o.config);
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const app = new Hono<ApiEnv>();
  app.onError((err, c) => problemResponse(c, err instanceof DecryptionError ? new Problem(500, err.message) : err));
  // The web UI signs in with its own form: a 401 to its requests (the header X-Baton-UI, or the
  // private /ui endpoints) must not make the browser pop up its password dialog.
  app.use('*', async (c, next) => {
    await next();
    if (c.req.header('x-baton-ui') || c.req.path.startsWith('/ui/')) c.res.headers.delete('www-authenticate');
  });
  app.use('*', bodyLimit({ maxSize: maxBody, onError: () => { throw new Problem(413, `The request body is larger than ${maxBody} bytes.`); } }));

  const health = healthHandler(deps);
  app.get('/health', health);
  // API v2's access tokens (signed with a key kept in the database, encrypted like connections).
  const tokens = new AccessTokens(o.db, new SigningKeys(o.db, secrets.keys), { expirationSeconds: o.config.apiJwtExpiration });
  if (isBatonAuthenticator(o.authenticator)) {
    app.route('/auth', authRoutes(o.authenticator));
    const tokenApp = tokenRoutes(o.authenticator, tokens);
    tokenApp.onError((err, c) => errorResponse(c, err));
    app.route('/auth', tokenApp);
  }

  const api = new Hono<ApiEnv>();
  api.get('/health', health);
  api.get('/version', versionHandler);
  api.get('/openapi.yaml', (c) => c.body(openApiDocument(), 200, { 'content-type': 'application/yaml; charset=utf-8' }));
  api.use('*', authenticate(o.authenticator));
  // Order matters where paths overlap: literal paths before the parameters that would match them.
  api.route('/', dagRunRoutes(deps));
  api.route('/', taskInstanceRoutes(deps));
  api.route('/', dagRoutes(deps));
  api.route('/', dagStructureRoutes(deps));
  api.route('/', dagRunActionRoutes(deps));
  api.route('/', taskInstanceTryRoutes(deps));
  api.route('/', taskInstanceActionRoutes(deps));
  api.route('/', taskLogRoutes(deps));
  api.route('/', xcomRoutes(deps));
  api.route('/', queuedEventRoutes(deps));
  api.route('/', datasetRoutes(deps));
  api.route('/', poolRoutes(deps));
  api.route('/', variableRoutes(deps, secrets));
  api.route('/', connectionRoutes(deps, secrets));
  api.route('/', dagReportRoutes(deps));
  api.route('/', eventLogRoutes(deps));
  api.route('/', configRoutes(deps));
  api.route('/', providerRoutes());
  api.route('/', roleRoutes());
  api.route('/', userRoutes(deps));
  app.route('/api/v1', api);
  app.route('/api/v2', createV2Api({ deps: { ...deps, secrets }, tokens, fallback: o.authenticator }));
  app.route('/ui', uiApiRoutes(deps, o.authenticator));

  const ui = uiFiles(o.uiDir);

  const methodsFor = allowedMethods(app);
  app.notFound(async (c) => {
    const page = await ui(c);
    if (page) return page;
    const methods = methodsFor(c.req.path);
    if (c.req.path.startsWith('/api/v2/')) {
      const res = errorResponse(c, methods.length ? new HttpError(405, 'Method Not Allowed') : new HttpError(404, 'Not Found'));
      if (methods.length) res.headers.set('allow', methods.join(', '));
      return res;
    }
    if (methods.length === 0) return problemResponse(c, new Problem(404, `There is no ${c.req.path} here; the REST API is under /api/v1 (its description: /api/v1/openapi.yaml).`));
    const res = problemResponse(c, new Problem(405, `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}.`));
    res.headers.set('allow', methods.join(', '));
    return res;
  });
  return app;
}
