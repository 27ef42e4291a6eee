import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { toolPaths } from '../../tools/harness/tool-paths';
import './provided';

/**
 * The time-skipping suite: each test file starts Temporal's Java test server through
 * `TestWorkflowEnvironment.createTimeSkipping` with the executable bootstrap resolved.
 */
export default function setup(project: TestProject) {
  const { testServer } = toolPaths();
  if (!existsSync(testServer)) throw new Error(`the test server wrapper ${testServer} is missing: run npm run bootstrap`);
  project.provide('testServerPath', testServer);
}
