import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolveParams, validateParamSpecs } from '../../src/core/params.ts';
import type { ParamSpec } from '../../src/core/serialized-dag.ts';

type Specs = Record<string, ParamSpec>;

describe('resolveParams: accepted values', () => {
  const cases: Array<[string, Specs, Record<string, unknown> | null | undefined, Record<string, unknown>]> = [
    ['defaults are used without conf', { n: { default: 5, type: 'integer' } }, null, { n: 5 }],
    ['undefined conf behaves like no conf', { n: { default: 5 } }, undefined, { n: 5 }],
    ['conf overrides a default', { n: { default: 5, type: 'integer' } }, { n: 9 }, { n: 9 }],
    ['conf keys that are not params are ignored', { n: { default: 5 } }, { other: 'x' }, { n: 5 }],
    ['a param without default takes its conf value', { name: { type: 'string' } }, { name: 'ada' }, { name: 'ada' }],
    ['a null default is allowed when the type allows null', { x: { default: null, type: ['null', 'string'] } }, {}, { x: null }],
    ['a param without a type accepts anything', { any: { default: { deep: [1, 'a'] } } }, null, { any: { deep: [1, 'a'] } }],
    ['enum values pass', { env: { default: 'dev', enum: ['dev', 'prod'] } }, { env: 'prod' }, { env: 'prod' }],
    ['formats are checked', { day: { default: '2024-01-01', type: 'string', format: 'date' } }, null, { day: '2024-01-01' }],
    ['objects with required properties pass', { cfg: { default: { a: 1 }, type: 'object', required: ['a'], properties: { a: { type: 'integer' } } } }, null, { cfg: { a: 1 } }],
    ['array items are checked', { xs: { default: ['a'], type: 'array', items: { type: 'string' } } }, null, { xs: ['a'] }],
    ['annotation keywords are allowed', { x: { default: 1, description: 'd', title: 't' } }, null, { x: 1 }],
  ];
  for (const [name, specs, conf, expected] of cases) {
    test(name, () => assert.deepEqual(resolveParams(specs, conf), { ok: true, params: expected }));
  }
});

describe('resolveParams: rejected values', () => {
  const cases: Array<[string, Specs, Record<string, unknown> | null, RegExp]> = [
    ['a missing required param', { x: { type: 'string' } }, null, /^param 'x' is required: give it a default or pass it in the run's conf$/],
    ['a wrong type', { n: { default: 1, type: 'integer' } }, { n: 'one' }, /^param 'n': must be integer \(got "one"\)$/],
    ['above the maximum', { n: { default: 1, maximum: 10 } }, { n: 11 }, /^param 'n': must be <= 10 \(got 11\)$/],
    ['below the minimum', { n: { default: 1, minimum: 0 } }, { n: -1 }, /must be >= 0/],
    ['too short', { s: { default: 'abc', minLength: 3 } }, { s: 'a' }, /must NOT have fewer than 3 characters/],
    ['too long', { s: { default: 'a', maxLength: 2 } }, { s: 'abc' }, /must NOT have more than 2 characters/],
    ['a pattern mismatch', { s: { default: 'a1', pattern: '^[a-z][0-9]$' } }, { s: '11' }, /must match pattern/],
    ['a bad format', { e: { default: 'a@b.co', type: 'string', format: 'email' } }, { e: 'nope' }, /must match format "email"/],
    ['a value outside the enum lists the choices', { env: { default: 'dev', enum: ['dev', 'prod'] } }, { env: 'qa' }, /allowed values \["dev","prod"\] \(got "qa"\)/],
    ['a nested property error gives its path', { cfg: { default: { a: 1 }, type: 'object', properties: { a: { type: 'integer' } } } }, { cfg: { a: 'x' } }, /^param 'cfg' at \/a: must be integer \(got "x"\)$/],
    ['a missing required property', { cfg: { default: { a: 1 }, type: 'object', required: ['a'] } }, { cfg: {} }, /must have required property 'a'/],
    ['a bad array item', { xs: { default: [], type: 'array', items: { type: 'string' } } }, { xs: ['a', 2] }, /at \/1: must be string/],
    ['a null where null is not allowed', { s: { default: 'a', type: 'string' } }, { s: null }, /must be string \(got null\)/],
    ['a non-JSON conf value', { d: { default: 'a' } }, { d: new Date(0) }, /the value is not JSON \(Date\)/],
  ];
  for (const [name, specs, conf, message] of cases) {
    test(name, () => {
      const result = resolveParams(specs, conf);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.errors.some((e) => message.test(e)), result.errors.join('\n'));
    });
  }

  test('every bad param is reported, not just the first', () => {
    const result = resolveParams({ a: { type: 'string' }, b: { default: 1, type: 'string' }, c: { default: 'ok' } }, {});
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.errors.length, 2);
  });
});

describe('validateParamSpecs', () => {
  const cases: Array<[string, Specs, RegExp[]]> = [
    ['valid specs give no errors', { a: { default: 1, type: 'integer', minimum: 0 }, b: { type: 'string' } }, []],
    ['a default that breaks its own schema', { a: { default: -1, type: 'integer', minimum: 0 } }, [/^param 'a': must be >= 0 \(got -1\); the default must satisfy the param's own schema$/]],
    ['an unknown keyword', { a: { default: 1, maximun: 3 } as ParamSpec }, [/^param 'a': invalid schema \(strict mode: unknown keyword: "maximun"\)/]],
    ['an unknown keyword inside items', { a: { default: [], type: 'array', items: { typ: 'string' } } }, [/unknown keyword: "typ"/]],
    ['an unknown format', { a: { default: 'x', type: 'string', format: 'colour' } }, [/unknown format "colour"/]],
    ['an invalid type name', { a: { default: 1, type: 'float' as 'number' } }, [/invalid schema/]],
    ['a spec that is not an object', { a: 3 as unknown as ParamSpec }, [/the spec must be an object/]],
    ['a missing default is fine at load time', { a: { type: 'string' } }, []],
  ];
  for (const [name, specs, expected] of cases) {
    test(name, () => {
      const errors = validateParamSpecs(specs);
      assert.equal(errors.length, expected.length, errors.join('\n'));
      expected.forEach((re, i) => assert.match(errors[i], re));
    });
  }

  test('equal schemas share one compiled validator across calls', () => {
    const specs: Specs = { a: { default: 1, type: 'integer' } };
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) resolveParams(specs, { a: i });
    assert.ok(performance.now() - t0 < 500, 'validators do not look cached');
  });
});
