import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { partsFromDate, strftime, strptime, pendulumFormat } from '../../../src/core/templating/strftime.ts';
import { TemplateDateTime } from '../../../src/core/templating/datetime.ts';
import { dsAdd, dsFormat } from '../../../src/core/templating/macros.ts';
import { renderTemplate } from '../../../src/core/templating/index.ts';
import { pyJsonDumps, pyRepr } from '../../../src/core/templating/python.ts';
import { makeContext } from './fixture.ts';

const FMT = '%a %A %w %u %d %e %b %B %m %y %Y %H %I %p %M %S %f %z %Z %j %U %W %G %V %-d %-m %-H %c %x %X %%';

describe('strftime matches CPython on Linux', () => {
  // Expected strings produced by CPython's datetime.strftime with tzinfo=timezone.utc.
  const cases: Array<[string, string, string]> = [
    ['new year 2024', '2024-01-01T00:00:00Z', 'Mon Monday 1 1 01  1 Jan January 01 24 2024 00 12 AM 00 00 000000 +0000 UTC 001 00 01 2024 01 1 1 0 Mon Jan  1 00:00:00 2024 01/01/24 00:00:00 %'],
    ['last second of 2023', '2023-12-31T23:59:59.5Z', 'Sun Sunday 0 7 31 31 Dec December 12 23 2023 23 11 PM 59 59 500000 +0000 UTC 365 53 52 2023 52 31 12 23 Sun Dec 31 23:59:59 2023 12/31/23 23:59:59 %'],
    ['leap day', '2024-02-29T13:05:09Z', 'Thu Thursday 4 4 29 29 Feb February 02 24 2024 13 01 PM 05 09 000000 +0000 UTC 060 08 09 2024 09 29 2 13 Thu Feb 29 13:05:09 2024 02/29/24 13:05:09 %'],
    ['ISO week belongs to the previous year', '2021-01-03T07:00:00Z', 'Sun Sunday 0 7 03  3 Jan January 01 21 2021 07 07 AM 00 00 000000 +0000 UTC 003 01 00 2020 53 3 1 7 Sun Jan  3 07:00:00 2021 01/03/21 07:00:00 %'],
  ];
  for (const [name, iso, expected] of cases) {
    test(name, () => assert.equal(strftime(partsFromDate(new Date(iso)), FMT), expected));
  }

  test('naive times print an empty %z and %Z', () => {
    assert.equal(strftime(partsFromDate(new Date('2024-01-01T00:00:00Z'), false), '[%z][%Z]'), '[][]');
  });
});

describe('strptime', () => {
  const cases: Array<[string, string, string, Partial<ReturnType<typeof strptime>>]> = [
    ['ISO date', '2024-01-05', '%Y-%m-%d', { year: 2024, month: 1, day: 5, hour: 0 }],
    ['unpadded day and two-digit year', '5/1/24', '%d/%m/%y', { year: 2024, month: 1, day: 5 }],
    ['month names and 12-hour clock', 'Jan 5 2024 3PM', '%b %d %Y %I%p', { month: 1, day: 5, hour: 15 }],
    ['day of year', '2024-060', '%Y-%j', { month: 2, day: 29 }],
    ['fraction and offset', '20240105T101112.5+0130', '%Y%m%dT%H%M%S.%f%z', { hour: 10, minute: 11, second: 12, microsecond: 500000, offsetMinutes: 90 }],
    ['two-digit years before 69 are 20xx', '68', '%y', { year: 2068 }],
    ['two-digit years from 69 are 19xx', '69', '%y', { year: 1969 }],
  ];
  for (const [name, text, fmt, expected] of cases) {
    test(name, () => {
      const parts = strptime(text, fmt);
      for (const [k, v] of Object.entries(expected)) assert.equal(parts[k as keyof typeof parts], v, k);
    });
  }

  const errors: Array<[string, string, string, RegExp]> = [
    ['text that does not match', '2024/01/05', '%Y-%m-%d', /does not match format '%Y-%m-%d'/],
    ['leftover text', '2024-01-05x', '%Y-%m-%d', /does not match format/],
    ['a day past the month end', '2023-02-29', '%Y-%m-%d', /day is out of range for month/],
    ['an unknown directive', '2024', '%Q', /'Q' is a bad directive/],
  ];
  for (const [name, text, fmt, message] of errors) {
    test(`rejects ${name}`, () => assert.throws(() => strptime(text, fmt), message));
  }
});

