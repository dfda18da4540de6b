/**
 * LatestOnlyOperator: in a scheduled run that is not the most recent one, skips its direct
 * downstream tasks. Manually triggered runs always continue (as in Airflow).
 */
import { nextDagRunInfo } from '../../core/timetable/index.ts';
import { BaseOperator } from '../base-operator.ts';
import type { TaskContext } from '../context.ts';
import type { SkipDirective, SkipsDownstream } from '../skip-directive.ts';

export class LatestOnlyOperator extends BaseOperator<boolean> implements SkipsDownstream {
  static override uiColor = '#e9ffdb';

  /** Returns true when downstream tasks should run. */
  execute(ctx: TaskContext): boolean {
    if (ctx.dagRun.externalTrigger) {
      ctx.log.info('Manually triggered run: downstream tasks run.');
      return true;
    }
    const next = nextDagRunInfo(this.dag.schedule, this.dag.timezone, {
      lastAutomatedDataInterval: { start: ctx.dataIntervalStart, end: ctx.dataIntervalEnd },
      restriction: { earliest: null, latest: null, catchup: true },
      now: new Date(),
    });
    if (!next) return true;
    const now = Date.now();
    const latest = next.dataInterval.start.getTime() < now && now <= next.dataInterval.end.getTime();
    ctx.log.info(latest ? 'Latest run: downstream tasks run.' : `Not the latest run (the latest covers ${next.dataInterval.start.toISOString()} – ${next.dataInterval.end.toISOString()}): skipping downstream tasks.`);
    return latest;
  }

  skipDirective(result: unknown): SkipDirective | null {
    return result ? null : { kind: 'skipDirect' };
  }
}
