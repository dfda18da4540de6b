/**
 * Fresh, migrated metadata databases for tests, on every supported dialect.
 *
 * SQLite: a new file in a new temporary folder. PostgreSQL: a new database copied from a
 * template that is migrated once per schema version (named after a hash of the migration
 * sources), so each test database costs one `CREATE DATABASE … TEMPLATE`. Concurrent test
 * processes build the template under an advisory lock. PostgreSQL must be reachable at
 * BATON_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); tests fail,
 * never skip, when it is not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.ts';
import type { BatonDb } from '../../src/store/database.ts';
import type { SqlDialect } from '../../src/store/dialect.ts';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrate.ts';

/** An open test database. `drop()` closes it and deletes it. */
export interface TestDb extends BatonDb {
  /** The URL it was opened with; open more handles on it with `openDatabase`. */
  url: string;
  drop(): Promise<void>;
}

export interface DialectUnderTest {
  name: SqlDialect;
  /** A fresh database with the latest schema. */
  open(): Promise<TestDb>;
  /** A fresh database with no tables at all, for migration tests. */
  openEmpty(): Promise<TestDb>;
}

const ADMIN_URL = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Advisory lock key serializing template creation across test processes. */
const TEMPLATE_LOCK = 72_610_934_215;
const MIGRATIONS_DIR = fileURLToPath(new URL('../../src/store/migrations/', import.meta.url));

const DIALECTS: DialectUnderTest[] = [
  { name: 'sqlite', open: () => openSqlite(true), openEmpty: () => openSqlite(false) },
  { name: 'postgres', open: () => openPostgres(true), openEmpty: () => openPostgres(false) },
];

/**
 * Every dialect, each with a way to open a fresh migrated database; only the one named by
 * BATON_TEST_DIALECT when it is set (`npm test` runs a long file once per dialect, side by side).
 */
export function eachDialect(): DialectUnderTest[] {
  const only = process.env.BATON_TEST_DIALECT;
  if (only === undefined || only === '') return [...DIALECTS];
  return [dialectNamed(only)];
}

/** The dialect of this name, whatever BATON_TEST_DIALECT says (for tests about one dialect). */
export function dialectNamed(name: string): DialectUnderTest {
  const d = DIALECTS.find((x) => x.name === name);
  if (!d) throw new Error(`unknown test dialect ${JSON.stringify(name)} (BATON_TEST_DIALECT): use ${DIALECTS.map((x) => x.name).join(' or ')}`);
  return d;
}

async function openSqlite(migrated: boolean): Promise<TestDb> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-test-'));
  const url = `sqlite:${join(dir, 'baton.db')}`;
  const baton = await openDatabase({ url });
  if (migrated) await migrateToLatest(baton.db);
  return {
    ...baton,
    url,
    drop: async () => {
      await baton.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(migrated: boolean): Promise<TestDb> {
  const template = await ensureTemplate();
  const name = `baton_test_${randomBytes(6).toString('hex')}`;
  try {
    await adminPool().query(`create database ${quote(name)}${migrated ? template.copy : ''}`);
  } catch (err) {
    throw new Error(`Could not create the test database ${name} on PostgreSQL at ${where(ADMIN_URL)} (${(err as Error).message}). Check that the server is running and that its user may create databases.`, { cause: err });
  }
  const url = databaseUrl(name);
  const baton = await openDatabase({ url });
  return {
    ...baton,
    url,
    drop: async () => {
      await baton.close();
      await adminPool().query(`drop database if exists ${quote(name)} with (force)`);
    },
  };
}

let admin: pg.Pool | undefined;
/** The template's name and the CREATE DATABASE suffix that copies it fastest on this server. */
let template: Promise<{ name: string; copy: string }> | undefined;

function adminPool(): pg.Pool {
  if (!admin) {
    admin = new pg.Pool({ connectionString: ADMIN_URL, max: 2, allowExitOnIdle: true });
    admin.on('error', () => {});
  }
  return admin;
}

function ensureTemplate(): Promise<{ name: string; copy: string }> {
  template ??= buildTemplate().catch((err: unknown) => {
    template = undefined;
    throw err;
  });
  return template;
}

async function buildTemplate(): Promise<{ name: string; copy: string }> {
  const name = `baton_template_${await schemaHash()}`;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at ${where(ADMIN_URL)} is not reachable (${(err as Error).message}). The store tests run against a real PostgreSQL: start it (user postgres, trust auth) or set BATON_TEST_POSTGRES_URL to a server the tests may create databases on.`, { cause: err });
  }
  try {
    await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      const building = `${name}_build`;
      await client.query(`drop database if exists ${quote(building)} with (force)`);
      await client.query(`create database ${quote(building)}`);
      const baton = await openDatabase({ url: databaseUrl(building) });
      try {
        await migrateToLatest(baton.db);
      } finally {
        await baton.close();
      }
      await client.query(`alter database ${quote(building)} rename to ${quote(name)}`);
    }
    // For a small database, copying files (PostgreSQL 15+) beats the default WAL-logged copy.
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    const fileCopy = Number(rows[0]!.server_version_num) >= 150000 ? ' strategy file_copy' : '';
    return { name, copy: ` template ${quote(name)}${fileCopy}` };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => {});
    await client.end();
  }
}

/** A short hash of the migration list and sources: a new schema gets a new template. */
async function schemaHash(): Promise<string> {
  const hash = createHash('sha256').update(Object.keys(MIGRATIONS).join('\n'));
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) {
    hash.update(file).update(await readFile(join(MIGRATIONS_DIR, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

function where(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
