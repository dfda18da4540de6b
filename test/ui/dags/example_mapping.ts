/** The example mapping DAG, loaded from the examples for the mapped-task drill-down test. */
export { default } from '../../../examples/dags/example_mapping.ts';
