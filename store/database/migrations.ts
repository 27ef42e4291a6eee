/**
 * The schema, as numbered migrations applied in order at start-up by whichever process opens the
 * database first (worker, portal or CLI). Applying them is idempotent and safe when several
 * processes start at once: one transaction, under a lock (PostgreSQL: an advisory lock; SQLite:
 * BEGIN IMMEDIATE), records each version in `schema_migrations`. A database already migrated by a
 * NEWER version of the project is refused rather than used half-understood.
 *
 * Rules for adding one: append, never edit a migration that has shipped; write it in the SQL both
 * engines share, with {@link binaryType} and the like for the differences.
 */
import { binaryType, type Database, DatabaseError, type Dialect, type Queryable } from './database';

export interface Migration {
  version: number;
  name: string;
  statements(dialect: Dialect): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'delivery records, blobs, plans',
    statements: (dialect) => [
      // One row per recipient of one message of one campaign run: the unique key that makes "exactly once" a constraint.
      `CREATE TABLE deliveries (
        run TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        message_key TEXT NOT NULL,
        step TEXT NOT NULL,
        recipient TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('to', 'cc')),
        message_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed-permanent')),
        attempts INTEGER NOT NULL,
        unconfirmed_attempts INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        sent_at BIGINT,
        response_code INTEGER,
        response TEXT,
        last_error TEXT,
        PRIMARY KEY (run, campaign_id, message_key, step, recipient)
      )`,
      `CREATE INDEX deliveries_by_campaign_state ON deliveries (campaign_id, state)`,
      `CREATE INDEX deliveries_by_recipient ON deliveries (recipient, campaign_id)`,
      // Who is sending a message right now, until when (on the database's clock).
      `CREATE TABLE delivery_claims (
        run TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        message_key TEXT NOT NULL,
        step TEXT NOT NULL,
        owner TEXT,
        lease_until BIGINT NOT NULL,
        PRIMARY KEY (run, campaign_id, message_key, step)
      )`,
      // Content-addressed files, stored in chunks so that none is ever held whole in memory.
      `CREATE TABLE blobs (ref TEXT PRIMARY KEY, size BIGINT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE TABLE blob_chunks (blob TEXT NOT NULL, seq INTEGER NOT NULL, data ${binaryType(dialect)} NOT NULL, PRIMARY KEY (blob, seq))`,
      `CREATE TABLE blob_uploads (id TEXT PRIMARY KEY, started_at BIGINT NOT NULL)`,
      // Compiled plans, content-addressed by the same reference a blob of their JSON would have.
      `CREATE TABLE plans (ref TEXT PRIMARY KEY, plan TEXT NOT NULL, created_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'accounts, campaign grants, sessions, login throttle',
    statements: () => [
      // The people who log in to the coordinator's pages (store/accounts/): a password hash, never a password.
      `CREATE TABLE accounts (
        login TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
        password_hash TEXT NOT NULL,
        disabled_at BIGINT,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        password_changed_at BIGINT NOT NULL
      )`,
      // The campaigns a coordinator or viewer is given (an admin sees every campaign).
      `CREATE TABLE account_campaigns (
        login TEXT NOT NULL REFERENCES accounts (login),
        campaign_id TEXT NOT NULL,
        granted_at BIGINT NOT NULL,
        granted_by TEXT NOT NULL,
        PRIMARY KEY (login, campaign_id)
      )`,
      // Server-side sessions: the SHA-256 of the id the cookie carries, never the id itself.
      `CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES accounts (login),
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        ended_at BIGINT,
        ended_why TEXT,
        address TEXT NOT NULL
      )`,
      `CREATE INDEX sessions_by_login ON sessions (login, ended_at)`,
      `CREATE INDEX sessions_by_expiry ON sessions (expires_at)`,
      // Login attempts counted per login name and per address, in the database so that every portal process shares them.
      `CREATE TABLE login_throttle (
        scope TEXT NOT NULL CHECK (scope IN ('login', 'address')),
        key TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        window_until BIGINT NOT NULL,
        PRIMARY KEY (scope, key)
      )`,
      `CREATE INDEX login_throttle_by_window ON login_throttle (window_until)`,
    ],
  },
  {
    version: 3,
    name: 'campaign records',
    statements: () => [
      // What the archive of a finished campaign run needs once Temporal's retention has removed its
      // histories (store/campaign-records.ts): written when the final summary goes out.
      `CREATE TABLE campaign_records (
        run TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        title TEXT NOT NULL,
        plan_ref TEXT NOT NULL,
        plan_refs TEXT NOT NULL,
        clock TEXT,
        summary_json TEXT NOT NULL,
        summary_csv TEXT NOT NULL,
        summary_xlsx TEXT,
        shard_outcomes TEXT NOT NULL,
        audit_ref TEXT,
        audit_problem TEXT,
        finished_at TEXT NOT NULL,
        recorded_at BIGINT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('final-summary', 'temporal'))
      )`,
      `CREATE INDEX campaign_records_by_campaign ON campaign_records (campaign_id, finished_at)`,
    ],
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** An arbitrary constant naming this project's migration lock among PostgreSQL's advisory locks. */
const MIGRATION_LOCK = 7_243_511_002;

/** Brings the database's schema to {@link SCHEMA_VERSION}; returns the versions it applied. */
export async function migrate(db: Database): Promise<number[]> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const applied = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new DatabaseError(
        `the database ${db.location} has schema version ${newest}, written by a newer version of this project (this one knows up to ${SCHEMA_VERSION}): upgrade this installation before using that database`,
      );
    }
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await apply(tx, m);
      done.push(m.version);
    }
    return done;
  });
}

async function apply(tx: Queryable, m: Migration): Promise<void> {
  for (const sql of m.statements(tx.dialect)) await tx.run(sql);
  await tx.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, Date.now()]);
}
