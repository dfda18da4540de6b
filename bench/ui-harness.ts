/**
 * A web server on a fresh SQLite database seeded with the big grid DAG (and, optionally, many
 * small DAGs), with an `admin` user — what the grid benchmark and the big-grid browser test
 * load. No scheduler runs: the seeded DAGs are paused and their runs finished.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebServer } from '../src/cli/commands/webserver-command.ts';
import { loadConfig } from '../src/config.ts';
import { openMigratedDb } from '../src/engine/open-db.ts';
import { createUser } from '../src/security/users.ts';
import { seedGridDag, type SeedOptions } from './ui-seed.ts';

export const BENCH_ADMIN_PASSWORD = 'bench-admin-pass';

export interface SeededServer {
  url: string;
  dagId: string;
  taskIds: string[];
  runIds: string[];
  /** Milliseconds the seeding took. */
  seedMs: number;
  stop(): Promise<void>;
}

export async function startSeededServer(o: SeedOptions = {}): Promise<SeededServer> {
  const home = mkdtempSync(join(tmpdir(), 'baton-ui-bench-'));
  const config = loadConfig({ ...process.env, BATON_HOME: home, BATON_DATABASE_URL: '', BATON_DAGS_FOLDER: join(home, 'dags') }, home);
  const db = await openMigratedDb(config);
  await createUser(db.db, { username: 'admin', password: BENCH_ADMIN_PASSWORD, role: 'Admin', email: 'admin@example.com' });
  const t0 = performance.now();
  const seeded = await seedGridDag(db.db, o);
  const seedMs = performance.now() - t0;
  const web = await startWebServer({ db, config, port: 0, hostname: '127.0.0.1' });
  return {
    url: web.url,
    ...seeded,
    seedMs,
    stop: async () => {
      await web.stop();
      await db.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
