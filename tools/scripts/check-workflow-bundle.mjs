#!/usr/bin/env node
// Bundles workflows/ exactly as the worker does (webpack, Temporal's determinism checks). Fails
// when workflow code imports a Node built-in or a module that cannot run in the workflow sandbox.
import { bundleWorkflowCode } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
try {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, info() {}, warn() {}, debug() {}, trace() {}, error: (m) => console.error(m) } });
  console.log(`workflow bundle: ok (${(code.length / 1024).toFixed(0)} KiB)`);
} catch (err) {
  console.error(`workflow bundle: FAILED — workflow code must be deterministic and must not import Node built-ins.\n${err?.message ?? err}`);
  process.exit(1);
}
