import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../tools/harness/dev-server';
import './provided';

/** Starts one real Temporal dev server (in memory, free ports) for the whole devserver suite. */
export default async function setup(project: TestProject) {
  const server = await startDevServer({ ui: true });
  project.provide('temporalAddress', server.address);
  project.provide('temporalUiUrl', server.uiUrl ?? '');
  return async () => {
    await server.stop();
  };
}
