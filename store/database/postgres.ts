/**
 * The backend for several machines: one PostgreSQL database that every worker, the portal and the
 * CLI share (the `pg` driver, one pool per process).
 *
 * A statement that fails because the server went away (restart, failover, network) rejects; the
 * pool replaces the broken connection on the next call. Activities let Temporal retry, so a
 * PostgreSQL restart mid-campaign costs retries, not data: every write is one statement or one
 * transaction, and the ledger's claims are conditional updates that a retry simply repeats.
 */
import pg from 'pg';
import { type Database, DatabaseError, type Queryable } from './database';

// BIGINT (epoch milliseconds, sizes) as numbers: every value stored fits in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresOptions {
  /** Connections this process keeps at most (default 10). */
  maxConnections?: number;
}

export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.location = withoutPassword(url);
    this.pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
    // An idle connection the server closed (a restart) must not crash the process: the pool drops it.
    this.pool.on('error', () => undefined);
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params as unknown[])).rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.pool.query(sql, params as unknown[])).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let broken = false;
    const client = await this.pool.connect();
    // A checked-out connection has no listener of the pool's: the server going away mid-transaction
    // (a restart) would be an unhandled 'error' event and end the process. The statement rejects anyway.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    const tx: Queryable = {
      dialect: 'postgres',
      all: async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows as R[],
      get: async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows[0] as R | undefined,
      run: async (sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rowCount ?? 0,
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A URL fit for messages and logs. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    throw new DatabaseError('CAMPAIGN_DATABASE_URL is not a URL (postgres://user:password@host:5432/database)');
  }
}
