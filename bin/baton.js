#!/usr/bin/env node
// The `baton` command: runs the compiled build in dist/ (made by `npm install`, or by
// `npm run build` after changing the sources).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error: Baton is not built (dist/cli/main.js is missing). Run `npm run build` (npm install does it) and try again.\n');
  process.exit(1);
}
const cli = await import(main.href);
await cli.main(process.argv);
