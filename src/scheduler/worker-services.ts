/** What workers may read while a try runs, answered from the metadata database. */
import type { Kysely } from 'kysely';
import type { WorkerServices } from '../executors/executor.ts';
import { artifactStore } from '../providers/objectstore/artifacts.ts';
import { envConnection as envConnectionIn, envConnections as envConnectionsIn, envVariable as envVariableIn, envVariables as envVariablesIn } from '../runner/env-secrets.ts';
import { dbMlBackend, mlRequestHandler } from '../providers/ml/tracking/service.ts';
import type { ConnectionView } from '../sdk/context.ts';
import type { KeyRing } from '../security/encryption.ts';
import { defaultKeyRing } from '../security/keys.ts';
import { secureStore } from '../security/secure-store.ts';
import type { Connection, Schema } from '../store/index.ts';
import { readXComs, type XComStoreOptions } from './xcom-store.ts';

/**
 * Services answered from `db`. Variables and connections are decrypted with `keys` (default:
 * the process's configured encryption keys, see `defaultKeyRing`). ML tracking and registry
 * calls are recorded in `db`, with artifacts in the default artifact store (`$BATON_HOME/artifacts`).
 */
export function dbWorkerServices(
  db: Kysely<Schema>,
  xcom: XComStoreOptions,
  keys: () => KeyRing | null = defaultKeyRing,
  where: { env?: NodeJS.ProcessEnv; artifactsDir?: string } = {},
): WorkerServices {
  const store = () => secureStore(db, keys());
  const ml = mlRequestHandler(where.artifactsDir === undefined ? dbMlBackend(db) : dbMlBackend(db, artifactStore(where.artifactsDir)));
  const envVariable = (key: string) => envVariableIn(key, where.env);
  const envVariables = () => envVariablesIn(where.env);
  const envConnection = (id: string) => envConnectionIn(id, where.env);
  const envConnections = () => envConnectionsIn(where.env);
  return {
    ml,
    pullXComs: (q) => readXComs(db, xcom, q),
    // As in Airflow, BATON_VAR_<KEY> / BATON_CONN_<ID> environment variables come before the
    // metadata database.
    getVariable: async (key) => envVariable(key) ?? (await store().getVariable(key))?.value ?? undefined,
    listVariables: async () => ({ ...Object.fromEntries((await store().listVariables()).map((v) => [v.key, v.value ?? ''])), ...envVariables() }),
    getConnection: async (id) => {
      const fromEnv = envConnection(id);
      if (fromEnv) return fromEnv;
      const c = await store().getConnection(id);
      return c ? toView(c) : undefined;
    },
    listConnections: async () => {
      const env = envConnections();
      const names = new Set(env.map((c) => c.connId));
      return [...(await store().listConnections()).map(toView).filter((c) => !names.has(c.connId)), ...env];
    },
    getExternalState: async (q) => {
      if (q.taskId === null) {
        const r = await db.selectFrom('dag_run').select('state').where('dag_id', '=', q.dagId).where('logical_date', '=', q.logicalDate).executeTakeFirst();
        return r?.state ?? null;
      }
      const r = await db
        .selectFrom('task_instance as ti')
        .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'ti.dag_id').onRef('r.run_id', '=', 'ti.run_id'))
        .select('ti.state')
        .where('ti.dag_id', '=', q.dagId)
        .where('ti.task_id', '=', q.taskId)
        .where('r.logical_date', '=', q.logicalDate)
        .executeTakeFirst();
      return r?.state ?? null;
    },
  };
}

function toView(c: Connection): ConnectionView {
  let extra: Record<string, unknown> = {};
  if (c.extra) {
    try {
      extra = JSON.parse(c.extra) as Record<string, unknown>;
    } catch {
      extra = {};
    }
  }
  return { connId: c.connId, connType: c.connType, host: c.host, login: c.login, password: c.password, schema: c.schema, port: c.port, extra };
}
