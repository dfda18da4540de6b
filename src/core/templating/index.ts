/**
 * Jinja-compatible templating for task fields, so Airflow users' templates render the same:
 * `echo {{ ds }}`, `{{ macros.ds_add(ds, 7) }}`, `{{ ti.xcom_pull(task_ids='push') }}`, ...
 */
import type { TemplateContext } from './context.ts';
import { renderString } from './environment.ts';
import { isPlainObject } from './python.ts';

export { buildTemplateContext } from './context.ts';
export type { TemplateContext, TemplateContextInput } from './context.ts';
export type { TemplateConnectionInput, XComPullArgs } from './accessors.ts';
export { TemplateDateTime } from './datetime.ts';

export interface RenderOptions {
  /** Names the template in error messages, e.g. the task field it came from. */
  name?: string;
}

/** Renders one template string. Throws an Error naming the template on syntax or render errors. */
export function renderTemplate(template: string, ctx: TemplateContext, options: RenderOptions = {}): string {
  return renderString(template, ctx, options.name);
}

/**
 * Renders every string inside `value`, descending into arrays and plain objects (values only,
 * not keys), as Airflow renders templated fields. Other values are returned unchanged; the
 * input is not modified.
 */
export function renderFields(value: unknown, ctx: TemplateContext, options: RenderOptions = {}): unknown {
  const name = options.name;
  if (typeof value === 'string') return renderString(value, ctx, name);
  if (Array.isArray(value)) return value.map((item, i) => renderFields(item, ctx, { name: name === undefined ? undefined : `${name}[${i}]` }));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = renderFields(item, ctx, { name: name === undefined ? key : `${name}.${key}` });
    }
    return out;
  }
  return value;
}
