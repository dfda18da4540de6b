/** Tables added for Airflow 3's concepts: API signing keys, DAG versions and backfills. */
import type { AutoId, FlagWithDefault, IsoTimestamp, JsonText } from './column-types.ts';

/** The key API access tokens are signed with (`secret` encrypted when `is_encrypted`). */
export interface ApiSigningKeyTable {
  kid: string;
  secret: string;
  is_encrypted: FlagWithDefault;
  created_at: IsoTimestamp;
}

/** One structure of a DAG: numbered from 1 per DAG, with its serialized form and source. */
export interface DagVersionTable {
  id: AutoId;
  dag_id: string;
  version_number: number;
  dag_hash: string;
  data: JsonText;
  fileloc: string;
  source_code: string | null;
  created_at: IsoTimestamp;
}

/** How a backfill treats logical dates that already have a run. */
export type ReprocessBehavior = 'none' | 'failed' | 'completed';

/** A backfill: runs for the logical dates of a range, created and paced by the scheduler. */
export interface BackfillTable {
  id: AutoId;
  dag_id: string;
  from_date: IsoTimestamp;
  to_date: IsoTimestamp;
  dag_run_conf: JsonText;
  is_paused: FlagWithDefault;
  reprocess_behavior: ReprocessBehavior;
  max_active_runs: number;
  run_backwards: FlagWithDefault;
  triggering_user_name: string | null;
  created_at: IsoTimestamp;
  completed_at: IsoTimestamp | null;
  updated_at: IsoTimestamp;
}

/** One logical date of a backfill: the run made for it, or why none was. */
export interface BackfillDagRunTable {
  id: AutoId;
  backfill_id: number;
  logical_date: IsoTimestamp;
  run_id: string | null;
  exception_reason: string | null;
  sort_ordinal: number;
}

/** A DAG a user marked as a favourite. */
export interface DagFavoriteTable {
  username: string;
  dag_id: string;
}
