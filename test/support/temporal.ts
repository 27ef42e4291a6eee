import { TestWorkflowEnvironment } from '@temporalio/testing';
import { toolPaths } from '../../tools/harness/tool-paths';

/**
 * A time-skipping environment backed by Temporal's real Java test server (resolved by bootstrap).
 * The SDK allows the server 5 s to start; on a busy 2-core machine a JVM can miss that, so that
 * one failure — and only that one — is tried again.
 */
export async function createTimeSkippingEnv(attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: toolPaths().testServer } },
      });
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}

/** A unique workflow id per test, so tests never collide on one server. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
