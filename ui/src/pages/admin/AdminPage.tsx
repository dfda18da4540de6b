/**
 * Administration: connections (passwords are write-only and never shown), variables, pools,
 * users and roles, the audit log and the configuration (read-only). Connections, variables and
 * pools are edited in place: the edit form sends only the fields that changed (PATCH with
 * `update_mask`); a secret field left blank stays as it is. Each section needs its role's
 * permission; the API refuses the rest anyway, and its answer is shown.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { api, qs, v1 } from '../../api.ts';
import { useCan } from '../../auth.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { ErrorMessage, Loaded, NotFound } from '../../components/Problem.tsx';
import { fmtDate } from '../../format.ts';

export function AdminPage() {
  const section = useParams().section!;
  const body = { connections: <Connections />, variables: <Variables />, pools: <Pools />, users: <Users />, audit: <AuditLog />, config: <Config /> }[section];
  return body ? <div className="page" data-testid={`admin-${section}`}>{body}</div> : <NotFound />;
}

/** A small create form: named text fields, submitted as one JSON body. */
function CreateForm({ fields, onSubmit, label, error, busy }: { fields: Array<{ name: string; label: string; type?: string; required?: boolean; options?: string[] }>; onSubmit: (v: Record<string, string>) => Promise<unknown>; label: string; error: unknown; busy: boolean }) {
  const [v, setV] = useState<Record<string, string>>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Cleared once created, so no secret stays in the form; kept when refused, to fix and retry.
    onSubmit(v).then(() => setV({}), () => undefined);
  };
  return (
    <form className="form inline-form" onSubmit={submit}>
      {fields.map((f) => (
        <label key={f.name}>{f.label}
          {f.options ? (
            <select name={f.name} value={v[f.name] ?? ''} onChange={(e) => setV({ ...v, [f.name]: e.target.value })} required={f.required}>
              <option value="" />
              {f.options.map((o) => <option key={o}>{o}</option>)}
            </select>
          ) : (
            <input name={f.name} type={f.type ?? 'text'} value={v[f.name] ?? ''} onChange={(e) => setV({ ...v, [f.name]: e.target.value })} required={f.required} autoComplete="off" />
          )}
        </label>
      ))}
      <button type="submit" className="primary" disabled={busy}>{label}</button>
      <ErrorMessage error={error} />
    </form>
  );
}

interface EditField { name: string; label: string; type?: 'text' | 'number' | 'password' | 'textarea'; /** Never shown: blank means unchanged. */ secret?: boolean; hint?: string }

/**
 * Edits one row in place. `initial` holds the current values as text ('' for secrets, which are
 * never shown); `onSave` gets the names of the fields that changed and every value.
 */
function EditForm({ title, fields, initial, onSave, onClose, error, busy, testId }: { title: string; fields: EditField[]; initial: Record<string, string>; onSave: (changed: string[], v: Record<string, string>) => Promise<unknown>; onClose: () => void; error: unknown; busy: boolean; testId: string }) {
  const [v, setV] = useState<Record<string, string>>(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const changed = fields.filter((f) => (f.secret ? v[f.name] !== '' : v[f.name] !== initial[f.name])).map((f) => f.name);
    if (changed.length === 0) return onClose();
    onSave(changed, v).then(onClose, () => undefined);
  };
  return (
    <form className="form edit-form" onSubmit={submit} data-testid={testId}>
      <h3>{title}</h3>
      {fields.map((f) => (
        <label key={f.name}>{f.label}
          {f.type === 'textarea' ? (
            <textarea name={f.name} value={v[f.name] ?? ''} onChange={(e) => setV({ ...v, [f.name]: e.target.value })} rows={3} placeholder={f.hint} />
          ) : (
            <input name={f.name} type={f.type ?? 'text'} value={v[f.name] ?? ''} onChange={(e) => setV({ ...v, [f.name]: e.target.value })} autoComplete={f.secret ? 'new-password' : 'off'} placeholder={f.hint} />
          )}
        </label>
      ))}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>Save</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}

/** `?update_mask=a,b` for the changed fields. */
const maskOf = (changed: string[]) => `?update_mask=${encodeURIComponent(changed.join(','))}`;
const text = (x: unknown) => (x === null || x === undefined ? '' : String(x));
const orNull = (s: string) => (s === '' ? null : s);

function useCrud<T>(key: string, list: string, envelope: string) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: [key], queryFn: async () => (await api<Record<string, T[]>>(list))[envelope]! });
  const create = useMutation({ mutationFn: (body: { path: string; method?: string; body?: unknown }) => api(body.path, { method: body.method ?? 'POST', body: body.body }), onSettled: () => client.invalidateQueries({ queryKey: [key] }) });
  return { q, create };
}

