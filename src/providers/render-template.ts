/**
 * Renders a Jinja template with a running task's full context from anywhere a `TaskContext` is
 * at hand: inside `execute`, a TaskFlow function or a callback. XComs (`ti.xcom_pull(...)`),
 * Variables (`var.value.x`) and connections (`conn.x`) are looked up on demand: the template is
 * rendered, whatever it asked for and was not known yet is fetched, and it is rendered again
 * (a lookup whose arguments come from another lookup takes one more round).
 *
 * Extra variables (e.g. upstream tables, the exception of a failure callback) can be passed
 * and are visible by name in the template. `xcom_pull(key=None)` reads the `return_value` key.
 */
import { buildTemplateContext, renderTemplate, type TemplateConnectionInput, type XComPullArgs } from '../core/templating/index.ts';
import type { TaskContext } from '../sdk/context.ts';

const MAX_ROUNDS = 5;

export interface RenderTaskTemplateOptions {
  /** Names the template in error messages (e.g. "sql of task 'join'"). */
  name?: string;
  /** Extra variables, visible by name; they shadow context variables of the same name. */
  extras?: Record<string, unknown>;
}

/** Renders `template` with `ctx`'s template context plus `extras`. */
export async function renderTaskTemplate(ctx: TaskContext, template: string, options: RenderTaskTemplateOptions = {}): Promise<string> {
  if (typeof template !== 'string') throw new TypeError(`${options.name ?? 'a template'} must be a string (got ${typeof template})`);
  const xcoms = new Map<string, unknown>();
  const variables = new Map<string, string | undefined>();
  const connections = new Map<string, TemplateConnectionInput | undefined>();

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wantXComs: XComPullArgs[] = [];
    const wantVariables: string[] = [];
    const wantConnections: string[] = [];
    const tctx = buildTemplateContext({
      logicalDate: ctx.logicalDate,
      dataIntervalStart: ctx.dataIntervalStart,
      dataIntervalEnd: ctx.dataIntervalEnd,
      runId: ctx.runId,
      runType: ctx.runType,
      dagId: ctx.dag.dagId,
      taskId: ctx.task.taskId,
      mapIndex: ctx.ti.mapIndex,
      tryNumber: ctx.ti.tryNumber,
      params: ctx.params,
      conf: ctx.conf,
      xcomPull: (args) => {
        const k = JSON.stringify(args);
        if (xcoms.has(k)) return xcoms.get(k);
        wantXComs.push(args);
        return undefined;
      },
      getVariable: (key) => {
        if (variables.has(key)) return variables.get(key);
        wantVariables.push(key);
        return undefined;
      },
      getConnection: (id) => {
        if (connections.has(id)) return connections.get(id);
        wantConnections.push(id);
        return undefined;
      },
    });
    let text: string | undefined;
    let failure: unknown;
    try {
      text = renderTemplate(template, { ...tctx, ...(options.extras ?? {}) }, { name: options.name });
    } catch (e) {
      failure = e;
    }
    if (wantXComs.length + wantVariables.length + wantConnections.length === 0) {
      if (failure !== undefined) throw failure;
      return text!;
    }
    for (const args of wantXComs) {
      const value = await ctx.ti.xcomPull({ taskIds: args.taskIds, key: args.key ?? 'return_value', mapIndexes: args.mapIndexes });
      xcoms.set(JSON.stringify(args), value);
    }
    for (const key of wantVariables) variables.set(key, await ctx.variables.get(key));
    for (const id of wantConnections) {
      const c = await ctx.connections.get(id);
      connections.set(id, c ? { ...c } : undefined);
    }
  }
  throw new Error(`${options.name ?? 'the template'} needs more than ${MAX_ROUNDS} rounds of XCom/Variable/connection lookups, each depending on the last; simplify it`);
}
