/**
 * `baton standalone` as a user runs it (the compiled CLI, a fresh BATON_HOME on SQLite), on a
 * free port with the UI test DAGs; stopped with SIGINT like Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const UI_DAGS = join(ROOT, 'test/ui/dags');
export const ADMIN_PASSWORD = 'admin-pass-ui';

export interface Standalone {
  url: string;
  home: string;
  dbPath: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startStandalone(env: Record<string, string> = {}): Promise<Standalone> {
  const home = mkdtempSync(join(tmpdir(), 'baton-ui-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/baton.js'), 'standalone', '--port', String(port)], {
    env: {
      ...process.env,
      BATON_HOME: home,
      BATON_DATABASE_URL: '',
      BATON_DAGS_FOLDER: UI_DAGS,
      BATON_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BATON_DAGS_ARE_PAUSED_AT_CREATION: 'false',
      BATON_PARALLELISM: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baton standalone did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`baton standalone exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    home,
    dbPath: join(home, 'baton.db'),
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          rmSync(home, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGINT');
      }),
  };
}
