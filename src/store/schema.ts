/**
 * The metadata database's tables, as Kysely sees them. One interface per table; column names
 * are Airflow's, in snake_case.
 *
 * Encodings (identical on SQLite and PostgreSQL, so there is one code path):
 * - timestamps: TEXT holding ISO-8601 UTC with milliseconds (`2024-01-01T00:00:00.000Z`);
 *   they sort as text. Produce them with `toIso` / `nowIso` from `codec.ts`.
 * - JSON: TEXT, serialized explicitly with `toJson` and read back with `fromJson`.
 * - booleans: INTEGER 0/1 (`Flag`); convert with `toFlag` / `fromFlag`.
 * - integers: INTEGER (32-bit); fractional seconds (durations) are DOUBLE PRECISION.
 * - a task instance with no state (Airflow's NULL) is stored as the text `'none'`.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  AbUserTable,
  ApiTokenTable,
  ConnectionTable,
  DagWarningTable,
  ExecutorEventTable,
  ImportErrorTable,
  JobTable,
  LogTable,
  SlotPoolTable,
  TriggerTable,
  VariableTable,
} from './tables/admin.ts';
import type {
  AssetAliasAssetEventTable,
  AssetAliasAssetTable,
  AssetAliasTable,
  DagrunDatasetEventTable,
  DagScheduleAssetAliasReferenceTable,
  DagScheduleDatasetReferenceTable,
  DatasetDagRunQueueTable,
  DatasetEventTable,
  DatasetTable,
  TaskOutletDatasetReferenceTable,
} from './tables/datasets.ts';
import type { ApiSigningKeyTable, BackfillDagRunTable, BackfillTable, DagFavoriteTable, DagVersionTable } from './tables/airflow3.ts';
import type { MlArtifactTable, MlMetricTable, MlModelStageChangeTable, MlModelTable, MlModelVersionTable, MlParamTable } from './tables/ml.ts';
import type {
  DagRunTable,
  DagTable,
  SerializedDagTable,
  TaskInstanceHistoryTable,
  TaskInstanceTable,
  TaskMapTable,
  TaskRescheduleTable,
  XcomTable,
} from './tables/runs.ts';

export type * from './tables/admin.ts';
export type * from './tables/airflow3.ts';
export type * from './tables/column-types.ts';
export type * from './tables/datasets.ts';
export type * from './tables/ml.ts';
export type * from './tables/runs.ts';

/** Every table of the metadata database. */
export interface Schema {
  dag: DagTable;
  executor_event: ExecutorEventTable;
  serialized_dag: SerializedDagTable;
  dag_run: DagRunTable;
  task_instance: TaskInstanceTable;
  task_instance_history: TaskInstanceHistoryTable;
  task_map: TaskMapTable;
  task_reschedule: TaskRescheduleTable;
  xcom: XcomTable;
  import_error: ImportErrorTable;
  slot_pool: SlotPoolTable;
  variable: VariableTable;
  connection: ConnectionTable;
  dataset: DatasetTable;
  dataset_event: DatasetEventTable;
  dag_schedule_dataset_reference: DagScheduleDatasetReferenceTable;
  task_outlet_dataset_reference: TaskOutletDatasetReferenceTable;
  dataset_dag_run_queue: DatasetDagRunQueueTable;
  dagrun_dataset_event: DagrunDatasetEventTable;
  asset_alias: AssetAliasTable;
  asset_alias_asset: AssetAliasAssetTable;
  asset_alias_asset_event: AssetAliasAssetEventTable;
  dag_schedule_asset_alias_reference: DagScheduleAssetAliasReferenceTable;
  job: JobTable;
  trigger: TriggerTable;
  log: LogTable;
  dag_warning: DagWarningTable;
  ab_user: AbUserTable;
  api_token: ApiTokenTable;
  ml_param: MlParamTable;
  ml_metric: MlMetricTable;
  ml_artifact: MlArtifactTable;
  ml_model: MlModelTable;
  ml_model_version: MlModelVersionTable;
  ml_model_stage_change: MlModelStageChangeTable;
  api_signing_key: ApiSigningKeyTable;
  dag_version: DagVersionTable;
  backfill: BackfillTable;
  backfill_dag_run: BackfillDagRunTable;
  dag_favorite: DagFavoriteTable;
}

/** Rows as read (`…Row`), as inserted (`New…`) and as updated (`…Update`). */
export type DagRow = Selectable<DagTable>;
export type NewDag = Insertable<DagTable>;
export type DagRunRow = Selectable<DagRunTable>;
export type NewDagRun = Insertable<DagRunTable>;
export type DagRunUpdate = Updateable<DagRunTable>;
export type TaskInstanceRow = Selectable<TaskInstanceTable>;
export type NewTaskInstance = Insertable<TaskInstanceTable>;
export type TaskInstanceUpdate = Updateable<TaskInstanceTable>;
export type XcomRow = Selectable<XcomTable>;
export type JobRow = Selectable<JobTable>;
