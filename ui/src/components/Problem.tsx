/** How errors are shown: a message box, never a blank page. */
import { ApiError } from '../api.ts';
import { Link } from 'react-router-dom';

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError ? error.status : 0;
  return (
    <div className="error" role="alert">
      {status ? <strong>{status === 403 ? 'Not allowed' : `Error ${status}`}: </strong> : <strong>Error: </strong>}
      {message}
    </div>
  );
}

export function NotFound({ what }: { what?: string }) {
  return (
    <div className="not-found" data-testid="not-found">
      <h1>Not found</h1>
      <p>{what ?? 'There is no page at this address.'}</p>
      <p><Link to="/dags">Back to the DAG list</Link></p>
    </div>
  );
}

/** Shows a query's error (404 as a not-found page), or its children. */
export function Loaded({ query, notFound, children }: { query: { isPending: boolean; error: unknown }; notFound?: string; children: () => React.ReactNode }) {
  if (query.error) {
    if (query.error instanceof ApiError && query.error.status === 404) return <NotFound what={notFound ?? query.error.message} />;
    return <ErrorMessage error={query.error} />;
  }
  if (query.isPending) return <div className="loading">Loading…</div>;
  return <>{children()}</>;
}
