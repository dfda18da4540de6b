/** Pure timetable logic: parsing schedules and computing run dates and data intervals. */
export { dataIntervalsBetween } from './backfill.ts';
export { CRON_PRESETS, coversEveryHour, validateCronExpression } from './cron-expression.ts';
export { cronStepper } from './cron-stepper.ts';
export { aliasNames, datasetUris, evaluateDatasetCondition, validateDatasetCondition } from './dataset-condition.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { intervalStepper } from './interval-stepper.ts';
export { inferAutomatedDataInterval, inferManualDataInterval, nextDagRunInfo, stepperFor } from './next-run.ts';
export { describeSchedule, parseSchedule } from './schedule.ts';
export type { ScheduleInput } from './schedule.ts';
export { assertTimeZone, fromWallTime, toWallTime, utcOffsetAt } from './time-zone.ts';
export { exactRunInfo, intervalRunInfo } from './types.ts';
export type { DagRunInfo, DataInterval, IntervalStepper, NextDagRunArgs, TimeRestriction } from './types.ts';
