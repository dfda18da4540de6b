/**
 * Baton's scheduling benchmark: no-op TaskFlow tasks through the real scheduler and
 * LocalExecutor, timed from trigger to run success.
 *   chain100: 100 tasks in a line (hand-off latency = next start − previous end)
 *   fan1000 : one task, 1,000 parallel tasks, one join
 * Usage: npm run bench -- [--json] [--database-url URL] [--repeat N] [--parallelism N] [--scheduler-only]
 *                         [--peers] [--redis-url URL] [--executor local|bullmq]
 * --scheduler-only replaces the LocalExecutor by one that completes tasks instantly in-process,
 * to measure the scheduler's own overhead per task.
 * --peers also runs the same shapes as raw BullMQ flows on Redis (--redis-url, default
 * redis://127.0.0.1:6379) in the same run and reports Baton's time as a ratio of theirs.
 * --executor bullmq runs the tries through Redis on `baton worker` processes (as many as the
 * parallelism, one try each) with PostgreSQL as the database: --database-url, or a fresh database
 * on postgres://postgres@127.0.0.1:5432, dropped afterwards.
 * --cpu-prof-dir DIR writes a CPU profile of each `baton worker` process there (profile the
 * benchmark process itself with `node --cpu-prof --cpu-prof-dir DIR bin/node-ts.js bench/run.ts`).
 * The last line printed is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import pg from 'pg';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { startEngine } from '../src/engine/engine.ts';
import { createDagRun } from '../src/scheduler/create-run.ts';
import { InstantExecutor } from './instant-executor.ts';
import { postgresRoundTrips } from '../src/store/pg-driver.ts';
import { runBullmqPeers } from './peers/bullmq-flows.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    repeat: { type: 'string', default: '3' },
    parallelism: { type: 'string' },
    'scheduler-only': { type: 'boolean', default: false },
    peers: { type: 'boolean', default: false },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    executor: { type: 'string', default: 'local' },
    'cpu-prof-dir': { type: 'string' },
  },
});

const CHAIN = `import { dag, task, chain } from 'baton';
export default dag({ id: 'chain100', schedule: null, maxActiveTasks: 1024 }, () => {
  const noop = task('t', async () => null);
  chain(...Array.from({ length: 100 }, () => noop()));
});`;
const FAN = `import { dag, task } from 'baton';
export default dag({ id: 'fan1000', schedule: null, maxActiveTasks: 1024 }, () => {
  const start = task('start', async () => null)();
  const join = task('join', async () => null)();
  const noop = task('t', async () => null);
  for (let i = 0; i < 1000; i++) { const t = noop(); start.then(t); t.then(join); }
});`;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const home = await mkdtemp(join(tmpdir(), 'baton-bench-'));
  const dags = join(home, 'dags');
  await mkdir(dags);
  await writeFile(join(dags, 'chain100.ts'), CHAIN);
  await writeFile(join(dags, 'fan1000.ts'), FAN);
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: home, BATON_DAGS_FOLDER: dags, BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false', BATON_MIN_FILE_PROCESS_INTERVAL: '3600' };
  if (args['database-url']) env.BATON_DATABASE_URL = args['database-url'];
  if (args.parallelism) env.BATON_PARALLELISM = args.parallelism;
  if (args.executor !== 'local' && args.executor !== 'bullmq') throw new Error(`--executor must be local or bullmq (got ${args.executor})`);
  const distributed = args.executor === 'bullmq';
  let dropDatabase = async () => {};
  const workers: ChildProcess[] = [];
  if (distributed) {
    if (!args['database-url']) {
      const created = await freshPostgresDatabase();
      env.BATON_DATABASE_URL = created.url;
      dropDatabase = created.drop;
    }
    Object.assign(env, { BATON_EXECUTOR: 'bullmq', BATON_REDIS_URL: args['redis-url'], BATON_REDIS_PREFIX: `bench${process.pid}` });
  }
  const config = loadConfig(env);
  const executor = args['scheduler-only'] ? new InstantExecutor(config.parallelism) : undefined;
  const engine = await startEngine({ config, executor, log: { info: () => {}, warn: (m) => process.stderr.write(`${m}\n`), error: (m) => process.stderr.write(`${m}\n`) } });
  const db = engine.db.db;
  if (distributed) {
    for (let i = 0; i < config.parallelism; i++) workers.push(await startWorker(env, args['cpu-prof-dir']));
  }
  const say = (m: string) => {
    if (!args.json) process.stdout.write(`${m}\n`);
  };
  let n = 0;
  const runOnce = async (dagId: string) => {
    const dag = await engine.scheduler!.cache.require(db, dagId);
    const cpu0 = process.cpuUsage();
    const trips0 = postgresRoundTrips();
    const t0 = performance.now();
    let finished!: (state: string) => void;
    const ended = new Promise<string>((res) => (finished = res));
    let runId = '';
    const unsubscribe = engine.scheduler!.onRunFinished((r) => {
      if (r.dagId === dagId && r.runId === runId) finished(r.state);
    });
    const run = await db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', logicalDate: new Date(Date.UTC(2020, 0, 1, 0, 0, n++)) }));
    runId = run.runId;
    engine.scheduler!.wake();
    const state = await ended;
    unsubscribe();
    if (state !== 'success') throw new Error(`benchmark run ${dagId} ended ${state}`);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const trips = postgresRoundTrips() - trips0;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const tis = await db.selectFrom('task_instance').select(['task_id', 'start_date', 'end_date']).where('dag_id', '=', dagId).where('run_id', '=', run.runId).execute();
    return { seconds, tis, cpuMsPerTask: cpuMs / tis.length, tripsPerTask: trips / tis.length };
  };

  try {
    const repeat = Math.max(1, Number(args.repeat));
    await runOnce('chain100'); // warm-up: workers load the DAG file once
    await runOnce('fan1000');
    const chain: Array<{ seconds: number; handoffs: number[]; durations: number[]; cpu: number; trips: number }> = [];
    for (let i = 0; i < repeat; i++) {
      const { seconds, tis, cpuMsPerTask, tripsPerTask } = await runOnce('chain100');
      const order = (id: string) => (id === 't' ? 0 : Number(id.split('__')[1]));
      const sorted = tis.sort((a, b) => order(a.task_id) - order(b.task_id));
      const handoffs = sorted.slice(1).map((t, j) => Date.parse(t.start_date!) - Date.parse(sorted[j]!.end_date!));
      const durations = sorted.map((t) => Date.parse(t.end_date!) - Date.parse(t.start_date!));
      chain.push({ seconds, handoffs, durations, cpu: cpuMsPerTask, trips: tripsPerTask });
      say(`chain100 #${i + 1}: ${seconds.toFixed(3)} s, hand-off p50 ${median(handoffs)} ms, p99 ${quantile(handoffs, 0.99)} ms, sum of hand-offs ${handoffs.reduce((a, b) => a + b, 0)} ms, sum of try durations ${durations.reduce((a, b) => a + b, 0)} ms, scheduler CPU ${cpuMsPerTask.toFixed(3)} ms/task`);
    }
    const fan: number[] = [];
    const fanCpu: number[] = [];
    const fanTrips: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const { seconds, cpuMsPerTask, tripsPerTask } = await runOnce('fan1000');
      fan.push(seconds);
      fanCpu.push(cpuMsPerTask);
      fanTrips.push(tripsPerTask);
      say(`fan1000  #${i + 1}: ${seconds.toFixed(3)} s, ${(1002 / seconds).toFixed(0)} tasks/s, scheduler CPU ${cpuMsPerTask.toFixed(3)} ms/task`);
    }
    const best = chain.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
    const allHandoffs = chain.flatMap((c) => c.handoffs);
    const fanMedian = median(fan);
    const pgTrips = engine.db.dialect === 'postgres';
    const result = {
      chain100: { seconds: round(median(chain.map((c) => c.seconds))), best_seconds: round(best.seconds), handoff_p50_ms: median(allHandoffs), handoff_p99_ms: quantile(allHandoffs, 0.99), try_p50_ms: median(chain.flatMap((c) => c.durations)), scheduler_cpu_ms_per_task: round(median(chain.map((c) => c.cpu))), ...(pgTrips ? { scheduler_round_trips_per_task: round(median(chain.map((c) => c.trips)), 2) } : {}) },
      fan1000: { seconds: round(fanMedian), best_seconds: round(Math.min(...fan)), tasks_per_second: Math.round(1002 / fanMedian), scheduler_cpu_ms_per_task: round(median(fanCpu)), ...(pgTrips ? { scheduler_round_trips_per_task: round(median(fanTrips), 2) } : {}) },
      runs: repeat,
      database: engine.db.dialect,
      executor: executor ? 'instant (scheduler overhead only)' : distributed ? `BullMQExecutor (${config.parallelism} baton worker processes, one try each)` : 'LocalExecutor',
      parallelism: config.parallelism,
      machine: { load_average: loadavg().map((x) => round(x, 2)), cpus: availableParallelism(), cpu_model: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
    };
    if (args.peers) {
      const peer = await runBullmqPeers({ redisUrl: args['redis-url']!, parallelism: config.parallelism, repeat });
      const bullmq = {
        chain100: { seconds: round(median(peer.chain100)), best_seconds: round(Math.min(...peer.chain100)) },
        fan1000: { seconds: round(median(peer.fan1000)), best_seconds: round(Math.min(...peer.fan1000)) },
        workers: config.parallelism,
      };
      const ratios = {
        chain100: round(result.chain100.seconds / bullmq.chain100.seconds, 2),
        fan1000: round(result.fan1000.seconds / bullmq.fan1000.seconds, 2),
      };
      say(`raw BullMQ: chain100 ${bullmq.chain100.seconds} s, fan1000 ${bullmq.fan1000.seconds} s; Baton / BullMQ: chain100 ${ratios.chain100}×, fan1000 ${ratios.fan1000}×`);
      Object.assign(result, { peers: { bullmq }, ratio_to_bullmq: ratios });
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null)));
    await engine.stop(2000);
    await dropDatabase();
    await rm(home, { recursive: true, force: true });
  }
}

/** A `baton worker` process with one try slot; resolves once it is running. */
function startWorker(env: NodeJS.ProcessEnv, cpuProfDir?: string): Promise<ChildProcess> {
  const bin = new URL('../bin/baton.js', import.meta.url).pathname;
  const profile = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = spawn(process.execPath, [...profile, bin, 'worker', '--concurrency', '1', '--grace', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Baton worker is running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`baton worker exited (${code}): ${err}`)));
  });
}

/** A new empty database on the local PostgreSQL, and how to drop it. */
async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `baton_bench_${process.pid}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`drop database if exists ${name}`);
  await client.query(`create database ${name}`);
  await client.end();
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

await main();
