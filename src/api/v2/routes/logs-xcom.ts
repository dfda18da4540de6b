/**
 * A try's log (JSON `{content, continuation_token}` with the lines as strings, or one
 * `{"event": line}` per line with `Accept: application/x-ndjson`; `token` to follow a running try) and XCom entries: list (`~` for DAG,
 * run and task), get (`deserialize`, `stringify`), create, update and delete.
 */
import { stat } from 'node:fs/promises';
import { FINISHED_TI_STATES } from '../../../core/states.ts';
import { tryLogPath } from '../../../scheduler/log-path.ts';
import { readFragment, decodeLogToken, encodeLogToken, LOG_FRAGMENT_BYTES } from '../../routes/task-logs.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { applyPage, countRows, readPage } from '../listing.ts';
import { requireTiRow } from '../lookups.ts';
import { decodeXCom, encodeXCom } from '../../../core/xcom-codec.ts';
import { prepareXComRows, readRef, upsertXComs } from '../../../scheduler/xcom-store.ts';
import { nowIso } from '../../../store/index.ts';
import { xcomOptions } from '../../deps.ts';
import type { RequestInput } from '../request.ts';
import type { V2Context } from '../context.ts';
import { applyPatterns, applyRanges } from '../listing.ts';

const XCOM_ORDER = { key: 'x.key', timestamp: 'x.timestamp', dag_id: 'x.dag_id', task_id: 'x.task_id', run_id: 'x.run_id', map_index: 'x.map_index', logical_date: 'r.logical_date', run_after: 'r.logical_date' };

function entryView(x: { dag_id: string; run_id: string; task_id: string; map_index: number; key: string; timestamp: string; logical_date: string; has_logical_date: number }) {
  return {
    key: x.key, timestamp: x.timestamp, logical_date: x.has_logical_date ? x.logical_date : null, map_index: x.map_index, task_id: x.task_id, dag_id: x.dag_id,
    run_id: x.run_id, dag_display_name: x.dag_id, task_display_name: x.task_id, run_after: x.logical_date,
  };
}

