/**
 * Secrets in a real task log, through the engine (scheduler, LocalExecutor workers) on every
 * dialect: a task that logs a connection password, a sensitive variable and a sensitive extra
 * field (by logger, console and stderr) leaves `***` in its log file, while ordinary values stay
 * readable. The values are stored encrypted and decrypted for the task.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { tryLogPath } from '../../src/scheduler/log-path.ts';
import { generateFernetKey, KeyRing } from '../../src/security/encryption.ts';
import { useKeyRing } from '../../src/security/keys.ts';
import { secureStore } from '../../src/security/secure-store.ts';
import { getConnection, getVariable } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const files = {
  'leaky.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'leaky', schedule: null }, () => {
  task('leak', async (_: void, ctx) => {
    const conn = await ctx.connections.get('warehouse');
    const key = await ctx.variables.get('vendor_api_key');
    const region = await ctx.variables.get('region');
    ctx.log.info('connecting as ' + conn!.login + ' with password ' + conn!.password);
    console.log('vendor key is', key);
    process.stderr.write('extra token: ' + String(conn!.extra.token) + '\\n');
    ctx.log.info('region is ' + region);
    ctx.log.info(JSON.stringify({ pw: conn!.password }));
    return 'done';
  })();
});`,
};

const ring = new KeyRing(generateFernetKey());

for (const dialect of eachDialect()) {
  describe(`secrets in task logs on ${dialect.name}`, () => {
    let h: EngineHarness;
    before(async () => {
      useKeyRing(ring);
      h = await startHarness(dialect, files);
      const store = secureStore(h.db, ring);
      await store.upsertConnection({ connId: 'warehouse', connType: 'postgres', host: 'wh.internal', login: 'etl', password: 'Sup3r-S3cret-Pw', extra: JSON.stringify({ token: 'extra-tok-999', sslmode: 'require' }) });
      await store.setVariable('vendor_api_key', 'vk-live-abcdef');
      await store.setVariable('region', 'eu-central-1');
    });
    after(async () => {
      await h?.stop();
      useKeyRing(null);
    });

    test('the log shows *** for the password, the sensitive variable and the extra token', async () => {
      assert.equal((await getConnection(h.db, 'warehouse'))?.password?.includes('Sup3r'), false);
      assert.equal((await getVariable(h.db, 'vendor_api_key'))?.isEncrypted, true);
      const runId = await h.trigger('leaky');
      assert.equal(await h.waitForRun('leaky', runId, 30_000), 'success');
      const log = readFileSync(tryLogPath(h.config.logsFolder, { dagId: 'leaky', runId, taskId: 'leak', mapIndex: -1, tryNumber: 1 }), 'utf8');
      for (const secret of ['Sup3r-S3cret-Pw', 'vk-live-abcdef', 'extra-tok-999']) assert.equal(log.includes(secret), false, `${secret} leaked:\n${log}`);
      assert.match(log, /INFO - connecting as etl with password \*\*\*/);
      assert.match(log, /STDOUT - vendor key is \*\*\*/);
      assert.match(log, /STDERR - extra token: \*\*\*/);
      assert.match(log, /INFO - region is eu-central-1/);
      assert.match(log, /INFO - \{"pw":"\*\*\*"\}/);
    });
  });
}
