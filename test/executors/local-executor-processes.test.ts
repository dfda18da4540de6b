import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LocalExecutor } from '../../src/executors/local/index.ts';
import { EventRecorder, eventually, fakeServices, logsDir, workload } from './helpers.ts';

/** Is `pid` a live process (a zombie waiting to be reaped counts as gone)? */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line is exactly `args`. */
function processesRunning(args: string[]): number[] {
  const wanted = `${args.join('\0')}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8') === wanted && alive(Number(name))) found.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

describe('LocalExecutor worker processes', { timeout: 120_000 }, () => {
  test('terminate() ends the commands a try started (the worker aborts the try before it exits)', async () => {
    const logs = logsDir();
    const events = new EventRecorder();
    const executor = new LocalExecutor({ parallelism: 1 });
    await executor.start(events.onEvent, fakeServices());
    try {
      const sleepFor = `600.${process.pid}${Date.now() % 1000}`;
      const w = workload(logs, 'bash_sleeps', { params: { ms: 0, sleepFor } });
      executor.queue(w);
      await eventually(() => processesRunning(['sleep', sleepFor]).length === 1, `"sleep ${sleepFor}" runs`);
      executor.terminate(w.key, 'stopped by the test');
      assert.equal((await events.next('lost', 'bash_sleeps', w.key.runId)).reason, 'stopped by the test');
      await eventually(() => processesRunning(['sleep', sleepFor]).length === 0, `"sleep ${sleepFor}" has ended`);
    } finally {
      await executor.stop(0);
    }
  });

  const killParentOf = async (taskId: string) => {
    const script = fileURLToPath(new URL('../fixtures/executor-parent/start-and-hang.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script, logsDir(), taskId], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as number[]);
      });
      parent.once('exit', (code) => reject(new Error(`the executor process exited (code ${code}) before its tries started`)));
    });
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.ok(alive(pid));
    parent.kill('SIGKILL');
    await eventually(() => pids.every((pid) => !alive(pid)), 'both workers have exited');
  };

  test("workers exit when the executor's process dies without stopping them", async () => {
    await killParentOf('sleeps');
  });

  test("workers stuck in a task that never yields its event loop exit when the executor's process dies", async () => {
    await killParentOf('spins');
  });
});
