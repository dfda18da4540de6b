#!/usr/bin/env node
// Runs Baton's whole test suite: checks (or starts) PostgreSQL and Redis, typechecks the
// project, then runs every *.test.ts file with node's test runner.
// Usage: npm test [-- file-or-folder-filter ...]
import { spawnSync, execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';

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

console.log('typecheck: tsc --noEmit');
for (const project of ['tsconfig.json', 'ui/tsconfig.json']) {
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', join(root, project)], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error(`error: the typecheck failed (${project})`);
    process.exit(tsc.status ?? 1);
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
const concurrency = process.env.BATON_TEST_CONCURRENCY ?? '2';
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(run.status ?? 1);