interface Connection { connection_id: string; conn_type: string; host: string | null; login: string | null; schema: string | null; port: number | null; description: string | null }
function Connections() {
  const can = useCan();
  const { q, create } = useCrud<Connection>('connections', v1`/connections?limit=1000`, 'connections');
  const [editing, setEditing] = useState<string | null>(null);
  const del = (id: string) => create.mutate({ path: v1`/connections/${id}`, method: 'DELETE' });
  const columns: Array<ColumnDef<Connection, any>> = [
    { header: 'Id', accessorKey: 'connection_id' }, { header: 'Type', accessorKey: 'conn_type' }, { header: 'Host', accessorKey: 'host' },
    { header: 'Login', accessorKey: 'login' }, { header: 'Port', accessorKey: 'port' }, { header: 'Password', id: 'pw', cell: () => <span className="muted">hidden</span> },
    { header: '', id: 'x', cell: (c) => (
      <span className="row-actions">
        {can('edit', 'Connections') && <button onClick={() => setEditing(c.row.original.connection_id)} data-testid={`edit-${c.row.original.connection_id}`}>Edit</button>}
        {can('delete', 'Connections') && <button onClick={() => del(c.row.original.connection_id)}>Delete</button>}
      </span>) },
  ];
  return (
    <>
      <h1>Connections</h1>
      <Loaded query={q}>{() => <DataTable testId="connections" data={q.data!} columns={columns} />}</Loaded>
      {editing && <EditConnection key={editing} id={editing} onClose={() => setEditing(null)} />}
      {!editing && can('create', 'Connections') && (
        <CreateForm label="Add connection" busy={create.isPending} error={create.error}
          fields={[{ name: 'connection_id', label: 'Id', required: true }, { name: 'conn_type', label: 'Type', required: true }, { name: 'host', label: 'Host' }, { name: 'login', label: 'Login' }, { name: 'password', label: 'Password', type: 'password' }, { name: 'port', label: 'Port', type: 'number' }]}
          onSubmit={(v) => create.mutateAsync({ path: v1`/connections`, body: { ...v, port: v.port ? Number(v.port) : undefined } })} />
      )}
    </>
  );
}

/** The connection's edit form: its current fields (the password never), sent back only when changed. */
function EditConnection({ id, onClose }: { id: string; onClose: () => void }) {
  const client = useQueryClient();
  const current = useQuery({ queryKey: ['connection', id], queryFn: () => api<Connection & { extra: string | null }>(v1`/connections/${id}`), gcTime: 0 });
  const save = useMutation({
    mutationFn: ({ changed, v }: { changed: string[]; v: Record<string, string> }) => {
      const body: Record<string, unknown> = { connection_id: id, conn_type: v.conn_type };
      for (const f of changed) body[f] = f === 'port' ? (v.port === '' ? null : Number(v.port)) : f === 'conn_type' ? v.conn_type : orNull(v[f]);
      return api(v1`/connections/${id}` + maskOf(changed), { method: 'PATCH', body });
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['connections'] }),
  });
  return (
    <Loaded query={current}>
      {() => {
        const c = current.data!;
        const initial = { conn_type: c.conn_type, description: text(c.description), host: text(c.host), login: text(c.login), schema: text(c.schema), port: text(c.port), password: '', extra: text(c.extra) };
        return (
          <EditForm title={`Edit connection ${id}`} testId="edit-connection" initial={initial} busy={save.isPending} error={save.error} onClose={onClose}
            onSave={(changed, v) => save.mutateAsync({ changed, v })}
            fields={[{ name: 'conn_type', label: 'Type' }, { name: 'host', label: 'Host' }, { name: 'login', label: 'Login' }, { name: 'password', label: 'Password', type: 'password', secret: true, hint: 'unchanged when left blank' },
              { name: 'schema', label: 'Schema' }, { name: 'port', label: 'Port', type: 'number' }, { name: 'description', label: 'Description' }, { name: 'extra', label: 'Extra (JSON; secret fields masked)', type: 'textarea' }]} />
        );
      }}
    </Loaded>
  );
}

