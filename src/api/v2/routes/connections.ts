/**
 * Connections: list (`connection_id_pattern`), get, create (409 when the id is taken), patch
 * (`update_mask`), delete, test, and bulk changes. Passwords are write-only (always null in
 * answers); passwords and extras are encrypted at rest; secret-looking fields of `extra` are
 * shown as `***`, and a `***` sent back keeps the stored value.
 */
import type { PlainConnection } from '../../../security/secure-store.ts';
import { maskConnectionExtra } from '../../../security/masking.ts';
import { testConnection } from '../../actions/connection-test.ts';
import { unmaskExtra } from '../../routes/connections.ts';
import { runBulk } from '../bulk.ts';
import { param, route, type RouteDef, type V2Context, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { readPage } from '../listing.ts';
import { likeMatch } from './dags.ts';

interface ConnectionBody {
  connection_id: string;
  conn_type: string;
  description?: string | null;
  host?: string | null;
  login?: string | null;
  schema?: string | null;
  port?: number | null;
  password?: string | null;
  extra?: string | null;
}
const UPDATABLE = ['conn_type', 'description', 'host', 'login', 'schema', 'port', 'password', 'extra'] as const;

/** The connections Baton's providers use when a task names none (`create_default_connections`). */
export const DEFAULT_CONNECTIONS: readonly ConnectionBody[] = [
  { connection_id: 'http_default', conn_type: 'http', description: 'Default HTTP connection (HttpOperator, HttpSensor)', host: 'localhost', schema: 'http', port: 80 },
  { connection_id: 'smtp_default', conn_type: 'smtp', description: 'Default mail server (smtpNotifier, EmailOperator)', host: 'localhost', port: 25 },
  { connection_id: 'duckdb_default', conn_type: 'duckdb', description: 'Default DuckDB database (in memory)', host: ':memory:' },
];

/** The ConnectionResponse shape: never the password. */
function connectionResponse(c: PlainConnection) {
  return { connection_id: c.connId, conn_type: c.connType, description: c.description, host: c.host, login: c.login, schema: c.schema, port: c.port, password: null, extra: maskConnectionExtra(c.extra), team_name: null };
}

/** Connection routes. */
export function connectionRoutes(deps: V2Deps): RouteDef[] {
  const { secrets } = deps;
  const one = async (c: V2Context, id: string, status: 200 | 201 = 200) => {
    const conn = await secrets.getConnection(id);
    if (!conn) throw notFound(`The Connection with connection_id: \`${id}\` was not found`);
    return c.json(connectionResponse(conn), status);
  };
  const create = (b: ConnectionBody) => secrets.upsertConnection({
    connId: b.connection_id, connType: b.conn_type, description: b.description ?? null, host: b.host ?? null, login: b.login ?? null, schema: b.schema ?? null,
    port: b.port ?? null, password: b.password ?? null, extra: b.extra ?? null,
  });
  const apply = async (id: string, b: Partial<ConnectionBody>, mask: string[] | null) => {
    const current = await secrets.getConnection(id);
    if (!current) throw notFound(`The Connection with connection_id: \`${id}\` was not found`);
    const fields = mask?.length ? mask : UPDATABLE.filter((f) => f in b);
    const bad = fields.filter((f) => !(UPDATABLE as readonly string[]).includes(f) && f !== 'connection_id');
    if (bad.length) throw badRequest(`Invalid field(s) in update_mask: ${bad.join(', ')}; use ${UPDATABLE.join(', ')}.`);
    const pick = <K extends (typeof UPDATABLE)[number]>(f: K, old: unknown) => (fields.includes(f) ? (b[f] ?? null) : old);
    await secrets.upsertConnection({
      connId: id, connType: String(pick('conn_type', current.connType) ?? current.connType), description: pick('description', current.description) as string | null,
      host: pick('host', current.host) as string | null, login: pick('login', current.login) as string | null, schema: pick('schema', current.schema) as string | null,
      port: pick('port', current.port) as number | null, password: pick('password', current.password) as string | null,
      extra: fields.includes('extra') ? unmaskExtra(b.extra ?? null, current.extra) : current.extra,
    });
  };
  return [
    route('get_connections', ['read', 'Connections'], async (c, input) => {
      const page = readPage(input, { connection_id: 'connId', conn_id: 'connId', id: 'connId', conn_type: 'connType', description: 'description', host: 'host', port: 'port' }, 'id');
      const pattern = param<string | undefined>(input, 'connection_id_pattern');
      const terms = pattern ? pattern.split('|').map((t) => t.trim().toLowerCase()).filter(Boolean) : [];
      const all = (await secrets.listConnections()).filter((x) => !terms.length || terms.some((t) => likeMatch(x.connId.toLowerCase(), `%${t}%`)));
      const { column, desc } = page.order[0]!;
      all.sort((a, b) => String((a as never)[column] ?? '').localeCompare(String((b as never)[column] ?? '')) * (desc ? -1 : 1) || a.connId.localeCompare(b.connId));
      return c.json({ connections: all.slice(page.offset, page.offset + page.limit).map(connectionResponse), total_entries: all.length });
    }),
    route('get_connection', ['read', 'Connections'], (c, input) => one(c, param(input, 'connection_id'))),
    route('post_connection', ['create', 'Connections'], async (c, input) => {
      const b = input.body as ConnectionBody;
      if (await secrets.getConnection(b.connection_id)) throw conflict(`The connection with connection_id: \`${b.connection_id}\` already exists.`);
      await create(b);
      await deps.audit(c, { event: 'connection.create', extra: { connection_id: b.connection_id, conn_type: b.conn_type } });
      return one(c, b.connection_id, 201);
    }),
    route('patch_connection', ['edit', 'Connections'], async (c, input) => {
      const id = param(input, 'connection_id');
      const b = input.body as ConnectionBody;
      if (b.connection_id !== id) throw badRequest('The connection_id in the request body does not match the URL parameter');
      await apply(id, b, param<string[] | undefined>(input, 'update_mask') ?? null);
      await deps.audit(c, { event: 'connection.edit', extra: { connection_id: id } });
      return one(c, id);
    }),
    route('create_default_connections', ['create', 'Connections'], async (c) => {
      // As Airflow's `airflow connections create-default-connections`: adds the connections
      // Baton's providers use by default, leaving any that already exist untouched.
      const added: string[] = [];
      for (const d of DEFAULT_CONNECTIONS) {
        if (await secrets.getConnection(d.connection_id)) continue;
        await create(d);
        added.push(d.connection_id);
      }
      if (added.length) await deps.audit(c, { event: 'connection.create_defaults', extra: { connection_ids: added } });
      return c.body(null, 204);
    }),
    route('delete_connection', ['delete', 'Connections'], async (c, input) => {
      const id = param(input, 'connection_id');
      if (!(await secrets.deleteConnection(id))) throw notFound(`The Connection with connection_id: \`${id}\` was not found`);
      await deps.audit(c, { event: 'connection.delete', extra: { connection_id: id } });
      return c.body(null, 204);
    }),
    route('test_connection', ['create', 'Connections'], async (c, input) => {
      const b = input.body as ConnectionBody;
      let extra: Record<string, unknown> = {};
      if (b.extra) {
        try {
          const v = JSON.parse(b.extra) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) extra = v as Record<string, unknown>;
        } catch {
          throw badRequest("'extra' must be a JSON object (as text) to test the connection.");
        }
      }
      const result = await testConnection({ connId: b.connection_id, connType: b.conn_type, host: b.host ?? null, login: b.login ?? null, password: b.password ?? null, schema: b.schema ?? null, port: b.port ?? null, extra });
      await deps.audit(c, { event: 'connection.test', extra: { connection_id: b.connection_id, conn_type: b.conn_type, status: result.status } });
      return c.json(result);
    }),
    route('bulk_connections', ['edit', 'Connections'], async (c, input) => {
      const result = await runBulk<ConnectionBody>((input.body as { actions: never[] }).actions, {
        key: (e) => (typeof e === 'string' ? e : e.connection_id),
        exists: async (k) => (await secrets.getConnection(k)) !== undefined,
        create,
        update: (e, mask) => apply(e.connection_id, e, mask),
        remove: async (k) => void (await secrets.deleteConnection(k)),
        applied: (action, id) => deps.audit(c, { event: `connection.${action === 'update' ? 'edit' : action}`, extra: { connection_id: id, bulk: true } }),
      }, 'connection');
      return c.json(result);
    }),
  ];
}
