/**
 * ConditionSensor: waits until a function of the task context returns true (Airflow's
 * PythonSensor). It pokes in its worker or, in reschedule mode, between reschedules; it cannot
 * be deferrable, because the triggerer never runs user code.
 */
import type { TaskContext } from '../context.ts';
import { DagDefinitionError } from '../errors.ts';
import { BaseSensor, type BaseSensorOptions, type PokeResult } from './base-sensor.ts';

/** ConditionSensor options. */
export interface ConditionSensorOptions<R> extends BaseSensorOptions {
  /** Returns true when the wait is over, or `{ done, xcomValue }` to also give the task's result. */
  condition: (ctx: TaskContext) => PokeResult<R> | Promise<PokeResult<R>>;
}

/** Waits until `condition(ctx)` holds (Airflow's PythonSensor). */
export class ConditionSensor<R = boolean> extends BaseSensor<R> {
  static override uiColor = '#ffefeb';
  readonly condition: ConditionSensorOptions<R>['condition'];

  constructor(o: ConditionSensorOptions<R>) {
    if (o.deferrable) {
      throw new DagDefinitionError(
        `ConditionSensor '${o.taskId}' cannot be deferrable: its condition is user code, and user code never runs in the triggerer. Use mode: 'reschedule' to free its worker slot between pokes.`,
      );
    }
    super(o);
    if (typeof o.condition !== 'function') throw new DagDefinitionError(`ConditionSensor '${this.taskId}': condition must be a function`);
    this.condition = o.condition;
  }

  poke(ctx: TaskContext): PokeResult<R> | Promise<PokeResult<R>> {
    ctx.log.info('Poking the condition');
    return this.condition(ctx);
  }
}
