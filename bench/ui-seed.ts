/**
 * Seeds a database with a large DAG for the UI's grid benchmark and test: `tasks` empty tasks in
 * task groups of `groupSize` (each group a chain, groups in a line), `runs` finished runs a day
 * apart, and every task instance of every run — written directly, without running anything.
 * Also `extraDags` small DAGs (one task, three runs each) for the DAG list. The DAG is paused so
 * a scheduler on the same database leaves it alone.
 */
import type { Kysely } from 'kysely';
import { nowIso } from '../src/store/codec.ts';
import type { Schema } from '../src/store/index.ts';
import { syncDags } from '../src/scheduler/dag-sync.ts';
import { dag, EmptyOperator, taskGroup } from '../src/sdk/index.ts';
import { serializeDag } from '../src/sdk/serialize.ts';
import type { SerializedDag } from '../src/core/serialized-dag.ts';

export interface SeedOptions {
  dagId?: string;
  /** Tasks of the big DAG; default 2000. */
  tasks?: number;
  /** Finished runs; default 28. */
  runs?: number;
  /** Tasks per task group; default 100. */
  groupSize?: number;
  /** Small DAGs besides the big one; default 0. */
  extraDags?: number;
}

const STATES = ['success', 'success', 'success', 'success', 'failed', 'skipped', 'upstream_failed'] as const;

function bigDag(id: string, tasks: number, groupSize: number): SerializedDag {
  const d = dag({ id, schedule: null, startDate: '2024-01-01', tags: ['bench'] }, () => {
    let previous: ReturnType<typeof taskGroup> | null = null;
    for (let g = 0; g * groupSize < tasks; g++) {
      const group = taskGroup(`group_${String(g).padStart(3, '0')}`, () => {
        let last: EmptyOperator | null = null;
        for (let i = g * groupSize; i < Math.min(tasks, (g + 1) * groupSize); i++) {
          const t: EmptyOperator = new EmptyOperator({ taskId: `task_${String(i).padStart(4, '0')}` });
          if (last) last.then(t);
          last = t;
        }
      });
      if (previous) previous.then(group);
      previous = group;
    }
  });
  return { ...serializeDag(d), fileloc: `/bench/${id}.ts` };
}

function smallDag(id: string, tag: string): SerializedDag {
  const d = dag({ id, schedule: '@daily', startDate: '2024-01-01', tags: [tag] }, () => {
    new EmptyOperator({ taskId: 'only' });
  });
  return { ...serializeDag(d), fileloc: `/bench/${id}.ts` };
}

/** Writes the DAGs, runs and task instances; returns the big DAG's id and its task ids. */
export async function seedGridDag(db: Kysely<Schema>, o: SeedOptions = {}): Promise<{ dagId: string; taskIds: string[]; runIds: string[] }> {
  const dagId = o.dagId ?? 'ui_big_grid';
  const runs = o.runs ?? 28;
  const big = bigDag(dagId, o.tasks ?? 2000, o.groupSize ?? 100);
  const small = Array.from({ length: o.extraDags ?? 0 }, (_, i) => smallDag(`dag_${String(i).padStart(4, '0')}`, `team_${i % 7}`));
  const all = [big, ...small];
  await syncDags(db, { dags: all, errors: [], files: all.map((d) => d.fileloc), pausedAtCreation: true });
  const day = 86_400_000;
  const t0 = Date.parse('2024-02-01T00:00:00Z');
  const updated = nowIso();
  const runIds: string[] = [];
  const runRows = [];
  for (const d of all) {
    const n = d === big ? runs : 3;
    for (let r = 0; r < n; r++) {
      const logical = new Date(t0 + r * day).toISOString();
      const runId = `scheduled__${logical}`;
      if (d === big) runIds.push(runId);
      const state = d !== big && r === n - 1 && small.indexOf(d) % 5 === 0 ? 'failed' : 'success';
      runRows.push({
        dag_id: d.dagId, run_id: runId, run_type: 'scheduled' as const, logical_date: logical, data_interval_start: logical, data_interval_end: new Date(t0 + (r + 1) * day).toISOString(),
        state: state as 'success' | 'failed', start_date: logical, end_date: new Date(t0 + r * day + 60_000).toISOString(), updated_at: updated,
      });
    }
  }
  for (let i = 0; i < runRows.length; i += 200) await db.insertInto('dag_run').values(runRows.slice(i, i + 200)).execute();
  const taskIds = big.tasks.map((t) => t.taskId);
  await db.transaction().execute(async (trx) => {
    let batch: Array<Parameters<ReturnType<typeof trx.insertInto<'task_instance'>>['values']>[0]> = [];
    const flush = async () => {
      if (batch.length) await trx.insertInto('task_instance').values(batch as never).execute();
      batch = [];
    };
    for (const [r, runId] of runIds.entries()) {
      for (const [i, taskId] of taskIds.entries()) {
        const start = new Date(t0 + r * day + i * 20).toISOString();
        batch.push({
          dag_id: dagId, run_id: runId, task_id: taskId, map_index: -1, state: STATES[(r + i) % 97 === 0 ? 4 : (r * 7 + i) % 53 === 0 ? 5 : 0], try_number: 1,
          pool: 'default_pool', queue: 'default', operator: 'EmptyOperator', start_date: start, end_date: new Date(Date.parse(start) + 15).toISOString(), duration: 0.015, updated_at: updated,
        });
        if (batch.length >= 50) await flush();
      }
    }
    for (const d of small) {
      for (let r = 0; r < 3; r++) {
        const logical = new Date(t0 + r * day).toISOString();
        batch.push({ dag_id: d.dagId, run_id: `scheduled__${logical}`, task_id: 'only', map_index: -1, state: 'success', try_number: 1, pool: 'default_pool', queue: 'default', updated_at: updated });
        if (batch.length >= 50) await flush();
      }
    }
    await flush();
  });
  return { dagId, taskIds, runIds };
}
