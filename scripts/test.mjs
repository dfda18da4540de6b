#!/usr/bin/env node
// Runs Baton's whole test suite: checks (or starts) PostgreSQL and Redis, brings the build up to
// date, then typechecks the project and runs every *.test.ts file with node's test runner, one
// process per file, several at a time (see the lanes below).
// Usage: npm test [-- file-or-folder-filter ...]
// BATON_TEST_CONCURRENCY: files at a time in the main lane (default 3).
// BATON_TEST_FILE_TIMEOUT: seconds a file may take before it is stopped and failed (default 1200).
import { spawn, spawnSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function reachable(port) {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
  });
}

async function ensureService(name, port, startCommand) {
  if (await reachable(port)) return;
  console.log(`${name} is not answering on 127.0.0.1:${port}; starting it: ${startCommand}`);
  try {
    execSync(startCommand, { stdio: 'inherit', shell: '/bin/bash' });
  } catch {
    /* reported below */
  }
  for (let i = 0; i < 50; i++) {
    if (await reachable(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`error: ${name} is required by the tests and is not reachable on 127.0.0.1:${port}. Start it with: ${startCommand}`);
  process.exit(1);
}

await ensureService('PostgreSQL', 5432, 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start');
await ensureService('Redis', 6379, 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');

// The web UI's tests drive Debian's Chromium (never a downloaded browser): install it when it is
// missing, or stop here naming it.
const chromiumPath = process.env.BATON_TEST_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`Chromium is not at ${chromiumPath}; installing it: apt-get install -y chromium`);
  try {
    execSync('apt-get update -qq && apt-get install -y -qq chromium', { stdio: 'inherit', shell: '/bin/bash' });
  } catch {
    /* reported below */
  }
  if (!existsSync(chromiumPath)) {
    console.error(`error: the web UI tests need Chromium at ${chromiumPath}. Install it with: apt-get install -y chromium (or set BATON_TEST_CHROMIUM to its path)`);
    process.exit(1);
  }
}

// The CLI and the processes it starts run the compiled build, and the browser tests the built
// web UI: bring both up to date first.
for (const script of ['scripts/build.mjs', 'scripts/build-ui.mjs']) {
  const build = spawnSync(process.execPath, [join(root, script), '--if-stale'], { stdio: 'inherit' });
  if (build.status !== 0) {
    console.error(`error: the build failed (${script})`);
    process.exit(build.status ?? 1);
  }
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

let files = [...findTests(join(root, 'src')), ...findTests(join(root, 'test'))].sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`error: no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// How files share the machine. Most files use their own databases (a fresh PostgreSQL database or
// SQLite file each), ports and folders, and run side by side in the main lane. Files that use the
// one Redis server (queues and workers) run one at a time in a lane of their own, beside the main
// lane: among them the fault test that restarts Redis (it terminates only its own database's
// PostgreSQL connections, so files outside the Redis lane do not notice it). The 10,000-task
// distributed test opens the Redis lane. Alone it used half a core for over two minutes while the
// rest waited; beside three other files its schedulers and workers got a fraction of the two cores
// (4 tasks/s instead of 45). So while it runs the main lane runs one file fewer. (Starting those
// files at a lower priority did not speed it up on a machine busy with other work, and starved them.)
const REDIS_LANE = ['test/distributed/', 'test/cli/worker-command'];
const HEAVY = ['test/distributed/exactly-once.test.ts'];
const inLane = (file, prefixes) => prefixes.some((p) => file.startsWith(p));

const concurrency = Number(process.env.BATON_TEST_CONCURRENCY ?? '3');
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`error: BATON_TEST_CONCURRENCY must be a whole number of at least 1, not ${JSON.stringify(process.env.BATON_TEST_CONCURRENCY)}`);
  process.exit(1);
}
const fileTimeout = Number(process.env.BATON_TEST_FILE_TIMEOUT ?? '1200') * 1000;
if (!(fileTimeout > 0)) {
  console.error(`error: BATON_TEST_FILE_TIMEOUT must be a number of seconds, not ${JSON.stringify(process.env.BATON_TEST_FILE_TIMEOUT)}`);
  process.exit(1);
}

// Slowest files first, from the durations of the last run on this machine (or the ones measured
// when the suite was last tuned): the long ones then overlap the many short ones.
const cacheFile = join(root, 'node_modules/.cache/baton-tests/durations.json');
const seedFile = join(root, 'scripts/test-durations.json');
const readJson = (p) => {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return {};
  }
};
const durations = { ...readJson(seedFile), ...readJson(cacheFile) };
const expected = (f) => durations[f] ?? 30;
const slowestFirst = (list) => [...list].sort((a, b) => expected(b) - expected(a) || a.localeCompare(b));

const running = new Set();
function stopAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAll();
    process.exit(130);
  });
}

/** Runs a command in a process group of its own; resolves with its exit status, output and duration. */
function runJob(label, command, args, timeoutMs, env = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: root, env: { ...process.env, NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      // Whatever the file started (schedulers, workers, servers) goes with it.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* none left */
      }
      let output = Buffer.concat(chunks).toString();
      if (timedOut) output += `\nerror: ${label} was stopped after ${timeoutMs / 1000} s (BATON_TEST_FILE_TIMEOUT)\n`;
      resolve({ label, ok: code === 0 && !timedOut, status: code ?? signal, output, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const results = [];
const totals = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
function report(r) {
  results.push(r);
  for (const key of Object.keys(totals)) {
    for (const m of r.output.matchAll(new RegExp(`^ℹ ${key} (\\d+)$`, 'gm'))) totals[key] += Number(m[1]);
  }
  const output = r.output.trim() ? `${r.output.replace(/\n*$/, '\n')}` : '';
  process.stdout.write(`\n${r.ok ? '✔' : '✖'} ${r.label} (${r.seconds.toFixed(1)} s)${r.ok ? '' : ` failed (exit ${r.status})`}\n${output}`);
}

// A file runs as `node <file>`, not `node --test <file>`: node's test runner would start a second
// process (loading the TypeScript loader again) just to run the file in it. Run directly, the
// file's tests print the same report and a failure exits non-zero all the same.
const NODE_ARGS = ['--import', 'tsx', '--test-reporter=spec'];
const testFile = (file) => () => runJob(file, process.execPath, [...NODE_ARGS, file], fileTimeout);
// A long file that runs its tests on each dialect (`for (const dialect of eachDialect())`) runs
// as one job per dialect (BATON_TEST_DIALECT), so its halves overlap instead of following each other.
const SPLIT_SECONDS = 60;
const DIALECTS = ['sqlite', 'postgres'];
const splits = (file) => {
  if (expected(file) < SPLIT_SECONDS) return false;
  try {
    return /of eachDialect\(\)/.test(readFileSync(join(root, file), 'utf8'));
  } catch {
    return false;
  }
};
const dialectJob = (file, dialect) => () => runJob(`${file} [${dialect}]`, process.execPath, [...NODE_ARGS, file], fileTimeout, { BATON_TEST_DIALECT: dialect });
const mainJobs = (list) => list.flatMap((f) => (splits(f) ? DIALECTS.map((d) => dialectJob(f, d)) : [testFile(f)]));
const typecheck = (project) => () => runJob(`typecheck ${project}`, join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', join(root, project)], fileTimeout);

/** Runs the jobs `width` at a time, in order; with `holdLast`, the last of the `width` waits for the promise it returns first. */
async function lane(jobs, width, holdLast = null) {
  const queue = [...jobs];
  const worker = async (i) => {
    if (holdLast && i === width - 1) await holdLast();
    for (let job = queue.shift(); job; job = queue.shift()) report(await job());
  };
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, (_, i) => worker(i)));
}

const heavy = files.filter((f) => inLane(f, HEAVY));
const redis = [...heavy, ...slowestFirst(files.filter((f) => !inLane(f, HEAVY) && inLane(f, REDIS_LANE)))];
const main = slowestFirst(files.filter((f) => !inLane(f, REDIS_LANE)));
const typechecks = ['tsconfig.json', 'ui/tsconfig.json'].map(typecheck);
console.log(`${files.length} test files: ${redis.length} one at a time in the Redis lane beside ${main.length} in the main lane, ${concurrency} at a time (BATON_TEST_CONCURRENCY; one fewer while the 10,000-task test runs); typecheck first in the main lane`);

const t0 = performance.now();
let heavyDone = Promise.resolve();
const redisJobs = redis.map((f) => {
  const job = testFile(f);
  if (!inLane(f, HEAVY)) return job;
  return () => {
    const running = job();
    heavyDone = running.then(() => {});
    return running;
  };
});
const redisLane = lane(redisJobs, 1);
// The main lane's last worker starts once the heavy file is done (at once when there is none).
await Promise.all([redisLane, lane([...typechecks, ...mainJobs(main)], concurrency, heavy.length && concurrency > 1 ? () => heavyDone : null)]);
const wall = (performance.now() - t0) / 1000;

// Remember this run's durations for the next run's order.
const measured = {};
for (const r of results) {
  if (r.label.startsWith('typecheck ')) continue;
  const file = r.label.replace(/ \[\w+\]$/, '');
  measured[file] = (measured[file] ?? 0) + r.seconds;
}
for (const [file, seconds] of Object.entries(measured)) durations[file] = Math.round(seconds * 10) / 10;
try {
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(durations, null, 1));
} catch {
  /* only an optimisation */
}

const failed = results.filter((r) => !r.ok);
console.log('\nslowest:');
for (const r of [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 10)) console.log(`  ${r.seconds.toFixed(1).padStart(7)} s  ${r.label}`);
console.log(`\n${files.length} files (${results.length - typechecks.length} jobs): tests ${totals.tests}, pass ${totals.pass}, fail ${totals.fail}, cancelled ${totals.cancelled}, skipped ${totals.skipped}, todo ${totals.todo}; ${wall.toFixed(1)} s (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
if (failed.length) {
  console.error(`\nerror: ${failed.length} failed: ${failed.map((r) => r.label).join(', ')}`);
  process.exit(1);
}
