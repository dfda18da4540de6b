/**
 * Running `baton` commands against a test database, with their own home folder and the small
 * fixture DAGs folder: in this process (`runCli`, `CliEnv.run`: `runCli` of src/cli/main.ts,
 * with the command's own environment and captured output), or as the real command in a child
 * process (`spawnCli`, `CliEnv.spawn`: `node bin/baton.js`, which runs the build in dist/).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli as runInProcess } from '../../src/cli/main.ts';
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
  /** Runs `baton <args>` in this process. */
  run(...args: string[]): Promise<CliResult>;
  /** Runs `baton <args>` as the real command, in a child process. */
  spawn(...args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/** A fresh database of the dialect and a fresh home folder; `run` and `spawn` invoke `baton` with them. */
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
    spawn: (...args) => spawnCli(args, env),
    close: async () => {
      await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * In-process runs go one at a time. Each run opens its own database connection, and SQLite's
 * driver waits for a lock synchronously: two runs writing at once in one thread would stall
 * each other (separate `baton` processes wait for each other instead).
 */
let previous: Promise<unknown> = Promise.resolve();

/** Runs `baton <args>` in this process with `env` as its environment, capturing its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const run = previous.then(() => runNow(args, env));
  previous = run.catch(() => {});
  return run;
}

async function runNow(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const text = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  const code = await runInProcess(args, { env, cwd: ROOT, stdout: (c) => stdout.push(text(c)), stderr: (c) => stderr.push(text(c)) });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** Runs `node bin/baton.js <args>` in a child process with `env` as its environment. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
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
