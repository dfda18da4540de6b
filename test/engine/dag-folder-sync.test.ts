/**
 * The DAGs folder kept in step with the database: after a file change only the changed file is
 * imported again and only its DAG's row is written; the periodic full sync imports every file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { DagFolderSync } from '../../src/engine/dag-folder-sync.ts';
import { openDatabase } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';

const source = (id: string, tag: string) => `import { dag, EmptyOperator } from 'baton';
export default dag({ id: '${id}', tags: ['${tag}'] }, () => { new EmptyOperator({ taskId: 'e' }); });`;

for (const dialect of eachDialect()) {
  describe(`DAG folder sync on ${dialect.name}`, () => {
    test('a changed file is imported again alone and only its DAG row is rewritten; a full sync rewrites every row', async () => {
      const testDb = await dialect.open();
      const home = await mkdtemp(join(tmpdir(), 'baton-sync-'));
      const dags = join(home, 'dags');
      await mkdir(dags);
      await writeFile(join(dags, 'a.ts'), source('sync_a', 'one'));
      await writeFile(join(dags, 'b.ts'), source('sync_b', 'one'));
      await testDb.close();
      const db = await openDatabase({ url: testDb.url });
      const config = loadConfig({ ...process.env, BATON_HOME: home, BATON_DAGS_FOLDER: dags, BATON_DATABASE_URL: testDb.url, BATON_MIN_FILE_PROCESS_INTERVAL: '3600' });
      const sync = new DagFolderSync({ db, config });
      const rows = async () => new Map((await db.db.selectFrom('dag').select(['dag_id', 'last_parsed_at', 'tags']).execute()).map((r) => [r.dag_id, r]));
      try {
        await sync.syncNow(true);
        const before = await rows();
        await new Promise((r) => setTimeout(r, 10));
        await writeFile(join(dags, 'a.ts'), source('sync_a', 'two'));
        await sync.syncNow(false);
        const after = await rows();
        assert.match(after.get('sync_a')!.tags, /two/);
        assert.notEqual(after.get('sync_a')!.last_parsed_at, before.get('sync_a')!.last_parsed_at);
        assert.equal(after.get('sync_b')!.last_parsed_at, before.get('sync_b')!.last_parsed_at, 'the unchanged file was not parsed again');
        await new Promise((r) => setTimeout(r, 10));
        await sync.syncNow(true);
        const full = await rows();
        assert.notEqual(full.get('sync_b')!.last_parsed_at, before.get('sync_b')!.last_parsed_at);
      } finally {
        await sync.stop();
        await db.close();
        await testDb.drop().catch(() => {});
        await rm(home, { recursive: true, force: true });
      }
    });
  });
}
