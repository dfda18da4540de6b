/**
 * Airflow's connection URI format: `type://login:password@host:port/schema?key=value`. Parts are
 * percent-decoded; a `-` in the type stands for `_`; query parameters become the extra JSON
 * object (or, with `__extra__`, its value is the extra).
 */
import type { ConnectionInput } from '../../store/index.ts';

export class ConnectionUriError extends Error {
  override readonly name = 'ConnectionUriError';
}

export function parseConnectionUri(connId: string, uri: string): ConnectionInput {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri);
  if (!m) throw new ConnectionUriError(`--conn-uri ${JSON.stringify(redactUri(uri))} is not a connection URI; use type://login:password@host:port/schema?key=value`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConnectionUriError(`--conn-uri ${JSON.stringify(redactUri(uri))} is not a valid URI (check the port and that special characters in the password are percent-encoded)`);
  }
  const connType = normalizeType(m[1]!);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ConnectionUriError(`--conn-uri has a malformed percent-encoding in ${JSON.stringify(s)}`);
    }
  };
  const path = url.pathname.startsWith('/') ? url.pathname.slice(1) : url.pathname;
  let extra: string | null = null;
  if (url.search.length > 1) {
    const query = Object.fromEntries(url.searchParams.entries());
    extra = query.__extra__ !== undefined ? query.__extra__ : JSON.stringify(query);
  }
  return {
    connId,
    connType,
    host: url.hostname ? decode(url.hostname) : null,
    login: url.username ? decode(url.username) : null,
    password: url.password ? decode(url.password) : null,
    port: url.port ? Number(url.port) : null,
    schema: path ? decode(path) : null,
    extra,
  };
}

function normalizeType(scheme: string): string {
  const t = scheme.toLowerCase().replace(/-/g, '_');
  return t === 'postgresql' ? 'postgres' : t;
}

/** The URI with any password replaced by `***`. */
export function redactUri(uri: string): string {
  return uri.replace(/^([^:/]+:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}
