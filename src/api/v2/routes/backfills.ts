/**
 * Backfills: list (per DAG), create (or preview with `dry_run`), get, pause, unpause, cancel.
 * The scheduler runs them (see scheduler/backfills.ts for how existing runs are treated).
 */
import type { Selectable } from 'kysely';
import { BackfillError, cancelBackfill, createBackfill, planBackfillDates, setBackfillPaused } from '../../../scheduler/backfills.ts';
import { fromJson } from '../../../store/index.ts';
import type { BackfillTable, ReprocessBehavior } from '../../../store/schema.ts';
import { requireDag, requireDagRow } from '../../lookups.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { applyPage, countRows, readPage } from '../listing.ts';

interface BackfillBody {
  dag_id: string;
  from_date: string;
  to_date: string;
  run_backwards?: boolean;
  dag_run_conf?: Record<string, unknown>;
  reprocess_behavior?: ReprocessBehavior;
  max_active_runs?: number;
}

/** The BackfillResponse shape. */
function backfillResponse(b: Selectable<BackfillTable>) {
  return {
    id: b.id, dag_id: b.dag_id, from_date: b.from_date, to_date: b.to_date, dag_run_conf: fromJson<Record<string, unknown>>(b.dag_run_conf, 'backfill conf') ?? {},
    is_paused: b.is_paused === 1, reprocess_behavior: b.reprocess_behavior, max_active_runs: b.max_active_runs, created_at: b.created_at,
    completed_at: b.completed_at, updated_at: b.updated_at, dag_display_name: b.dag_id,
  };
}

const asHttp = (e: unknown): never => {
  if (e instanceof BackfillError) throw new HttpError(e.status, e.message);
  throw e;
};

/** Backfill routes. */
export function backfillRoutes(deps: V2Deps): RouteDef[] {
  const one = async (id: number) => {
    const b = await deps.db.selectFrom('backfill').selectAll().where('id', '=', id).executeTakeFirst();
    if (!b) throw notFound(`Could not find the Backfill with id: \`${id}\``);
    return backfillResponse(b);
  };
  const request = async (b: BackfillBody, user: string | null) => {
    await requireDagRow(deps.db, b.dag_id);
    const dag = await requireDag(deps, b.dag_id);
    return {
      dag,
      req: {
        from: new Date(b.from_date), to: new Date(b.to_date), reprocessBehavior: b.reprocess_behavior ?? 'none', maxActiveRuns: b.max_active_runs ?? 10,
        runBackwards: b.run_backwards ?? false, conf: b.dag_run_conf ?? {}, triggeringUser: user,
      } as const,
    };
  };
  const act = (verb: 'pause' | 'unpause' | 'cancel'): RouteDef['handle'] => async (c, input) => {
    const id = param<number>(input, 'backfill_id');
    await (verb === 'cancel' ? cancelBackfill(deps.db, id) : setBackfillPaused(deps.db, id, verb === 'pause')).catch(asHttp);
    await deps.audit(c, { event: `backfill.${verb}`, extra: { backfill_id: id } });
    deps.changed();
    return c.json(await one(id));
  };
  return [
    route('list_backfills', ['read', 'DAG Runs'], async (c, input) => {
      let q = deps.db.selectFrom('backfill').selectAll();
      if (typeof input.params.dag_id === 'string') q = q.where('dag_id', '=', input.params.dag_id);
      const total = await countRows(q);
      const rows = await applyPage(q, readPage(input, { id: 'id' }, 'id')).execute();
      return c.json({ backfills: rows.map(backfillResponse), total_entries: total });
    }),
    route('get_backfill', ['read', 'DAG Runs'], async (c, input) => c.json(await one(param<number>(input, 'backfill_id')))),
    route('create_backfill', ['create', 'DAG Runs'], async (c, input) => {
      const b = input.body as BackfillBody;
      const { dag, req } = await request(b, c.get('principal')?.username ?? null);
      const { id } = await createBackfill(deps.db, dag, req, { xcomFolder: deps.config.xcomFolder }).catch(asHttp);
      await deps.audit(c, { event: 'backfill.create', dagId: dag.dagId, extra: { backfill_id: id, from_date: b.from_date, to_date: b.to_date, reprocess_behavior: req.reprocessBehavior } });
      deps.changed();
      return c.json(await one(id));
    }),
    route('create_backfill_dry_run', ['read', 'DAG Runs'], async (c, input) => {
      const { dag, req } = await request(input.body as BackfillBody, null);
      const plan = (await planBackfillDates(deps.db, dag, req).catch(asHttp)).filter((p) => p.action !== 'skip');
      return c.json({ backfills: plan.map((p) => ({ logical_date: p.logicalDate.toISOString(), partition_date: null, partition_key: null })), total_entries: plan.length });
    }),
    route('pause_backfill', ['edit', 'DAG Runs'], act('pause')),
    route('unpause_backfill', ['edit', 'DAG Runs'], act('unpause')),
    route('cancel_backfill', ['edit', 'DAG Runs'], act('cancel')),
  ];
}
