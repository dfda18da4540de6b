/**
 * The configuration in Airflow's sections/options shape (JSON, or INI text with
 * `Accept: text/plain`). Hidden (403) unless BATON_API_EXPOSE_CONFIG is true; secrets are never
 * part of it and the database URL is shown without its password.
 */
import { maskRedisUrl } from '../../executors/bullmq/redis-connection.ts';
import { Hono, type Context } from 'hono';
import { ENV_NAMES, type BatonConfig } from '../../config.ts';
import { redactUrl } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { negotiate } from '../http/accept.ts';
import { queryString } from '../http/query.ts';
import { forbidden, notFound } from '../problem.ts';

type Setting = keyof typeof ENV_NAMES;

/** The section each setting is shown in (settings not listed are in `core`). */
const SECTION_OF: Partial<Record<Setting, string>> = {
  databaseUrl: 'database',
  logsFolder: 'logging',
  heartbeatInterval: 'scheduler',
  minFileProcessInterval: 'scheduler',
  zombieThreshold: 'scheduler',
  queuedTimeout: 'scheduler',
  dagFileProcessorTimeout: 'scheduler',
  port: 'webserver',
  apiExposeConfig: 'api',
  redisUrl: 'bullmq',
  redisPrefix: 'bullmq',
  apiJwtExpiration: 'api',
};

interface Section {
  name: string;
  options: Array<{ key: string; value: string }>;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

/** The configuration as sections of options. */
export function configSections(config: BatonConfig): Section[] {
  const sections = new Map<string, Section>();
  for (const name of Object.keys(ENV_NAMES) as Setting[]) {
    const raw = config[name] as unknown;
    const value = name === 'databaseUrl' ? redactUrl(String(raw)) : name === 'redisUrl' ? maskRedisUrl(String(raw)) : Array.isArray(raw) ? raw.join(',') : String(raw);
    const section = SECTION_OF[name] ?? 'core';
    (sections.get(section) ?? sections.set(section, { name: section, options: [] }).get(section)!).options.push({ key: snake(name), value });
  }
  return [...sections.values()];
}

function render(c: Context, sections: Section[]) {
  if (negotiate(c, ['application/json', 'text/plain'] as const) === 'text/plain') {
    return c.text(sections.map((s) => `[${s.name}]\n${s.options.map((o) => `${o.key} = ${o.value}\n`).join('')}`).join('\n'));
  }
  return c.json({ sections });
}

/** Config routes. */
export function configRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const exposed = () => {
    if (!deps.config.apiExposeConfig) throw forbidden('Your Baton administrator chose not to expose the configuration, most likely for security reasons (set BATON_API_EXPOSE_CONFIG=true to expose it).');
  };

  app.get('/config', requirePermission('read', 'Config'), (c) => {
    exposed();
    const wanted = queryString(c, 'section');
    let sections = configSections(deps.config);
    if (wanted !== undefined) {
      sections = sections.filter((s) => s.name === wanted);
      if (sections.length === 0) throw notFound(`Section '${wanted}' not found in the configuration; sections: ${configSections(deps.config).map((s) => s.name).join(', ')}.`);
    }
    return render(c, sections);
  });

  app.get('/config/section/:section/option/:option', requirePermission('read', 'Config'), (c) => {
    exposed();
    const section = configSections(deps.config).find((s) => s.name === c.req.param('section'));
    const option = section?.options.find((o) => o.key === c.req.param('option'));
    if (!section || !option) throw notFound(`Config option '${c.req.param('option')}' of section '${c.req.param('section')}' not found.`);
    return render(c, [{ name: section.name, options: [option] }]);
  });

  return app;
}
