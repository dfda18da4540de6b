import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { renderFields, renderTemplate } from '../../../src/core/templating/index.ts';
import { makeContext } from './fixture.ts';

type Case = [name: string, template: string, expected: string | RegExp];

function table(title: string, cases: Case[], ctx = makeContext()) {
  describe(title, () => {
    for (const [name, template, expected] of cases) {
      test(name, () => {
        const out = renderTemplate(template, ctx);
        if (expected instanceof RegExp) assert.match(out, expected);
        else assert.equal(out, expected);
      });
    }
  });
}

table('Airflow template examples', [
  ['ds in a bash command', 'echo {{ ds }}', 'echo 2024-01-01'],
  ['macros.ds_add moves the date', '{{ macros.ds_add(ds, 7) }}', '2024-01-08'],
  ['params are reachable', '{{ params.my_param }}', 'hello'],
  ['xcom_pull with task_ids keyword', "{{ ti.xcom_pull(task_ids='push') }}", 'pushed'],
  ['xcom_pull of several tasks with a key', "{{ ti.xcom_pull(task_ids=['a','b'], key='k') }}", "['a-k', 'b-k']"],
  ['xcom_pull with task_ids positional', "{{ ti.xcom_pull('push') }}", 'pushed'],
  ['xcom_pull through task_instance', "{{ task_instance.xcom_pull(task_ids='a', key='k') }}", 'a-k'],
  ['xcom_pull of a missing XCom prints None', "{{ ti.xcom_pull(task_ids='missing') }}", 'None'],
  ['xcom_pull default= is used when nothing was pushed', "{{ ti.xcom_pull(task_ids='missing', default='dflt') }}", 'dflt'],
  ['xcom_pull result can be iterated', "{% for n in ti.xcom_pull(task_ids='nums') %}{{ n * 2 }} {% endfor %}", '2 4 6 '],
  ['dag_run.conf.get with a default', "{{ dag_run.conf.get('k', 'x') }}|{{ dag_run.conf.get('absent', 'x') }}", 'from-conf|x'],
  ['dag_run.conf attribute access', '{{ dag_run.conf.nested.deep }}', '1'],
  ['var.value reads a Variable', '{{ var.value.foo }}', 'bar'],
  ['var.json parses a Variable', '{{ var.json.settings.region }} {{ var.json.settings.sizes[1] }}', 'eu 2'],
  ['var.value.get falls back to a default', "{{ var.value.get('absent', 'fallback') }}", 'fallback'],
  ['var.value.get accepts default_var=', "{{ var.value.get('absent', default_var='dv') }}", 'dv'],
  ['ts_nodash', '{{ ts_nodash }}', '20240101T000000'],
  ['a for loop over params', '{% for i in params.fruits %}{{ loop.index }}={{ i }};{% endfor %}', '1=x;2=y;'],
  ['the ds filter on data_interval_end', '{{ data_interval_end | ds }}', '2024-01-02'],
  ['if / else', "{% if params.flag %}on{% else %}off{% endif %}", 'on'],
  ['set and string concatenation', "{% set p = 's3://bucket/' ~ ds_nodash %}{{ p }}/part", 's3://bucket/20240101/part'],
  ['dict items() in a loop', "{% for k, v in dag_run.conf.items() %}{{ k }};{% endfor %}", 'k;nested;'],
  ['python str.replace on ds', "{{ ds.replace('-', '/') }}", '2024/01/01'],
]);

