/**
 * What a DAG is made of: details, tasks, one task, its source file (by file token, only for
 * files that define a known DAG), and a request to parse that file again.
 */
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/index.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { negotiate } from '../http/accept.ts';
import { pickFields, requestedFields } from '../http/fields.ts';
import { dagIdParam, taskIdParam } from '../http/ids.ts';
import { parseOrderBy, queryString } from '../http/query.ts';
import { requireDag, requireDagRow, requireTask } from '../lookups.ts';
import { notFound } from '../problem.ts';
import { dagDetailView, fileFromToken, taskView } from '../views/dag.ts';

const TASK_ORDER = {
  task_id: 'task_id', owner: 'owner', pool: 'pool', pool_slots: 'pool_slots', priority_weight: 'priority_weight', queue: 'queue',
  retries: 'retries', trigger_rule: 'trigger_rule', weight_rule: 'weight_rule', start_date: 'start_date', end_date: 'end_date',
} as const;

/** DAG structure routes. */
export function dagStructureRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/dags/:dag_id/details', requirePermission('read', 'DAGs'), async (c) => {
    const dagId = dagIdParam(c);
    const row = await requireDagRow(deps.db, dagId);
    const view = dagDetailView(row, await requireDag(deps, dagId));
    return c.json(pickFields(view, requestedFields(c, Object.keys(view))));
  });

  app.get('/dags/:dag_id/tasks', requirePermission('read', 'DAGs'), async (c) => {
    const dag = await requireDag(deps, dagIdParam(c));
    const [order] = parseOrderBy(queryString(c, 'order_by'), TASK_ORDER, 'task_id');
    const tasks = dag.tasks.map((t) => taskView(t, dag));
    tasks.sort((a, b) => compare(a[order!.column], b[order!.column]) * (order!.desc ? -1 : 1) || compare(a.task_id, b.task_id));
    return c.json({ tasks });
  });

  app.get('/dags/:dag_id/tasks/:task_id', requirePermission('read', 'DAGs'), async (c) => {
    const dag = await requireDag(deps, dagIdParam(c));
    return c.json(taskView(requireTask(dag, taskIdParam(c)), dag));
  });

  app.get('/dagSources/:file_token', requirePermission('read', 'DAG Code'), async (c) => {
    const path = await knownFile(deps.db, c.req.param('file_token'));
    const type = negotiate(c, ['text/plain', 'application/json'] as const);
    let content: string;
    try {
      content = await readFile(path, 'utf8');
    } catch {
      throw notFound(`The source of this DAG is no longer readable: its file was moved or deleted.`);
    }
    return type === 'application/json' ? c.json({ content }) : c.text(content);
  });

  app.put('/parseDagFile/:file_token', requirePermission('edit', 'DAGs'), async (c) => {
    const path = await knownFile(deps.db, c.req.param('file_token'));
    await deps.requestReparse?.(path);
    await deps.audit(c, { event: 'dag.reparse', extra: { fileloc: path } });
    return c.body(null, 201);
  });

  return app;
}

/** The file a token names, when some DAG is defined in it; 404 otherwise. */
async function knownFile(db: Kysely<Schema>, token: string): Promise<string> {
  const path = fileFromToken(token);
  const known = path !== undefined && (await db.selectFrom('dag').select('dag_id').where('fileloc', '=', path).executeTakeFirst());
  if (!path || !known) throw notFound('No DAG file matches this file token; take the token from a DAG (its file_token field).');
  return path;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : 1;
}
