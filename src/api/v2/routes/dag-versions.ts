/** DAG versions: a DAG's versions (filter by number; order by id or number) and one by number. */
import { requireDagRow } from '../../lookups.ts';
import { param, route, type RouteDef, type V2Deps } from '../context.ts';
import { notFound } from '../errors.ts';
import { applyPage, countRows, readPage } from '../listing.ts';
import { dagVersionView } from '../views/dag-version.ts';

/** DAG version routes. */
export function dagVersionRoutes(deps: V2Deps): RouteDef[] {
  const versions = () => deps.db.selectFrom('dag_version').select(['id', 'dag_id', 'version_number', 'created_at']);
  return [
    route('get_dag_versions', ['read', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      let q = versions();
      if (dagId !== '~') {
        await requireDagRow(deps.db, dagId);
        q = q.where('dag_id', '=', dagId);
      }
      if (typeof input.params.version_number === 'number') q = q.where('version_number', '=', input.params.version_number);
      if (typeof input.params.bundle_name === 'string' && input.params.bundle_name !== 'dags-folder') q = q.where('id', '=', -1);
      const total = await countRows(q);
      const rows = await applyPage(q, readPage(input, { id: 'id', version_number: 'version_number', bundle_name: 'id', bundle_version: 'id' }, 'id')).execute();
      return c.json({ dag_versions: rows.map(dagVersionView), total_entries: total });
    }),
    route('get_dag_version', ['read', 'DAGs'], async (c, input) => {
      const dagId = param(input, 'dag_id');
      const n = param<number>(input, 'version_number');
      const row = await versions().where('dag_id', '=', dagId).where('version_number', '=', n).executeTakeFirst();
      if (!row) throw notFound(`The DagVersion with dag_id: \`${dagId}\` and version_number: \`${n}\` was not found`);
      return c.json(dagVersionView(row));
    }),
  ];
}
