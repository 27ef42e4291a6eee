/**
 * Builds a worker for the campaign task queue: the workflows (bundled from workflows/index.ts, or
 * a prebuilt bundle) and the activities wired to real dependencies. Shared by `campaign worker`
 * and the tests.
 *
 * Without a prebuilt bundle the workflows are bundled by webpack in a short-lived child process,
 * not in the worker's own: webpack's modules, once loaded, stay in the process for good — measured
 * after a collection, about 30 MiB more of V8 heap and 90 MiB more of resident memory, for a bundle
 * made once at start (BENCHMARKS.md, where the worker's memory goes).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Workflow runs kept in the worker's cache (sticky execution); see createCampaignWorker. */
export const MAX_CACHED_WORKFLOWS = 500;

/** The workflows could not be bundled (an import the workflow sandbox refuses, a syntax error…). */
export class WorkflowBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowBundleError';
  }
}

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'temporal'> & { temporal: Client };
  /** A bundle made once with bundleWorkflowCode (tests reuse one per suite); default: bundled apart, see above. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
}

/**
 * The workflow bundle, made by bundleWorkflowCode (as Worker.create would from workflowsPath) in a
 * child process that exits once it has written the code.
 */
export function bundleWorkflowsApart(): Promise<{ code: string }> {
  const sdk = pathToFileURL(createRequire(import.meta.url).resolve('@temporalio/worker')).href;
  const script = [
    `import { bundleWorkflowCode } from ${JSON.stringify(sdk)};`,
    'const quiet = () => undefined;',
    `const { code } = await bundleWorkflowCode({ workflowsPath: ${JSON.stringify(WORKFLOWS_PATH)}, logger: { log: quiet, info: quiet, warn: quiet, debug: quiet, trace: quiet, error: (m) => process.stderr.write(m + '\\n') } });`,
    'process.stdout.write(code);',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new WorkflowBundleError(`bundling the workflows (${WORKFLOWS_PATH}) failed: ${(stderr || err.message).trim().split('\n').slice(-20).join('\n')}`));
      else resolve({ code: stdout });
    });
  });
}

export async function createCampaignWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflowsApart()),
    activities: createActivities(opts.deps),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 20,
    // Campaign workflows wait on timers and messages; keep plenty of them cached.
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: '30 seconds',
  });
}
