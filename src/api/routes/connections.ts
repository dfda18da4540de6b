/**
 * Connections: list, get, create (409 when the id is taken), update with `update_mask`, delete,
 * and test (`POST /connections/test`). Passwords are write-only: no response ever carries one.
 * Passwords and extras are encrypted at rest through the secure store; sensitive fields of
 * `extra` are shown as `***`, and a `***` sent back for such a field keeps the stored value.
 */
import { Hono } from 'hono';
import { MASK, isSensitiveName, maskConnectionExtra } from '../../security/masking.ts';
import type { PlainConnection, SecureStore } from '../../security/secure-store.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import { testConnection } from '../actions/connection-test.ts';
import type { ApiDeps } from '../deps.ts';
import { updateMask } from '../http/fields.ts';
import { checkKey, keyParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryPaging } from '../http/query.ts';
import { badRequest, conflict, notFound } from '../problem.ts';

const ORDER = { connection_id: 'conn_id', conn_type: 'conn_type', description: 'description', host: 'host', port: 'port' } as const;
const UPDATABLE = ['conn_type', 'description', 'host', 'login', 'schema', 'port', 'password', 'extra'] as const;
type Updatable = (typeof UPDATABLE)[number];

interface ConnectionBody {
  connection_id?: string;
  conn_type?: string;
  description?: string | null;
  host?: string | null;
  login?: string | null;
  schema?: string | null;
  port?: number | null;
  password?: string | null;
  extra?: string | null;
}
const NULLABLE_STRING = { type: ['string', 'null'] };
const connectionBody = bodyValidator<ConnectionBody>(closedObject({
  connection_id: { type: 'string' }, conn_type: { type: 'string', minLength: 1 }, description: NULLABLE_STRING, host: NULLABLE_STRING, login: NULLABLE_STRING,
  schema: NULLABLE_STRING, port: { type: ['integer', 'null'], minimum: 0, maximum: 65535 }, password: NULLABLE_STRING, extra: NULLABLE_STRING,
}));

/** The Connection shape: never the password; sensitive extra fields masked. */
function connectionView(c: PlainConnection) {
  return {
    connection_id: c.connId, conn_type: c.connType, description: c.description, host: c.host, login: c.login, schema: c.schema, port: c.port,
    extra: maskConnectionExtra(c.extra),
  };
}

/** The ConnectionCollectionItem shape. */
function connectionItem(r: { conn_id: string; conn_type: string; description: string | null; host: string | null; login: string | null; schema: string | null; port: number | null }) {
  return { connection_id: r.conn_id, conn_type: r.conn_type, description: r.description, host: r.host, login: r.login, schema: r.schema, port: r.port };
}

/** `extra` as sent, with each masked sensitive field replaced by its stored value. */
export function unmaskExtra(sent: string | null, stored: string | null): string | null {
  if (sent === null || stored === null || !sent.includes(MASK)) return sent;
  if (sent === MASK) return stored;
  try {
    const merge = (s: unknown, old: unknown): unknown => {
      if (s === null || typeof s !== 'object' || old === null || typeof old !== 'object' || Array.isArray(s) !== Array.isArray(old)) return s;
      const out: Record<string, unknown> = Array.isArray(s) ? [...s] as never : { ...(s as Record<string, unknown>) };
      for (const [k, v] of Object.entries(out)) {
        const prev = (old as Record<string, unknown>)[k];
        out[k] = v === MASK && isSensitiveName(k) && prev !== undefined ? prev : merge(v, prev);
      }
      return out;
    };
    return JSON.stringify(merge(JSON.parse(sent), JSON.parse(stored)));
  } catch {
    return sent;
  }
}

function parseExtra(extra: string | null | undefined): Record<string, unknown> {
  if (!extra) return {};
  try {
    const v = JSON.parse(extra) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw badRequest("'extra' must be a JSON object (as text) to test the connection.");
  }
}

