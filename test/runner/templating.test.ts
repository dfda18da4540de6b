import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BaseOperator, BashOperator, dag, FunctionOperator, task, type BaseOperatorOptions, type TaskContext } from '../../src/sdk/index.ts';
import { run } from './helpers.ts';

describe('templated BashOperator', () => {
  test('renders ds, params, dag_run.conf, ti.xcom_pull and macros in the command', async () => {
    const d = dag({ id: 'bash_templates', params: { x: 'param-x' } }, () => {
      const a = task('a', async () => 'from-a')();
      const bash = new BashOperator({
        taskId: 'bash',
        bashCommand: "echo \"{{ ds }}|{{ params.x }}|{{ dag_run.conf.k }}|{{ ti.xcom_pull(task_ids='a') }}|{{ macros.ds_add(ds, 1) }}|{{ ds_nodash }}\"",
      });
      a.then(bash);
    });
    const r = await run(d, { conf: { k: 'conf-k' } });
    assert.equal(r.states.bash, 'success');
    assert.equal(r.returned('bash'), '2024-03-10|param-x|conf-k|from-a|2024-03-11|20240310');
    assert.ok(r.lines.some((l) => l.includes('Running command: echo "2024-03-10|param-x|conf-k|from-a|2024-03-11|20240310"')));
  });

  test('renders the env values, and env replaces the inherited environment except PATH', async () => {
    process.env.BATON_TEST_INHERITED = 'leaked';
    try {
      const d = dag({ id: 'bash_env', params: { who: 'world' } }, () => {
        new BashOperator({ taskId: 'greet', bashCommand: 'echo "$GREETING ${BATON_TEST_INHERITED:-clean}"', env: { GREETING: 'hello {{ params.who }} on {{ ds }}' } });
      });
      const r = await run(d);
      assert.equal(r.returned('greet'), 'hello world on 2024-03-10 clean');
    } finally {
      delete process.env.BATON_TEST_INHERITED;
    }
  });

  test('appendEnv adds env to the inherited environment', async () => {
    process.env.BATON_TEST_INHERITED = 'kept';
    try {
      const d = dag({ id: 'bash_append_env' }, () => {
        new BashOperator({ taskId: 'b', bashCommand: 'echo "$EXTRA $BATON_TEST_INHERITED"', env: { EXTRA: 'extra' }, appendEnv: true });
      });
      assert.equal((await run(d)).returned('b'), 'extra kept');
    } finally {
      delete process.env.BATON_TEST_INHERITED;
    }
  });

  test('the last line of stdout is the return value; stderr does not count', async () => {
    const d = dag({ id: 'bash_last_line' }, () => {
      new BashOperator({ taskId: 'b', bashCommand: 'echo first; echo second; echo oops >&2' });
    });
    const r = await run(d);
    assert.equal(r.returned('b'), 'second');
    assert.ok(r.lines.some((l) => l.includes('WARN') && l.includes('oops')));
  });

  const exits: Array<{ code: number; skipOnExitCode?: number | number[]; state: string }> = [
    { code: 99, state: 'skipped' },
    { code: 1, state: 'failed' },
    { code: 2, skipOnExitCode: [2, 3], state: 'skipped' },
    { code: 99, skipOnExitCode: 2, state: 'failed' },
    { code: 0, state: 'success' },
  ];
  for (const e of exits) {
    test(`a command exiting ${e.code}${e.skipOnExitCode !== undefined ? ` with skipOnExitCode ${JSON.stringify(e.skipOnExitCode)}` : ''} ends ${e.state}`, async () => {
      const d = dag({ id: 'bash_exit' }, () => {
        new BashOperator({ taskId: 'b', bashCommand: `exit ${e.code}`, skipOnExitCode: e.skipOnExitCode, retries: 0 });
      });
      const r = await run(d);
      assert.equal(r.states.b, e.state);
      if (e.state === 'failed') assert.match(r.tis[0]!.error!, new RegExp(`non-zero exit code ${e.code}`));
    });
  }

  test('a bash command failing is retried like any failure', async () => {
    const d = dag({ id: 'bash_retry' }, () => {
      new BashOperator({ taskId: 'b', bashCommand: 'exit 1', retries: 1 });
    });
    const r = await run(d);
    assert.equal(r.states.b, 'failed');
    assert.equal(r.tries.b, 2);
  });

  test('task.bash runs the command its function returns, rendered as a template', async () => {
    const d = dag({ id: 'task_bash', params: { x: 'px' } }, () => {
      task.bash('b', async (_: void, ctx) => `echo run-${ctx.ds}-{{ params.x }}-{{ macros.ds_add(ds, -1) }}`)();
    });
    assert.equal((await run(d)).returned('b'), 'run-2024-03-10-px-2024-03-09');
  });

  test('a syntax error in a template fails the task with a message naming the problem', async () => {
    const d = dag({ id: 'bash_bad_template' }, () => {
      new BashOperator({ taskId: 'b', bashCommand: 'echo {{ ds ' });
    });
    const r = await run(d);
    assert.equal(r.states.b, 'failed');
    assert.match(r.tis[0]!.error!, /Syntax error in template "echo \{\{ ds "/);
  });
});

class Greeting extends BaseOperator<string> {
  static override templateFields = ['message', 'recipients'] as const;
  message: string;
  recipients: string[];
  readonly untouched: string;
  constructor(o: BaseOperatorOptions & { message: string; recipients: string[]; untouched: string }) {
    super(o);
    this.message = o.message;
    this.recipients = o.recipients;
    this.untouched = o.untouched;
  }
  execute(): string {
    return `${this.message} -> ${this.recipients.join(',')} (${this.untouched})`;
  }
}

describe('templated fields of custom operators', () => {
  test('a BaseOperator subclass has the fields named in its static templateFields rendered, and only those', async () => {
    let op: Greeting | undefined;
    const d = dag({ id: 'custom_operator', params: { who: 'team' } }, () => {
      op = new Greeting({ taskId: 'greet', message: 'hello {{ params.who }}', recipients: ['{{ ds }}', 'x-{{ run_id }}'], untouched: '{{ ds }}' });
    });
    const r = await run(d, { runId: 'manual_run' });
    assert.equal(r.returned('greet'), 'hello team -> 2024-03-10,x-manual_run ({{ ds }})');
    assert.equal(op!.message, 'hello {{ params.who }}', 'the operator as written is not modified');
  });

  test('FunctionOperator renders opArgs and opKwargs and ctx.render renders ad-hoc templates', async () => {
    const d = dag({ id: 'function_operator' }, () => {
      new FunctionOperator({
        taskId: 'f',
        opArgs: ['{{ ds }}'],
        opKwargs: { tomorrow: '{{ macros.ds_add(ds, 1) }}' },
        fn: (ctx: TaskContext, day: unknown, kwargs: unknown) => [day, (kwargs as { tomorrow: string }).tomorrow, ctx.render('{{ ts }}')],
      });
    });
    assert.deepEqual((await run(d)).returned('f'), ['2024-03-10', '2024-03-11', '2024-03-10T00:00:00+00:00']);
  });
});
