/**
 * XCom values are JSON. Dates survive a round trip: they are written as
 * `{"__baton_type":"date","value":"<ISO>"}` and read back as Date objects.
 */
const TAG = '__baton_type';

export function encodeXCom(value: unknown): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw instanceof Date) return { [TAG]: 'date', value: raw.toISOString() };
    if (typeof v === 'bigint') throw new TypeError('XCom values must be JSON: a BigInt cannot be stored (convert it to a string or number)');
    if (typeof v === 'function') throw new TypeError(`XCom values must be JSON: a function cannot be stored (key ${JSON.stringify(key)})`);
    return v;
  });
  return text === undefined ? 'null' : text;
}

export function decodeXCom(text: string | null): unknown {
  if (text === null) return null;
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && v[TAG] === 'date' && typeof v.value === 'string') return new Date(v.value);
    return v;
  });
}
