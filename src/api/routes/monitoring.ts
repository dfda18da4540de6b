/**
 * Monitoring, without authentication (as in Airflow): health (metadatabase, and the scheduler
 * and triggerer from their jobs' latest heartbeats) and version.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'hono';
import { sql } from 'kysely';
import type { JobType } from '../../store/index.ts';
import type { ApiDeps } from '../deps.ts';

/** Baton's version, from its package.json. */
export const BATON_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

type Status = 'healthy' | 'unhealthy' | null;

/** GET /health: Airflow's HealthInfo shape; always 200, the statuses tell what is wrong. */
export function healthHandler(deps: ApiDeps) {
  return async (c: Context) => {
    let database: Status = 'healthy';
    try {
      await sql`select 1`.execute(deps.db);
    } catch {
      database = 'unhealthy';
    }
    const timeoutMs = Math.max(30, deps.config.heartbeatInterval * 3) * 1000;
    const job = async (type: JobType, required: boolean): Promise<{ status: Status; heartbeat: string | null }> => {
      if (database === 'unhealthy') return { status: required ? 'unhealthy' : null, heartbeat: null };
      const rows = await deps.db.selectFrom('job').select(['state', 'latest_heartbeat']).where('job_type', '=', type).orderBy('latest_heartbeat', 'desc').limit(20).execute();
      const latest = rows.find((r) => r.state === 'running') ?? rows[0];
      if (!latest) return { status: required ? 'unhealthy' : null, heartbeat: null };
      const fresh = latest.state === 'running' && Date.now() - Date.parse(latest.latest_heartbeat) <= timeoutMs;
      return { status: fresh ? 'healthy' : 'unhealthy', heartbeat: latest.latest_heartbeat };
    };
    const scheduler = await job('scheduler', true).catch(() => ({ status: 'unhealthy' as Status, heartbeat: null }));
    const triggerer = await job('triggerer', false).catch(() => ({ status: 'unhealthy' as Status, heartbeat: null }));
    return c.json({
      metadatabase: { status: database },
      scheduler: { status: scheduler.status, latest_scheduler_heartbeat: scheduler.heartbeat },
      triggerer: { status: triggerer.status, latest_triggerer_heartbeat: triggerer.heartbeat },
      dag_processor: { status: null, latest_dag_processor_heartbeat: null },
    });
  };
}

/** GET /version. */
export function versionHandler(c: Context) {
  return c.json({ version: BATON_VERSION, git_version: null });
}