interface Variable { key: string; description: string | null }
function Variables() {
  const can = useCan();
  const { q, create } = useCrud<Variable>('variables', v1`/variables?limit=1000`, 'variables');
  const [editing, setEditing] = useState<string | null>(null);
  const columns: Array<ColumnDef<Variable, any>> = [
    { header: 'Key', accessorKey: 'key' }, { header: 'Description', accessorKey: 'description' },
    { header: '', id: 'x', cell: (c) => (
      <span className="row-actions">
        {can('edit', 'Variables') && <button onClick={() => setEditing(c.row.original.key)} data-testid={`edit-${c.row.original.key}`}>Edit</button>}
        {can('delete', 'Variables') && <button onClick={() => create.mutate({ path: v1`/variables/${c.row.original.key}`, method: 'DELETE' })}>Delete</button>}
      </span>) },
  ];
  return (
    <>
      <h1>Variables</h1>
      <p className="muted">Values are not listed; secret-looking keys are always masked.</p>
      <Loaded query={q}>{() => <DataTable testId="variables" data={q.data!} columns={columns} />}</Loaded>
      {editing && <EditVariable key={editing} id={editing} onClose={() => setEditing(null)} />}
      {!editing && can('create', 'Variables') && (
        <CreateForm label="Add variable" busy={create.isPending} error={create.error}
          fields={[{ name: 'key', label: 'Key', required: true }, { name: 'value', label: 'Value', required: true }, { name: 'description', label: 'Description' }]}
          onSubmit={(v) => create.mutateAsync({ path: v1`/variables`, body: { key: v.key, value: v.value, ...(v.description ? { description: v.description } : {}) } })} />
      )}
    </>
  );
}

/** A variable's edit form; a secret variable's value is never shown (blank keeps it). */
function EditVariable({ id, onClose }: { id: string; onClose: () => void }) {
  const client = useQueryClient();
  const current = useQuery({ queryKey: ['variable', id], queryFn: () => api<{ key: string; value: string; description: string | null }>(v1`/variables/${id}`), gcTime: 0 });
  const save = useMutation({
    mutationFn: ({ changed, v }: { changed: string[]; v: Record<string, string> }) =>
      api(v1`/variables/${id}` + maskOf(changed), { method: 'PATCH', body: { key: id, ...(changed.includes('value') && { value: v.value }), ...(changed.includes('description') && { description: orNull(v.description) }) } }),
    onSettled: () => client.invalidateQueries({ queryKey: ['variables'] }),
  });
  return (
    <Loaded query={current}>
      {() => {
        const secret = current.data!.value === '***';
        const initial = { value: secret ? '' : current.data!.value, description: text(current.data!.description) };
        return (
          <EditForm title={`Edit variable ${id}`} testId="edit-variable" initial={initial} busy={save.isPending} error={save.error} onClose={onClose}
            onSave={(changed, v) => save.mutateAsync({ changed, v })}
            fields={[secret ? { name: 'value', label: 'Value (secret)', type: 'password', secret: true, hint: 'unchanged when left blank' } : { name: 'value', label: 'Value', type: 'textarea' }, { name: 'description', label: 'Description' }]} />
        );
      }}
    </Loaded>
  );
}

