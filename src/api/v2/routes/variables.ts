/**
 * Variables: list (`variable_key_pattern`; values included, masked for secret-looking keys),
 * get, create, patch (`update_mask`), delete, and bulk changes. Values are encrypted at rest
 * through the secure store; sending `***` back for a masked variable keeps its stored value.
 * A value that is not a string is stored as its JSON text, as Airflow 3 does.
 */
import { isSensitiveName, MASK, maskVariable } from '../../../security/masking.ts';
import type { PlainVariable } from '../../../security/secure-store.ts';
import { runBulk } from '../bulk.ts';
import { param, route, type RouteDef, type V2Context, type V2Deps } from '../context.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { readPage } from '../listing.ts';
import { likeMatch } from './dags.ts';

interface VariableBody {
  key: string;
  value: unknown;
  description?: string | null;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The VariableResponse shape. */
function variableResponse(v: PlainVariable) {
  return { key: v.key, value: maskVariable(v.key, v.value) ?? '', description: v.description, is_encrypted: v.isEncrypted, team_name: null };
}

/** Variable routes. */
export function variableRoutes(deps: V2Deps): RouteDef[] {
  const { secrets } = deps;
  const keepMasked = async (key: string, value: string) => (value === MASK && isSensitiveName(key) ? ((await secrets.getVariable(key))?.value ?? value) : value);
  const one = async (c: V2Context, key: string, status: 200 | 201 = 200) => {
    const v = await secrets.getVariable(key);
    if (!v) throw notFound(`The Variable with key: \`${key}\` was not found`);
    return c.json(variableResponse(v), status);
  };
  const apply = async (key: string, b: Partial<VariableBody>, mask: string[] | null) => {
    const current = await secrets.getVariable(key);
    if (!current) throw notFound(`The Variable with key: \`${key}\` was not found`);
    const fields = mask?.length ? mask : ['value', 'description'].filter((f) => f in b);
    const bad = fields.filter((f) => f !== 'value' && f !== 'description');
    if (bad.length) throw badRequest(`Invalid field(s) in update_mask: ${bad.join(', ')}; use value or description.`);
    const value = fields.includes('value') ? await keepMasked(key, asText(b.value)) : current.value;
    await secrets.setVariable(key, value, { description: fields.includes('description') ? (b.description ?? null) : current.description });
  };
  return [
    route('get_variables', ['read', 'Variables'], async (c, input) => {
      const page = readPage(input, { key: 'key', id: 'key', _val: 'value', description: 'description', is_encrypted: 'isEncrypted' }, 'id');
      const pattern = param<string | undefined>(input, 'variable_key_pattern');
      const terms = pattern ? pattern.split('|').map((t) => t.trim().toLowerCase()).filter(Boolean) : [];
      const all = (await secrets.listVariables()).filter((v) => !terms.length || terms.some((t) => likeMatch(v.key.toLowerCase(), `%${t}%`)));
      const { column, desc } = page.order[0]!;
      all.sort((a, b) => String((a as never)[column] ?? '').localeCompare(String((b as never)[column] ?? '')) * (desc ? -1 : 1) || a.key.localeCompare(b.key));
      return c.json({ variables: all.slice(page.offset, page.offset + page.limit).map(variableResponse), total_entries: all.length });
    }),
    route('get_variable', ['read', 'Variables'], (c, input) => one(c, param(input, 'variable_key'))),
    route('post_variable', ['create', 'Variables'], async (c, input) => {
      const b = input.body as VariableBody;
      if (await secrets.getVariable(b.key)) throw conflict(`The Variable with key: \`${b.key}\` already exists`);
      await secrets.setVariable(b.key, asText(b.value), { description: b.description ?? null });
      await deps.audit(c, { event: 'variable.create', extra: { key: b.key } });
      return one(c, b.key, 201);
    }),
    route('patch_variable', ['edit', 'Variables'], async (c, input) => {
      const key = param(input, 'variable_key');
      const b = input.body as VariableBody;
      if (b.key !== key) throw badRequest('Invalid body, key from request body doesn\'t match with the passed path parameter');
      await apply(key, b, param<string[] | undefined>(input, 'update_mask') ?? null);
      await deps.audit(c, { event: 'variable.edit', extra: { key } });
      return one(c, key);
    }),
    route('delete_variable', ['delete', 'Variables'], async (c, input) => {
      const key = param(input, 'variable_key');
      if (!(await secrets.deleteVariable(key))) throw notFound(`The Variable with key: \`${key}\` was not found`);
      await deps.audit(c, { event: 'variable.delete', extra: { key } });
      return c.body(null, 204);
    }),
    route('bulk_variables', ['edit', 'Variables'], async (c, input) => {
      const result = await runBulk<VariableBody>((input.body as { actions: never[] }).actions, {
        key: (e) => (typeof e === 'string' ? e : e.key),
        exists: async (k) => (await secrets.getVariable(k)) !== undefined,
        create: (e) => secrets.setVariable(e.key, asText(e.value), { description: e.description ?? null }),
        update: (e, mask) => apply(e.key, e, mask),
        remove: async (k) => void (await secrets.deleteVariable(k)),
        applied: (action, key) => deps.audit(c, { event: `variable.${action === 'update' ? 'edit' : action}`, extra: { key, bulk: true } }),
      }, 'variable');
      return c.json(result);
    }),
  ];
}
