/** Sensors: tasks that wait for a condition (a file, a time, another DAG's task, a function). */
export { BaseSensor, RESUME_METHOD, type BaseSensorOptions, type PokeResult } from './base-sensor.ts';
export { SENSOR_DEFAULTS, type SensorMode, type SensorOptions } from './sensor-options.ts';
export { asTriggerEvent, type SensorTrigger, type TriggerEvent } from './trigger-event.ts';
export { FileSensor, type FileSensorOptions } from './file-sensor.ts';
export { DateTimeSensor, TimeDeltaSensor, type DateTimeSensorOptions, type TimeDeltaSensorOptions } from './time-sensors.ts';
export { ExternalTaskSensor, type ExternalTaskSensorOptions } from './external-task-sensor.ts';
export { ConditionSensor, type ConditionSensorOptions } from './condition-sensor.ts';
