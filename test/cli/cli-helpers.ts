/**
 * Running the real `baton` command in a child process against a test database, with its own
 * home folder and the small fixture DAGs folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DialectUnderTest, TestDb } from '../support/databases.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_DAGS = join(ROOT, 'test/fixtures/cli-dags');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  db: TestDb;
  home: string;
  env: NodeJS.ProcessEnv;
  run(...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/** A fresh database of the dialect and a fresh home folder; `run` invokes `baton` with them. */
export async function openCliEnv(dialect: DialectUnderTest, extraEnv: Record<string, string> = {}): Promise<CliEnv> {
  const db = await dialect.open();
  const home = await mkdtemp(join(tmpdir(), 'baton-cli-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
  Object.assign(env, {
    BATON_HOME: home,
    BATON_DAGS_FOLDER: CLI_DAGS,
    BATON_DATABASE_URL: db.url,
    BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false',
    BATON_PARALLELISM: '4',
    ...extraEnv,
  });
  return {
    db,
    home,
    env,
    run: (...args) => runCli(args, env),
    close: async () => {
      await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/baton.js'), ...args], { cwd: ROOT, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the command with `-o json` appended and parses its stdout. */
export async function runJson<T = Array<Record<string, unknown>>>(cli: CliEnv, ...args: string[]): Promise<T> {
  const r = await cli.run(...args, '-o', 'json');
  if (r.code !== 0) throw new Error(`baton ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A readable message for assertion failures. */
export function show(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}
