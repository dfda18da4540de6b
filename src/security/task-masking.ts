/**
 * Registers the secrets a task fetches, so its log masks them: wraps a try's services so that
 * every connection read (password and sensitive extra fields) and every variable read whose
 * key looks sensitive is added to the process's `secretsMasker` before the task sees it.
 */
import type { TaskServices } from '../runner/task-services.ts';
import type { ConnectionView } from '../sdk/context.ts';
import { isSensitiveName, secretsMasker, type SecretsMasker } from './masking.ts';

function registerConnection(masker: SecretsMasker, c: ConnectionView | undefined): void {
  if (!c) return;
  if (c.password) masker.add(c.password);
  if (c.extra) masker.add(c.extra);
}

/** `services` with every secret it returns registered with `masker` (default: the process's). */
export function maskFetchedSecrets<T extends TaskServices>(services: T, masker: SecretsMasker = secretsMasker): T {
  return {
    ...services,
    getVariable: async (key: string) => {
      const value = await services.getVariable(key);
      if (value !== undefined && isSensitiveName(key)) masker.add(value);
      return value;
    },
    listVariables: async () => {
      const all = await services.listVariables();
      for (const [key, value] of Object.entries(all)) if (isSensitiveName(key)) masker.add(value);
      return all;
    },
    getConnection: async (connId: string) => {
      const c = await services.getConnection(connId);
      registerConnection(masker, c);
      return c;
    },
    listConnections: async () => {
      const all = await services.listConnections();
      for (const c of all) registerConnection(masker, c);
      return all;
    },
  };
}
