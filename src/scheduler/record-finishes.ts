/**
 * Records plain try results — success, failed or skipped, with no deferral, reschedule, retry
 * delay or triggered run — of many task instances in one statement: an
 * `UPDATE … FROM (VALUES …) … RETURNING` that moves each TI only if it is still running (or
 * queued) in that same try, as the one-row compare-and-set would. Returns, for the TIs that moved,
 * what their history rows need.
 *
 * On PostgreSQL the same statement also writes, for the TIs that moved, their history rows and
 * the XComs of first tries (data-modifying CTEs fed by the UPDATE's RETURNING): one round trip
 * instead of three. SQLite has no data-modifying CTEs; there the caller writes both itself.
 */
import { sql, type CompiledQuery, type Kysely, type QueryResult, type RawBuilder } from 'kysely';
import type { TiKey } from '../executors/executor.ts';
import { dialectOf, executePipelined, nowIso, type Schema } from '../store/index.ts';
import type { XComRowToWrite } from './xcom-store.ts';

export interface PlainFinish {
  key: TiKey;
  tryNumber: number;
  state: 'success' | 'failed' | 'skipped';
  endDate: string;
  renderedFields: string | null;
  /** Start details when the try's `started` event is folded into this write. */
  started: { at: string; hostname: string; pid: number } | null;
  /** The try's XComs, written by this statement on PostgreSQL when the TI moves in its first try. */
  xcoms?: readonly XComRowToWrite[];
}

export interface RecordedFinish {
  key: TiKey;
  tryNumber: number;
  state: PlainFinish['state'];
  endDate: string;
  startDate: string | null;
  hostname: string | null;
  pid: number | null;
  executor: string | null;
  operator: string | null;
  /** Whether the statement also wrote the try's history row (PostgreSQL). */
  historyWritten: boolean;
  /** Whether the statement also wrote the try's XComs (PostgreSQL, first tries). */
  xcomsWritten: boolean;
}

/** Rows per statement: 11 parameters each, well under both dialects' limits. */
const CHUNK = 400;
/** Bound parameters per statement at most (PostgreSQL allows 65,535): results and XComs together. */
const MAX_PARAMS = 30_000;

/**
 * Statements to send right after the results' last statement, in the same round trip on
 * PostgreSQL (see `executePipelined`), and where their results go.
 */
export interface AlongFinishes {
  queries: readonly CompiledQuery[];
  results: (results: Array<QueryResult<unknown>>) => void;
}

export async function recordPlainFinishes(trx: Kysely<Schema>, finishes: readonly PlainFinish[], along?: AlongFinishes): Promise<RecordedFinish[]> {
  const out: RecordedFinish[] = [];
  const pg = dialectOf(trx) === 'postgres';
  const byKey = new Map(finishes.map((f) => [`${f.key.dagId}\u0000${f.key.runId}\u0000${f.key.taskId}\u0000${f.key.mapIndex}`, f]));
  const updatedAt = nowIso();
  const all = [...chunks(finishes, pg)];
  for (const [i, chunk] of all.entries()) {
    const rows = sql.join(
      chunk.map(
        (f) => sql`(${text(f.key.dagId)}, ${text(f.key.runId)}, ${text(f.key.taskId)}, ${int(f.key.mapIndex)}, ${int(f.tryNumber)}, ${text(f.state)}, ${text(f.endDate)}, ${text(f.started?.at ?? null)}, ${text(f.started?.hostname ?? null)}, ${int(f.started?.pid ?? null)}, ${text(f.renderedFields)})`,
      ),
    );
    const statement = pg ? updateWithHistoryAndXComs(rows, chunk, updatedAt) : update(rows, updatedAt);
    let moved: MovedRow[];
    if (along && i === all.length - 1) {
      const [first, ...rest] = await executePipelined(trx, [statement.compile(trx), ...along.queries]);
      moved = first!.rows as MovedRow[];
      along.results(rest);
    } else {
      moved = (await statement.execute(trx)).rows;
    }
    for (const r of moved) {
      const f = byKey.get(`${r.dag_id}\u0000${r.run_id}\u0000${r.task_id}\u0000${r.map_index}`)!;
      out.push({
        key: f.key, tryNumber: f.tryNumber, state: f.state, endDate: f.endDate, startDate: r.start_date, hostname: r.hostname, pid: r.pid === null ? null : Number(r.pid), executor: r.executor, operator: r.operator,
        historyWritten: pg, xcomsWritten: pg && f.tryNumber === 1,
      });
    }
  }
  return out;
}

type MovedRow = { dag_id: string; run_id: string; task_id: string; map_index: number; start_date: string | null; hostname: string | null; pid: number | null; executor: string | null; operator: string | null };

/** Finishes per statement: at most CHUNK, and (PostgreSQL) at most MAX_PARAMS with their XComs. */
function* chunks(finishes: readonly PlainFinish[], pg: boolean): Generator<PlainFinish[]> {
  let chunk: PlainFinish[] = [];
  let params = 0;
  for (const f of finishes) {
    const cost = 11 + (pg && f.tryNumber === 1 ? (f.xcoms?.length ?? 0) * 10 : 0);
    if (chunk.length && (chunk.length >= CHUNK || params + cost > MAX_PARAMS)) {
      yield chunk;
      chunk = [];
      params = 0;
    }
    chunk.push(f);
    params += cost;
  }
  if (chunk.length) yield chunk;
}

