/** Parsing and redaction of metadata database URLs. */
import { isAbsolute, normalize } from 'node:path';

/** Where a database URL points. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; path: string | ':memory:' }
  | { dialect: 'postgres'; connectionString: string };

const EXAMPLES = 'Use sqlite:/absolute/path.db, sqlite::memory: or postgres://user:password@host:5432/dbname.';

/**
 * Reads `sqlite:/abs/path.db`, `sqlite:///abs/path.db`, `sqlite::memory:` and
 * `postgres://…` / `postgresql://…`. Throws a message naming the URL (without password).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:')) {
    const rest = trimmed.slice('sqlite:'.length);
    if (rest === ':memory:') return { dialect: 'sqlite', path: ':memory:' };
    const path = rest.startsWith('//') ? rest.replace(/^\/+/, '/') : rest;
    if (path === '' || !isAbsolute(path)) {
      throw new Error(`Database URL ${JSON.stringify(trimmed)} needs an absolute file path after "sqlite:" (got ${JSON.stringify(rest)}). ${EXAMPLES}`);
    }
    return { dialect: 'sqlite', path: normalize(path) };
  }
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    try {
      new URL(trimmed);
    } catch {
      throw new Error(`Database URL ${JSON.stringify(redactUrl(trimmed))} is not a valid URL. ${EXAMPLES}`);
    }
    return { dialect: 'postgres', connectionString: trimmed };
  }
  throw new Error(`Database URL ${JSON.stringify(redactUrl(trimmed))} has an unsupported scheme. ${EXAMPLES}`);
}

/** The URL with any password replaced by `***`, safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}
