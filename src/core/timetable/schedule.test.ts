import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleSpec } from '../serialized-dag.ts';
import { describeSchedule, parseSchedule } from './schedule.ts';
import type { ScheduleInput } from './schedule.ts';

describe('parseSchedule', () => {
  const cases: Array<[string, ScheduleInput, ScheduleSpec]> = [
    ['null means manual runs only', null, { kind: 'none' }],
    ['undefined means manual runs only', undefined, { kind: 'none' }],
    ['@once', '@once', { kind: 'once' }],
    ['@continuous', '@continuous', { kind: 'continuous' }],
    ['@hourly', '@hourly', { kind: 'cron', expression: '0 * * * *', preset: '@hourly' }],
    ['@daily', '@daily', { kind: 'cron', expression: '0 0 * * *', preset: '@daily' }],
    ['@midnight', '@midnight', { kind: 'cron', expression: '0 0 * * *', preset: '@midnight' }],
    ['@weekly', '@weekly', { kind: 'cron', expression: '0 0 * * 0', preset: '@weekly' }],
    ['@monthly', '@monthly', { kind: 'cron', expression: '0 0 1 * *', preset: '@monthly' }],
    ['@quarterly', '@quarterly', { kind: 'cron', expression: '0 0 1 */3 *', preset: '@quarterly' }],
    ['@yearly', '@yearly', { kind: 'cron', expression: '0 0 1 1 *', preset: '@yearly' }],
    ['@annually', '@annually', { kind: 'cron', expression: '0 0 1 1 *', preset: '@annually' }],
    ['presets ignore case', '@Daily', { kind: 'cron', expression: '0 0 * * *', preset: '@daily' }],
    ['a cron string', '30 2 * * 1-5', { kind: 'cron', expression: '30 2 * * 1-5' }],
    ['a cron string with names', '0 9 * JAN MON', { kind: 'cron', expression: '0 9 * JAN MON' }],
    ['a cron string with extra spaces', '  */15   * * * * ', { kind: 'cron', expression: '*/15 * * * *' }],
    ['every as a string', { every: '1h' }, { kind: 'interval', seconds: 3600 }],
    ['every as seconds', { every: 90 }, { kind: 'interval', seconds: 90 }],
    ['every with mixed units', { every: '1h30m' }, { kind: 'interval', seconds: 5400 }],
    ['a normalized cron spec', { kind: 'cron', expression: '0 0 * * *', preset: '@daily' }, { kind: 'cron', expression: '0 0 * * *', preset: '@daily' }],
    ['a normalized interval spec', { kind: 'interval', seconds: 60 }, { kind: 'interval', seconds: 60 }],
    ['a normalized dataset spec', { kind: 'dataset', condition: { any: [{ uri: 's3://a' }, { all: [{ uri: 's3://b' }] }] } }, { kind: 'dataset', condition: { any: [{ uri: 's3://a' }, { all: [{ uri: 's3://b' }] }] } }],
    ['a normalized none spec', { kind: 'none' }, { kind: 'none' }],
  ];
  for (const [name, input, expected] of cases) {
    test(`reads ${name}`, () => {
      assert.deepEqual(parseSchedule(input), expected);
    });
  }

  const errors: Array<[string, unknown, RegExp]> = [
    ['an out-of-range hour', '0 25 * * *', /Invalid cron expression "0 25 \* \* \*": .*hour.*for example "30 2 \* \* \*"/],
    ['an impossible month', '0 0 1 13 *', /Invalid cron expression "0 0 1 13 \*"/],
    ['too few fields', '* * *', /Invalid cron expression "\* \* \*": it has 3 field\(s\); write five fields/],
    ['six fields', '0 0 0 * * *', /it has 6 field\(s\)/],
    ['garbage', 'every day', /Invalid cron expression "every day"/],
    ['an empty string', '', /it has 0 field\(s\)/],
    ['a date that never occurs', '0 0 30 2 *', /"0 0 30 2 \*" never matches a date/],
    ['an unknown preset', '@minutely', /Unknown schedule preset "@minutely": use one of @hourly, @daily/],
    ['a bare duration', '1h', /to run at a fixed interval write \{ every: "1h" \}/],
    ['a bad duration', { every: '1 hour' }, /schedule \{ every \}: invalid duration "1 hour"/],
    ['a zero interval', { every: 0 }, /must be longer than zero/],
    ['a non-duration every', { every: true }, /must be a duration such as "1h"/],
    ['a number', 5, /Invalid schedule 5: use null \(manual runs only\)/],
    ['a list', ['@daily'], /Invalid schedule \["@daily"\]/],
    ['an unknown kind', { kind: 'sometimes' }, /unknown schedule kind "sometimes"/],
    ['a preset that does not match its expression', { kind: 'cron', expression: '0 1 * * *', preset: '@daily' }, /preset "@daily" does not match expression "0 1 \* \* \*"/],
    ['a negative interval spec', { kind: 'interval', seconds: -5 }, /positive number of seconds, got -5/],
    ['an empty dataset list', { kind: 'dataset', condition: { all: [] } }, /dataset condition.all must be a non-empty list/],
    ['a dataset leaf without a uri', { kind: 'dataset', condition: { any: [{ uri: '' }] } }, /dataset condition.any\[0\].uri must be a non-empty string/],
  ];
  for (const [name, input, message] of errors) {
    test(`rejects ${name} with a message saying what to write`, () => {
      assert.throws(() => parseSchedule(input as ScheduleInput), message);
    });
  }
});

describe('describeSchedule', () => {
  const cases: Array<[ScheduleSpec, string]> = [
    [{ kind: 'none' }, 'None'],
    [{ kind: 'once' }, '@once'],
    [{ kind: 'continuous' }, '@continuous'],
    [{ kind: 'cron', expression: '0 0 * * *', preset: '@daily' }, '@daily'],
    [{ kind: 'cron', expression: '30 2 * * 1-5' }, '30 2 * * 1-5'],
    [{ kind: 'interval', seconds: 3600 }, 'every 1h'],
    [{ kind: 'interval', seconds: 5400 }, 'every 1h30m'],
    [{ kind: 'dataset', condition: { uri: 's3://a' } }, 'Dataset'],
  ];
  for (const [spec, text] of cases) {
    test(`summarizes ${JSON.stringify(spec)} as "${text}"`, () => {
      assert.equal(describeSchedule(spec), text);
    });
  }
});
