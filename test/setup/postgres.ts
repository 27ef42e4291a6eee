/**
 * One throw-away PostgreSQL for the whole run (unit, devserver and faults projects): the storage's
 * PostgreSQL path is tested against the real server. Test files each create a database of their own
 * on it (test/support/databases.ts), so they cannot see each other's rows.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../tools/harness/postgres';
import './provided';

export default async function setup(project: TestProject) {
  const server = await startPostgres();
  project.provide('databaseUrl', server.url);
  return async () => {
    await server.stop();
  };
}
