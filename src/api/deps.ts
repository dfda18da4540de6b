/**
 * What every route group is built with: the database, the configuration, and the hooks the
 * app was given (scheduler wake-up, audit log, users, re-parsing a DAG file).
 */
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { BatonConfig } from '../config.ts';
import { SerializedDagCache } from '../scheduler/serialized-dags.ts';
import type { NewEventLogEntry, Schema } from '../store/index.ts';
import type { ApiEnv } from './auth-contract.ts';
import type { UserStore } from './user-store.ts';

/** One entry of the audit trail, written for every change made through the API. */
export type AuditEntry = Omit<NewEventLogEntry, 'owner' | 'dttm'>;

/** The dependencies shared by every route group. */
export interface ApiDeps {
  db: Kysely<Schema>;
  config: BatonConfig;
  /** Serialized DAGs, cached by content hash. */
  dags: SerializedDagCache;
  /** Tells the scheduler that something needs scheduling (a new run, a cleared task, an unpaused DAG…). */
  changed(): void;
  /** Records a change in the event log, as the calling user. */
  audit(c: Context<ApiEnv>, entry: AuditEntry): Promise<void>;
  /** Users of the UI and API. */
  users: UserStore;
  /** Asks for a DAG file to be parsed again soon; null when this server cannot. */
  requestReparse: ((fileloc: string) => void | Promise<void>) | null;
}

/** The XCom store settings from the configuration. */
export function xcomOptions(config: BatonConfig) {
  return { folder: config.xcomFolder, maxInlineBytes: config.xcomMaxInlineBytes };
}

/** A cache of serialized DAGs for one app. */
export function newDagCache(): SerializedDagCache {
  return new SerializedDagCache();
}
