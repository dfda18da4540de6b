/**
 * Trigger a DAG run: a form built from the DAG's params (their types, enums and defaults), plus
 * an optional run id and note. The server checks the conf against the params; its 400 answer
 * (every problem, named) is shown under the form.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, v1 } from '../api.ts';
import { ErrorMessage, Loaded } from '../components/Problem.tsx';
import type { DagDetails, DagRun, ParamSchema } from '../types.ts';

type Kind = 'boolean' | 'number' | 'integer' | 'enum' | 'json' | 'string';

function kindOf(schema: ParamSchema, value: unknown): Kind {
  if (schema.enum) return 'enum';
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (t === 'boolean') return 'boolean';
  if (t === 'number' || t === 'integer') return t;
  if (t === 'array' || t === 'object') return 'json';
  if (t === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (value !== null && typeof value === 'object') return 'json';
  return 'string';
}

function initialText(kind: Kind, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

export function TriggerDialog({ dagId, onClose }: { dagId: string; onClose: () => void }) {
  const details = useQuery({ queryKey: ['dag-details', dagId], queryFn: () => api<DagDetails>(v1`/dags/${dagId}/details`) });
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label={`Trigger ${dagId}`} onClick={(e) => e.stopPropagation()}>
        <h2>Trigger {dagId}</h2>
        <Loaded query={details}>{() => <TriggerForm details={details.data!} onClose={onClose} />}</Loaded>
      </div>
    </div>
  );
}

function TriggerForm({ details, onClose }: { details: DagDetails; onClose: () => void }) {
  const params = Object.entries(details.params ?? {});
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(params.map(([name, p]) => [name, initialText(kindOf(p.schema, p.value), p.value)])),
  );
  const [runId, setRunId] = useState('');
  const [note, setNote] = useState('');
  const [localErrors, setLocalErrors] = useState<string[]>([]);
  const navigate = useNavigate();
  const client = useQueryClient();
  const trigger = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<DagRun>(v1`/dags/${details.dag_id}/dagRuns`, { method: 'POST', body }),
    onSuccess: (run) => {
      void client.invalidateQueries();
      onClose();
      navigate(`/dags/${encodeURIComponent(details.dag_id)}/grid?run_id=${encodeURIComponent(run.dag_run_id)}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const conf: Record<string, unknown> = {};
    const errors: string[] = [];
    for (const [name, p] of params) {
      const kind = kindOf(p.schema, p.value);
      const text = values[name] ?? '';
      if (kind === 'boolean') conf[name] = text === 'true';
      else if (text === '') conf[name] = null;
      else if (kind === 'number' || kind === 'integer') {
        const n = Number(text);
        if (Number.isNaN(n)) errors.push(`param '${name}': '${text}' is not a number`);
        else conf[name] = n;
      } else if (kind === 'json') {
        try {
          conf[name] = JSON.parse(text);
        } catch {
          errors.push(`param '${name}': not valid JSON`);
        }
      } else if (kind === 'enum') {
        const match = (p.schema.enum ?? []).find((x) => String(x) === text);
        conf[name] = match ?? text;
      } else conf[name] = text;
    }
    setLocalErrors(errors);
    if (errors.length) return;
    trigger.mutate({ conf, ...(runId ? { dag_run_id: runId } : {}), ...(note ? { note } : {}) });
  };
  return (
    <form onSubmit={submit} className="form" data-testid="trigger-form">
      {params.length === 0 && <p className="muted">This DAG has no params.</p>}
      {params.map(([name, p]) => {
        const kind = kindOf(p.schema, p.value);
        const set = (v: string) => setValues({ ...values, [name]: v });
        const v = values[name] ?? '';
        return (
          <label key={name}>
            <span>{p.schema.title ?? name}{p.description && <small className="muted"> — {p.description}</small>}</span>
            {kind === 'boolean' ? (
              <input type="checkbox" name={name} checked={v === 'true'} onChange={(e) => set(String(e.target.checked))} />
            ) : kind === 'enum' ? (
              <select name={name} value={v} onChange={(e) => set(e.target.value)}>
                {(p.schema.enum ?? []).map((x) => <option key={String(x)} value={String(x)}>{String(x)}</option>)}
              </select>
            ) : kind === 'json' ? (
              <textarea name={name} rows={4} value={v} onChange={(e) => set(e.target.value)} />
            ) : (
              <input name={name} type={kind === 'string' ? 'text' : 'number'} step={kind === 'integer' ? 1 : 'any'} value={v} onChange={(e) => set(e.target.value)} />
            )}
          </label>
        );
      })}
      <details>
        <summary>Run id and note</summary>
        <label>Run id (optional)<input name="dag_run_id" value={runId} onChange={(e) => setRunId(e.target.value)} /></label>
        <label>Note (optional)<input name="note" value={note} onChange={(e) => setNote(e.target.value)} /></label>
      </details>
      {localErrors.length > 0 && <div className="error" role="alert">{localErrors.join('; ')}</div>}
      <ErrorMessage error={trigger.error} />
      <div className="actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" className="primary" disabled={trigger.isPending} data-testid="trigger-submit">Trigger</button>
      </div>
    </form>
  );
}
