/**
 * dataops and mlops (examples/dags) through the real engine: loading and validating the Made
 * With ML data starts mlops through the labeled_projects dataset, which tunes, trains,
 * evaluates, registers and promotes a model and notifies Slack and email; a weaker model takes
 * the `regressed` branch; corrupted input stops dataops at validation and starts nothing.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqlLiteral, withDuckDb } from '../../src/providers/duckdb/index.ts';
import { eachDialect } from '../support/databases.ts';
import { startHttpServer, startSmtpServer } from '../providers/support.ts';
import { DATA_DIR, failures, runToEnd, startPipelines, type PipelineHarness } from './support.ts';

type Http = Awaited<ReturnType<typeof startHttpServer>>;
type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

const slackTexts = (slack: Http) => slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);

for (const dialect of eachDialect()) {
  describe(`dataops then mlops on ${dialect.name}`, () => {
    let p: PipelineHarness;
    let slack: Http;
    let smtp: Smtp;
    let mlopsRun: string;

    before(async () => {
      slack = await startHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
      smtp = await startSmtpServer();
      p = await startPipelines(dialect, ['dataops', 'mlops']);
      await p.connection('slack_default', { connType: 'slackwebhook', password: `${slack.url}/services/T000/B000/XXXX` });
      await p.connection('smtp_default', { connType: 'smtp', host: '127.0.0.1', port: smtp.port, extra: { disable_ssl: true, disable_tls: true, from_email: 'baton@example.com' } });
      await p.variable('notify_email', 'ml-team@example.com');
    });
    after(async () => {
      await p?.stop();
      await slack?.close();
      await smtp?.close();
    });

    test('dataops loads, validates and labels the projects; its dataset event starts mlops, which registers and promotes a model', async () => {
      const dataops = await runToEnd(p, 'dataops');
      assert.equal(dataops.state, 'success', await failures(p, 'dataops', dataops.runId));
      const states = await p.states('dataops', dataops.runId);
      assert.ok(Object.values(states).every((s) => s === 'success'), JSON.stringify(states));
      assert.deepEqual(Object.keys(states).sort(), ['inputs_validated', 'label', 'load_projects', 'load_tags', 'locate', 'prepare_warehouse', 'publish', 'validate_labeled', 'validate_projects', 'validate_tags']);
      assert.deepEqual(await p.xcom('dataops', dataops.runId, 'publish'), { 'computer-vision': 285, mlops: 63, 'natural-language-processing': 310, other: 106 });

      // The dataset event creates exactly one mlops run.
      const [run, ...more] = await p.waitForRuns('mlops', 1, 60_000);
      assert.equal(more.length, 0);
      mlopsRun = run!.run_id;
      assert.equal(run!.run_type, 'dataset_triggered');
      assert.equal(run!.state, 'success', await failures(p, 'mlops', mlopsRun));
      const ml = await p.states('mlops', mlopsRun);
      assert.deepEqual(ml, {
        decide: 'success', evaluate: 'success', extract: 'success', improved: 'success', locate: 'success', notify: 'success',
        'optimize[0]': 'success', 'optimize[1]': 'success', 'optimize[2]': 'success', 'optimize[3]': 'success',
        pick_best: 'success', promote: 'success', register: 'success', regressed: 'skipped', report: 'skipped',
        split: 'success', sweep_settings: 'success', train: 'success', validate: 'success',
      });

      // The registry: version 1, in production, with its holdout metrics.
      const versions = await p.versions('tag_classifier');
      assert.equal(versions.length, 1);
      assert.equal(versions[0]!.stage, 'production');
      assert.equal(versions[0]!.source_run_id, mlopsRun);
      const f1 = versions[0]!.metrics.holdout_f1!;
      assert.ok(f1 > 0.85 && f1 <= 1, `holdout F1 ${f1}`);
      assert.ok(versions[0]!.metrics.holdout_accuracy! > 0.85);
      const evaluation = await p.xcom<{ holdout: { f1: number; support: number }; production: null; improved: boolean }>('mlops', mlopsRun, 'evaluate');
      assert.equal(evaluation!.holdout.support, 191);
      assert.equal(evaluation!.holdout.f1, f1);
      assert.equal(evaluation!.production, null, 'no production model before: counts as improved');

      // Tracking: one sweep try per setting with its params and validation metrics; the model artifact.
      const db = p.h.db;
      const sweep = await db.selectFrom('ml_metric').select(['map_index', 'value']).where('run_id', '=', mlopsRun).where('task_id', '=', 'optimize').where('key', '=', 'val_f1').orderBy('map_index').execute();
      assert.deepEqual(sweep.map((m) => m.map_index), [0, 1, 2, 3]);
      assert.ok(sweep.every((m) => m.value > 0.7 && m.value <= 1));
      const names = await db.selectFrom('ml_param').select(['map_index', 'value']).where('run_id', '=', mlopsRun).where('task_id', '=', 'optimize').where('key', '=', 'name').orderBy('map_index').execute();
      assert.deepEqual(names.map((n) => JSON.parse(n.value)), ['unigrams', 'bigrams', 'trigrams', 'bigrams_l2_1e-3']);
      const best = await db.selectFrom('ml_param').select('value').where('run_id', '=', mlopsRun).where('task_id', '=', 'pick_best').where('key', '=', 'best').executeTakeFirstOrThrow();
      const bestF1 = Math.max(...sweep.map((m) => m.value));
      assert.equal(JSON.parse(best.value), JSON.parse(names[sweep.findIndex((m) => m.value === bestF1)]!.value), 'pick_best chose the setting with the best validation F1');
      const artifacts = await db.selectFrom('ml_artifact').select(['task_id', 'name', 'object_key']).where('run_id', '=', mlopsRun).execute();
      const model = artifacts.find((a) => a.task_id === 'train' && a.name === 'model.json');
      assert.ok(model, JSON.stringify(artifacts));
      const stored = JSON.parse(await readFile(join(p.home, 'artifacts', model.object_key), 'utf8')) as { format: string; labels: string[] };
      assert.equal(stored.format, 'baton.text-classifier');
      assert.deepEqual(stored.labels, ['computer-vision', 'mlops', 'natural-language-processing', 'other']);

      // Notifications went to the configured Slack webhook and SMTP server.
      const promoted = slackTexts(slack).filter((t) => t.includes('promoted to production'));
      assert.equal(promoted.length, 1, JSON.stringify(slackTexts(slack)));
      assert.match(promoted[0]!, /^\*tag_classifier version 1 promoted to production\*\nHoldout weighted F1 0\.\d{4} \(first production version\)\. Run /);
      assert.equal(slack.requests[0]!.url, '/services/T000/B000/XXXX');
      const mail = smtp.messages.find((m) => m.raw.includes('promoted to production'));
      assert.ok(mail, `${smtp.messages.length} email(s)`);
      assert.deepEqual(mail.to, ['ml-team@example.com']);
      assert.equal(mail.from, 'baton@example.com');

      // The warehouse holds the labelled projects.
      const rows = await p.query('SELECT count(*) AS n, count(DISTINCT tag) AS tags, count(*) FILTER (WHERE arrived_at IS NULL) AS base FROM labeled_projects');
      assert.deepEqual(rows, [{ n: 764, tags: 4, base: 764 }]);
    });

    if (dialect.name !== 'sqlite') return;

    test('a weaker model (maxTrainRows 40) takes the regressed branch: a report, a notification, the registry unchanged', async () => {
      const before = slack.requests.length;
      const { runId, state } = await runToEnd(p, 'mlops', { maxTrainRows: 40 });
      assert.equal(state, 'success', await failures(p, 'mlops', runId));
      const s = await p.states('mlops', runId);
      assert.deepEqual([s.decide, s.improved, s.register, s.promote, s.regressed, s.report, s.notify], ['success', 'skipped', 'skipped', 'skipped', 'success', 'success', 'success']);
      const evaluation = await p.xcom<{ holdout: { f1: number }; production: { version: number; f1: number }; improved: boolean }>('mlops', runId, 'evaluate');
      assert.equal(evaluation!.improved, false);
      assert.equal(evaluation!.production.version, 1);
      assert.ok(evaluation!.holdout.f1 < evaluation!.production.f1 - 0.1, JSON.stringify(evaluation));

      const versions = await p.versions('tag_classifier');
      assert.deepEqual(versions.map((v) => [v.version, v.stage]), [[1, 'production']], 'nothing registered, version 1 still serves');
      const report = await p.h.db.selectFrom('ml_artifact').select('object_key').where('run_id', '=', runId).where('task_id', '=', 'report').where('name', '=', 'regression_report.json').executeTakeFirstOrThrow();
      const body = JSON.parse(await readFile(join(p.home, 'artifacts', report.object_key), 'utf8')) as { candidate: { trainRows: number }; production: { version: number }; f1Delta: number };
      assert.equal(body.candidate.trainRows, 40);
      assert.equal(body.production.version, 1);
      assert.ok(body.f1Delta < 0);
      const texts = slackTexts(slack).slice(before);
      assert.equal(texts.length, 1, JSON.stringify(texts));
      assert.match(texts[0]!, /^\*tag_classifier: new model not promoted\*\nHoldout weighted F1 0\.\d{4} does not beat production version 1 \(0\.\d{4}\)\. Report: file:\/\//);
    });

    test('corrupted input (duplicate ids, null titles) fails validate_projects; nothing downstream runs and mlops does not start', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'baton-corrupted-'));
      try {
        // A copy of projects.csv where row 4 repeats the id of row 3 and row 6 has no title.
        await withDuckDb(':memory:', (h) =>
          h.run(`COPY (
            SELECT CASE WHEN n = 4 THEN lag(id) OVER (ORDER BY n) ELSE id END AS id, created_on,
                   CASE WHEN n = 6 THEN NULL ELSE title END AS title, description
            FROM (SELECT *, row_number() OVER () AS n FROM read_csv(${sqlLiteral(join(DATA_DIR, 'projects.csv'))}, header = true)) ORDER BY n
          ) TO ${sqlLiteral(join(dir, 'projects.csv'))} (HEADER)`),
        );
        await copyFile(join(DATA_DIR, 'tags.csv'), join(dir, 'tags.csv'));
        const mlopsBefore = (await p.runs('mlops')).length;
        const slackBefore = slack.requests.length;

        const { runId, state } = await runToEnd(p, 'dataops', { dataDir: dir });
        assert.equal(state, 'failed');
        const s = await p.states('dataops', runId);
        assert.equal(s.validate_projects, 'failed');
        assert.equal(s.validate_tags, 'success');
        for (const t of ['inputs_validated', 'label', 'validate_labeled', 'publish']) assert.equal(s[t], 'upstream_failed', `${t}: ${s[t]}`);
        const ti = await p.h.db.selectFrom('task_instance').select(['try_number']).where('run_id', '=', runId).where('task_id', '=', 'validate_projects').executeTakeFirstOrThrow();
        assert.equal(ti.try_number, 1);

        const report = await p.xcom<{ success: boolean; results: Array<{ success: boolean; expectation: { expectationType: string; column?: string }; unexpectedCount: number | null }> }>('dataops', runId, 'validate_projects');
        const failed = report!.results.filter((r) => !r.success).map((r) => `${r.expectation.expectationType}(${r.expectation.column}) ${r.unexpectedCount}`);
        assert.deepEqual(failed, ['expect_column_values_to_be_unique(id) 2', 'expect_column_values_to_not_be_null(title) 1']);

        // No dataset event: mlops does not start.
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal((await p.runs('mlops')).length, mlopsBefore);
        // The failure callback announced it.
        const texts = slackTexts(slack).slice(slackBefore);
        assert.equal(texts.length, 1, JSON.stringify(texts));
        assert.match(texts[0]!, /^\*dataops: task validate_projects failed\*\nRun .*, try 1: validation of table raw\.projects with suite 'projects' failed: 2 of 11 expectations not met/);
        // labeled_projects still holds the last good data.
        assert.deepEqual(await p.query('SELECT count(*) AS n FROM labeled_projects'), [{ n: 764 }]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
