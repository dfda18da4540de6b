/** The metadata database: connection, schema, migrations, state changes and small repositories. */
export { DatabaseUnreachableError, openDatabase } from './database.ts';
export type { BatonDb, OpenDatabaseOptions } from './database.ts';
export { parseDatabaseUrl, redactUrl } from './database-url.ts';
export type { DatabaseTarget } from './database-url.ts';
export { dialectOf, forUpdate } from './dialect.ts';
export type { SqlDialect } from './dialect.ts';
export { MIGRATIONS, migrateToLatest, resetDatabase } from './migrate.ts';
export { fromFlag, fromIso, fromJson, isIsoTimestamp, nowIso, toFlag, toIso, toJson } from './codec.ts';
export { bumpRunVersions, bumpRunVersionsSkipLocked, casDagRunState, casTaskInstanceState, casTaskInstanceStates, taskInstanceCasStatements, type TiCasOptions, type TiCasStatement } from './cas.ts';
export { executePipelined } from './pg-driver.ts';
export { TI_OCCUPYING, TI_QUEUED, TI_RUNNING, TI_SCHEDULED, TI_WAITING } from './ti-states-sql.ts';
export { inTransaction } from './in-transaction.ts';
export type { DagRunKey, DagRunPatch, TaskInstanceKey, TaskInstancePatch } from './cas.ts';
export type {
  AbUserTable,
  ApiTokenTable,
  AutoId,
  ConnectionTable,
  DagRow,
  DagRunRow,
  DagRunTable,
  DagRunUpdate,
  DagrunDatasetEventTable,
  DagScheduleDatasetReferenceTable,
  DagTable,
  DagWarningTable,
  DatasetDagRunQueueTable,
  DatasetEventTable,
  DatasetTable,
  Flag,
  FlagWithDefault,
  ImportErrorTable,
  IsoTimestamp,
  JobRow,
  JobState,
  JobTable,
  JobType,
  JsonText,
  LogTable,
  NewDag,
  NewDagRun,
  NewTaskInstance,
  Schema,
  SerializedDagTable,
  SlotPoolTable,
  TaskInstanceHistoryTable,
  TaskInstanceRow,
  TaskInstanceTable,
  TaskInstanceUpdate,
  TaskMapTable,
  TaskOutletDatasetReferenceTable,
  TaskRescheduleTable,
  TriggerTable,
  VariableTable,
  XcomRow,
  XcomTable,
} from './schema.ts';
export { DEFAULT_POOL_NAME, deletePool, getPool, listPools, upsertPool } from './repos/pools.ts';
export type { Pool, PoolInput } from './repos/pools.ts';
export { deleteVariable, getVariable, listVariables, setVariable } from './repos/variables.ts';
export type { SetVariableOptions, Variable } from './repos/variables.ts';
export { deleteConnection, getConnection, listConnections, upsertConnection } from './repos/connections.ts';
export type { Connection, ConnectionInput } from './repos/connections.ts';
export { clearImportError, clearImportErrorsExcept, listImportErrors, replaceImportError } from './repos/import-errors.ts';
export type { DagImportError, ImportErrorInput } from './repos/import-errors.ts';
export { appendEventLog, listEventLog } from './repos/event-log.ts';
export type { EventLogEntry, EventLogFilter, NewEventLogEntry } from './repos/event-log.ts';
export { endJob, failStaleJobs, heartbeatJob, listAliveJobs, listStaleJobs, startJob } from './repos/jobs.ts';
export type { Job, JobLivenessQuery, StartJobInput } from './repos/jobs.ts';
export { CHANNELS, notify, SCHEDULER_APPLICATION_NAME, type Channel } from './notify.ts';
export { PgListener, type PgListenerOptions } from './pg-listener.ts';
