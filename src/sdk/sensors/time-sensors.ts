/**
 * Sensors that wait for a moment: TimeDeltaSensor (a delay after the end of the run's data
 * interval) and DateTimeSensor (a given instant, templated). Both defer to the `dateTime`
 * trigger, so a deferrable one holds no worker slot while it waits.
 */
import type { TaskContext } from '../context.ts';
import type { Duration } from '../task-options.ts';
import { parseDuration } from '../../core/timetable/duration.ts';
import { DagDefinitionError } from '../errors.ts';
import { BaseSensor, type BaseSensorOptions } from './base-sensor.ts';
import type { SensorTrigger } from './trigger-event.ts';

/** Waits for one instant; subclasses say which. */
abstract class MomentSensor extends BaseSensor<boolean> {
  /** The instant to wait for in this run. */
  protected abstract moment(ctx: TaskContext): Date;

  poke(ctx: TaskContext): boolean {
    const at = this.moment(ctx);
    ctx.log.info(`Checking if the time (${at.toISOString()}) has come`);
    return Date.now() >= at.getTime();
  }

  override trigger(ctx: TaskContext): SensorTrigger {
    return { kind: 'dateTime', kwargs: { moment: this.moment(ctx).toISOString() } };
  }
}

/** TimeDeltaSensor options. */
export interface TimeDeltaSensorOptions extends BaseSensorOptions {
  /** How long after the end of the run's data interval to wait until. */
  delta: Duration;
}

/** Waits until the run's data interval end plus `delta` (Airflow's TimeDeltaSensor). */
export class TimeDeltaSensor extends MomentSensor {
  /** Seconds. */
  readonly delta: number;

  constructor(o: TimeDeltaSensorOptions) {
    super(o);
    try {
      this.delta = parseDuration(o.delta, `TimeDeltaSensor '${this.taskId}' delta`);
    } catch (e) {
      throw new DagDefinitionError((e as Error).message);
    }
  }

  protected moment(ctx: TaskContext): Date {
    return new Date(ctx.dataIntervalEnd.getTime() + this.delta * 1000);
  }
}

/** DateTimeSensor options. */
export interface DateTimeSensorOptions extends BaseSensorOptions {
  /** The instant to wait until: a Date or an ISO-8601 string with a zone. Templated, e.g. "{{ data_interval_end }}". */
  targetTime: string | Date;
}

/** Waits until `targetTime` (Airflow's DateTimeSensor). */
export class DateTimeSensor extends MomentSensor {
  static override templateFields = ['targetTime'] as const;
  targetTime: string;

  constructor(o: DateTimeSensorOptions) {
    super(o);
    if (o.targetTime instanceof Date) {
      if (Number.isNaN(o.targetTime.getTime())) throw new DagDefinitionError(`DateTimeSensor '${this.taskId}': targetTime is an invalid Date`);
      this.targetTime = o.targetTime.toISOString();
    } else if (typeof o.targetTime === 'string' && o.targetTime.trim() !== '') {
      this.targetTime = o.targetTime;
    } else {
      throw new DagDefinitionError(`DateTimeSensor '${this.taskId}': targetTime must be a Date or an ISO-8601 string`);
    }
  }

  protected moment(): Date {
    const text = this.targetTime.trim();
    const at = new Date(text);
    if (Number.isNaN(at.getTime()) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
      throw new TypeError(`DateTimeSensor '${this.taskId}': targetTime ${JSON.stringify(this.targetTime)} is not an ISO-8601 time with a zone (such as 2024-01-01T12:00:00Z)`);
    }
    return at;
  }
}
