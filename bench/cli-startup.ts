/**
 * CLI start-up benchmark: wall time of `baton version` and of `baton dags list` on the example
 * DAGs folder, parsed (the parse cache off) and answered from the parse cache, each the median
 * of --repeat runs (default 5) in a fresh home folder with a migrated SQLite database.
 * Usage: npm run bench:cli -- [--repeat N] [--dags-folder PATH]
 * The last line printed is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    'dags-folder': { type: 'string', default: join(ROOT, 'examples/dags') },
  },
});
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer (got ${args.repeat})`);

const home = await mkdtemp(join(tmpdir(), 'baton-bench-cli-'));
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_'))), BATON_HOME: home, BATON_DAGS_FOLDER: args['dags-folder'] };
const baton = (argv: string[], extra: Record<string, string> = {}) => execFileSync(process.execPath, [join(ROOT, 'bin/baton.js'), ...argv], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });

function medianSeconds(argv: string[], extra: Record<string, string> = {}): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    baton(argv, extra);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]!) / 1000;
}

try {
  baton(['db', 'migrate']);
  const loadBefore = loadavg();
  const result = {
    version_seconds: medianSeconds(['version']),
    dags_list_parsed_seconds: medianSeconds(['dags', 'list'], { BATON_CLI_PARSE_CACHE: 'false' }),
    dags_list_cached_seconds: (baton(['dags', 'list']), medianSeconds(['dags', 'list'])),
    dags_folder: args['dags-folder'],
    repeat,
    machine: { load_average: [loadBefore, loadavg()].map((l) => Number(l[0].toFixed(2))), cpus: cpus().length, node: process.version },
  };
  console.log(JSON.stringify(result));
} finally {
  await rm(home, { recursive: true, force: true });
}
