/** Reading a trigger's JSON arguments, with errors that name the trigger and the argument. */

/** Reads typed arguments of the trigger `kind`; each getter throws a TypeError when the value does not fit. */
export function kwargsReader(kind: string, kwargs: Record<string, unknown>) {
  const bad = (name: string, what: string) => new TypeError(`trigger '${kind}': ${name} must be ${what} (got ${JSON.stringify(kwargs[name])})`);
  return {
    string(name: string): string {
      const v = kwargs[name];
      if (typeof v !== 'string' || v === '') throw bad(name, 'a non-empty string');
      return v;
    },
    stringOrNull(name: string): string | null {
      const v = kwargs[name];
      if (v === null || v === undefined) return null;
      if (typeof v !== 'string' || v === '') throw bad(name, 'a non-empty string or null');
      return v;
    },
    instant(name: string): Date {
      const v = kwargs[name];
      const d = typeof v === 'string' ? new Date(v) : null;
      if (!d || Number.isNaN(d.getTime())) throw bad(name, 'an ISO-8601 time');
      return d;
    },
    /** Seconds, at least `min`; `fallback` when absent. */
    seconds(name: string, fallback: number, min = 0): number {
      const v = kwargs[name];
      if (v === undefined || v === null) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw bad(name, `a number of seconds ≥ ${min}`);
      return v;
    },
    boolean(name: string, fallback: boolean): boolean {
      const v = kwargs[name];
      if (v === undefined || v === null) return fallback;
      if (typeof v !== 'boolean') throw bad(name, 'true or false');
      return v;
    },
    strings(name: string, fallback: string[]): string[] {
      const v = kwargs[name];
      if (v === undefined || v === null) return fallback;
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(name, 'a list of strings');
      return v as string[];
    },
  };
}
