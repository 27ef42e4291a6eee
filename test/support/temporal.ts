import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import '../setup/provided';

/** A time-skipping environment backed by Temporal's real Java test server. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
}

/** A unique workflow id per test, so tests never collide on one server. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
