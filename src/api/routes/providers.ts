/**
 * What this installation offers beyond the core: Baton's built-in providers, and plugins
 * (Baton loads none, so the list is empty).
 */
import { Hono } from 'hono';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { checkLimit, queryInt } from '../http/query.ts';
import { BATON_VERSION } from './monitoring.ts';

/** Baton's built-in providers. */
export const PROVIDERS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'duckdb', description: 'DuckDB: a hook, an SQL operator, and tasks that load files, transform tables and return data frames.' },
  { name: 'validation', description: 'Data validation: expectation suites checked in DuckDB, with reports.' },
  { name: 'http', description: 'HTTP: a hook and an operator for requests against a connection of type http.' },
  { name: 'notify', description: 'Notifications: Slack webhooks and email, as callbacks or tasks.' },
  { name: 'objectstore', description: 'Object stores: where artifacts, reports and large values are kept.' },
  { name: 'ml', description: 'Machine learning: an in-process text classifier (TF-IDF and logistic regression) with metrics and JSON artifacts.' },
];

/** Provider and plugin routes. */
export function providerRoutes(): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/providers', requirePermission('read', 'Providers'), (c) => {
    const providers = PROVIDERS.map((p) => ({ package_name: `baton-providers-${p.name}`, description: p.description, version: BATON_VERSION }));
    return c.json({ providers, total_entries: providers.length });
  });

  app.get('/plugins', requirePermission('read', 'Plugins'), (c) => {
    checkLimit(queryInt(c, 'limit'));
    queryInt(c, 'offset', 0);
    return c.json({ plugins: [], total_entries: 0 });
  });

  return app;
}
