/** Light and dark themes: the choice is kept in localStorage; the default follows the system. */
export type Theme = 'light' | 'dark';

export function initialTheme(): Theme {
  const saved = localStorage.getItem('baton.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme): void {
  document.documentElement.dataset.theme = t;
  localStorage.setItem('baton.theme', t);
}
