/** Shapes of the REST API v1 and /ui answers that the UI reads. */

export interface Dag {
  dag_id: string;
  description: string | null;
  is_paused: boolean;
  is_active: boolean;
  tags: Array<{ name: string }>;
  owners: string[];
  timetable_description: string | null;
  schedule_interval: unknown;
  next_dagrun: string | null;
  next_dagrun_create_after: string | null;
  has_import_errors: boolean;
  file_token: string;
  fileloc: string;
}

export interface DagDetails extends Dag {
  doc_md: string | null;
  params: Record<string, { value: unknown; description: string | null; schema: ParamSchema }>;
  dataset_expression: unknown;
}

export interface ParamSchema {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  title?: string;
}

export interface DagRun {
  dag_run_id: string;
  dag_id: string;
  logical_date: string;
  start_date: string | null;
  end_date: string | null;
  state: string;
  run_type: string;
  conf: Record<string, unknown>;
  note: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
}

export interface TaskInstance {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  max_tries: number;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  operator: string | null;
  hostname: string | null;
  pool: string;
  queue: string;
  priority_weight: number;
  rendered_fields: Record<string, unknown>;
  note: string | null;
}

export interface GridTask {
  task_id: string;
  group_id: string | null;
  operator: string;
  is_mapped: boolean;
  upstream: string[];
  trigger_rule: string;
}

export interface GridGroup {
  group_id: string;
  parent_group_id: string | null;
  tooltip: string | null;
  children: string[];
}

export interface MappedSummary {
  total: number;
  states: Record<string, number>;
}
export type GridCell = string | null | MappedSummary;

export interface GridRun {
  run_id: string;
  state: string;
  run_type: string;
  logical_date: string;
  start_date: string | null;
  end_date: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  note: string | null;
  external_trigger: boolean;
}

/** The /ui grid answer as sent: cells are indexes into `states` (-1 none, -2 mapped). */
export interface GridWire {
  dag_id: string;
  tasks: GridTask[];
  groups: GridGroup[];
  runs: GridRun[];
  states: string[];
  cells: number[][];
  mapped: Record<string, MappedSummary>;
}

/** The grid as the views read it. */
export interface GridData {
  dag_id: string;
  tasks: GridTask[];
  groups: GridGroup[];
  runs: GridRun[];
  cells: GridCell[][];
}

export interface Me {
  username: string;
  role: string;
  permissions: string[];
}
