/** The page frame (navigation, user menu, theme switch) and the routes; links are shareable URLs. */
import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { api, onUnauthorized } from './api.ts';
import { useCan, useMe } from './auth.tsx';
import { ErrorMessage, NotFound } from './components/Problem.tsx';
import { DagsPage } from './pages/DagsPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { applyTheme, initialTheme, type Theme } from './theme.ts';

// Every page but the DAG list (the usual first page) and the login page loads on first visit,
// keeping the first page's script small.
const DagPage = lazy(() => import('./pages/dag/DagPage.tsx').then((m) => ({ default: m.DagPage })));
const AdminPage = lazy(() => import('./pages/admin/AdminPage.tsx').then((m) => ({ default: m.AdminPage })));
const DatasetsPage = lazy(() => import('./pages/DatasetsPage.tsx').then((m) => ({ default: m.DatasetsPage })));
const MlPage = lazy(() => import('./pages/MlPage.tsx').then((m) => ({ default: m.MlPage })));

export function App() {
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        client.removeQueries({ queryKey: ['me'] });
        if (!location.pathname.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      }),
    [location, navigate, client],
  );
  if (location.pathname === '/login') return <LoginPage />;
  return <Shell />;
}

function Shell() {
  const me = useMe();
  const location = useLocation();
  // The page's own requests start at once, alongside /ui/me; a 401 from it means signing in.
  if (me.error) {
    if ((me.error as { status?: number }).status === 401) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
    return <ErrorMessage error={me.error} />;
  }
  return (
    <div className="app">
      <TopBar />
      <main className="main">
        <Suspense fallback={<div className="loading">Loading…</div>}>
        <Routes>
          <Route path="/" element={<Navigate to="/dags" replace />} />
          <Route path="/dags" element={<DagsPage />} />
          <Route path="/dags/:dagId/*" element={<DagPage />} />
          <Route path="/datasets" element={<DatasetsPage />} />
          <Route path="/ml/*" element={<MlPage />} />
          <Route path="/admin/:section" element={<AdminPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
        </Suspense>
      </main>
    </div>
  );
}

function TopBar() {
  const me = useMe().data ?? { username: '…', role: '', permissions: [] };
  const can = useCan();
  const [theme, setTheme] = useState<Theme>(initialTheme());
  const [menu, setMenu] = useState(false);
  const navigate = useNavigate();
  const client = useQueryClient();
  const toggle = () => {
    const t = theme === 'dark' ? 'light' : 'dark';
    applyTheme(t);
    setTheme(t);
  };
  const logout = async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    client.clear();
    navigate('/login');
  };
  const admin = [
    ['connections', 'Connections', 'Connections'],
    ['variables', 'Variables', 'Variables'],
    ['pools', 'Pools', 'Pools'],
    ['users', 'Users', 'Users'],
    ['audit', 'Audit log', 'Audit Logs'],
    ['config', 'Config', 'Config'],
  ].filter(([, , res]) => can('read', res!));
  return (
    <header className="topbar">
      <Link to="/dags" className="brand">Baton</Link>
      <nav>
        <NavLink to="/dags">DAGs</NavLink>
        <NavLink to="/datasets">Datasets</NavLink>
        <NavLink to="/ml">ML</NavLink>
        {admin.length > 0 && (
          <span className="admin-links">
            {admin.map(([path, label]) => <NavLink key={path} to={`/admin/${path}`}>{label}</NavLink>)}
          </span>
        )}
      </nav>
      <span className="spacer" />
      <button className="ghost" onClick={toggle} title="Switch between the light and dark theme" data-testid="theme-toggle">
        {theme === 'dark' ? '☀ Light' : '☾ Dark'}
      </button>
      <div className="user-menu">
        <button className="ghost" onClick={() => setMenu(!menu)} data-testid="user-menu">{me.username} ▾</button>
        {menu && (
          <div className="menu" onMouseLeave={() => setMenu(false)}>
            <div className="muted">Signed in as <strong>{me.username}</strong> ({me.role})</div>
            <button onClick={logout} data-testid="logout">Sign out</button>
          </div>
        )}
      </div>
    </header>
  );
}
