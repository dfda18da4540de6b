/**
 * The web UI's private endpoints under `/ui` (not part of the Airflow-compatible API; they may
 * change with the UI) and the UI's files. Documented in docs/ui.md.
 */
import { Hono } from 'hono';
import type { ApiEnv, Authenticator } from '../auth-contract.ts';
import { authenticate } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { gridRoutes } from './grid.ts';
import { meRoutes } from './me.ts';
import { mlRoutes } from './ml.ts';
import { recentRunsRoutes } from './recent-runs.ts';

export { DEFAULT_UI_DIR, uiFiles } from './static-ui.ts';

/** The `/ui` sub-app: authenticated like the REST API. */
export function uiApiRoutes(deps: ApiDeps, authenticator: Authenticator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use('*', authenticate(authenticator));
  app.route('/', meRoutes());
  app.route('/', gridRoutes(deps));
  app.route('/', recentRunsRoutes(deps));
  app.route('/', mlRoutes(deps));
  return app;
}