table('context variables', [
  ['ds_nodash', '{{ ds_nodash }}', '20240101'],
  ['ts', '{{ ts }}', '2024-01-01T00:00:00+00:00'],
  ['ts_nodash_with_tz', '{{ ts_nodash_with_tz }}', '20240101T000000+0000'],
  ['yesterday and tomorrow', '{{ yesterday_ds }} {{ tomorrow_ds_nodash }}', '2023-12-31 20240102'],
  ['logical_date prints like pendulum 3', '{{ logical_date }}', '2024-01-01 00:00:00+00:00'],
  ['execution_date is the logical date', '{{ execution_date }}', '2024-01-01 00:00:00+00:00'],
  ['data interval bounds', '{{ data_interval_start.isoformat() }}/{{ data_interval_end.isoformat() }}', '2024-01-01T00:00:00+00:00/2024-01-02T00:00:00+00:00'],
  ['run_id', '{{ run_id }}', 'scheduled__2024-01-01T00:00:00+00:00'],
  ['dag_run fields', '{{ dag_run.run_id }} {{ dag_run.run_type }} {{ dag_run.logical_date | ds }} {{ dag_run.external_trigger }}', 'scheduled__2024-01-01T00:00:00+00:00 scheduled 2024-01-01 False'],
  ['dag and task ids', '{{ dag.dag_id }}.{{ task.task_id }}', 'example.report'],
  ['ti fields', '{{ ti.task_id }} {{ ti.dag_id }} {{ ti.run_id }} {{ ti.try_number }} {{ ti.map_index }}', 'report example scheduled__2024-01-01T00:00:00+00:00 1 -1'],
  ['task_instance_key_str', '{{ task_instance_key_str }}', 'example__report__20240101'],
  ['ti prints like Airflow', '{{ ti }}', '<TaskInstance: example.report scheduled__2024-01-01T00:00:00+00:00 [running]>'],
  ['dag prints like Airflow', '{{ dag }}', '<DAG: example>'],
  ['connection fields', '{{ conn.warehouse.host }}:{{ conn.warehouse.port }}/{{ conn.warehouse.schema }} {{ conn.warehouse.login }}', 'db.internal:5432/analytics etl'],
  ['connection extra_dejson', "{{ conn.warehouse.extra_dejson.sslmode }} {{ conn.warehouse.extra_dejson.get('x', 'none') }}", 'require none'],
  ['connection snake_case input', '{{ conn.snake.conn_type }} {{ conn.snake.host }} {{ conn.snake.port }}', 'http api.example.com None'],
  ['conn.get of a missing connection is None', "{{ conn.get('absent') }}", 'None'],
  ["Airflow's conf is not exposed", '[{{ conf }}]', '[]'],
  ['params.get works', "{{ params.get('limit') }} {{ params.get('absent', 3) }}", '10 3'],
]);

table('mapped task instance', [['map_index of a mapped copy', '{{ ti.map_index }} {{ ti }}', '2 <TaskInstance: example.report scheduled__2024-01-01T00:00:00+00:00 map_index=2 [running]>']], makeContext({ mapIndex: 2 }));

table('Python-style printing', [
  ['booleans print as True/False', '{{ params.flag }} {{ not params.flag }}', 'True False'],
  ['null prints as None', '{{ params.nothing }}', 'None'],
  ['lists print as Python lists', '{{ params.fruits }}', "['x', 'y']"],
  ['dicts print as Python dicts', '{{ dag_run.conf.nested }}', "{'deep': 1}"],
  ['undefined names print nothing', '[{{ nope }}][{{ nope.deeper.still }}]', '[][]'],
  ['True / False / None literals', '{{ True }} {{ False }} {{ None }}', 'True False None'],
  ['list slicing', '{{ params.fruits[1:] }}', "['y']"],
  ['autoescape is off', "{{ '<b>&' }}", '<b>&'],
  ['one trailing newline is dropped, as Jinja does', 'echo hi\n', 'echo hi'],
  ['only one trailing newline is dropped', 'echo hi\n\n', 'echo hi\n'],
  ['inner newlines are kept', 'a\nb', 'a\nb'],
]);

table('string methods', [
  ['replace replaces every occurrence', "{{ 'a-b-c'.replace('-', '') }}", 'abc'],
  ['replace with a count', "{{ 'a-b-c'.replace('-', '+', 1) }}", 'a+b-c'],
  ['split', "{{ 'a,b'.split(',') }} {{ '  a  b '.split() }}", "['a', 'b'] ['a', 'b']"],
  ['strip family', "[{{ '  x '.strip() }}][{{ 'xxyxx'.lstrip('x') }}][{{ 'xxyxx'.rstrip('x') }}]", '[x][yxx][xxy]'],
  ['upper / lower / startswith', "{{ 'Ab'.upper() }} {{ 'Ab'.lower() }} {{ 'Ab'.startswith('A') }}", 'AB ab True'],
  ['format', "{{ '{}-{}'.format(1, 2) }} {{ '{name}'.format(name='n') }}", '1-2 n'],
]);

