#!/usr/bin/env node
// The `campaign` command. Runs the TypeScript sources directly through tsx, so `npx campaign`
// works as soon as `npm ci` has run (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
