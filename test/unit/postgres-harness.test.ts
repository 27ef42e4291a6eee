/**
 * The throw-away PostgreSQL the storage's tests and the fault suite run against
 * (tools/harness/postgres.ts): each test file gets a database no other file sees, and a server that
 * is restarted — cleanly, after a while down, or by a crash — comes back with every committed row,
 * for clients that connect again.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStartError, startPostgres, type Postgres } from '../../tools/harness/postgres';
import { freshPostgresDatabase } from '../support/databases';

async function rows(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe("the run's PostgreSQL", () => {
  it('gives each test file a database of its own', async () => {
    const ours = await freshPostgresDatabase('postgres_harness');
    const theirs = await freshPostgresDatabase('postgres_harness');
    expect(ours).not.toBe(theirs);
    await rows(ours, 'CREATE TABLE deliveries (message_id text PRIMARY KEY, sent_at timestamptz NOT NULL)');
    await rows(ours, 'INSERT INTO deliveries VALUES ($1, $2)', ['reminder-1', '2026-03-02T01:00:00Z']);
    expect(await rows(ours, 'SELECT message_id FROM deliveries')).toEqual([{ message_id: 'reminder-1' }]);
    await expect(rows(theirs, 'SELECT message_id FROM deliveries')).rejects.toMatchObject({ code: '42P01' }); // no such table
  });
});

describe('a PostgreSQL of its own, restarted', () => {
  let server: Postgres;
  let pool: pg.Pool;
  const seen = async () => (await pool.query('SELECT message_id FROM deliveries ORDER BY message_id')).rows.map((r) => r.message_id);

  beforeAll(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    // A restart ends the pool's idle connections; the pool drops them and connects anew.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE deliveries (message_id text PRIMARY KEY)');
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  it('keeps its data across a restart, and clients connect again', async () => {
    await pool.query("INSERT INTO deliveries VALUES ('reminder-1')");
    await server.restart();
    expect(server.running).toBe(true);
    expect(await seen()).toEqual(['reminder-1']);
    await pool.query("INSERT INTO deliveries VALUES ('reminder-2')");
    expect(await seen()).toEqual(['reminder-1', 'reminder-2']);
  });

  it('refuses connections while kept down, and answers again on the same port', async () => {
    await server.stopServer();
    expect(server.running).toBe(false);
    await expect(rows(server.url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.startServer();
    expect(await rows(server.url, 'SELECT count(*)::int AS n FROM deliveries')).toEqual([{ n: 2 }]);
  });

  it('loses no committed row when it crashes (immediate stop) and starts again', async () => {
    await pool.query("INSERT INTO deliveries VALUES ('reminder-3')");
    await server.restart({ mode: 'immediate' });
    expect(await seen()).toEqual(['reminder-1', 'reminder-2', 'reminder-3']);
  });

  it('names the cause, with its log, when the port is taken, and stop() removes the data', async () => {
    const clash = await startPostgres({ port: server.port }).catch((err: unknown) => err);
    expect(clash).toBeInstanceOf(PostgresStartError);
    expect((clash as PostgresStartError).logTail).toMatch(/Address already in use/);
    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
  });
});
