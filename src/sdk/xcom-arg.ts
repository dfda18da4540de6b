/**
 * A reference to a value a task will produce (an XCom). Passing it into another task creates
 * the edge and carries the value; its type parameter carries the value's type, so wiring a
 * string output into a number input is a compile error.
 */
import type { BaseOperator } from './base-operator.ts';
import { link, type Linkable, type TaskLike } from './relations.ts';

export const RETURN_VALUE = 'return_value';

export class XComArg<T> implements TaskLike {
  /** Phantom: the type of the value. Never set at run time. */
  declare readonly __valueType?: T;

  constructor(
    readonly operator: BaseOperator,
    readonly key: string = RETURN_VALUE,
  ) {}

  get taskId(): string {
    return this.operator.taskId;
  }

  /** One key of a task with `multipleOutputs` (Airflow's `output["key"]`). */
  get<K extends keyof T & string>(key: K): XComArg<T[K]> {
    return new XComArg<T[K]>(this.operator, key);
  }

  then<L extends Linkable>(other: L): L {
    link(this, other);
    return other;
  }

  after(...others: Linkable[]): this {
    for (const o of others) link(o, this);
    return this;
  }

  rootOperators(): BaseOperator[] {
    return [this.operator];
  }
  leafOperators(): BaseOperator[] {
    return [this.operator];
  }
}

export function isXComArg(v: unknown): v is XComArg<unknown> {
  return v instanceof XComArg;
}

/**
 * What a task input accepts: the value itself, a reference to an upstream value of the same
 * type, or (for objects and arrays) a structure whose members are such references.
 */
export type Wire<T> =
  | XComArg<T>
  | (T extends Date ? T : T extends readonly (infer E)[] ? T | Wire<E>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T);

/** Every XComArg inside a wired value (walks plain objects and arrays). */
export function collectXComArgs(value: unknown, out: XComArg<unknown>[] = []): XComArg<unknown>[] {
  if (value instanceof XComArg) out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectXComArgs(v, out);
  else if (isPlainObject(value)) for (const v of Object.values(value)) collectXComArgs(v, out);
  return out;
}

/** Replaces every XComArg inside a wired value by what `resolve` returns for it. */
export async function resolveWired(value: unknown, resolve: (arg: XComArg<unknown>) => Promise<unknown>): Promise<unknown> {
  if (value instanceof XComArg) return resolve(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveWired(v, resolve)));
  if (isPlainObject(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveWired(v, resolve)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
