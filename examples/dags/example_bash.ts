/**
 * Bash operators with Jinja templates, as in Airflow's tutorial: `{{ ds }}`, macros, params,
 * a templated environment, and a retry policy from defaultArgs.
 */
import { BashOperator, dag, param } from 'baton';

export default dag(
  {
    id: 'example_bash',
    description: 'A simple tutorial DAG',
    schedule: '@daily',
    startDate: '2024-01-01',
    catchup: false,
    tags: ['example'],
    defaultArgs: { retries: 1, retryDelay: '5m', owner: 'data-team' },
    params: { myParam: param('Parameter I passed in', { type: 'string' }) },
  },
  () => {
    const printDate = new BashOperator({ taskId: 'print_date', bashCommand: 'date' });

    const sleep = new BashOperator({ taskId: 'sleep', bashCommand: 'sleep 1', retries: 3 });

    const templated = new BashOperator({
      taskId: 'templated',
      bashCommand: [
        '{% for i in range(3) %}',
        '  echo "{{ ds }}"',
        '  echo "{{ macros.ds_add(ds, 7) }}"',
        '{% endfor %}',
        'echo "{{ params.myParam }}"',
        'echo "run $RUN_ID"',
      ].join('\n'),
      env: { RUN_ID: '{{ run_id }}' },
      appendEnv: true,
    });

    printDate.then([sleep, templated]);
  },
);
