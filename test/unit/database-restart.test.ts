/**
 * PostgreSQL restarted while a transaction is open (a failover, an upgrade, the fault suite's
 * outage): the statement fails, the process does not — an unhandled 'error' event from the
 * checked-out connection used to end the worker — and the next transaction runs on a fresh
 * connection. A throw-away server of its own (tools/harness/postgres.ts), so it can be stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../store/database/postgres';
import { startPostgres } from '../../tools/harness/postgres';

describe('the PostgreSQL backend across a server restart', () => {
  let server: Awaited<ReturnType<typeof startPostgres>>;
  let db: PostgresDatabase;
  beforeAll(async () => {
    server = await startPostgres();
    db = new PostgresDatabase(server.url);
    await db.run('CREATE TABLE t (n INTEGER)');
  }, 60_000);
  afterAll(async () => {
    await db?.close().catch(() => undefined);
    await server?.stop();
  });

  it('a transaction open when the server stops fails; the process lives on and the next one commits', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const failed = db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        await server.stopServer({ mode: 'fast' });
        await tx.run('INSERT INTO t VALUES (2)');
      });
      await expect(failed).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 200));
      await server.startServer();
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (3)');
      });
      expect(await db.all<{ n: number }>('SELECT n FROM t ORDER BY n')).toEqual([{ n: 3 }]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 60_000);
});