table('filters', [
  ['tojson sorts keys and uses Python separators', '{{ dag_run.conf | tojson }}', '{"k": "from-conf", "nested": {"deep": 1}}'],
  ['tojson escapes HTML-sensitive characters', "{{ '<a>' | tojson }}", '"\\u003ca\\u003e"'],
  ['ds / ds_nodash filters', '{{ logical_date | ds }} {{ logical_date | ds_nodash }}', '2024-01-01 20240101'],
  ['ts filters', '{{ data_interval_end | ts }} {{ data_interval_end | ts_nodash }} {{ data_interval_end | ts_nodash_with_tz }}', '2024-01-02T00:00:00+00:00 20240102T000000 20240102T000000+0000'],
  ['default', "{{ nope | default('d') }} {{ '' | default('e', true) }}", 'd e'],
  ['upper / lower', "{{ 'a' | upper }}{{ 'B' | lower }}", 'Ab'],
  ['join prints items the Python way', "{{ params.fruits | join(',') }} {{ [1, true, none] | join('|') }}", 'x,y 1|True|None'],
  ['replace', "{{ ds | replace('-', '') }}", '20240101'],
  ['int', "{{ '42' | int + 1 }} {{ '3.7' | int }} {{ 'abc' | int }} {{ 'abc' | int(7) }}", '43 3 0 7'],
  ['float', "{{ '2.5' | float * 2 }} {{ 'x' | float }}", '5 0'],
  ['length', "{{ params.fruits | length }} {{ 'abcd' | length }}", '2 4'],
  ['map by filter name', "{{ params.fruits | map('upper') | join('') }}", 'XY'],
  ['string', '{{ params.flag | string }}', 'True'],
]);

describe('errors', () => {
  const ctx = makeContext();
  const cases: Array<[string, string, RegExp]> = [
    ['a syntax error gives the template and line/column', 'echo {{ ds }', /Syntax error in template "echo \{\{ ds \}": \[Line 1, Column \d+\] expected variable end$/],
    ['a syntax error on a later line', 'line one\n{% if %}', /\[Line 2, Column \d+\]/],
    ['calling an undefined function names it and the template', '{{ nope(1) }}', /Cannot render template "\{\{ nope\(1\) \}\}": .*Unable to call `nope`, which is undefined/],
    ['a missing Variable', '{{ var.value.absent }}', /Variable 'absent' does not exist/],
    ['a Variable that is not JSON', '{{ var.json.broken }}', /Variable 'broken' is not valid JSON/],
    ['a missing connection', '{{ conn.absent.host }}', /The conn_id 'absent' isn't defined/],
    ['xcom_pull from another DAG', "{{ ti.xcom_pull(task_ids='a', dag_id='other') }}", /pulling XComs from another DAG is not supported/],
    ['an unknown keyword argument', "{{ ti.xcom_pull(task='a') }}", /unexpected keyword argument 'task'/],
    ['a date filter on a non-date', "{{ 'x' | ds }}", /the 'ds' filter needs a datetime/],
  ];
  for (const [name, template, message] of cases) {
    test(name, () => assert.throws(() => renderTemplate(template, ctx), message));
  }

  test('the template name is included when given', () => {
    assert.throws(() => renderTemplate('{{ nope() }}', ctx, { name: 'bash_command' }), /template 'bash_command' "\{\{ nope\(\) \}\}"/);
  });
});

describe('renderFields', () => {
  const ctx = makeContext();
  test('renders strings nested in arrays and plain objects, keys untouched', () => {
    const input = { cmd: 'echo {{ ds }}', env: { DAY: '{{ ds_nodash }}', '{{ ds }}': 'k' }, args: ['{{ run_id }}', 3, null, true] };
    assert.deepEqual(renderFields(input, ctx), {
      cmd: 'echo 2024-01-01',
      env: { DAY: '20240101', '{{ ds }}': 'k' },
      args: ['scheduled__2024-01-01T00:00:00+00:00', 3, null, true],
    });
  });

  const untouched: Array<[string, unknown]> = [
    ['numbers', 5],
    ['null', null],
    ['booleans', false],
    ['class instances', new Date(0)],
    ['maps', new Map([['a', '{{ ds }}']])],
  ];
  for (const [name, value] of untouched) {
    test(`leaves ${name} alone`, () => assert.equal(renderFields(value, ctx), value));
  }

  test('does not modify its input', () => {
    const input = { a: ['{{ ds }}'] };
    renderFields(input, ctx);
    assert.deepEqual(input, { a: ['{{ ds }}'] });
  });

  test('errors name the field path', () => {
    assert.throws(() => renderFields({ env: { X: '{{ nope() }}' } }, ctx, { name: 'op' }), /template 'op\.env\.X'/);
  });
});

describe('isolation from other nunjucks users', () => {
  test('the Jinja runtime changes are removed after rendering', async () => {
    const { default: nunjucks } = await import('nunjucks');
    renderTemplate('{{ True }} {{ params.fruits }}', makeContext());
    const plain = new nunjucks.Environment(null, { autoescape: false });
    assert.equal(plain.renderString('[{{ True }}][{{ xs }}]', { xs: [1, 2] }), '[][1,2]');
  });
});
