/**
 * ExternalTaskSensor: waits for a task of another DAG (or that DAG's whole run, when
 * `externalTaskId` is null) at the same logical date, shifted by `executionDelta`, to reach
 * one of `allowedStates`. One of `failedStates` fails the sensor (skips it with softFail).
 * Deferrable through the `externalTask` trigger.
 */
import { parseDuration } from '../../core/timetable/duration.ts';
import type { TaskContext } from '../context.ts';
import { DagDefinitionError, SkipTask } from '../errors.ts';
import type { Duration } from '../task-options.ts';
import { BaseSensor, type BaseSensorOptions } from './base-sensor.ts';
import type { SensorTrigger } from './trigger-event.ts';

/** ExternalTaskSensor options. */
export interface ExternalTaskSensorOptions extends BaseSensorOptions {
  externalDagId: string;
  /** The task to wait for; null (the default) waits for the DAG run itself. */
  externalTaskId?: string | null;
  /** States that end the wait successfully. Default ["success"]. */
  allowedStates?: string[];
  /** States that fail the sensor. Default ["failed"]. */
  failedStates?: string[];
  /** Look at the run this long before this run's logical date. Default 0. */
  executionDelta?: Duration;
  /** How often the triggerer checks the state when deferred. Default: the poke interval. */
  triggerPollInterval?: Duration;
}

/** Waits for another DAG's task (or run) to reach an allowed state (Airflow's ExternalTaskSensor). */
export class ExternalTaskSensor extends BaseSensor<boolean> {
  static override templateFields = ['externalDagId', 'externalTaskId'] as const;
  static override uiColor = '#4db7db';
  externalDagId: string;
  externalTaskId: string | null;
  readonly allowedStates: readonly string[];
  readonly failedStates: readonly string[];
  /** Seconds. */
  readonly executionDelta: number;
  /** Seconds. */
  readonly triggerPollInterval: number;

  constructor(o: ExternalTaskSensorOptions) {
    super(o);
    const where = `ExternalTaskSensor '${this.taskId}'`;
    if (typeof o.externalDagId !== 'string' || o.externalDagId === '') throw new DagDefinitionError(`${where}: externalDagId must be a non-empty string`);
    if (o.externalTaskId !== undefined && o.externalTaskId !== null && (typeof o.externalTaskId !== 'string' || o.externalTaskId === '')) {
      throw new DagDefinitionError(`${where}: externalTaskId must be a task id, or null to wait for the whole DAG run`);
    }
    this.externalDagId = o.externalDagId;
    this.externalTaskId = o.externalTaskId ?? null;
    this.allowedStates = states(where, 'allowedStates', o.allowedStates ?? ['success']);
    this.failedStates = states(where, 'failedStates', o.failedStates ?? ['failed']);
    const overlap = this.allowedStates.filter((s) => this.failedStates.includes(s));
    if (overlap.length) throw new DagDefinitionError(`${where}: ${overlap.join(', ')} cannot be both an allowed and a failed state`);
    try {
      this.executionDelta = o.executionDelta === undefined ? 0 : parseDuration(o.executionDelta, `${where} executionDelta`);
      this.triggerPollInterval = o.triggerPollInterval === undefined ? this.pokeInterval : parseDuration(o.triggerPollInterval, `${where} triggerPollInterval`);
    } catch (e) {
      throw new DagDefinitionError((e as Error).message);
    }
  }

  /** The logical date of the external run to look at. */
  externalLogicalDate(ctx: TaskContext): Date {
    return new Date(ctx.logicalDate.getTime() - this.executionDelta * 1000);
  }

  async poke(ctx: TaskContext): Promise<boolean> {
    const logicalDate = this.externalLogicalDate(ctx);
    const what = this.externalTaskId === null ? `DAG ${this.externalDagId}` : `${this.externalDagId}.${this.externalTaskId}`;
    ctx.log.info(`Poking for ${what} on ${logicalDate.toISOString()} ...`);
    const state = await ctx.externalState({ dagId: this.externalDagId, taskId: this.externalTaskId, logicalDate });
    if (state !== null && this.failedStates.includes(state)) {
      const message = `The external ${this.externalTaskId === null ? 'DAG run' : 'task'} ${what} on ${logicalDate.toISOString()} is ${state}.`;
      if (this.softFail) throw new SkipTask(message);
      throw new Error(message);
    }
    return state !== null && this.allowedStates.includes(state);
  }

  override trigger(ctx: TaskContext): SensorTrigger {
    return {
      kind: 'externalTask',
      kwargs: {
        dagId: this.externalDagId,
        taskId: this.externalTaskId,
        logicalDate: this.externalLogicalDate(ctx).toISOString(),
        allowedStates: [...this.allowedStates],
        failedStates: [...this.failedStates],
        pollInterval: this.triggerPollInterval,
      },
    };
  }
}

function states(where: string, name: string, v: unknown): string[] {
  if (!Array.isArray(v) || (v.length === 0 && name === 'allowedStates') || !v.every((s) => typeof s === 'string')) {
    throw new DagDefinitionError(`${where}: ${name} must be a list of states${name === 'allowedStates' ? ' (at least one)' : ''}`);
  }
  return [...v];
}
