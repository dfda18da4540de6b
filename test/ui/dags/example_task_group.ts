/** The example task-group DAG, loaded from the examples so the graph test draws the real one. */
export { default } from '../../../examples/dags/example_task_group.ts';
