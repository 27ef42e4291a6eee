/**
 * The one storage interface for what lives outside Temporal: delivery records, plans, blobs, and
 * whatever later issues add. Two backends behind it, chosen by CAMPAIGN_DATABASE_URL (see
 * open.ts): SQLite, one file in the data folder, for one machine; PostgreSQL for several.
 *
 * Why a thin SQL interface rather than an ORM or a query builder: the stores above it need a
 * handful of statements each, two of which (the delivery claim and the blob commit) are the whole
 * point of using a database and must read exactly as the database runs them. The SQL is written
 * once in the subset both engines share — `$1` parameters, `INSERT … ON CONFLICT`, `RETURNING` —
 * and the few differences (the database's clock, binary columns) are named here.
 */

export type Dialect = 'sqlite' | 'postgres';

/** Statements, outside or inside a transaction. Parameters are written `$1`, `$2`… in both dialects. */
export interface Queryable {
  readonly dialect: Dialect;
  /** Every row the statement returns. */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, if any. */
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface Database extends Queryable {
  /** Where it is, for messages: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Inside,
   * use only `tx` (on SQLite the connection is this process's, and a call on the database itself
   * would wait for the transaction to end).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The database's clock in epoch milliseconds, as an SQL expression. Leases and claims are judged on
 * it, never on the clock of the machine asking: two workers whose clocks disagree still agree on
 * whose lease has expired.
 */
export function nowMs(dialect: Dialect): string {
  return dialect === 'sqlite' ? `CAST(unixepoch('subsec') * 1000 AS INTEGER)` : `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT`;
}

/** The column type of binary content. */
export function binaryType(dialect: Dialect): string {
  return dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
}

/** The database cannot be opened or its schema is not one this version knows. */
export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}
