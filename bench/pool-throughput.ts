/**
 * Distributed mode through a small pool, the shape of the 10,000-task exactly-once test at a
 * smaller size: on PostgreSQL and Redis (as the tests use them), one scheduler in this process and
 * `--workers` `baton worker` processes of `--concurrency` slots run `--runs` runs of a DAG that
 * maps 199 tasks into a pool of `--pool-slots` slots (each task appends a line to a file). Reports
 * tasks per second from the first trigger until every run finished, and the scheduler's CPU per
 * task (this process: scheduler and benchmark), so what a pass costs while thousands of tasks
 * wait for the pool.
 * Usage: npm run bench:pool -- [--runs 15] [--pool-slots 8] [--workers 3] [--concurrency 3]
 * The last line printed is one JSON object.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { upsertPool } from '../src/store/repos/pools.ts';
import { allRunsDone, lines, startDistributed } from '../test/distributed/helpers.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'pool-slots': { type: 'string', default: '8' },
    workers: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '3' },
  },
});
const runs = Number(values.runs);
const poolSlots = Number(values['pool-slots']);

const h = await startDistributed({});
const marks = join(h.home, 'marks.txt');
try {
  await upsertPool(h.db, { name: 'bench_pool', slots: poolSlots });
  await h.writeDag('pooled.ts', `
import { dag, task } from 'baton';
import { appendFileSync } from 'node:fs';
export default dag({ id: 'pooled', schedule: null, maxActiveRuns: ${runs}, maxActiveTasks: 1000 }, () => {
  const items = task('items', async (_: void, ctx) => { appendFileSync(${JSON.stringify(marks)}, ctx.runId + ' items\\n'); return Array.from({ length: 199 }, (_, i) => i); });
  const work = task({ taskId: 'work', pool: 'bench_pool' }, async ({ i }: { i: number }, ctx) => { appendFileSync(${JSON.stringify(marks)}, ctx.runId + ' work ' + i + '\\n'); return i; });
  work.expand({ i: items() });
});`);
  for (let i = 0; i < Number(values.workers); i++) await h.workerProcess(['--concurrency', values.concurrency!]);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) await h.trigger('pooled', { runId: `r${String(i).padStart(3, '0')}` });
  await h.waitFor(`${runs} runs to finish`, () => allRunsDone(h, 'pooled', runs), 1_800_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tasks = lines(marks).length;
  if (tasks !== runs * 200) throw new Error(`expected ${runs * 200} task runs, saw ${tasks}`);
  console.log(JSON.stringify({
    benchmark: 'pool-throughput',
    shape: { runs, tasksPerRun: 200, poolSlots, workers: Number(values.workers), concurrency: Number(values.concurrency) },
    tasks,
    seconds: Math.round(seconds * 10) / 10,
    tasksPerSecond: Math.round((tasks / seconds) * 10) / 10,
    schedulerCpuMsPerTask: Math.round(((cpu.user + cpu.system) / 1000 / tasks) * 100) / 100,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100) },
  }));
} finally {
  await h.stop();
}
