/**
 * Datasets, dataset events and queued events in Airflow's API shapes, with the queries that
 * gather what each shape nests (consuming DAGs, producing tasks, runs an event created).
 */
import type { Kysely } from 'kysely';
import { fromJson, type Schema } from '../../store/index.ts';
import { datasetConsumers } from '../../scheduler/datasets.ts';
import { basicDagRunView } from './runs.ts';

/** Dataset event rows with their dataset's URI. */
export function datasetEventQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('dataset_event as e')
    .innerJoin('dataset as d', 'd.id', 'e.dataset_id')
    .select(['e.id', 'e.dataset_id', 'd.uri', 'e.extra', 'e.source_dag_id', 'e.source_task_id', 'e.source_run_id', 'e.source_map_index', 'e.timestamp']);
}

/** A row of `datasetEventQuery`. */
export type DatasetEventRow = Awaited<ReturnType<ReturnType<typeof datasetEventQuery>['execute']>>[number];

function extraObject(text: string | null, what: string): Record<string, unknown> | null {
  const v = fromJson<unknown>(text, what);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Renders events in Airflow's DatasetEvent shape, each with the runs it created. */
export async function renderDatasetEvents(db: Kysely<Schema>, events: DatasetEventRow[]) {
  const ids = events.map((e) => e.id);
  const runsByEvent = new Map<number, ReturnType<typeof basicDagRunView>[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('dagrun_dataset_event as l')
      .innerJoin('dag_run as r', 'r.id', 'l.dag_run_id')
      .select(['l.event_id', 'r.run_id', 'r.dag_id', 'r.logical_date', 'r.start_date', 'r.end_date', 'r.state', 'r.data_interval_start', 'r.data_interval_end'])
      .where('l.event_id', 'in', ids.slice(i, i + 500))
      .orderBy('r.id')
      .execute();
    for (const r of rows) (runsByEvent.get(r.event_id) ?? runsByEvent.set(r.event_id, []).get(r.event_id)!).push(basicDagRunView(r));
  }
  return events.map((e) => ({
    id: e.id,
    dataset_id: e.dataset_id,
    dataset_uri: e.uri,
    extra: extraObject(e.extra, 'dataset event extra'),
    source_dag_id: e.source_dag_id,
    source_task_id: e.source_task_id,
    source_run_id: e.source_run_id,
    source_map_index: e.source_map_index,
    created_dagruns: runsByEvent.get(e.id) ?? [],
    timestamp: e.timestamp,
  }));
}

/**
 * Renders dataset rows in Airflow's Dataset shape, with consuming DAGs (scheduled on the dataset,
 * or on an asset alias that has resolved to it) and producing tasks.
 */
export async function renderDatasets(db: Kysely<Schema>, datasets: Array<{ id: number; uri: string; extra: string; created_at: string; updated_at: string }>) {
  const ids = datasets.map((d) => d.id);
  const consumers = new Map<number, Array<{ dag_id: string }>>();
  const producers = new Map<number, Array<{ dag_id: string; task_id: string }>>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    // Scheduled directly or on an asset alias resolved to the dataset.
    for (const r of (await datasetConsumers(db, chunk, { activeOnly: false })).sort((a, b) => (a.dag_id < b.dag_id ? -1 : a.dag_id > b.dag_id ? 1 : 0))) {
      (consumers.get(r.dataset_id) ?? consumers.set(r.dataset_id, []).get(r.dataset_id)!).push({ dag_id: r.dag_id });
    }
    for (const r of await db.selectFrom('task_outlet_dataset_reference').selectAll().where('dataset_id', 'in', chunk).orderBy('dag_id').orderBy('task_id').execute()) {
      (producers.get(r.dataset_id) ?? producers.set(r.dataset_id, []).get(r.dataset_id)!).push({ dag_id: r.dag_id, task_id: r.task_id });
    }
  }
  return datasets.map((d) => ({
    id: d.id,
    uri: d.uri,
    extra: extraObject(d.extra, 'dataset extra'),
    created_at: d.created_at,
    updated_at: d.updated_at,
    consuming_dags: (consumers.get(d.id) ?? []).map((x) => ({ ...x, created_at: d.created_at, updated_at: d.updated_at })),
    producing_tasks: (producers.get(d.id) ?? []).map((x) => ({ ...x, created_at: d.created_at, updated_at: d.updated_at })),
  }));
}

/** The QueuedEvent shape. */
export function queuedEventView(q: { uri: string; target_dag_id: string; created_at: string }) {
  return { uri: q.uri, dag_id: q.target_dag_id, created_at: q.created_at };
}
