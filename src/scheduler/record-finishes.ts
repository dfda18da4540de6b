/**
 * Records plain try results — success, failed or skipped, with no deferral, reschedule, retry
 * delay or triggered run — of many task instances in one statement: an
 * `UPDATE … FROM (VALUES …) … RETURNING` that moves each TI only if it is still running (or
 * queued) in that same try, as the one-row compare-and-set would. Returns, for the TIs that moved,
 * what their history rows need.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { TiKey } from '../executors/executor.ts';
import { dialectOf, nowIso, type Schema } from '../store/index.ts';

export interface PlainFinish {
  key: TiKey;
  tryNumber: number;
  state: 'success' | 'failed' | 'skipped';
  endDate: string;
  renderedFields: string | null;
  /** Start details when the try's `started` event is folded into this write. */
  started: { at: string; hostname: string; pid: number } | null;
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
}

/** Rows per statement: 11 parameters each, well under both dialects' limits. */
const CHUNK = 400;

export async function recordPlainFinishes(trx: Kysely<Schema>, finishes: readonly PlainFinish[]): Promise<RecordedFinish[]> {
  const out: RecordedFinish[] = [];
  const pg = dialectOf(trx) === 'postgres';
  const byKey = new Map(finishes.map((f) => [`${f.key.dagId}\u0000${f.key.runId}\u0000${f.key.taskId}\u0000${f.key.mapIndex}`, f]));
  const updatedAt = nowIso();
  for (let i = 0; i < finishes.length; i += CHUNK) {
    const chunk = finishes.slice(i, i + CHUNK);
    const rows = sql.join(
      chunk.map(
        (f) => sql`(${text(f.key.dagId)}, ${text(f.key.runId)}, ${text(f.key.taskId)}, ${int(f.key.mapIndex)}, ${int(f.tryNumber)}, ${text(f.state)}, ${text(f.endDate)}, ${text(f.started?.at ?? null)}, ${text(f.started?.hostname ?? null)}, ${int(f.started?.pid ?? null)}, ${text(f.renderedFields)})`,
      ),
    );
    const start = sql`coalesce(t.start_date, v.start_date)`;
    const { rows: moved } = await sql<{ dag_id: string; run_id: string; task_id: string; map_index: number; start_date: string | null; hostname: string | null; pid: number | null; executor: string | null; operator: string | null }>`
      update task_instance as t set
        state = v.state,
        end_date = v.end_date,
        start_date = ${start},
        hostname = coalesce(v.hostname, t.hostname),
        pid = coalesce(v.pid, t.pid),
        duration = ${secondsBetween(pg, start, sql`v.end_date`)},
        rendered_fields = v.rendered_fields,
        next_method = null, next_kwargs = null, trigger_id = null,
        updated_at = ${updatedAt}
      from (select column1 as dag_id, column2 as run_id, column3 as task_id, column4 as map_index, column5 as try_number,
                   column6 as state, column7 as end_date, column8 as start_date, column9 as hostname, column10 as pid,
                   column11 as rendered_fields
            from (values ${rows}) as vv) as v
      where t.dag_id = v.dag_id and t.run_id = v.run_id and t.task_id = v.task_id and t.map_index = v.map_index
        and t.try_number = v.try_number and t.state in ('running', 'queued')
      returning ${returning(pg, ['dag_id', 'run_id', 'task_id', 'map_index', 'start_date', 'hostname', 'pid', 'executor', 'operator'])}`.execute(trx);
    for (const r of moved) {
      const f = byKey.get(`${r.dag_id}\u0000${r.run_id}\u0000${r.task_id}\u0000${r.map_index}`)!;
      out.push({ key: f.key, tryNumber: f.tryNumber, state: f.state, endDate: f.endDate, startDate: r.start_date, hostname: r.hostname, pid: r.pid === null ? null : Number(r.pid), executor: r.executor, operator: r.operator });
    }
  }
  return out;
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
