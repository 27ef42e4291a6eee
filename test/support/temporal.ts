import { TestWorkflowEnvironment } from '@temporalio/testing';
import { toolPaths } from '../../harness/tool-paths';

/** A time-skipping environment backed by Temporal's real Java test server (resolved by bootstrap). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: toolPaths().testServer } },
  });
}

/** A unique workflow id per test, so tests never collide on one server. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