/** The compare-and-set UPDATE of the results (both dialects). */
function setResults(pg: boolean, updatedAt: string): RawBuilder<unknown> {
  const start = sql`coalesce(t.start_date, v.start_date)`;
  return sql`update task_instance as t set
        state = v.state,
        end_date = v.end_date,
        start_date = ${start},
        hostname = coalesce(v.hostname, t.hostname),
        pid = coalesce(v.pid, t.pid),
        duration = ${secondsBetween(pg, start, sql`v.end_date`)},
        rendered_fields = v.rendered_fields,
        next_method = null, next_kwargs = null, trigger_id = null,
        updated_at = ${updatedAt}`;
}

const RESULT_MATCH = sql`t.dag_id = v.dag_id and t.run_id = v.run_id and t.task_id = v.task_id and t.map_index = v.map_index
        and t.try_number = v.try_number and t.state in ('running', 'queued')`;

function update(rows: RawBuilder<unknown>, updatedAt: string) {
  return sql<MovedRow>`${setResults(false, updatedAt)}
      from (select column1 as dag_id, column2 as run_id, column3 as task_id, column4 as map_index, column5 as try_number,
                   column6 as state, column7 as end_date, column8 as start_date, column9 as hostname, column10 as pid,
                   column11 as rendered_fields
            from (values ${rows}) as vv) as v
      where ${RESULT_MATCH}
      returning ${returning(false, ['dag_id', 'run_id', 'task_id', 'map_index', 'start_date', 'hostname', 'pid', 'executor', 'operator'])}`;
}

/**
 * PostgreSQL: the UPDATE, the history rows of the TIs it moved, and the XComs of those in their
 * first try (no older value can exist; a later try replaces its XComs apart), in one statement.
 * The inserts read the UPDATE's RETURNING, so a TI that did not move gets neither.
 */
function updateWithHistoryAndXComs(rows: RawBuilder<unknown>, chunk: readonly PlainFinish[], updatedAt: string) {
  const xcoms = chunk.flatMap((f) => (f.tryNumber === 1 ? (f.xcoms ?? []) : []));
  const xcomCtes = xcoms.length
    ? sql`, x (dag_id, run_id, task_id, map_index, key, value, value_ref, size_bytes, list_length, timestamp) as (values ${sql.join(
        xcoms.map((x) => sql`(${text(x.dag_id)}, ${text(x.run_id)}, ${text(x.task_id)}, ${int(x.map_index)}, ${text(x.key)}, ${text(x.value)}, ${text(x.value_ref)}, ${int(x.size_bytes)}, ${int(x.list_length)}, ${text(x.timestamp)})`),
      )}),
      fresh_xcoms as (
        insert into xcom (dag_id, run_id, task_id, map_index, key, value, value_ref, size_bytes, list_length, timestamp)
        select x.dag_id, x.run_id, x.task_id, x.map_index, x.key, x.value, x.value_ref, x.size_bytes, x.list_length, x.timestamp
        from x inner join moved m on m.dag_id = x.dag_id and m.run_id = x.run_id and m.task_id = x.task_id and m.map_index = x.map_index and m.try_number = 1
        on conflict (dag_id, run_id, task_id, map_index, key) do update set
          value = excluded.value, value_ref = excluded.value_ref, size_bytes = excluded.size_bytes, list_length = excluded.list_length, timestamp = excluded.timestamp
      )`
    : sql``;
  return sql<MovedRow>`with v (dag_id, run_id, task_id, map_index, try_number, state, end_date, start_date, hostname, pid, rendered_fields) as (values ${rows}),
      moved as (
        ${setResults(true, updatedAt)}
        from v
        where ${RESULT_MATCH}
        returning t.dag_id, t.run_id, t.task_id, t.map_index, t.try_number, t.state, t.start_date, t.end_date, t.duration, t.hostname, t.pid, t.executor, t.operator
      ),
      history as (
        insert into task_instance_history (dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration, hostname, pid, executor, operator)
        select dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration, hostname, pid, executor, operator from moved
        on conflict (dag_id, run_id, task_id, map_index, try_number) do update set state = excluded.state, end_date = excluded.end_date
      )${xcomCtes}
      select dag_id, run_id, task_id, map_index, start_date, hostname, pid, executor, operator from moved`;
}

/**
 * RETURNING columns of the updated table: qualified on PostgreSQL (the FROM list has columns of
 * the same names), unqualified on SQLite (whose RETURNING sees only the updated table).
 */
function returning(pg: boolean, columns: string[]): RawBuilder<unknown> {
  return sql.join(columns.map((c) => (pg ? sql.ref(`t.${c}`) : sql.ref(c))));
}

function text(v: string | null): RawBuilder<string | null> {
  return sql`cast(${v} as text)`;
}

function int(v: number | null): RawBuilder<number | null> {
  return sql`cast(${v} as integer)`;
}

/** Seconds from `start` to `end` (ISO-8601 text), or null when `start` is null. */
function secondsBetween(pg: boolean, start: RawBuilder<unknown>, end: RawBuilder<unknown>): RawBuilder<number | null> {
  return pg
    ? sql`extract(epoch from (cast(${end} as timestamptz) - cast(${start} as timestamptz)))`
    : sql`(julianday(${end}) - julianday(${start})) * 86400.0`;
}