describe('macros', () => {
  const add: Array<[string, unknown[], string]> = [
    ['adds days', ['2024-01-01', 7], '2024-01-08'],
    ['subtracts days', ['2024-03-01', -1], '2024-02-29'],
    ['zero days returns the input as is', ['whatever', 0], 'whatever'],
    ['crosses a year', ['2023-12-31', 1], '2024-01-01'],
    ['accepts days as a keyword', ['2024-01-01', { days: 2, __keywords: true }], '2024-01-03'],
  ];
  for (const [name, args, expected] of add) test(`ds_add ${name}`, () => assert.equal(dsAdd(...args), expected));

  const format: Array<[string, unknown[], string]> = [
    ['reformats a date', ['2015-01-05', '%Y-%m-%d', '%m-%d-%y'], '01-05-15'],
    ['reads compact dates', ['20150105', '%Y%m%d', '%Y-%m-%d'], '2015-01-05'],
    ['writes month names', ['1/5/2015', '%m/%d/%Y', '%d %B %Y'], '05 January 2015'],
  ];
  for (const [name, args, expected] of format) test(`ds_format ${name}`, () => assert.equal(dsFormat(...args), expected));

  const ctx = makeContext();
  const rendered: Array<[string, string, RegExp | string]> = [
    ['uuid.uuid4() prints a v4 UUID', '{{ macros.uuid.uuid4() }}', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/],
    ['uuid4().hex has no dashes', '{{ macros.uuid4().hex }}', /^[0-9a-f]{32}$/],
    ['random() is in [0, 1)', '{{ macros.random() < 1 and macros.random() >= 0 }}', 'True'],
    ['json.dumps keeps key order and Python separators', "{{ macros.json.dumps({'b': 1, 'a': [1, 2]}) }}", '{"b": 1, "a": [1, 2]}'],
    ['json.dumps sort_keys and indent', "{{ macros.json.dumps({'b': 1, 'a': 2}, indent=1, sort_keys=True) }}", '{\n "a": 2,\n "b": 1\n}'],
    ['json.loads parses', "{{ macros.json.loads('{\"a\": [5]}').a[0] }}", '5'],
    ['ds_format with a keyword', "{{ macros.ds_format(ds, '%Y-%m-%d', output_format='%Y%m') }}", '202401'],
  ];
  for (const [name, template, expected] of rendered) {
    test(name, () => {
      const out = renderTemplate(template, ctx);
      if (expected instanceof RegExp) assert.match(out, expected);
      else assert.equal(out, expected);
    });
  }
});

describe('TemplateDateTime', () => {
  const dt = new TemplateDateTime(new Date('2024-01-31T10:20:30.250Z'));
  const cases: Array<[string, () => unknown, unknown]> = [
    ['str() uses a space, like pendulum 3', () => String(dt), '2024-01-31 10:20:30.250000+00:00'],
    ['isoformat()', () => dt.isoformat(), '2024-01-31T10:20:30.250000+00:00'],
    ['fields', () => [dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond], [2024, 1, 31, 10, 20, 30, 250000]],
    ['int_timestamp', () => dt.int_timestamp, 1706696430],
    ['weekday() / isoweekday()', () => [dt.weekday(), dt.isoweekday()], [2, 3]],
    ['add months clamps to the month end', () => dt.add({ months: 1, __keywords: true }).to_date_string(), '2024-02-29'],
    ['add positional years', () => dt.add(1).to_date_string(), '2025-01-31'],
    ['subtract hours', () => dt.subtract({ hours: 11, __keywords: true }).to_datetime_string(), '2024-01-30 23:20:30'],
    ['replace(day=1)', () => dt.replace({ day: 1, __keywords: true }).to_date_string(), '2024-01-01'],
    ['start_of month', () => dt.start_of('month').isoformat(), '2024-01-01T00:00:00+00:00'],
    ['start_of week is Monday', () => dt.start_of('week').to_date_string(), '2024-01-29'],
    ['end_of day', () => dt.end_of('day').isoformat(), '2024-01-31T23:59:59.999000+00:00'],
    ['to_iso8601_string uses Z', () => dt.to_iso8601_string(), '2024-01-31T10:20:30.250000Z'],
    ['pendulum format tokens', () => dt.format('YYYY-MM-DD HH:mm:ss [at] Do MMM dddd Z'), '2024-01-31 10:20:30 at 31st Jan Wednesday +00:00'],
    ['JSON is ISO 8601', () => JSON.stringify({ d: dt }), '{"d":"2024-01-31T10:20:30.250000+00:00"}'],
    ['compares by instant', () => dt > new TemplateDateTime(new Date('2024-01-01T00:00:00Z')), true],
  ];
  for (const [name, fn, expected] of cases) test(name, () => assert.deepEqual(fn(), expected));

  test('pendulumFormat on naive parts leaves offsets empty', () => {
    assert.equal(pendulumFormat(partsFromDate(new Date(0), false), 'YY[Z]ZZ'), '70Z');
  });
});

describe('Python value printing', () => {
  const cases: Array<[string, unknown, string]> = [
    ['quotes strings with single quotes', ['a', "it's"], `['a', "it's"]`],
    ['escapes control characters', ['a\nb'], "['a\\nb']"],
    ['nests dicts', { a: { b: [true, null] } }, "{'a': {'b': [True, None]}}"],
  ];
  for (const [name, value, expected] of cases) test(`repr ${name}`, () => assert.equal(pyRepr(value), expected));

  test('json.dumps escapes non-ASCII like ensure_ascii', () => assert.equal(pyJsonDumps({ k: 'é' }), '{"k": "\\u00e9"}'));
});