interface Pool { name: string; slots: number; occupied_slots: number; running_slots: number; queued_slots: number; open_slots: number; description: string | null }
function Pools() {
  const can = useCan();
  const { q, create } = useCrud<Pool>('pools', v1`/pools?limit=1000`, 'pools');
  const [editing, setEditing] = useState<Pool | null>(null);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ pool, changed, v }: { pool: Pool; changed: string[]; v: Record<string, string> }) => {
      const body: Record<string, unknown> = {};
      for (const f of changed) body[f] = f === 'slots' ? Number(v.slots) : f === 'description' ? orNull(v.description) : v[f];
      return api(v1`/pools/${pool.name}` + maskOf(changed), { method: 'PATCH', body });
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['pools'] }),
  });
  const columns: Array<ColumnDef<Pool, any>> = [
    { header: 'Name', accessorKey: 'name' }, { header: 'Slots', accessorKey: 'slots' }, { header: 'Running', accessorKey: 'running_slots' },
    { header: 'Queued', accessorKey: 'queued_slots' }, { header: 'Open', accessorKey: 'open_slots' }, { header: 'Description', accessorKey: 'description' },
    { header: '', id: 'x', cell: (c) => (
      <span className="row-actions">
        {can('edit', 'Pools') && <button onClick={() => { save.reset(); setEditing(c.row.original); }} data-testid={`edit-${c.row.original.name}`}>Edit</button>}
        {can('delete', 'Pools') && c.row.original.name !== 'default_pool' && <button onClick={() => create.mutate({ path: v1`/pools/${c.row.original.name}`, method: 'DELETE' })}>Delete</button>}
      </span>) },
  ];
  return (
    <>
      <h1>Pools</h1>
      <Loaded query={q}>{() => <DataTable testId="pools" data={q.data!} columns={columns} />}</Loaded>
      {editing && (
        <EditForm key={editing.name} title={`Edit pool ${editing.name}`} testId="edit-pool" busy={save.isPending} error={save.error} onClose={() => setEditing(null)}
          initial={{ name: editing.name, slots: String(editing.slots), description: text(editing.description) }}
          onSave={(changed, v) => save.mutateAsync({ pool: editing, changed, v })}
          fields={[...(editing.name === 'default_pool' ? [] : [{ name: 'name', label: 'Name' }]), { name: 'slots', label: 'Slots (-1: unlimited)', type: 'number' as const }, { name: 'description', label: 'Description' }]} />
      )}
      {!editing && can('create', 'Pools') && (
        <CreateForm label="Add pool" busy={create.isPending} error={create.error}
          fields={[{ name: 'name', label: 'Name', required: true }, { name: 'slots', label: 'Slots', type: 'number', required: true }, { name: 'description', label: 'Description' }]}
          onSubmit={(v) => create.mutateAsync({ path: v1`/pools`, body: { name: v.name, slots: Number(v.slots), ...(v.description ? { description: v.description } : {}) } })} />
      )}
    </>
  );
}

interface User { username: string; email: string; first_name: string; last_name: string; active: boolean; roles: Array<{ name: string }>; last_login: string | null }
function Users() {
  const can = useCan();
  const { q, create } = useCrud<User>('users', v1`/users?limit=1000`, 'users');
  const roles = ['Admin', 'Op', 'User', 'Viewer', 'Public'];
  const columns: Array<ColumnDef<User, any>> = [
    { header: 'Username', accessorKey: 'username' }, { header: 'Email', accessorKey: 'email' },
    { header: 'Role', id: 'role', accessorFn: (u) => u.roles[0]?.name ?? 'Public', cell: (c) => can('edit', 'Users') ? (
      <select value={c.getValue()} onChange={(e) => create.mutate({ path: v1`/users/${c.row.original.username}` + '?update_mask=roles', method: 'PATCH', body: { roles: [{ name: e.target.value }] } })} aria-label={`Role of ${c.row.original.username}`}>
        {roles.map((r) => <option key={r}>{r}</option>)}
      </select>) : c.getValue() },
    { header: 'Active', accessorKey: 'active', cell: (c) => (c.getValue() ? 'yes' : 'no') },
    { header: 'Last login', accessorKey: 'last_login', cell: (c) => fmtDate(c.getValue()) },
    { header: '', id: 'x', cell: (c) => can('delete', 'Users') && <button onClick={() => create.mutate({ path: v1`/users/${c.row.original.username}`, method: 'DELETE' })}>Delete</button> },
  ];
  return (
    <>
      <h1>Users</h1>
      <Loaded query={q}>{() => <DataTable testId="users" data={q.data!} columns={columns} />}</Loaded>
      {can('create', 'Users') && (
        <CreateForm label="Add user" busy={create.isPending} error={create.error}
          fields={[{ name: 'username', label: 'Username', required: true }, { name: 'email', label: 'Email', type: 'email', required: true }, { name: 'first_name', label: 'First name', required: true }, { name: 'last_name', label: 'Last name', required: true }, { name: 'password', label: 'Password', type: 'password', required: true }, { name: 'role', label: 'Role', options: roles, required: true }]}
          onSubmit={({ role, ...v }) => create.mutateAsync({ path: v1`/users`, body: { ...v, roles: [{ name: role }] } })} />
      )}
      <Roles />
    </>
  );
}

