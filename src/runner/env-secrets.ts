/**
 * Variables and connections from environment variables, as Airflow's env backend does:
 * `BATON_VAR_<KEY>` holds a variable, `BATON_CONN_<CONN_ID>` a connection URI
 * (`postgres://user:pass@host:5432/db?extra_key=v`) or JSON object.
 */
import type { ConnectionView } from '../sdk/context.ts';

export function envVariable(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`BATON_VAR_${key.toUpperCase()}`];
}

export function envVariables(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('BATON_VAR_') && v !== undefined) out[k.slice(10).toLowerCase()] = v;
  return out;
}

export function envConnection(connId: string, env: NodeJS.ProcessEnv = process.env): ConnectionView | undefined {
  const raw = env[`BATON_CONN_${connId.toUpperCase()}`];
  return raw === undefined ? undefined : parseConnection(connId, raw);
}

export function envConnections(env: NodeJS.ProcessEnv = process.env): ConnectionView[] {
  return Object.entries(env)
    .filter(([k, v]) => k.startsWith('BATON_CONN_') && v !== undefined)
    .map(([k, v]) => parseConnection(k.slice(11).toLowerCase(), v!));
}

/** Reads a connection from a URI or a JSON object; throws a clear error for anything else. */
export function parseConnection(connId: string, raw: string): ConnectionView {
  const text = raw.trim();
  if (text.startsWith('{')) {
    const o = JSON.parse(text) as Record<string, unknown>;
    return {
      connId,
      connType: String(o.conn_type ?? o.connType ?? ''),
      host: (o.host as string) ?? null,
      login: (o.login as string) ?? null,
      password: (o.password as string) ?? null,
      schema: (o.schema as string) ?? null,
      port: o.port === undefined || o.port === null ? null : Number(o.port),
      extra: typeof o.extra === 'string' ? (JSON.parse(o.extra) as Record<string, unknown>) : ((o.extra as Record<string, unknown>) ?? {}),
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`connection '${connId}' is neither a URI (type://login:password@host:port/schema) nor a JSON object`);
  }
  const extra: Record<string, unknown> = {};
  url.searchParams.forEach((v, k) => (extra[k] = v));
  return {
    connId,
    connType: url.protocol.replace(/:$/, '').replaceAll('-', '_'),
    host: url.hostname ? decodeURIComponent(url.hostname) : null,
    login: url.username ? decodeURIComponent(url.username) : null,
    password: url.password ? decodeURIComponent(url.password) : null,
    schema: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : null,
    port: url.port ? Number(url.port) : null,
    extra,
  };
}
