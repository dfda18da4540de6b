/** Column types shared by the table interfaces; see `schema.ts` for the encodings. */
import type { ColumnType, Generated } from 'kysely';

/** An ISO-8601 UTC timestamp with milliseconds, stored as TEXT. */
export type IsoTimestamp = string;
/** A JSON document stored as TEXT. */
export type JsonText = string;
/** A boolean stored as INTEGER 0/1. */
export type Flag = 0 | 1;
/** A 0/1 column with a default, so inserts may leave it out. */
export type FlagWithDefault = ColumnType<Flag, Flag | undefined, Flag>;
/** An integer column filled in by the database on insert (auto-increment primary keys). */
export type AutoId = Generated<number>;

/** The kinds of Baton process that record themselves as jobs. */
export type JobType = 'scheduler' | 'triggerer' | 'worker' | 'webserver';
/** A job is `running` until it ends or is declared `failed` for missing heartbeats. */
export type JobState = 'running' | 'success' | 'failed';
