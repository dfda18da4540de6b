/**
 * Variables: list (keys and descriptions only), get, create, update with `update_mask`,
 * delete. Values are encrypted at rest through the secure store, and the value of a variable
 * whose key looks sensitive is shown as `***`; sending `***` back for such a variable keeps its
 * stored value, so a read-modify-write round trip cannot overwrite the secret with the mask.
 */
import { Hono } from 'hono';
import { MASK, isSensitiveName, maskVariable } from '../../security/masking.ts';
import type { SecureStore } from '../../security/secure-store.ts';
import { requirePermission, type ApiEnv } from '../auth-contract.ts';
import type { ApiDeps } from '../deps.ts';
import { updateMask } from '../http/fields.ts';
import { checkKey, keyParam } from '../http/ids.ts';
import { bodyValidator, closedObject, readJsonBody } from '../http/json-body.ts';
import { applyPage, countRows } from '../http/page-query.ts';
import { queryPaging } from '../http/query.ts';
import { badRequest, notFound } from '../problem.ts';

const ORDER = { key: 'key', description: 'description' } as const;

interface VariableBody {
  key?: string;
  value?: string;
  description?: string | null;
}
const variableBody = bodyValidator<VariableBody>(closedObject({ key: { type: 'string' }, value: { type: 'string' }, description: { type: ['string', 'null'] } }));

/** Variable routes. */
export function variableRoutes(deps: ApiDeps, secrets: SecureStore): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const view = (v: { key: string; value: string; description: string | null }) => ({ key: v.key, value: maskVariable(v.key, v.value), description: v.description });
  const keepMasked = async (key: string, value: string) => (value === MASK && isSensitiveName(key) ? ((await secrets.getVariable(key))?.value ?? value) : value);

  app.get('/variables', requirePermission('read', 'Variables'), async (c) => {
    const page = queryPaging(c, ORDER, 'key');
    const q = deps.db.selectFrom('variable').select(['key', 'description']);
    const total = await countRows(q);
    return c.json({ variables: await applyPage(q, page).execute(), total_entries: total });
  });

  app.post('/variables', requirePermission('create', 'Variables'), async (c) => {
    const b = await readJsonBody(c, variableBody);
    const missing = (['key', 'value'] as const).filter((f) => b[f] === undefined);
    if (missing.length) throw badRequest(`Missing required property(ies): ${missing.join(', ')}.`);
    const key = checkKey(b.key!, 'Variable key');
    await secrets.setVariable(key, await keepMasked(key, b.value!), { description: b.description ?? null });
    await deps.audit(c, { event: 'variable.create', extra: { key } });
    return c.json(view((await secrets.getVariable(key))!));
  });

  app.get('/variables/:variable_key{.+}', requirePermission('read', 'Variables'), async (c) => {
    const key = keyParam(c, 'variable_key', 'Variable key');
    const v = await secrets.getVariable(key);
    if (!v) throw notFound(`Variable '${key}' does not exist`);
    return c.json(view(v));
  });

  app.patch('/variables/:variable_key{.+}', requirePermission('edit', 'Variables'), async (c) => {
    const key = keyParam(c, 'variable_key', 'Variable key');
    const mask = updateMask(c, ['value', 'description']);
    const b = await readJsonBody(c, variableBody);
    if (b.key === undefined) throw badRequest("Missing required property 'key'.");
    if (b.key !== key) throw badRequest("The key in the request body doesn't match the key in the URL.");
    const fields = mask ?? (['value', 'description'] as const).filter((f) => b[f] !== undefined);
    for (const f of fields) if (b[f as 'value' | 'description'] === undefined) throw badRequest(`update_mask names '${f}' but the body does not set it.`);
    const current = await secrets.getVariable(key);
    if (!current) throw notFound(`Variable '${key}' does not exist`);
    const value = fields.includes('value') ? await keepMasked(key, b.value!) : current.value;
    const description = fields.includes('description') ? (b.description ?? null) : current.description;
    await secrets.setVariable(key, value, { description });
    await deps.audit(c, { event: 'variable.edit', extra: { key, fields } });
    return c.json(view((await secrets.getVariable(key))!));
  });

  app.delete('/variables/:variable_key{.+}', requirePermission('delete', 'Variables'), async (c) => {
    const key = keyParam(c, 'variable_key', 'Variable key');
    if (!(await secrets.deleteVariable(key))) throw notFound(`Variable '${key}' does not exist`);
    await deps.audit(c, { event: 'variable.delete', extra: { key } });
    return c.body(null, 204);
  });

  return app;
}
