#!/usr/bin/env node
// The `baton` command: registers the TypeScript loader and the "baton" module resolver,
// then hands over to the CLI.
import { registerLoaders } from './loaders.js';
registerLoaders();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
