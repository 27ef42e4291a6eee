/**
 * Builds a worker for the campaign task queue: the workflows (bundled from workflows/index.ts, or
 * a prebuilt bundle) and the activities wired to real dependencies. Shared by `campaign worker`
 * and the tests.
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Workflow runs kept in the worker's cache (sticky execution); see createCampaignWorker. */
export const MAX_CACHED_WORKFLOWS = 500;

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  deps: Omit<ActivityDeps, 'temporal'> & { temporal: Client };
  /** A bundle made once with bundleWorkflowCode (tests reuse one per suite). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
}

export function createCampaignWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 20,
    // Campaign workflows wait on timers and messages; keep plenty of them cached.
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: '30 seconds',
  });
}
