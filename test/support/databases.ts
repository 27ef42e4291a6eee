/**
 * A database of its own for each test file, on the PostgreSQL the run's global set-up started
 * (test/setup/postgres.ts): tests that run side by side cannot see each other's rows, and a test
 * that needs an empty store gets one without cleaning up after others.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabaseAt } from '../../tools/harness/postgres';
import '../setup/provided';

/**
 * Creates an empty database on the run's server and returns its postgres:// URL. `label` (letters,
 * digits, _) makes it recognisable in the server's log; a random suffix makes it unique.
 */
export async function freshPostgresDatabase(label = 'test'): Promise<string> {
  const safe = label.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  return createDatabaseAt(inject('databaseUrl'), `${safe}_${randomBytes(6).toString('hex')}`);
}
