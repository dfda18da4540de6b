/**
 * Baton's authoring SDK: what a DAG file imports from "baton".
 */
export { dag, Dag, isDag, type DagOptions, type ScheduleInput } from './dag.ts';
export { task, TaskFlowOperator, type TaskFlow, type TaskFlowOptions, type TaskOutput, type TaskArgs, type ExpandArgs, type MappedTaskBuilder } from './taskflow.ts';
export { BaseOperator, type BaseOperatorOptions } from './base-operator.ts';
export { XComArg, type Wire } from './xcom-arg.ts';
export { chain, crossDownstream, type Linkable, type TaskLike } from './relations.ts';
export { taskGroup, TaskGroup, type TaskGroupOptions } from './task-group.ts';
export { Dataset, DatasetAll, DatasetAny, type DatasetLike } from './dataset.ts';
export { Asset, AssetAlias, AssetAll, AssetAny, AssetDefinition, asset, isAssetDefinition, type AssetLike, type AssetOptions, type AssetDefinitionOptions } from './asset.ts';
export { param, type Param, type ParamInput } from './params.ts';
export { SkipTask, FailTask, DagDefinitionError, TaskTimeoutError } from './errors.ts';
export type { TaskContext, TaskInstanceHandle, TaskLogger, XComPullOptions, DagRunInfoView, ConnectionView } from './context.ts';
export type { TaskOptions, DefaultArgs, Duration, TaskCallback } from './task-options.ts';
export type { SkipDirective } from './skip-directive.ts';
export { BashOperator, type BashOperatorOptions } from './operators/bash.ts';
export { FunctionOperator, BranchOperator, ShortCircuitOperator, type FunctionOperatorOptions, type ShortCircuitOperatorOptions } from './operators/function.ts';
export { EmptyOperator } from './operators/empty.ts';
export { ExternalTaskMarker, type ExternalTaskMarkerOptions } from './operators/external-task-marker.ts';
export { LatestOnlyOperator } from './operators/latest-only.ts';
export { TriggerDagRunOperator, type TriggerDagRunOptions, type TriggerDagRunRequest } from './operators/trigger-dag-run.ts';
export { TriggerRule, WeightRule } from '../core/trigger-rule.ts';
export { TaskInstanceState, DagRunState, DagRunType } from '../core/states.ts';
export {
  BaseSensor, FileSensor, TimeDeltaSensor, DateTimeSensor, ExternalTaskSensor, ConditionSensor,
  type BaseSensorOptions, type PokeResult, type SensorMode, type SensorOptions, type SensorTrigger, type TriggerEvent,
  type FileSensorOptions, type TimeDeltaSensorOptions, type DateTimeSensorOptions, type ExternalTaskSensorOptions, type ConditionSensorOptions,
} from './sensors/index.ts';
export { SensorTimeout } from './errors.ts';
export type { ExternalStateQuery, AssetAliasEventAccessor, AssetEventExtra, OutletEventAccessors } from './context.ts';
