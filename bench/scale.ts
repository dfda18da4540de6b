/**
 * Baton at scale, on SQLite (default) or PostgreSQL (--database-url):
 *   dags500   : 500 DAG files of 10 tasks: time from start until the API lists all 500, and from
 *               editing one file until the API shows the change.
 *   runs5000  : 5,000 runs of a 3-task DAG: time of the API's run list (first page, last page,
 *               ordered by start date descending), median of 5 requests each.
 *   sensors1000: 1,000 deferred sensors (file-existence triggers) in one `baton triggerer`
 *               process: its resident memory and CPU while idle over 10 s.
 * Usage: npm run bench:scale -- [--json] [--database-url URL] [--only dags500,runs5000,sensors1000]
 * The last line printed is one JSON object.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiApp } from '../src/api/app.ts';
import type { Authenticator } from '../src/api/auth-contract.ts';
import { loadConfig, type BatonConfig } from '../src/config.ts';
import { startEngine } from '../src/engine/engine.ts';
import { createDagRun } from '../src/scheduler/create-run.ts';
import { SerializedDagCache } from '../src/scheduler/serialized-dags.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    only: { type: 'string', default: 'dags500,runs5000,sensors1000' },
  },
});
const only = new Set(args.only!.split(','));
const say = (m: string) => {
  if (!args.json) process.stdout.write(`${m}\n`);
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const admin: Authenticator = async () => ({ username: 'bench', role: 'Admin' });

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function home(): Promise<{ dir: string; dags: string; config: (extra?: Record<string, string>) => BatonConfig }> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-scale-'));
  const dags = join(dir, 'dags');
  await mkdir(dags);
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: dir, BATON_DAGS_FOLDER: dags, BATON_DAGS_ARE_PAUSED_AT_CREATION: 'true', BATON_MIN_FILE_PROCESS_INTERVAL: '3600' };
  if (args['database-url']) env.BATON_DATABASE_URL = args['database-url'];
  return { dir, dags, config: (extra = {}) => loadConfig({ ...env, ...extra }) };
}

const dagSource = (id: string, tag: string) => `import { dag, task, chain } from 'baton';
export default dag({ id: '${id}', schedule: '@daily', tags: ['${tag}'] }, () => {
  const step = task('step', async () => null);
  chain(...Array.from({ length: 10 }, () => step()));
});`;

async function dags500() {
  const h = await home();
  try {
    for (let i = 0; i < 500; i++) await writeFile(join(h.dags, `dag_${String(i).padStart(3, '0')}.ts`), dagSource(`scale_${String(i).padStart(3, '0')}`, 'v1'));
    const config = h.config();
    const t0 = performance.now();
    const engine = await startEngine({ config, scheduler: false, log: { info: () => {}, warn: () => {}, error: (m) => process.stderr.write(`${m}\n`) } });
    try {
      const app = createApiApp({ db: engine.db.db, config, authenticator: admin });
      await until('the API to list 500 DAGs', async () => {
        const r = await app.request('/api/v1/dags?limit=1&only_active=true');
        return r.ok && ((await r.json()) as { total_entries: number }).total_entries === 500;
      }, 600_000);
      const listedAfter = (performance.now() - t0) / 1000;
      say(`dags500: all 500 DAGs listed by the API ${listedAfter.toFixed(2)} s after start`);
      const t1 = performance.now();
      await writeFile(join(h.dags, 'dag_123.ts'), dagSource('scale_123', 'v2'));
      await until('the edit to show', async () => {
        const r = await app.request('/api/v1/dags/scale_123');
        return r.ok && ((await r.json()) as { tags: Array<{ name: string }> }).tags.some((t) => t.name === 'v2');
      }, 120_000);
      const editSeconds = (performance.now() - t1) / 1000;
      say(`dags500: an edited file shows in the API ${editSeconds.toFixed(2)} s after it was written`);
      return { files: 500, tasks_per_dag: 10, listed_after_start_s: round(listedAfter, 2), edit_picked_up_s: round(editSeconds, 2) };
    } finally {
      await engine.stop(0);
    }
  } finally {
    await rm(h.dir, { recursive: true, force: true });
  }
}

async function runs5000() {
  const h = await home();
  try {
    await writeFile(join(h.dags, 'small.ts'), `import { dag, task, chain } from 'baton';
export default dag({ id: 'small', schedule: null }, () => { const s = task('s', async () => null); chain(s(), s(), s()); });`);
    const config = h.config();
    const engine = await startEngine({ config, scheduler: false, log: { info: () => {}, warn: () => {}, error: (m) => process.stderr.write(`${m}\n`) } });
    try {
      const db = engine.db.db;
      const dag = await new SerializedDagCache().require(db, 'small');
      const t0 = performance.now();
      for (let i = 0; i < 5000; i += 250) {
        await db.transaction().execute(async (trx) => {
          for (let j = i; j < i + 250; j++) await createDagRun(trx, { dag, runType: 'manual', logicalDate: new Date(Date.UTC(2020, 0, 1) + j * 60_000), runId: `r${String(j).padStart(5, '0')}` });
        });
      }
      say(`runs5000: created 5,000 runs (15,000 task instances) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const app = createApiApp({ db, config, authenticator: admin });
      const time = async (path: string) => {
        const ms: number[] = [];
        for (let k = 0; k < 6; k++) {
          const s = performance.now();
          const r = await app.request(path);
          if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
          const body = (await r.json()) as { dag_runs: unknown[]; total_entries: number };
          if (body.total_entries !== 5000 || body.dag_runs.length === 0) throw new Error(`${path}: unexpected answer`);
          if (k > 0) ms.push(performance.now() - s);
        }
        return round(median(ms));
      };
      const first = await time('/api/v1/dags/small/dagRuns?limit=100');
      const last = await time('/api/v1/dags/small/dagRuns?limit=100&offset=4900');
      const ordered = await time('/api/v1/dags/small/dagRuns?limit=100&order_by=-start_date');
      say(`runs5000: list first page ${first} ms, last page ${last} ms, ordered by start date ${ordered} ms`);
      return { runs: 5000, first_page_ms: first, last_page_ms: last, ordered_ms: ordered };
    } finally {
      await engine.stop(0);
    }
  } finally {
    await rm(h.dir, { recursive: true, force: true });
  }
}

async function sensors1000() {
  const h = await home();
  try {
    await writeFile(join(h.dags, 'sensors.ts'), `import { dag, FileSensor } from 'baton';
export default dag({ id: 'sensors', schedule: null, maxActiveTasks: 1000 }, () => {
  for (let i = 0; i < 1000; i++) new FileSensor({ taskId: 'wait_' + i, filepath: ${JSON.stringify(join(h.dir, 'incoming'))} + '/part-' + i + '.csv', deferrable: true, pokeInterval: 5, timeout: '1d' });
});`);
    const config = h.config({ BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false' });
    // The scheduler and its workers run each sensor's first check, which defers it.
    const engine = await startEngine({ config, log: { info: () => {}, warn: () => {}, error: (m) => process.stderr.write(`${m}\n`) } });
    try {
      const db = engine.db.db;
      const dag = await engine.scheduler!.cache.require(db, 'sensors');
      await db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: 'waiting' }));
      engine.scheduler!.wake();
      await until('1,000 sensors to defer', async () => {
        const r = await db.selectFrom('task_instance').select((eb) => eb.fn.countAll<number>().as('n')).where('dag_id', '=', 'sensors').where('state', '=', 'deferred').executeTakeFirstOrThrow();
        return Number(r.n) === 1000;
      }, 300_000);
    } finally {
      await engine.stop(0);
    }
    const bin = new URL('../bin/baton.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, 'triggerer'], { env: { ...process.env, BATON_HOME: h.dir, BATON_DATABASE_URL: config.databaseUrl }, stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      const check = await startEngine({ config, scheduler: false, syncDagFolder: false, log: { info: () => {}, warn: () => {}, error: () => {} } });
      try {
        await until('the triggerer to take all 1,000 triggers', async () => {
          const r = await check.db.db.selectFrom('trigger').select((eb) => eb.fn.countAll<number>().as('n')).where('triggerer_id', 'is not', null).executeTakeFirstOrThrow();
          return Number(r.n) === 1000;
        }, 120_000);
      } finally {
        await check.stop(0);
      }
      await new Promise((r) => setTimeout(r, 3000));
      const ticks = () => {
        const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return Number(f[11]) + Number(f[12]);
      };
      const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
      const c0 = ticks();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 10_000));
      const cpuPercent = (((ticks() - c0) / 100) / ((performance.now() - t0) / 1000)) * 100;
      const rss = rssMb();
      say(`sensors1000: one triggerer holds 1,000 file sensors in ${rss.toFixed(0)} MB RSS, using ${cpuPercent.toFixed(1)} % of a core while they wait`);
      return { sensors: 1000, trigger: 'fileExists (poll every 5 s)', rss_mb: Math.round(rss), idle_cpu_percent: round(cpuPercent) };
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await rm(h.dir, { recursive: true, force: true });
  }
}

const result: Record<string, unknown> = {};
if (only.has('dags500')) result.dags500 = await dags500();
if (only.has('runs5000')) result.runs5000 = await runs5000();
if (only.has('sensors1000')) result.sensors1000 = await sensors1000();
result.database = args['database-url'] ? 'postgres' : 'sqlite';
result.machine = { load_average: loadavg().map((x) => round(x, 2)), cpus: availableParallelism(), cpu_model: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version };
process.stdout.write(`${JSON.stringify(result)}\n`);
