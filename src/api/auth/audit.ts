/**
 * Audit trail of the API: every mutating request (POST, PATCH, PUT, DELETE) made by an
 * authenticated caller is written to the event log with the user, the time, the event
 * (`<METHOD> <route pattern>`, e.g. `POST /api/v1/dags/:dag_id/dagRuns`), the DAG, run and
 * task from the path, and in `extra` the response status, the query and the JSON body with
 * secrets redacted. Anonymous requests (answered 401 without doing anything) are not logged.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Kysely } from 'kysely';
import { MASK, maskConnectionExtra, redactSensitiveFields, maskVariable } from '../../security/masking.ts';
import { appendEventLog, type BatonDb, type Schema } from '../../store/index.ts';
import type { ApiEnv } from '../auth-contract.ts';

/** Options of `auditMutations`. */
export interface AuditOptions {
  /** The metadata database (a Kysely instance or an open `BatonDb`). */
  db: Kysely<Schema> | BatonDb;
  /** Bodies longer than this many characters are logged as `{"truncated": true}`. Default 16384. */
  maxBodyChars?: number;
  /** Called when the entry cannot be written (the response is sent anyway). Default: a line on stderr. */
  onError?: (error: unknown) => void;
}

const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** A request body fit for the audit log: secrets replaced by `***`. */
export function redactBody(body: unknown): unknown {
  const redacted = redactSensitiveFields(body);
  if (redacted === null || typeof redacted !== 'object' || Array.isArray(redacted)) return redacted;
  const b = { ...(redacted as Record<string, unknown>) };
  // A variable's value is secret when its key is; a connection's extra holds secrets by name.
  if (typeof b.key === 'string' && typeof b.value === 'string') b.value = maskVariable(b.key, b.value);
  if (typeof b.extra === 'string') b.extra = maskConnectionExtra(b.extra);
  if (typeof b.password === 'string') b.password = MASK;
  return b;
}

async function readBody(c: Parameters<MiddlewareHandler>[0], max: number): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.includes('json')) return undefined;
  if (Number(c.req.header('content-length') ?? 0) > max) return { truncated: true };
  try {
    const text = await c.req.text();
    if (text.length > max) return { truncated: true };
    return text.trim() === '' ? undefined : redactBody(JSON.parse(text));
  } catch {
    return { unparsable: true };
  }
}

/** Hono middleware writing each authenticated mutating request to the event log (see module comment). */
export function auditMutations(o: AuditOptions): MiddlewareHandler<ApiEnv> {
  const db = o.db instanceof Kysely ? o.db : o.db.db;
  const max = o.maxBodyChars ?? 16_384;
  const onError = o.onError ?? ((e: unknown) => process.stderr.write(`could not write the audit log entry: ${(e as Error)?.message ?? String(e)}\n`));
  return async (c, next) => {
    await next();
    const method = c.req.method.toUpperCase();
    const who = c.get('principal');
    if (!MUTATING.has(method) || !who) return;
    try {
      const route = routePath(c, -1);
      const params = c.req.param() as Record<string, string | undefined>;
      const body = await readBody(c, max);
      const query = c.req.query();
      await appendEventLog(db, {
        event: `${method} ${route && route !== '*' && route !== '/*' ? route : c.req.path}`.slice(0, 500),
        owner: who.username,
        dagId: params.dag_id ?? null,
        runId: params.dag_run_id ?? params.run_id ?? null,
        taskId: params.task_id ?? null,
        mapIndex: params.map_index !== undefined && /^-?\d+$/.test(params.map_index) ? Number(params.map_index) : null,
        extra: {
          status: c.res.status,
          path: c.req.path.slice(0, 1000),
          ...(Object.keys(query).length > 0 && { query: redactSensitiveFields(query) }),
          ...(body !== undefined && { body }),
        },
      });
    } catch (e) {
      onError(e);
    }
  };
}
