import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { notify, SlackWebhookNotifier, slackNotifier, slackWebhookUrl, SmtpNotifier, smtpNotifier } from '../../src/providers/notify/index.ts';
import { dag, task } from '../../src/sdk/index.ts';
import { runDag, startHttpServer, startSmtpServer, withEnv } from './support.ts';

type Server = Awaited<ReturnType<typeof startHttpServer>>;

describe('Slack webhook notifier', () => {
  let slack: Server;
  let status = 200;
  before(async () => {
    slack = await startHttpServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'invalid_token');
    });
  });
  after(() => slack.close());

  test('as an onSuccess callback it posts the templated text, reading an upstream XCom, to the connection\'s webhook', async () => {
    slack.requests.length = 0;
    const restore = withEnv({ BATON_CONN_SLACK_ALERTS: JSON.stringify({ conn_type: 'slackwebhook', host: `${slack.url}/services`, password: 'T000/B000/XXXX' }) });
    try {
      const d = dag({ id: 'train_model', schedule: null }, () => {
        const evaluate = task('evaluate', async () => ({ f1: 0.87, accuracy: 0.9 }));
        const report = task(
          { taskId: 'report', onSuccess: slackNotifier({ connId: 'slack_alerts', text: "Model of {{ dag.dag_id }} on {{ ds }}: F1 {{ ti.xcom_pull(task_ids='evaluate')['f1'] }}" }) },
          async (metrics: { f1: number }) => metrics.f1 > 0.8,
        );
        report(evaluate());
      });
      const run = await runDag(d);
      assert.equal(run.state, 'success', run.lines.join('\n'));
      assert.equal(slack.requests.length, 1);
      const [req] = slack.requests;
      assert.equal(req!.method, 'POST');
      assert.equal(req!.url, '/services/T000/B000/XXXX');
      assert.equal(req!.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(req!.body), { text: 'Model of train_model on 2024-03-01: F1 0.87' });
      assert.ok(run.lines.some((l) => l.includes('Notification sent by Slack webhook')));
    } finally {
      restore();
    }
  });

  test('as an onFailure callback the message can include the exception, and the task stays failed', async () => {
    slack.requests.length = 0;
    const d = dag({ id: 'failing', schedule: null }, () => {
      task({ taskId: 'load', onFailure: slackNotifier({ webhookUrl: `${slack.url}/hook`, text: ':x: {{ ti.task_id }} failed: {{ exception }}', username: 'baton' }) }, async () => {
        throw new Error('source table is empty');
      })();
    });
    const run = await runDag(d);
    assert.equal(run.stateOf('load'), 'failed');
    assert.deepEqual(JSON.parse(slack.requests[0]!.body), { text: ':x: load failed: source table is empty', username: 'baton' });
  });

  test('a delivery error in a callback is logged clearly, without the webhook token, and does not change the task state', async () => {
    status = 403;
    try {
      const d = dag({ id: 'undelivered', schedule: null }, () => {
        task({ taskId: 'work', onSuccess: slackNotifier({ webhookUrl: `${slack.url}/services/SECRET/TOKEN`, text: 'done' }) }, async () => 1)();
      });
      const run = await runDag(d);
      assert.equal(run.stateOf('work'), 'success');
      const line = run.lines.find((l) => l.includes('not delivered'));
      assert.ok(line, run.lines.join('\n'));
      assert.match(line!, /ERROR +Notification by Slack webhook was not delivered \(the task's state is unchanged\): the Slack webhook at http:\/\/127\.0\.0\.1:\d+ answered 403 Forbidden: invalid_token; check the webhook URL or token/);
      assert.ok(!run.lines.join('\n').includes('SECRET'), 'the token stays out of the log');
    } finally {
      status = 200;
    }
  });

  test('notify() sends as a task of its own, after its upstream, reading its XCom', async () => {
    slack.requests.length = 0;
    const d = dag({ id: 'announce', schedule: null }, () => {
      const evaluate = task('evaluate', async () => ({ f1: 0.91 }));
      evaluate().then(notify({ taskId: 'announce', notifier: new SlackWebhookNotifier({ webhookUrl: `${slack.url}/x`, text: "F1 = {{ ti.xcom_pull(task_ids='evaluate')['f1'] }}" }) }));
    });
    const run = await runDag(d);
    assert.equal(run.stateOf('announce'), 'success', run.lines.join('\n'));
    assert.deepEqual(JSON.parse(slack.requests[0]!.body), { text: 'F1 = 0.91' });
  });

  test('as a task, a delivery failure fails the task', async () => {
    status = 500;
    try {
      const d = dag({ id: 'announce_fail', schedule: null }, () => {
        notify({ taskId: 'announce', notifier: new SlackWebhookNotifier({ webhookUrl: `${slack.url}/x`, text: 'hi' }) });
      });
      const run = await runDag(d);
      assert.equal(run.stateOf('announce'), 'failed');
      assert.match(run.tis[0]!.error!, /the Slack webhook at http:\/\/127\.0\.0\.1:\d+ answered 500/);
    } finally {
      status = 200;
    }
  });

  test('the webhook URL is read from a connection as Airflow stores it', () => {
    const base = { connId: 's', connType: 'slackwebhook', login: null, schema: null, port: null, extra: {} };
    assert.equal(slackWebhookUrl({ ...base, host: 'https://hooks.slack.com/services', password: 'T/B/X' }), 'https://hooks.slack.com/services/T/B/X');
    assert.equal(slackWebhookUrl({ ...base, host: null, password: 'https://hooks.slack.com/services/T/B/X' }), 'https://hooks.slack.com/services/T/B/X');
    assert.equal(slackWebhookUrl({ ...base, host: 'hooks.slack.com', schema: 'services', password: 'T/B/X' }), 'https://hooks.slack.com/services/T/B/X');
    assert.throws(() => slackWebhookUrl({ ...base, host: null, password: null }), /connection 's' holds no Slack webhook URL/);
  });
});

