/**
 * The warehouse tables the pipelines share (DuckDB):
 *
 * - `raw.projects`, `raw.tags`: projects.csv and tags.csv as loaded by dataops;
 * - `incoming_projects`: every row that arrived through the inbox (new_data), with its file,
 *   run and arrival time;
 * - `labeled_projects`: what models learn from, one row per project id: the base projects with
 *   their tags, plus (replacing base rows with the same id) the arrived rows. `arrived_at` is
 *   null for base rows.
 */
import { sqlLiteral } from 'baton/providers';
import { FREQUENT_TAGS } from './settings.ts';

export const LABELED_COLUMNS = 'id BIGINT, created_on TIMESTAMP, title VARCHAR, description VARCHAR, tag VARCHAR, source VARCHAR, arrived_at TIMESTAMPTZ';

/** Creates the tables that may not exist yet (idempotent). */
export const CREATE_TABLES_SQL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS incoming_projects (id BIGINT, created_on TIMESTAMP, title VARCHAR, description VARCHAR, tag VARCHAR, source VARCHAR, run_id VARCHAR, arrived_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS labeled_projects (${LABELED_COLUMNS});
`;

/** A SQL expression mapping a raw tag to a label: the frequent tags stay, others become 'other', null stays null. */
export function labelSql(column: string): string {
  return `CASE WHEN ${column} IS NULL THEN NULL WHEN ${column} IN (${FREQUENT_TAGS.map(sqlLiteral).join(', ')}) THEN ${column} ELSE 'other' END`;
}

/**
 * The SELECT that builds `labeled_projects` from the loaded `projects` and `tags` tables
 * (templated names) and every arrived row. tags.csv has no id: its rows are aligned with
 * projects.csv, so the two tables are joined on their row position (`rowid`, kept in load order).
 */
export const LABEL_SQL = `
WITH base AS (
  SELECT p.id, p.created_on, p.title, p.description, t.tag,
         'projects.csv' AS source, CAST(NULL AS TIMESTAMPTZ) AS arrived_at
  FROM {{ projects }} AS p
  JOIN {{ tags }} AS t ON p.rowid = t.rowid
),
arrived AS (
  SELECT id, created_on, title, description, tag, source, arrived_at FROM incoming_projects
),
combined AS (
  SELECT * FROM base
  UNION ALL
  SELECT * FROM arrived
)
SELECT id, created_on, title, description, ${labelSql('tag')} AS tag, source, arrived_at
FROM combined
QUALIFY row_number() OVER (PARTITION BY id ORDER BY arrived_at DESC NULLS LAST) = 1
ORDER BY id
`;

/** Statements that upsert the rows a new_data run received into labeled_projects (by id). */
export function mergeArrivalsSql(runId: string): string {
  const run = sqlLiteral(runId);
  return `
${CREATE_TABLES_SQL}
BEGIN TRANSACTION;
DELETE FROM labeled_projects WHERE id IN (SELECT id FROM incoming_projects WHERE run_id = ${run});
INSERT INTO labeled_projects BY NAME
  SELECT id, created_on, title, description, ${labelSql('tag')} AS tag, source, arrived_at
  FROM incoming_projects WHERE run_id = ${run}
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY arrived_at DESC, source DESC) = 1;
COMMIT;
`;
}
