import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingEnv, uniqueId } from '../support/temporal';
import { sleepDays } from '../fixtures/workflows/smoke';

const DAY = 24 * 60 * 60 * 1000;

describe('time-skipping test server (Temporal Java test server from Maven Central)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes a workflow that sleeps 30 days, the workflow clock having moved 30 days', async () => {
    const taskQueue = uniqueId('smoke-timeskip');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../fixtures/workflows/smoke.ts', import.meta.url)),
    });
    const serverTimeBefore = (await env.currentTimeMs()) as unknown as number;
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepDays, { args: [30], taskQueue, workflowId: uniqueId('sleep30') }),
    );
    expect(result.wokeAt - result.startedAt).toBeGreaterThanOrEqual(30 * DAY);
    expect(Number(await env.currentTimeMs()) - Number(serverTimeBefore)).toBeGreaterThanOrEqual(30 * DAY);
  });
});