/** A value as a string: strings as they are, anything else as JSON. */
function stringify(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/** Log and XCom routes. */
export function logXcomRoutes(deps: V2Deps): RouteDef[] {
  return [
    route('get_log', ['read', 'Task Logs'], async (c, input) => {
      const k = { dagId: param(input, 'dag_id'), runId: param(input, 'dag_run_id'), taskId: param(input, 'task_id'), mapIndex: param<number>(input, 'map_index') ?? -1 };
      const tryNumber = param<number>(input, 'try_number');
      const token = param<string | undefined>(input, 'token');
      const from = token ? decodeLogToken(token) : 0;
      const ti = await requireTiRow(deps.db, k);
      if (tryNumber > ti.try_number || tryNumber < 1) throw notFound(`TaskInstance with try_number ${tryNumber} not found (it is on try ${ti.try_number})`);
      const path = tryLogPath(deps.config.logsFolder, { ...k, tryNumber });
      const size = await stat(path).then((s) => s.size, () => undefined);
      const finished = FINISHED_TI_STATES.has(ti.state) || tryNumber < ti.try_number;
      const fullContent = param<boolean | undefined>(input, 'full_content') ?? false;
      const start = Math.min(from, size ?? 0);
      const { text, end } = size === undefined ? { text: '', end: 0 } : await readFragment(path, start, fullContent ? size : Math.min(size, start + LOG_FRAGMENT_BYTES), size);
      const continuation = encodeLogToken({ log_pos: end, end_of_log: end >= (size ?? 0) && finished });
      const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
      if ((c.req.header('accept') ?? '').includes('application/x-ndjson')) {
        return c.body(lines.map((event) => `${JSON.stringify({ event })}\n`).join(''), 200, { 'content-type': 'application/x-ndjson' });
      }
      return c.json({ content: lines, continuation_token: continuation });
    }),
    route('get_xcom_entries', ['read', 'XComs'], async (c, input) => {
      const p = input.params;
      let q = xcomRows(deps);
      for (const [name, column] of [['dag_id', 'x.dag_id'], ['dag_run_id', 'x.run_id'], ['task_id', 'x.task_id']] as const) {
        if (p[name] !== '~') q = q.where(column, '=', p[name] as string);
      }
      if (typeof p.map_index === 'number') q = q.where('x.map_index', '=', p.map_index);
      if (typeof p.xcom_key === 'string') q = q.where('x.key', '=', p.xcom_key);
      q = applyRanges(q, p, { logical_date: 'r.logical_date', run_after: 'r.logical_date' });
      q = applyPatterns(q, p, { xcom_key_pattern: 'x.key', dag_display_name_pattern: 'x.dag_id', run_id_pattern: 'x.run_id', task_id_pattern: 'x.task_id' });
      const total = await countRows(q);
      const rows = await applyPage(q, readPage(input, XCOM_ORDER, 'key')).orderBy('x.dag_id').orderBy('x.run_id').orderBy('x.task_id').orderBy('x.map_index').execute();
      return c.json({ xcom_entries: rows.map(entryView), total_entries: total });
    }),
    route('get_xcom_entry', ['read', 'XComs'], async (c, input) => {
      const row = await requireEntry(deps, input, param<number>(input, 'map_index') ?? -1);
      const value = readValue(deps, row);
      const native = param<boolean>(input, 'deserialize') === true && param<boolean>(input, 'stringify') === false;
      return c.json({ ...entryView(row), value: native ? value : stringify(value) });
    }),
    route('create_xcom_entry', ['create', 'XComs'], async (c, input) => {
      const b = input.body as { key: string; value: unknown; map_index?: number };
      const k = { dagId: param(input, 'dag_id'), runId: param(input, 'dag_run_id'), taskId: param(input, 'task_id'), mapIndex: b.map_index ?? -1 };
      await requireTiRow(deps.db, k);
      const exists = await xcomRows(deps).where('x.dag_id', '=', k.dagId).where('x.run_id', '=', k.runId).where('x.task_id', '=', k.taskId).where('x.map_index', '=', k.mapIndex).where('x.key', '=', b.key).executeTakeFirst();
      if (exists) throw conflict(`The XCom with key: \`${b.key}\` with mentioned task instance already exists.`);
      await write(deps, k, b.key, b.value);
      await deps.audit(c, { event: 'xcom.create', dagId: k.dagId, runId: k.runId, taskId: k.taskId, extra: { key: b.key } });
      return answerNative(c, deps, input, b.key, k.mapIndex, 201);
    }),
    route('update_xcom_entry', ['edit', 'XComs'], async (c, input) => {
      const b = input.body as { value: unknown; map_index?: number };
      const mapIndex = b.map_index ?? -1;
      const row = await requireEntry(deps, input, mapIndex);
      await write(deps, { dagId: row.dag_id, runId: row.run_id, taskId: row.task_id, mapIndex }, row.key, b.value);
      await deps.audit(c, { event: 'xcom.edit', dagId: row.dag_id, runId: row.run_id, taskId: row.task_id, extra: { key: row.key } });
      return answerNative(c, deps, input, row.key, mapIndex, 200);
    }),
    route('delete_xcom_entry', ['delete', 'XComs'], async (c, input) => {
      const row = await requireEntry(deps, input, param<number>(input, 'map_index') ?? -1);
      await deps.db.deleteFrom('xcom').where('dag_id', '=', row.dag_id).where('run_id', '=', row.run_id).where('task_id', '=', row.task_id).where('map_index', '=', row.map_index).where('key', '=', row.key).execute();
      await deps.audit(c, { event: 'xcom.delete', dagId: row.dag_id, runId: row.run_id, taskId: row.task_id, extra: { key: row.key } });
      return c.body(null, 204);
    }),
  ];
}

function xcomRows(deps: V2Deps) {
  return deps.db
    .selectFrom('xcom as x')
    .innerJoin('dag_run as r', (j) => j.onRef('r.dag_id', '=', 'x.dag_id').onRef('r.run_id', '=', 'x.run_id'))
    .select(['x.dag_id', 'x.run_id', 'x.task_id', 'x.map_index', 'x.key', 'x.timestamp', 'r.logical_date', 'r.has_logical_date']);
}

async function requireEntry(deps: V2Deps, input: RequestInput, mapIndex: number) {
  const k = { dagId: param(input, 'dag_id'), runId: param(input, 'dag_run_id'), taskId: param(input, 'task_id'), key: param(input, 'xcom_key') };
  const row = await xcomRows(deps).select(['x.value', 'x.value_ref'])
    .where('x.dag_id', '=', k.dagId).where('x.run_id', '=', k.runId).where('x.task_id', '=', k.taskId).where('x.map_index', '=', mapIndex).where('x.key', '=', k.key)
    .executeTakeFirst();
  if (!row) throw notFound(`XCom entry with key: \`${k.key}\` not found`);
  return row;
}

function readValue(deps: V2Deps, row: { value: string | null; value_ref: string | null; key: string }): unknown {
  try {
    return decodeXCom(row.value ?? readRef(xcomOptions(deps.config), row.value_ref));
  } catch (e) {
    throw badRequest(`The value of XCom entry '${row.key}' cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

async function write(deps: V2Deps, k: { dagId: string; runId: string; taskId: string; mapIndex: number }, key: string, value: unknown) {
  const rows = prepareXComRows(xcomOptions(deps.config), [{ ...k, key, value: encodeXCom(value) }], nowIso());
  await upsertXComs(deps.db, rows);
}

async function answerNative(c: V2Context, deps: V2Deps, input: RequestInput, key: string, mapIndex: number, status: 200 | 201) {
  const row = await requireEntry(deps, { ...input, params: { ...input.params, xcom_key: key } }, mapIndex);
  return c.json({ ...entryView(row), value: readValue(deps, row) }, status);
}
