/**
 * `.batonignore` rules (Airflow's `.airflowignore` in glob mode, which follows `.gitignore`):
 * one glob per line; blank lines and `#` comments are skipped; `!` re-includes; a trailing `/`
 * matches folders only; a pattern containing `/` is anchored to the folder holding the
 * `.batonignore`, otherwise it matches a file or folder name at any depth. `*` and `?` stay
 * within one path segment, `**` spans segments, `[...]` is a character class.
 */

/** One parsed line of a `.batonignore` file. */
export interface IgnoreRule {
  /** Folder (relative to the DAGs folder, '' for the root) whose `.batonignore` holds the rule. */
  base: string;
  pattern: string;
  negated: boolean;
  dirOnly: boolean;
  regex: RegExp;
}

/** Parses the text of a `.batonignore` file found in `base` (relative to the DAGs folder). */
export function parseIgnoreFile(text: string, base: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1);
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.replace(/\/+$/, '');
    if (line === '') continue;
    const anchored = line.includes('/');
    const body = globToRegExpSource(line.replace(/^\/+/, ''));
    const regex = new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`);
    rules.push({ base, pattern: raw.trim(), negated, dirOnly, regex });
  }
  return rules;
}

/**
 * True when `relPath` (relative to the DAGs folder, `/`-separated) is ignored by `rules`.
 * Later rules win, as in `.gitignore`.
 */
export function isIgnored(rules: readonly IgnoreRule[], relPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    const local = relativeTo(rule.base, relPath);
    if (local === null) continue;
    if (rule.regex.test(local)) ignored = !rule.negated;
  }
  return ignored;
}

function relativeTo(base: string, relPath: string): string | null {
  if (base === '') return relPath;
  return relPath.startsWith(`${base}/`) ? relPath.slice(base.length + 1) : null;
}

/** Translates one glob into the source of an unanchored regular expression. */
export function globToRegExpSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const slashAfter = glob[i + 2] === '/';
        if (atStart && slashAfter) {
          out += '(?:.*/)?';
          i += 2;
        } else if (atStart && i + 2 === glob.length) {
          out += '.*';
          i += 1;
        } else {
          out += '[^/]*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let cls = glob.slice(i + 1, close);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegExp(glob[++i]!);
    } else {
      out += escapeRegExp(c);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