/** Connection routes. */
export function connectionRoutes(deps: ApiDeps, secrets: SecureStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/connections', requirePermission('read', 'Connections'), async (c) => {
    const page = queryPaging(c, ORDER, 'connection_id');
    const q = deps.db.selectFrom('connection').select(['conn_id', 'conn_type', 'description', 'host', 'login', 'schema', 'port']);
    const total = await countRows(q);
    return c.json({ connections: (await applyPage(q, page).execute()).map(connectionItem), total_entries: total });
  });

  app.post('/connections/test', requirePermission('create', 'Connections'), async (c) => {
    const b = await readJsonBody(c, connectionBody);
    if (!b.conn_type) throw badRequest("Missing required property 'conn_type'.");
    const result = await testConnection({
      connId: b.connection_id ?? 'test', connType: b.conn_type, host: b.host ?? null, login: b.login ?? null, password: b.password ?? null,
      schema: b.schema ?? null, port: b.port ?? null, extra: parseExtra(b.extra),
    });
    await deps.audit(c, { event: 'connection.test', extra: { connection_id: b.connection_id ?? null, conn_type: b.conn_type, status: result.status } });
    return c.json(result);
  });

  app.post('/connections', requirePermission('create', 'Connections'), async (c) => {
    const b = await readJsonBody(c, connectionBody);
    const missing = (['connection_id', 'conn_type'] as const).filter((f) => b[f] === undefined);
    if (missing.length) throw badRequest(`Missing required property(ies): ${missing.join(', ')}.`);
    const connId = checkKey(b.connection_id!, 'Connection id');
    if (await secrets.getConnection(connId)) throw conflict(`Connection already exists. ID: '${connId}'`);
    await secrets.upsertConnection({
      connId, connType: b.conn_type!, description: b.description ?? null, host: b.host ?? null, login: b.login ?? null, schema: b.schema ?? null,
      port: b.port ?? null, password: b.password ?? null, extra: b.extra ?? null,
    });
    await deps.audit(c, { event: 'connection.create', extra: { connection_id: connId, conn_type: b.conn_type } });
    return c.json(connectionView((await secrets.getConnection(connId))!));
  });

  app.get('/connections/:connection_id', requirePermission('read', 'Connections'), async (c) => {
    const connId = keyParam(c, 'connection_id', 'Connection id');
    const conn = await secrets.getConnection(connId);
    if (!conn) throw notFound(`The Connection with connection_id: '${connId}' was not found`);
    return c.json(connectionView(conn));
  });

  app.patch('/connections/:connection_id', requirePermission('edit', 'Connections'), async (c) => {
    const connId = keyParam(c, 'connection_id', 'Connection id');
    const mask = updateMask(c, UPDATABLE) as Updatable[] | undefined;
    const b = await readJsonBody(c, connectionBody);
    if (b.connection_id !== undefined && b.connection_id !== connId) throw badRequest('The connection_id cannot be changed: it must match the id in the URL.');
    const fields = mask ?? UPDATABLE.filter((f) => b[f] !== undefined);
    for (const f of fields) if (b[f] === undefined) throw badRequest(`update_mask names '${f}' but the body does not set it.`);
    const current = await secrets.getConnection(connId);
    if (!current) throw notFound(`The Connection with connection_id: '${connId}' was not found`);
    const pick = <K extends Updatable>(f: K, old: ConnectionBody[K]) => (fields.includes(f) ? (b[f] ?? null) : old);
    const connType = pick('conn_type', current.connType);
    if (!connType) throw badRequest("'conn_type' cannot be empty.");
    await secrets.upsertConnection({
      connId, connType, description: pick('description', current.description), host: pick('host', current.host), login: pick('login', current.login),
      schema: pick('schema', current.schema), port: pick('port', current.port), password: pick('password', current.password),
      extra: fields.includes('extra') ? unmaskExtra(b.extra ?? null, current.extra) : current.extra,
    });
    await deps.audit(c, { event: 'connection.edit', extra: { connection_id: connId, fields } });
    return c.json(connectionView((await secrets.getConnection(connId))!));
  });

  app.delete('/connections/:connection_id', requirePermission('delete', 'Connections'), async (c) => {
    const connId = keyParam(c, 'connection_id', 'Connection id');
    if (!(await secrets.deleteConnection(connId))) throw notFound(`The Connection with connection_id: '${connId}' was not found`);
    await deps.audit(c, { event: 'connection.delete', extra: { connection_id: connId } });
    return c.body(null, 204);
  });

  return app;
}
