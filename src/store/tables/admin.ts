/** Tables for pools, variables, connections, jobs, triggers, audit and users. */
import type { AutoId, FlagWithDefault, IsoTimestamp, JobState, JobType, JsonText } from './column-types.ts';

/** The latest error loading each DAG file. */
export interface ImportErrorTable {
  id: AutoId;
  filename: string;
  stacktrace: string;
  timestamp: IsoTimestamp;
  line: number | null;
}

/** Pools and their slot counts. */
export interface SlotPoolTable {
  pool: string;
  /** -1 means unlimited. */
  slots: number;
  description: string | null;
  include_deferred: FlagWithDefault;
}

/** Variables: key/value settings read by tasks. */
export interface VariableTable {
  key: string;
  val: string;
  description: string | null;
  is_encrypted: FlagWithDefault;
}

/** Connections to external systems. */
export interface ConnectionTable {
  conn_id: string;
  conn_type: string;
  description: string | null;
  host: string | null;
  schema: string | null;
  login: string | null;
  password: string | null;
  port: number | null;
  extra: string | null;
  is_encrypted: FlagWithDefault;
  is_extra_encrypted: FlagWithDefault;
}

/** One row per Baton process (scheduler, triggerer, worker, webserver) and its heartbeat. */
export interface JobTable {
  id: AutoId;
  job_type: JobType;
  state: JobState;
  hostname: string;
  pid: number;
  start_date: IsoTimestamp;
  end_date: IsoTimestamp | null;
  latest_heartbeat: IsoTimestamp;
}

/** Results workers on other machines reported, until a scheduler records them (see migration 0011). */
export interface ExecutorEventTable {
  id: AutoId;
  created_at: IsoTimestamp;
  /** Job id of the scheduler holding the row, while its lease lasts. */
  claimed_by: number | null;
  claimed_until: IsoTimestamp | null;
  /** The executor event, as JSON. */
  payload: JsonText;
}

/** Triggers that deferred task instances wait on, and the triggerer running each. */
export interface TriggerTable {
  id: AutoId;
  classpath: string;
  kwargs: JsonText;
  created_date: IsoTimestamp;
  triggerer_id: number | null;
}

/** The event log (audit trail). */
export interface LogTable {
  id: AutoId;
  dttm: IsoTimestamp;
  dag_id: string | null;
  task_id: string | null;
  map_index: number | null;
  run_id: string | null;
  try_number: number | null;
  event: string;
  owner: string | null;
  extra: JsonText | null;
}

/** Warnings about a DAG (e.g. a missing pool), one per DAG and warning type. */
export interface DagWarningTable {
  dag_id: string;
  warning_type: string;
  message: string;
  timestamp: IsoTimestamp;
}

/** Users of the UI and API. */
export interface AbUserTable {
  id: AutoId;
  username: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  password_hash: string | null;
  role: string;
  active: FlagWithDefault;
  created_on: IsoTimestamp;
  last_login: IsoTimestamp | null;
}

/** API tokens (only their hashes are stored). */
export interface ApiTokenTable {
  id: AutoId;
  user_id: number;
  token_hash: string;
  name: string;
  created_at: IsoTimestamp;
  last_used_at: IsoTimestamp | null;
}
