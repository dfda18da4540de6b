/**
 * The entry: a few lines that start the first page's data requests at once, then load the React
 * app (boot.tsx). The requests run while the app's script downloads and starts, and the app's
 * first queries for the same URLs get those answers (see `prefetch` in api.ts) instead of asking
 * again — on the DAG list, the usual first page, that saves the time the script takes to start.
 * On a DAG's grid, the DAG page's script is fetched alongside the app's too.
 */
import { prefetch } from './api.ts';
import { dagListUrl, RECENT_RUNS_URL } from './pages/dag-list-urls.ts';
import { dagDetailsUrl, gridRuns, gridUrl } from './pages/dag/dag-urls.ts';
import './styles.css';
import { applyTheme, initialTheme } from './theme.ts';

applyTheme(initialTheme());

try {
  if (location.pathname !== '/login') prefetchFirstPage();
} catch {
  // A malformed address: the app shows its not-found page.
}

function prefetchFirstPage(): void {
  prefetch('/ui/me', { quiet401: true });
  if (location.pathname === '/' || location.pathname === '/dags') {
    const p = new URLSearchParams(location.pathname === '/dags' ? location.search : '');
    prefetch(dagListUrl({ search: p.get('search') ?? '', tag: p.get('tag') ?? '', paused: p.get('paused') ?? 'all' }));
    prefetch(RECENT_RUNS_URL);
  }
  const dagPage = /^\/dags\/([^/]+)(\/grid)?\/?$/.exec(location.pathname);
  if (dagPage) {
    const dagId = decodeURIComponent(dagPage[1]!);
    import('./pages/dag/DagPage.tsx').catch(() => undefined); // the page's own import reports a failure
    prefetch(dagDetailsUrl(dagId));
    prefetch(gridUrl(dagId, gridRuns(new URLSearchParams(location.search).get('num_runs'))));
  }
}

void import('./boot.tsx');
