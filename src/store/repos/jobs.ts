/**
 * Jobs: one row per running Baton process (scheduler, triggerer, worker, webserver). A job
 * proves it is alive by heartbeating; one whose heartbeat is older than a timeout is stale.
 */
import { hostname } from 'node:os';
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toIso } from '../codec.ts';
import type { IsoTimestamp, JobState, JobTable, JobType, Schema } from '../schema.ts';

export interface Job {
  id: number;
  jobType: JobType;
  state: JobState;
  hostname: string;
  pid: number;
  startDate: IsoTimestamp;
  endDate: IsoTimestamp | null;
  latestHeartbeat: IsoTimestamp;
}

export interface StartJobInput {
  jobType: JobType;
  /** Defaults to this machine's host name. */
  hostname?: string;
  /** Defaults to this process's pid. */
  pid?: number;
  /** Defaults to now. */
  now?: Date | string;
}

export interface JobLivenessQuery {
  /** Only jobs of this type; all types when left out. */
  jobType?: JobType;
  /** A running job is stale once its last heartbeat is more than this many seconds old. */
  timeoutSeconds: number;
  /** Defaults to now. */
  now?: Date | string;
}

const JOB_TYPES: readonly JobType[] = ['scheduler', 'triggerer', 'worker', 'webserver'];

/** Records a new running job and returns it. */
export async function startJob(db: Kysely<Schema>, input: StartJobInput): Promise<Job> {
  if (!JOB_TYPES.includes(input.jobType)) {
    throw new Error(`Unknown job type ${JSON.stringify(input.jobType)}; use one of ${JOB_TYPES.join(', ')}.`);
  }
  const now = input.now === undefined ? nowIso() : toIso(input.now);
  const row = await db
    .insertInto('job')
    .values({ job_type: input.jobType, state: 'running', hostname: input.hostname ?? hostname(), pid: input.pid ?? process.pid, start_date: now, latest_heartbeat: now, end_date: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}

/**
 * Records a heartbeat. Returns false when the job is no longer running (another process
 * declared it failed): the caller should stop working and exit.
 */
export async function heartbeatJob(db: Kysely<Schema>, id: number, now?: Date | string): Promise<boolean> {
  const result = await db
    .updateTable('job')
    .set({ latest_heartbeat: now === undefined ? nowIso() : toIso(now) })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Marks a running job finished. Returns false when it was not running. */
export async function endJob(db: Kysely<Schema>, id: number, state: Exclude<JobState, 'running'>, now?: Date | string): Promise<boolean> {
  if (state !== 'success' && state !== 'failed') {
    throw new Error(`A job ends in "success" or "failed", not ${JSON.stringify(state)}.`);
  }
  const result = await db
    .updateTable('job')
    .set({ state, end_date: now === undefined ? nowIso() : toIso(now) })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Running jobs that heartbeated within the timeout, oldest first. */
export async function listAliveJobs(db: Kysely<Schema>, query: JobLivenessQuery): Promise<Job[]> {
  return listRunning(db, query, '>=');
}

/** Running jobs whose last heartbeat is older than the timeout, oldest first. */
export async function listStaleJobs(db: Kysely<Schema>, query: JobLivenessQuery): Promise<Job[]> {
  return listRunning(db, query, '<');
}

/** Marks stale running jobs failed; returns the ids it marked. */
export async function failStaleJobs(db: Kysely<Schema>, query: JobLivenessQuery): Promise<number[]> {
  const now = query.now === undefined ? nowIso() : toIso(query.now);
  let update = db
    .updateTable('job')
    .set({ state: 'failed', end_date: now })
    .where('state', '=', 'running')
    .where('latest_heartbeat', '<', threshold(query));
  if (query.jobType !== undefined) update = update.where('job_type', '=', query.jobType);
  const rows = await update.returning('id').execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

async function listRunning(db: Kysely<Schema>, query: JobLivenessQuery, op: '>=' | '<'): Promise<Job[]> {
  let select = db.selectFrom('job').selectAll().where('state', '=', 'running').where('latest_heartbeat', op, threshold(query));
  if (query.jobType !== undefined) select = select.where('job_type', '=', query.jobType);
  const rows = await select.orderBy('latest_heartbeat').orderBy('id').execute();
  return rows.map(toJob);
}

function threshold(query: JobLivenessQuery): IsoTimestamp {
  if (!(query.timeoutSeconds >= 0)) {
    throw new Error(`The heartbeat timeout must be a number of seconds of at least 0 (got ${query.timeoutSeconds}).`);
  }
  const now = query.now === undefined ? Date.now() : new Date(toIso(query.now)).getTime();
  return toIso(now - query.timeoutSeconds * 1000);
}

function toJob(row: Selectable<JobTable>): Job {
  return {
    id: row.id,
    jobType: row.job_type,
    state: row.state,
    hostname: row.hostname,
    pid: row.pid,
    startDate: row.start_date,
    endDate: row.end_date,
    latestHeartbeat: row.latest_heartbeat,
  };
}
