/**
 * More on task instances and runs: delete one task instance, bulk-update or bulk-delete a run's
 * task instances, the external log URL (Baton keeps logs itself: always 400), and waiting for a
 * run to finish (`interval` seconds between checks; NDJSON progress lines with
 * `Accept: application/x-ndjson`, else the final state as JSON; `result` task ids add their
 * return values).
 */
import { decodeXCom } from '../../../core/xcom-codec.ts';
import { readRef } from '../../../scheduler/xcom-store.ts';
import { markTaskInstances, type MarkState } from '../../actions/mark-tasks.ts';
import { xcomOptions } from '../../deps.ts';
import { requireDag, requireRun } from '../../lookups.ts';
import { runBulk } from '../bulk.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { badRequest, conflict, HttpError } from '../errors.ts';
import { requireTiRow } from '../lookups.ts';

const ACTIVE = ['queued', 'running', 'deferred', 'restarting'];

interface BulkTi {
  task_id: string;
  map_index?: number | null;
  new_state?: string | null;
  note?: string | null;
}

/** Extra task instance and run routes. */
export function taskInstanceExtraRoutes(deps: V2Deps): RouteDef[] {
  const remove = async (k: { dagId: string; runId: string; taskId: string; mapIndex: number }) => {
    const ti = await requireTiRow(deps.db, k);
    if (ACTIVE.includes(ti.state)) throw conflict(`Task instance '${k.taskId}' is ${ti.state}: mark it failed or wait for it to finish before deleting it.`);
    await deps.db.transaction().execute(async (trx) => {
      for (const table of ['xcom', 'task_instance_history', 'task_reschedule', 'task_instance'] as const) {
        await trx.deleteFrom(table).where('dag_id', '=', k.dagId).where('run_id', '=', k.runId).where('task_id', '=', k.taskId).where('map_index', '=', k.mapIndex).execute();
      }
    });
  };
  return [
    route('delete_task_instance', ['delete', 'Task Instances'], async (c, input) => {
      const k = { dagId: param(input, 'dag_id'), runId: param(input, 'dag_run_id'), taskId: param(input, 'task_id'), mapIndex: param<number>(input, 'map_index') ?? -1 };
      await remove(k);
      await deps.audit(c, { event: 'task_instance.delete', dagId: k.dagId, runId: k.runId, taskId: k.taskId, extra: { map_index: k.mapIndex } });
      return c.json(null);
    }),
    route('bulk_task_instances', ['edit', 'Task Instances'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const runId = param(input, 'dag_run_id');
      await requireRun(deps.db, dagId, runId);
      const dag = await requireDag(deps, dagId);
      const keyOf = (e: BulkTi | string) => (typeof e === 'string' ? e : e.map_index != null && e.map_index >= 0 ? `${e.task_id}[${e.map_index}]` : e.task_id);
      const parse = (key: string) => {
        const m = /^(.*)\[(\d+)\]$/.exec(key);
        return { dagId, runId, taskId: m ? m[1]! : key, mapIndex: m ? Number(m[2]) : -1 };
      };
      const exists = async (key: string) => requireTiRow(deps.db, parse(key)).then(() => true, () => false);
      const result = await runBulk<BulkTi>((input.body as { actions: never[] }).actions, {
        key: keyOf,
        exists,
        refuse: (action) => (action === 'create' ? 'Task instances are created with their run; they cannot be created in bulk.' : undefined),
        create: async () => undefined,
        update: async (e) => {
          const k = parse(keyOf(e));
          if (e.new_state) {
            if (!['success', 'failed', 'skipped'].includes(e.new_state)) throw badRequest(`A task instance can be set to success, failed or skipped, not '${e.new_state}'.`);
            const ti = await requireTiRow(deps.db, k);
            await markTaskInstances(deps.db, dag, [ti], e.new_state as MarkState, { dryRun: false, xcomFolder: deps.config.xcomFolder });
          }
          if (e.note !== undefined) await deps.db.updateTable('task_instance').set({ note: e.note }).where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', k.taskId).where('map_index', '=', k.mapIndex).execute();
        },
        remove: (key) => remove(parse(key)),
        applied: (action, key) => deps.audit(c, { event: `task_instance.${action === 'update' ? 'edit' : action}`, dagId, runId, taskId: parse(key).taskId, extra: { bulk: true } }),
      }, 'task instance');
      if (result.update?.success.length) deps.changed();
      return c.json(result);
    }),
    route('get_external_log_url', ['read', 'Task Logs'], async (_c, input) => {
      await requireTiRow(deps.db, { dagId: param(input, 'dag_id'), runId: param(input, 'dag_run_id'), taskId: param(input, 'task_id'), mapIndex: param<number>(input, 'map_index') ?? -1 });
      throw badRequest('Task log handler does not support external logs: Baton keeps task logs itself; read them with …/logs/{try_number}.');
    }),
    route('wait_dag_run_until_finished', ['read', 'DAG Runs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const runId = param(input, 'dag_run_id');
      await requireRun(deps.db, dagId, runId);
      const intervalMs = Math.max(10, param<number>(input, 'interval') * 1000);
      const resultTasks = param<string[] | undefined>(input, 'result') ?? [];
      const finalState = async () => {
        const run = await requireRun(deps.db, dagId, runId);
        if (run.state !== 'success' && run.state !== 'failed') return { done: false, body: { state: run.state } as Record<string, unknown> };
        const body: Record<string, unknown> = { state: run.state };
        if (resultTasks.length) {
          const rows = await deps.db.selectFrom('xcom').select(['task_id', 'map_index', 'value', 'value_ref']).where('dag_id', '=', dagId).where('run_id', '=', runId).where('key', '=', 'return_value').where('task_id', 'in', resultTasks).orderBy('map_index').execute();
          const results: Record<string, unknown> = {};
          for (const r of rows) {
            const value = decodeXCom(r.value ?? readRef(xcomOptions(deps.config), r.value_ref));
            results[r.task_id] = r.map_index >= 0 ? [...((results[r.task_id] as unknown[] | undefined) ?? []), value] : value;
          }
          body.results = results;
        }
        return { done: true, body };
      };
      const sleep = () => new Promise((res) => setTimeout(res, intervalMs));
      if ((c.req.header('accept') ?? '').includes('application/x-ndjson')) {
        const encoder = new TextEncoder();
        const stream = new ReadableStream<Uint8Array>({
          async start(controller) {
            try {
              while (!c.req.raw.signal.aborted) {
                const s = await finalState();
                controller.enqueue(encoder.encode(`${JSON.stringify(s.body)}\n`));
                if (s.done) break;
                await sleep();
              }
            } catch (e) {
              controller.enqueue(encoder.encode(`${JSON.stringify({ error: e instanceof HttpError ? e.detail : 'the run could not be read' })}\n`));
            }
            controller.close();
          },
        });
        return c.body(stream, 200, { 'content-type': 'application/x-ndjson' });
      }
      for (;;) {
        if (c.req.raw.signal.aborted) throw new HttpError(499, 'The client went away.');
        const s = await finalState();
        if (s.done) return c.json(s.body);
        await sleep();
      }
    }),
  ];
}