function Roles() {
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api<{ roles: Array<{ name: string; actions: Array<{ action: { name: string }; resource: { name: string } }> }> }>(v1`/roles`) });
  return (
    <Loaded query={roles}>
      {() => (
        <details>
          <summary>Roles and their permissions</summary>
          {roles.data!.roles.map((r) => (
            <div key={r.name}><strong>{r.name}</strong>: <span className="muted">{r.actions.map((a) => `${a.action.name} ${a.resource.name}`).join(', ') || 'nothing'}</span></div>
          ))}
        </details>
      )}
    </Loaded>
  );
}

interface EventLog { event_log_id: number; when: string; dag_id: string | null; task_id: string | null; run_id: string | null; event: string; owner: string | null; extra: string | null }
function AuditLog() {
  const [params, setParams] = useSearchParams();
  const event = params.get('event') ?? '';
  const dag = params.get('dag_id') ?? '';
  const logs = useQuery({ queryKey: ['event-logs', event, dag], queryFn: () => api<{ event_logs: EventLog[] }>(v1`/eventLogs` + qs({ limit: 200, order_by: '-when', event, dag_id: dag })) });
  const columns: Array<ColumnDef<EventLog, any>> = [
    { header: 'When', accessorKey: 'when', cell: (c) => fmtDate(c.getValue()) }, { header: 'Event', accessorKey: 'event' }, { header: 'Owner', accessorKey: 'owner' },
    { header: 'DAG', accessorKey: 'dag_id' }, { header: 'Run', accessorKey: 'run_id' }, { header: 'Task', accessorKey: 'task_id' },
    { header: 'Extra', accessorKey: 'extra', cell: (c) => <code className="small">{c.getValue()}</code> },
  ];
  const set = (k: string, v: string) => {
    setParams(() => {
      const p = new URLSearchParams(window.location.search);
      if (v) p.set(k, v);
      else p.delete(k);
      return p;
    }, { replace: true });
  };
  return (
    <>
      <h1>Audit log</h1>
      <div className="filters">
        <input placeholder="Event (e.g. dag_run.trigger)" value={event} onChange={(e) => set('event', e.target.value)} />
        <input placeholder="DAG id" value={dag} onChange={(e) => set('dag_id', e.target.value)} />
      </div>
      <Loaded query={logs}>{() => <DataTable testId="audit" data={logs.data!.event_logs} columns={columns} />}</Loaded>
    </>
  );
}

function Config() {
  const cfg = useQuery({ queryKey: ['config'], queryFn: () => api<{ sections: Array<{ name: string; options: Array<{ key: string; value: string; source?: string }> }> }>(v1`/config`) });
  return (
    <>
      <h1>Configuration</h1>
      <p className="muted">Read-only; secrets are never shown. Set options with BATON_* environment variables.</p>
      <Loaded query={cfg}>
        {() => (
          <>
            {cfg.data!.sections.map((s) => (
              <section key={s.name}>
                <h3>[{s.name}]</h3>
                <table className="table"><tbody>{s.options.map((o) => <tr key={o.key}><td><code>{o.key}</code></td><td><code>{o.value}</code></td><td className="muted">{o.source}</td></tr>)}</tbody></table>
              </section>
            ))}
          </>
        )}
      </Loaded>
    </>
  );
}
