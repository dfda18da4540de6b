/** The signed-in user (GET /ui/me) and what the role may do. */
import { useQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import type { Me } from './types.ts';

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/ui/me', { quiet401: true }), retry: false, staleTime: 60_000 });
}

/** May the signed-in user do `action` (read, edit, create, delete) on `resource` (e.g. "DAG Runs")? */
export function useCan(): (action: string, resource: string) => boolean {
  const me = useMe().data;
  return (action, resource) => me?.permissions.includes(`${action}:${resource}`) ?? false;
}
