/**
 * Migration 0008 applies to a database that already holds 0010 (numbers are handed out ahead
 * of time, so a database can be migrated past a number it lacks): the migrator accepts it and
 * adds 0008's tables and columns without touching the data already there. Migration 0012 adds
 * the asset alias tables to a database at 0011 and keeps its assets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Migrator } from 'kysely';
import { MIGRATIONS, migrateToLatest } from '../../src/store/migrate.ts';
import { eachDialect } from '../support/databases.ts';

for (const dialect of eachDialect()) {
  describe(`migration 0008 on a ${dialect.name} database already at 0010`, () => {
    test('migrateToLatest applies 0008 after 0010 and keeps existing rows', async () => {
      const t = await dialect.openEmpty();
      try {
        const withoutAirflow3 = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name !== '0008_airflow3'));
        const old = await new Migrator({ db: t.db, provider: { getMigrations: async () => withoutAirflow3 } }).migrateToLatest();
        assert.equal(old.error, undefined);
        await t.db.insertInto('slot_pool').values({ pool: 'kept', slots: 3, description: null, include_deferred: 0 }).execute();
        assert.deepEqual(await migrateToLatest(t.db), ['0008_airflow3']);
        assert.equal((await t.db.selectFrom('dag_version').select('id').execute()).length, 0);
        assert.equal((await t.db.selectFrom('slot_pool').select('slots').where('pool', '=', 'kept').executeTakeFirstOrThrow()).slots, 3);
        assert.deepEqual(await migrateToLatest(t.db), [], 'a second run applies nothing');
      } finally {
        await t.drop();
      }
    });
  });
}

for (const dialect of eachDialect()) {
  describe(`migration 0012 (asset aliases) on a ${dialect.name} database at 0011`, () => {
    test('adds the alias tables beside existing assets, with unique names and links that go with their asset', async () => {
      const t = await dialect.openEmpty();
      try {
        const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name !== '0012_asset_aliases'));
        assert.equal((await new Migrator({ db: t.db, provider: { getMigrations: async () => before } }).migrateToLatest()).error, undefined);
        const ts = new Date().toISOString();
        const { id: assetId } = await t.db.insertInto('dataset').values({ uri: 's3://kept', extra: '{}', created_at: ts, updated_at: ts }).returning('id').executeTakeFirstOrThrow();
        assert.deepEqual(await migrateToLatest(t.db), ['0012_asset_aliases']);
        const { id: aliasId } = await t.db.insertInto('asset_alias').values({ name: 'exports', group: 'asset' }).returning('id').executeTakeFirstOrThrow();
        await assert.rejects(t.db.insertInto('asset_alias').values({ name: 'exports', group: 'asset' }).execute(), 'alias names are unique');
        await t.db.insertInto('asset_alias_asset').values({ alias_id: aliasId, asset_id: assetId }).execute();
        await t.db.deleteFrom('dataset').where('id', '=', assetId).execute();
        assert.deepEqual(await t.db.selectFrom('asset_alias_asset').selectAll().execute(), [], 'a deleted asset leaves no link');
        assert.deepEqual(await migrateToLatest(t.db), []);
      } finally {
        await t.drop();
      }
    });
  });
}
