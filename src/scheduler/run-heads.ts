/**
 * The heads of DAG runs a scheduling pass decides: state, type, backfill, pause flag and TI
 * version, read (and on PostgreSQL locked, with their `ti_version` bumped) in one statement per
 * 400 runs.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { dialectOf, type Schema } from '../store/index.ts';

/**
 * State, type, backfill, pause flag and TI version of each run, in one query per 400 runs. With
 * `lock` (PostgreSQL), each run is locked for this transaction and runs another scheduler holds
 * are left out. The lock is `FOR NO KEY UPDATE`: results recorded meanwhile for a locked run
 * (history rows, XComs, whose foreign keys refer to the run) do not wait for this pass to commit.
 *
 * With `lock`, the runs listed in `bump` (`dagId\0runId`) that it locks also get their
 * `ti_version` incremented in the same statement (`bumpedVersion`; `ti_version` is the version
 * before): a pass that recorded results for a run always bumps it, so it need not wait for its
 * decision to do so. Without `lock` nothing is bumped.
 */
export async function loadRunHeads(trx: Kysely<Schema>, keys: string[], lock: boolean, bump: ReadonlySet<string> = new Set()) {
  const out = new Map<string, RunHead>();
  for (const q of runHeadsQueries(keys, lock, bump)) addRunHeads(out, (await q.execute(trx)).rows);
  return out;
}

/** The statements of `loadRunHeads` (one per 400 runs), for callers that send them otherwise. */
export function runHeadsQueries(keys: readonly string[], lock: boolean, bump: ReadonlySet<string> = new Set()) {
  const out: Array<RawBuilder<RunHeadRow & { bumped_version?: number | null }>> = [];
  for (let i = 0; i < keys.length; i += 400) {
    const slice = keys.slice(i, i + 400);
    const pairs = valuePairs(slice);
    const toBump = lock ? slice.filter((k) => bump.has(k)) : [];
    out.push(toBump.length
      ? sql<RunHeadRow & { bumped_version: number | null }>`
          with h as (
            select r.id, r.dag_id, r.run_id, r.state, r.run_type, r.backfill_id, r.ti_version, d.is_paused
            from dag_run r inner join dag d on d.dag_id = r.dag_id
            where (r.dag_id, r.run_id) in (values ${pairs}) for no key update of r skip locked
          ),
          b as (
            update dag_run set ti_version = dag_run.ti_version + 1 from h
            where dag_run.id = h.id and (h.dag_id, h.run_id) in (values ${valuePairs(toBump)})
            returning dag_run.id, dag_run.ti_version
          )
          select h.*, b.ti_version as bumped_version from h left join b on b.id = h.id`
      : sql<RunHeadRow & { bumped_version?: undefined }>`
          select r.id, r.dag_id, r.run_id, r.state, r.run_type, r.backfill_id, r.ti_version, d.is_paused
          from dag_run r inner join dag d on d.dag_id = r.dag_id
          where (r.dag_id, r.run_id) in (values ${pairs})${lock ? sql` for no key update of r skip locked` : sql``}`);
  }
  return out;
}

/** Adds the rows of a `runHeadsQueries` statement to `out`. */
export function addRunHeads(out: Map<string, RunHead>, rows: ReadonlyArray<RunHeadRow & { bumped_version?: number | null }>): void {
  for (const r of rows) {
    out.set(`${r.dag_id}\u0000${r.run_id}`, {
      id: Number(r.id), state: r.state, run_type: r.run_type, backfill_id: r.backfill_id, ti_version: Number(r.ti_version), is_paused: Number(r.is_paused),
      bumpedVersion: r.bumped_version === null || r.bumped_version === undefined ? null : Number(r.bumped_version),
    });
  }
}

type RunHeadRow = { id: number; dag_id: string; run_id: string; state: string; run_type: string; backfill_id: number | null; ti_version: number; is_paused: number };

/** What a pass needs of a run to decide it. */
export interface RunHead {
  id: number;
  state: string;
  run_type: string;
  backfill_id: number | null;
  /** The run's TI version when it was read (before any bump by the same query). */
  ti_version: number;
  is_paused: number;
  /** The version after `loadRunHeads` bumped it, or null when it did not. */
  bumpedVersion: number | null;
}

/** `(dagId, runId), …` of keys `dagId\0runId`, for `(dag_id, run_id) in (values …)`. */
function valuePairs(keys: readonly string[]) {
  return sql.join(keys.map((k) => {
    const [dagId, runId] = k.split('\u0000') as [string, string];
    return sql`(${dagId}, ${runId})`;
  }));
}

/** Of these runs (`dagId\0runId`), those that exist: the ones `loadRunHeads` skipped were locked. */
export async function lockedRuns(trx: Kysely<Schema>, keys: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (dialectOf(trx) !== 'postgres') return out;
  for (let i = 0; i < keys.length; i += 400) {
    const { rows } = await sql<{ dag_id: string; run_id: string }>`select dag_id, run_id from dag_run where (dag_id, run_id) in (values ${valuePairs(keys.slice(i, i + 400))})`.execute(trx);
    for (const r of rows) out.add(`${r.dag_id}\u0000${r.run_id}`);
  }
  return out;
}
