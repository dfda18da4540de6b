/**
 * Two DAGs linked both ways, as with Airflow's ExternalTaskSensor and ExternalTaskMarker:
 *   example_external_task_marker_child waits (sensor) for the parent's `mark_child` at the same
 *   logical date; the parent's `mark_child` marker points back at the child's sensor, so
 *   clearing the parent's run (or its `extract` with downstream, recursively) clears the child's
 *   sensor and its downstream tasks too, and both DAGs run again.
 * Trigger both at the same logical date, e.g.
 *   baton dags trigger example_external_task_marker_parent -e 2024-01-01
 *   baton dags trigger example_external_task_marker_child -e 2024-01-01
 * then clear the parent's run: `baton tasks clear example_external_task_marker_parent -s 2024-01-01 -e 2024-01-01 -y`.
 */
import { dag, EmptyOperator, ExternalTaskMarker, ExternalTaskSensor } from 'baton';

export const parent = dag({ id: 'example_external_task_marker_parent', schedule: null, startDate: '2024-01-01', tags: ['example'] }, () => {
  new EmptyOperator({ taskId: 'extract' }).then(
    new ExternalTaskMarker({ taskId: 'mark_child', externalDagId: 'example_external_task_marker_child', externalTaskId: 'wait_for_parent' }),
  );
});

export const child = dag({ id: 'example_external_task_marker_child', schedule: null, startDate: '2024-01-01', tags: ['example'] }, () => {
  new ExternalTaskSensor({
    taskId: 'wait_for_parent',
    externalDagId: 'example_external_task_marker_parent',
    externalTaskId: 'mark_child',
    mode: 'reschedule',
    pokeInterval: '5s',
    timeout: '10m',
  }).then(new EmptyOperator({ taskId: 'load' }));
});