describe('SMTP notifier', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  before(async () => (smtp = await startSmtpServer()));
  after(() => smtp.close());

  test('delivers a templated email through an smtp connection: recipients, from, subject and body', async () => {
    smtp.messages.length = 0;
    const restore = withEnv({
      BATON_CONN_SMTP_LOCAL: JSON.stringify({ conn_type: 'smtp', host: '127.0.0.1', port: smtp.port, extra: { from_email: 'baton@example.com', disable_ssl: true, disable_tls: true } }),
    });
    try {
      const d = dag({ id: 'mail_report', schedule: null }, () => {
        const evaluate = task('evaluate', async () => ({ f1: 0.87 }));
        const done = task(
          {
            taskId: 'done',
            onSuccess: smtpNotifier({
              connId: 'smtp_local',
              to: ['ml-team@example.com', 'lead@example.com'],
              subject: "[baton] {{ dag.dag_id }}: F1 {{ ti.xcom_pull(task_ids='evaluate')['f1'] }}",
              text: 'Run {{ run_id }} finished.\nF1 is {{ ti.xcom_pull(task_ids="evaluate")["f1"] }}.',
              html: "<p>F1 is <b>{{ ti.xcom_pull(task_ids='evaluate')['f1'] }}</b></p>",
            }),
          },
          async () => 'ok',
        );
        evaluate().then(done());
      });
      const run = await runDag(d);
      assert.equal(run.state, 'success', run.lines.join('\n'));
      assert.equal(smtp.messages.length, 1, run.lines.join('\n'));
      const mail = smtp.messages[0]!;
      assert.equal(mail.from, 'baton@example.com');
      assert.deepEqual(mail.to, ['ml-team@example.com', 'lead@example.com']);
      assert.match(mail.raw, /^Subject: \[baton\] mail_report: F1 0\.87\r$/m);
      assert.match(mail.raw, /^To: ml-team@example\.com, lead@example\.com\r$/m);
      assert.ok(mail.raw.includes(`Run ${run.runId} finished.\r\nF1 is 0.87.`), mail.raw);
      assert.ok(mail.raw.includes('<p>F1 is <b>0.87</b></p>'), mail.raw);
    } finally {
      restore();
    }
  });

  test('as a task with host and port given directly', async () => {
    smtp.messages.length = 0;
    const d = dag({ id: 'mail_task', schedule: null }, () => {
      notify({ taskId: 'mail', notifier: new SmtpNotifier({ host: '127.0.0.1', port: smtp.port, ignoreTls: true, from: 'ops@example.com', to: 'me@example.com', subject: 'Daily run {{ ds }}', text: 'All good.' }) });
    });
    const run = await runDag(d);
    assert.equal(run.state, 'success', run.lines.join('\n'));
    assert.equal(smtp.messages[0]!.from, 'ops@example.com');
    assert.match(smtp.messages[0]!.raw, /^Subject: Daily run 2024-03-01\r$/m);
    assert.match(smtp.messages[0]!.raw, /\r\n\r\nAll good\.\r\n$/);
  });

  test('an unreachable server is logged by the callback and the task keeps its state', async () => {
    const closed = await startHttpServer(() => {});
    const port = closed.port;
    await closed.close();
    const d = dag({ id: 'mail_down', schedule: null }, () => {
      task({ taskId: 'work', onSuccess: smtpNotifier({ host: '127.0.0.1', port, to: 'me@example.com', subject: 's', text: 't', timeoutMs: 2000 }) }, async () => 1)();
    });
    const run = await runDag(d);
    assert.equal(run.stateOf('work'), 'success');
    assert.ok(run.lines.some((l) => /Notification by email \(SMTP\) was not delivered \(the task's state is unchanged\): the SMTP server 127\.0\.0\.1:\d+ did not accept the email: .*ECONNREFUSED.*; check the host, port, TLS settings and credentials/.test(l)), run.lines.join('\n'));
  });

  test('options are checked when the notifier is created', () => {
    assert.throws(() => new SmtpNotifier({ to: [], subject: 's', text: 't', host: 'h' }), /at least one recipient/);
    assert.throws(() => new SmtpNotifier({ to: 'a@b.c', subject: 's', host: 'h' }), /needs a body: give html, text or both/);
    assert.throws(() => new SmtpNotifier({ to: 'a@b.c', subject: 's', text: 't' }), /needs host \(and port\) or connId/);
    assert.throws(() => new SlackWebhookNotifier({ text: 'x' }), /needs webhookUrl or connId/);
  });
});
