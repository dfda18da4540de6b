/**
 * Telling "no such resource" (404) from "no such method on this resource" (405, with an Allow
 * header), from the routes an app has registered.
 */
import type { Hono } from 'hono';

interface RoutePattern {
  method: string;
  regex: RegExp;
}

/** Compiles a Hono path (`/a/:id`, `/a/:id{regex}`) to a regular expression. */
function compile(path: string): RegExp {
  let out = '';
  for (let i = 0; i < path.length; ) {
    if (path[i] === ':') {
      const name = /^:[A-Za-z0-9_]+/.exec(path.slice(i))![0];
      i += name.length;
      if (path[i] === '{') {
        let depth = 0;
        let j = i;
        for (; j < path.length; j++) {
          if (path[j] === '{') depth++;
          else if (path[j] === '}' && --depth === 0) break;
        }
        out += `(?:${path.slice(i + 1, j)})`;
        i = j + 1;
      } else {
        out += '[^/]+';
      }
      if (path[i] === '?') i++;
    } else if (path[i] === '*') {
      out += '.*';
      i++;
    } else {
      out += path[i]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${out}$`);
}

/** The methods `app` answers on `path` (empty when the path is unknown). Call after every route is added. */
export function allowedMethods(app: Hono<any>): (path: string) => string[] {
  let patterns: RoutePattern[] | undefined;
  return (path) => {
    patterns ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method.toUpperCase(), regex: compile(r.path) }));
    const methods = new Set<string>();
    for (const p of patterns) if (p.regex.test(path)) methods.add(p.method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
