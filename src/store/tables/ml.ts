/** Tables for ML tracking (params, metrics and artifacts of task tries) and the model registry. */
import type { AutoId, IsoTimestamp, JsonText } from './column-types.ts';

/** A parameter a task try logged; one row per try and key (logging a key again replaces it). */
export interface MlParamTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  key: string;
  /** The value as JSON. */
  value: JsonText;
  logged_at: IsoTimestamp;
}

/** One logged value of a metric; a metric logged step by step has one row per step. */
export interface MlMetricTable {
  id: AutoId;
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  key: string;
  value: number;
  /** 0 unless the task gave a step. */
  step: number;
  timestamp: IsoTimestamp;
}

/** An artifact a task try logged: the bytes are in the object store under `object_key`. */
export interface MlArtifactTable {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  name: string;
  object_key: string;
  /** How the bytes decode: `json`, `text` or `bytes`. */
  encoding: string;
  content_type: string;
  size_bytes: number;
  logged_at: IsoTimestamp;
}

/** A registered model: its name and the last version number handed out. */
export interface MlModelTable {
  name: string;
  latest_version: number;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/** One version of a registered model. */
export interface MlModelVersionTable {
  name: string;
  version: number;
  /** `none`, `staging`, `production` or `archived`. */
  stage: string;
  description: string | null;
  /** JSON object of metric name → number. */
  metrics: JsonText;
  /** JSON object of parameter name → value. */
  params: JsonText;
  artifact_key: string;
  artifact_encoding: string;
  artifact_content_type: string;
  /** The artifact's `format` field when it is a JSON object that has one (selects the serving loader). */
  artifact_format: string | null;
  artifact_size: number;
  /** The task try that registered the version, when a task did. */
  source_dag_id: string | null;
  source_run_id: string | null;
  source_task_id: string | null;
  source_map_index: number | null;
  source_try_number: number | null;
  created_at: IsoTimestamp;
  stage_changed_at: IsoTimestamp;
}

/** Every stage change of a model version, in order (rollback reads it). */
export interface MlModelStageChangeTable {
  id: AutoId;
  name: string;
  version: number;
  /** Null when the version was registered. */
  from_stage: string | null;
  to_stage: string;
  /** `register`, `promote`, `replaced` (archived by another promotion), `rollback` or `restore`. */
  reason: string;
  changed_at: IsoTimestamp;
}
