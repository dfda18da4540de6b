/**
 * Distributed mode under test: a scheduler (the engine) with the BullMQ executor on a fresh
 * PostgreSQL database, and `baton worker`s — in this process (BatonWorker) or as real processes
 * that tests may kill — on a Redis key prefix of its own, so tests running at once never share
 * queues.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BatonWorker, type BatonWorkerOptions } from '../../src/executors/bullmq/index.ts';
import { dialectNamed } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

export const BIN = new URL('../../bin/baton.js', import.meta.url).pathname;
export const REDIS_URL = process.env.BATON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const postgres = dialectNamed('postgres');

export interface DistributedHarness extends EngineHarness {
  /** Environment for `baton` processes that join this installation. */
  env: NodeJS.ProcessEnv;
  /** Starts a BatonWorker in this process (stopped by `stop()`). */
  inProcessWorker(o?: Partial<BatonWorkerOptions>): Promise<BatonWorker>;
  /** Starts `baton worker` as a child process; resolves once it says it is running. */
  workerProcess(args?: string[]): Promise<ChildProcess>;
}

export async function startDistributed(files: Record<string, string>, env: Record<string, string> = {}): Promise<DistributedHarness> {
  const prefix = `bt${randomBytes(6).toString('hex')}`;
  const vars = { BATON_EXECUTOR: 'bullmq', BATON_REDIS_URL: REDIS_URL, BATON_REDIS_PREFIX: prefix, ...env };
  const h = await startHarness(postgres, files, { env: vars });
  const workers: BatonWorker[] = [];
  const children: ChildProcess[] = [];
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env, ...vars,
    BATON_HOME: h.home, BATON_DAGS_FOLDER: h.dagsDir, BATON_DATABASE_URL: h.config.databaseUrl,
    BATON_HEARTBEAT_INTERVAL: String(h.config.heartbeatInterval),
  };
  const stopHarness = h.stop.bind(h);
  return Object.assign(h, {
    env: childEnv,
    async inProcessWorker(o: Partial<BatonWorkerOptions> = {}) {
      const w = new BatonWorker({ config: h.config, concurrency: 2, log: () => {}, ...o });
      workers.push(w);
      await w.start();
      return w;
    },
    async workerProcess(args: string[] = []) {
      const child = spawn(process.execPath, [BIN, 'worker', ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Baton worker is running')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`baton worker exited (${code}) before it was running:\n${out}\n${err}`)));
      });
      return child;
    },
    async stop() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.stop(0).catch(() => {})));
      await stopHarness();
    },
  });
}

/** A `baton scheduler` process on the harness's database and Redis (stderr read and dropped). */
export function startScheduler(h: DistributedHarness): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'scheduler'], { env: h.env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', () => {});
  return child;
}

/** The non-empty lines of a file, or none when it does not exist yet. */
export function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Whether the DAG has exactly `n` runs, all finished. */
export async function allRunsDone(h: DistributedHarness, dagId: string, n: number): Promise<boolean> {
  const rows = await h.db.selectFrom('dag_run').select('state').where('dag_id', '=', dagId).execute();
  return rows.length === n && rows.every((r) => r.state === 'success' || r.state === 'failed');
}
