/** Variables and connections reach tasks from the environment first, then the metadata database, as in Airflow. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dbWorkerServices } from '../../src/scheduler/worker-services.ts';
import { setVariable } from '../../src/store/index.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';

for (const dialect of eachDialect()) {
  describe(`worker services on ${dialect.name}`, () => {
    let t: TestDb;
    const saved = { ...process.env };
    before(async () => {
      t = await dialect.open();
      await setVariable(t.db, 'region', 'eu-west');
      await setVariable(t.db, 'only_in_db', 'db-value');
      process.env.BATON_VAR_REGION = 'us-east';
      process.env.BATON_CONN_WAREHOUSE = 'postgres://etl:pw@db.example:5433/analytics?sslmode=require';
    });
    after(async () => {
      process.env = saved;
      await t?.drop();
    });

    test('a BATON_VAR_ environment variable wins over the database; other variables come from the database', async () => {
      const s = dbWorkerServices(t.db, { folder: '/nonexistent', maxInlineBytes: 1024 }, () => null);
      assert.equal(await s.getVariable('region'), 'us-east');
      assert.equal(await s.getVariable('only_in_db'), 'db-value');
      assert.equal(await s.getVariable('missing'), undefined);
      const all = await s.listVariables();
      assert.equal(all.region, 'us-east');
      assert.equal(all.only_in_db, 'db-value');
    });

    test('a BATON_CONN_ URI is a connection to tasks', async () => {
      const s = dbWorkerServices(t.db, { folder: '/nonexistent', maxInlineBytes: 1024 }, () => null);
      const c = await s.getConnection('warehouse');
      assert.deepEqual(
        c && { type: c.connType, host: c.host, port: c.port, login: c.login, password: c.password, schema: c.schema, extra: c.extra },
        { type: 'postgres', host: 'db.example', port: 5433, login: 'etl', password: 'pw', schema: 'analytics', extra: { sslmode: 'require' } },
      );
      assert.ok((await s.listConnections()).some((x) => x.connId === 'warehouse'));
    });
  });
}
