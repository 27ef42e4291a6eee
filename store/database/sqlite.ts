/**
 * The embedded backend: one SQLite file in the data folder (better-sqlite3), shared by the worker,
 * the portal and the CLI on one machine at once.
 *
 * - WAL mode: readers never wait for the writer, and the processes on this machine share the file
 *   safely; a writer waits (busy timeout) for another process's transaction instead of failing.
 * - synchronous=FULL: a committed delivery record survives a power cut, not only a crash — the
 *   ledger's promise ("recorded as sending before it is sent") rests on it.
 * - better-sqlite3 is synchronous, so this process's statements run one at a time through a queue:
 *   a transaction whose callback awaits keeps the connection to itself until it ends, and no other
 *   statement of this process slips into it.
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Database, DatabaseError, type Queryable } from './database';

/** How long a writer waits for another process's transaction before failing (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 15_000;

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/** This process's queue of statements per database file (see exclusive()). */
const queues = new Map<string, Promise<unknown>>();

export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, { statement: Statement; order: number[] }>();
  private readonly direct: Queryable;

  readonly location: string;

  constructor(file: string) {
    this.location = path.resolve(file);
    try {
      this.db = new BetterSqlite3(this.location, { timeout: BUSY_TIMEOUT_MS });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      // 4 MiB of page cache per connection (better-sqlite3's build default is 16 MiB): blob chunks
      // pass through it, and a portal streaming an upload should not grow by the cache's size.
      this.db.pragma('cache_size = -4096');
    } catch (err) {
      throw new DatabaseError(`cannot open the database file ${this.location}: ${(err as Error).message}`, { cause: err });
    }
    this.direct = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: readonly unknown[] = []) => this.execute(sql, params, 'all') as T[],
      get: async <T>(sql: string, params: readonly unknown[] = []) => this.execute(sql, params, 'get') as T | undefined,
      run: async (sql: string, params: readonly unknown[] = []) => this.execute(sql, params, 'run') as number,
    };
  }

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.exclusive(() => this.execute(sql, params, 'all') as T[]);
  }

  get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.exclusive(() => this.execute(sql, params, 'get') as T | undefined);
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.exclusive(() => this.execute(sql, params, 'run') as number);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // IMMEDIATE: take the write lock now, so two processes never both read and then both fail to upgrade.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await queues.get(this.location);
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `fn` after every statement and transaction this process started before it on the same
   * file, through any connection: a second connection's BEGIN IMMEDIATE issued while the first is
   * inside a transaction would block this one thread in SQLite's busy wait, and the first could
   * never finish.
   */
  private exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = (queues.get(this.location) ?? Promise.resolve()).then(fn, fn);
    queues.set(this.location, run.catch(() => undefined));
    return run;
  }

  private execute(sql: string, params: readonly unknown[], mode: 'all' | 'get' | 'run'): unknown {
    const { statement, order } = this.prepare(sql);
    const args = order.map((n) => toSqlite(params[n - 1]));
    if (mode === 'run') {
      if (statement.reader) return statement.all(...args).length;
      return statement.run(...args).changes;
    }
    if (!statement.reader) {
      statement.run(...args);
      return mode === 'all' ? [] : undefined;
    }
    return mode === 'all' ? statement.all(...args) : statement.get(...args);
  }

  /** `$n` parameters become SQLite's positional `?`, in the order they appear. */
  private prepare(sql: string): { statement: Statement; order: number[] } {
    const known = this.statements.get(sql);
    if (known) return known;
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n));
      return '?';
    });
    const prepared = { statement: this.db.prepare(text) as Statement, order };
    if (this.statements.size > 500) this.statements.clear();
    this.statements.set(sql, prepared);
    return prepared;
  }
}

/** SQLite binds no booleans or Dates: the stores pass numbers and ISO strings, this keeps it so. */
function toSqlite(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}
