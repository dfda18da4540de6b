/** Tables for datasets, their events and the DAGs they schedule. */
import type { ColumnType } from 'kysely';
import type { AutoId, FlagWithDefault, IsoTimestamp, JsonText } from './column-types.ts';

/** Datasets, by URI. */
export interface DatasetTable {
  id: AutoId;
  uri: string;
  extra: ColumnType<JsonText, JsonText | undefined, JsonText>;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
  is_orphaned: FlagWithDefault;
}

/** One row per update of a dataset. */
export interface DatasetEventTable {
  id: AutoId;
  dataset_id: number;
  extra: ColumnType<JsonText, JsonText | undefined, JsonText>;
  source_dag_id: string | null;
  source_task_id: string | null;
  source_run_id: string | null;
  source_map_index: number | null;
  timestamp: IsoTimestamp;
}

/** Which DAGs are scheduled on which datasets. */
export interface DagScheduleDatasetReferenceTable {
  dag_id: string;
  dataset_id: number;
}

/** Which tasks update which datasets. */
export interface TaskOutletDatasetReferenceTable {
  dag_id: string;
  task_id: string;
  dataset_id: number;
}

/** Dataset updates waiting to trigger a run of a dataset-scheduled DAG. */
export interface DatasetDagRunQueueTable {
  dataset_id: number;
  target_dag_id: string;
  created_at: IsoTimestamp;
}

/** The dataset events that triggered each dataset-triggered run. */
export interface DagrunDatasetEventTable {
  dag_run_id: number;
  event_id: number;
}

/** Asset aliases (Airflow 3), by name: a name a task attaches asset events to at run time. */
export interface AssetAliasTable {
  id: AutoId;
  name: string;
  group: string;
}

/** The assets each alias has resolved to (an event was added for the asset through the alias). */
export interface AssetAliasAssetTable {
  alias_id: number;
  asset_id: number;
}

/** Which asset events were added through which aliases. */
export interface AssetAliasAssetEventTable {
  alias_id: number;
  event_id: number;
}

/** Which DAGs are scheduled on which aliases. */
export interface DagScheduleAssetAliasReferenceTable {
  alias_id: number;
  dag_id: string;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}
