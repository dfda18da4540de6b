/** Cron presets and validation of 5-field cron expressions. */
import { Cron, CronPattern } from 'croner';

/** Airflow's cron presets, plus the common aliases @annually and @midnight. */
export const CRON_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
});

const HINT =
  'write five fields "minute hour day-of-month month day-of-week", for example "30 2 * * *" (every day at 02:30), ' +
  `or a preset: ${Object.keys(CRON_PRESETS).join(', ')}, @once, @continuous`;

/** Collapses runs of whitespace so equal expressions compare equal. */
export function normalizeCronExpression(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}

/** Croner reads "?" as "now"; cron (and croniter) read it as "*". */
function toCronerPattern(expression: string): string {
  return expression.replace(/\?/g, '*');
}

/**
 * Checks a 5-field cron expression and returns it with whitespace normalized.
 * @throws Error naming the expression, saying what is wrong and showing an example.
 */
export function validateCronExpression(expression: string): string {
  const normalized = normalizeCronExpression(expression);
  const fields = normalized === '' ? 0 : normalized.split(' ').length;
  if (fields !== 5) {
    throw new Error(`Invalid cron expression ${JSON.stringify(expression)}: it has ${fields} field(s); ${HINT}`);
  }
  let cron: Cron;
  try {
    cron = compileCron(normalized);
  } catch (e) {
    const reason = (e as Error).message.replace(/^CronPattern:\s*/, '');
    throw new Error(`Invalid cron expression ${JSON.stringify(expression)}: ${reason}; ${HINT}`);
  }
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw new Error(
      `Cron expression ${JSON.stringify(expression)} never matches a date (like February 30th); check its day-of-month and month fields`,
    );
  }
  return normalized;
}

/**
 * A croner job that evaluates `expression` on wall times (naive datetimes encoded as UTC).
 * It never runs anything: it only answers next/previous match questions.
 */
export function compileCron(expression: string): Cron {
  return new Cron(toCronerPattern(expression), { utcOffset: 0, mode: '5-part', paused: true });
}

/**
 * Whether the expression matches every hour of the day (its hour field expands to 0-23), which
 * Airflow treats specially around daylight-saving changes.
 */
export function coversEveryHour(expression: string): boolean {
  const pattern = new CronPattern(toCronerPattern(expression), undefined, { mode: '5-part' });
  return pattern.hour.every((flag) => flag !== 0);
}
