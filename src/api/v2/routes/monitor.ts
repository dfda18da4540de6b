/**
 * Reports and the server itself: health (no credentials needed), version, configuration (only
 * when BATON_API_EXPOSE_CONFIG), import errors, DAG warnings, DAG run counts per state, the
 * event log, jobs, providers, plugins, a DAG's source, and asking for a DAG file to be parsed
 * again.
 */
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { ALL_DAG_RUN_STATES } from '../../../core/states.ts';
import { BATON_VERSION } from '../../routes/monitoring.ts';
import { configSections } from '../../routes/config.ts';
import { PROVIDERS } from '../../routes/providers.ts';
import { fileFromToken } from '../../views/dag.ts';
import { requireDagRow } from '../../lookups.ts';
import { param, route, type RouteDef, type V2Context, type V2Deps } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { applyPage, applyPatterns, applyRanges, countRows, readPage } from '../listing.ts';

/** Monitoring and report routes. */
export function monitorRoutes(deps: V2Deps): RouteDef[] {
  const configOut = (c: V2Context, sections: ReturnType<typeof configSections>) => {
    if ((c.req.header('accept') ?? '').includes('text/plain')) return c.text(sections.map((s) => `[${s.name}]\n${s.options.map((o) => `${o.key} = ${o.value}\n`).join('')}`).join('\n'));
    return c.json({ sections });
  };
  const exposed = () => {
    if (!deps.config.apiExposeConfig) throw new HttpError(403, 'Your Baton administrator chose not to expose the configuration, most likely for security reasons (set BATON_API_EXPOSE_CONFIG=true to expose it).');
  };
  const logEntries = () =>
    deps.db.selectFrom('log as l').leftJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'l.dag_id').onRef('r.run_id', '=', 'l.run_id')).selectAll('l').select(['r.logical_date', 'r.has_logical_date']);
  type LogRow = Awaited<ReturnType<ReturnType<typeof logEntries>['execute']>>[number];
  const logView = (r: LogRow) => ({
    event_log_id: r.id, when: r.dttm, dag_id: r.dag_id, task_id: r.task_id, run_id: r.run_id, map_index: r.map_index, try_number: r.try_number, event: r.event,
    logical_date: r.has_logical_date ? (r.logical_date ?? null) : null, owner: r.owner, extra: r.extra, dag_display_name: r.dag_id, task_display_name: r.task_id,
  });
  const importErrorView = (r: { id: number; filename: string; stacktrace: string; timestamp: string }) => ({ import_error_id: r.id, filename: r.filename, stack_trace: r.stacktrace, timestamp: r.timestamp, bundle_name: 'dags-folder' });

  return [
    route('get_health', null, async (c) => {
      let database = 'healthy';
      try {
        await sql`select 1`.execute(deps.db);
      } catch {
        database = 'unhealthy';
      }
      const timeoutMs = Math.max(30, deps.config.heartbeatInterval * 3) * 1000;
      const job = async (type: 'scheduler' | 'triggerer', required: boolean) => {
        if (database === 'unhealthy') return { status: required ? 'unhealthy' : null, heartbeat: null };
        const rows = await deps.db.selectFrom('job').select(['state', 'latest_heartbeat']).where('job_type', '=', type).orderBy('latest_heartbeat', 'desc').limit(20).execute();
        const latest = rows.find((r) => r.state === 'running') ?? rows[0];
        if (!latest) return { status: required ? 'unhealthy' : null, heartbeat: null };
        return { status: latest.state === 'running' && Date.now() - Date.parse(latest.latest_heartbeat) <= timeoutMs ? 'healthy' : 'unhealthy', heartbeat: latest.latest_heartbeat };
      };
      const scheduler = await job('scheduler', true).catch(() => ({ status: 'unhealthy', heartbeat: null }));
      const triggerer = await job('triggerer', false).catch(() => ({ status: 'unhealthy', heartbeat: null }));
      return c.json({
        metadatabase: { status: database },
        scheduler: { status: scheduler.status, latest_scheduler_heartbeat: scheduler.heartbeat },
        triggerer: { status: triggerer.status, latest_triggerer_heartbeat: triggerer.heartbeat },
        dag_processor: null,
      });
    }),
    route('get_version', null, (c) => c.json({ version: BATON_VERSION, git_version: null })),
    route('get_config', ['read', 'Config'], (c, input) => {
      exposed();
      const wanted = param<string | undefined>(input, 'section');
      let sections = configSections(deps.config);
      if (wanted !== undefined) {
        sections = sections.filter((s) => s.name === wanted);
        if (!sections.length) throw notFound(`Section ${wanted} not found.`);
      }
      return configOut(c, sections);
    }),
    route('get_config_value', ['read', 'Config'], (c, input) => {
      exposed();
      const section = configSections(deps.config).find((s) => s.name === param(input, 'section'));
      const option = section?.options.find((o) => o.key === param(input, 'option'));
      if (!section || !option) throw notFound(`Option [${param(input, 'section')}/${param(input, 'option')}] not found.`);
      return configOut(c, [{ name: section.name, options: [option] }]);
    }),
    route('get_import_errors', ['read', 'Import Errors'], async (c, input) => {
      const page = readPage(input, { id: 'id', import_error_id: 'id', timestamp: 'timestamp', filename: 'filename', stacktrace: 'stacktrace' }, 'id');
      const q = applyPatterns(deps.db.selectFrom('import_error').selectAll(), input.params, { filename_pattern: 'filename' });
      const total = await countRows(q);
      return c.json({ import_errors: (await applyPage(q, page).execute()).map(importErrorView), total_entries: total });
    }),
    route('get_import_error', ['read', 'Import Errors'], async (c, input) => {
      const id = param<number>(input, 'import_error_id');
      const row = await deps.db.selectFrom('import_error').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`The ImportError with import_error_id: \`${id}\` was not found`);
      return c.json(importErrorView(row));
    }),
    route('list_dag_warnings', ['read', 'DAG Warnings'], async (c, input) => {
      const page = readPage(input, { dag_id: 'dag_id', warning_type: 'warning_type', message: 'message', timestamp: 'timestamp' }, 'dag_id');
      let q = deps.db.selectFrom('dag_warning').selectAll();
      if (typeof input.params.dag_id === 'string') q = q.where('dag_id', '=', input.params.dag_id);
      if (typeof input.params.warning_type === 'string') q = q.where('warning_type', '=', input.params.warning_type);
      const total = await countRows(q);
      const rows = await applyPage(q, page).orderBy('warning_type').execute();
      return c.json({ dag_warnings: rows.map((r) => ({ dag_id: r.dag_id, warning_type: r.warning_type, message: r.message, timestamp: r.timestamp, dag_display_name: r.dag_id })), total_entries: total });
    }),
    route('get_dag_stats', ['read', 'DAG Runs'], async (c, input) => {
      const requested = (param<string[] | undefined>(input, 'dag_ids') ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
      let q = deps.db.selectFrom('dag').select('dag_id').where('is_active', '=', 1);
      if (requested.length) q = q.where('dag_id', 'in', requested);
      const known = (await q.orderBy('dag_id').execute()).map((r) => r.dag_id);
      const counts = new Map<string, number>();
      if (known.length) {
        const rows = await deps.db.selectFrom('dag_run').select(['dag_id', 'state', (eb) => eb.fn.countAll<number>().as('n')]).where('dag_id', 'in', known).groupBy(['dag_id', 'state']).execute();
        for (const r of rows) counts.set(`${r.dag_id}\0${r.state}`, Number(r.n));
      }
      const dags = known.map((dagId) => ({ dag_id: dagId, dag_display_name: dagId, stats: ALL_DAG_RUN_STATES.map((state) => ({ state, count: counts.get(`${dagId}\0${state}`) ?? 0 })) }));
      return c.json({ dags, total_entries: dags.length });
    }),
    route('get_event_logs', ['read', 'Audit Logs'], async (c, input) => {
      const p = input.params;
      const page = readPage(input, { id: 'l.id', event_log_id: 'l.id', dttm: 'l.dttm', when: 'l.dttm', dag_id: 'l.dag_id', task_id: 'l.task_id', run_id: 'l.run_id', event: 'l.event', logical_date: 'r.logical_date', owner: 'l.owner', extra: 'l.extra' }, 'id');
      let q = logEntries();
      for (const name of ['dag_id', 'task_id', 'run_id', 'event', 'owner'] as const) if (typeof p[name] === 'string') q = q.where(`l.${name}`, '=', p[name] as string);
      if (typeof p.map_index === 'number') q = q.where('l.map_index', '=', p.map_index);
      if (typeof p.try_number === 'number') q = q.where('l.try_number', '=', p.try_number);
      if (typeof p.before === 'string') q = q.where('l.dttm', '<', p.before);
      if (typeof p.after === 'string') q = q.where('l.dttm', '>', p.after);
      const included = p.included_events as string[] | undefined;
      const excluded = p.excluded_events as string[] | undefined;
      if (included?.length) q = q.where('l.event', 'in', included);
      if (excluded?.length) q = q.where('l.event', 'not in', excluded);
      q = applyPatterns(q, p, { dag_id_pattern: 'l.dag_id', task_id_pattern: 'l.task_id', run_id_pattern: 'l.run_id', owner_pattern: 'l.owner', event_pattern: 'l.event' });
      const total = await countRows(q);
      return c.json({ event_logs: (await applyPage(q, page).execute()).map(logView), total_entries: total });
    }),
    route('get_event_log', ['read', 'Audit Logs'], async (c, input) => {
      const id = param<number>(input, 'event_log_id');
      const row = await logEntries().where('l.id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`The Event Log with id: \`${id}\` not found`);
      return c.json(logView(row));
    }),
    route('get_jobs', ['read', 'Cluster Activity'], async (c, input) => {
      const p = input.params;
      const page = readPage(input, { id: 'id', state: 'state', job_type: 'job_type', start_date: 'start_date', end_date: 'end_date', latest_heartbeat: 'latest_heartbeat', hostname: 'hostname' }, 'id');
      let q = deps.db.selectFrom('job').selectAll();
      if (typeof p.job_state === 'string') q = q.where('state', '=', p.job_state as never);
      if (typeof p.job_type === 'string') q = q.where('job_type', '=', String(p.job_type).replace(/Job$/, '').toLowerCase() as never);
      if (typeof p.hostname === 'string') q = q.where('hostname', '=', p.hostname);
      q = applyRanges(q, p, { start_date: 'start_date', end_date: 'end_date' });
      if (p.is_alive === true) q = q.where('state', '=', 'running').where('latest_heartbeat', '>=', new Date(Date.now() - Math.max(30, deps.config.heartbeatInterval * 3) * 1000).toISOString());
      const total = await countRows(q);
      const rows = await applyPage(q, page).execute();
      return c.json({
        jobs: rows.map((j) => ({ id: j.id, dag_id: null, state: j.state, job_type: `${j.job_type[0]!.toUpperCase()}${j.job_type.slice(1)}Job`, start_date: j.start_date, end_date: j.end_date, latest_heartbeat: j.latest_heartbeat, executor_class: null, hostname: j.hostname, unixname: null, dag_display_name: null })),
        total_entries: total,
      });
    }),
    route('get_providers', ['read', 'Providers'], (c, input) => {
      const page = readPage(input, { name: 'name' }, 'name');
      const providers = PROVIDERS.map((p) => ({ package_name: `baton/${p.name}`, description: p.description, version: BATON_VERSION, documentation_url: null }));
      return c.json({ providers: providers.slice(page.offset, page.offset + page.limit), total_entries: providers.length });
    }),
    route('get_plugins', ['read', 'Plugins'], (c) => c.json({ plugins: [], total_entries: 0 })),
    route('import_errors', ['read', 'Plugins'], (c) => c.json({ import_errors: [], total_entries: 0 })),
    route('get_dag_source', ['read', 'DAG Code'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const row = await requireDagRow(deps.db, dagId);
      const wanted = param<number | undefined>(input, 'version_number');
      let content: string | null = null;
      let versionNumber: number | null = null;
      const version = await (wanted === undefined
        ? deps.db.selectFrom('dag_version').select(['version_number', 'source_code']).where('dag_id', '=', dagId).orderBy('version_number', 'desc')
        : deps.db.selectFrom('dag_version').select(['version_number', 'source_code']).where('dag_id', '=', dagId).where('version_number', '=', wanted)
      ).executeTakeFirst();
      if (wanted !== undefined && !version) throw notFound(`The source code of the Dag ${dagId}, version_number ${wanted} was not found`);
      if (version) {
        content = version.source_code;
        versionNumber = version.version_number;
      }
      if (content === null) content = await readFile(row.fileloc, 'utf8').catch(() => null);
      if (content === null) throw notFound(`The source of DAG '${dagId}' is no longer readable: its file was moved or deleted.`);
      if ((c.req.header('accept') ?? '').includes('text/plain')) return c.text(content);
      return c.json({ content, dag_id: dagId, version_number: versionNumber, dag_display_name: dagId });
    }),
    route('reparse_dag_file', ['edit', 'DAGs'], async (c, input) => {
      const path = fileFromToken(param(input, 'file_token'));
      const known = path !== undefined && (await deps.db.selectFrom('dag').select('dag_id').where('fileloc', '=', path).executeTakeFirst());
      if (!path || !known) throw notFound('No DAG file matches this file token; take the token from a DAG (its file_token field).');
      await deps.requestReparse?.(path);
      await deps.audit(c, { event: 'dag.reparse', extra: { fileloc: path } });
      return c.json(null, 201);
    }),
  ];
}
