/**
 * Paths of Baton's own modules that are started as separate processes (workers, parsing
 * children). Baton runs either from its TypeScript sources or from the compiled build in
 * `dist/`; a sibling module has the same form as the module asking for it.
 */
import { fileURLToPath } from 'node:url';

/** The file of module `name` (no extension) next to the module at `metaUrl`. */
export function siblingModule(metaUrl: string, name: string): string {
  const ext = new URL(metaUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./${name}${ext}`, metaUrl));
}
