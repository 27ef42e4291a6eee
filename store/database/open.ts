/**
 * Opens the database the environment names, with its schema migrated: CAMPAIGN_DATABASE_URL when
 * set (PostgreSQL), else the embedded SQLite file in the data folder. The one place that chooses.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AppEnv } from '../../config/env';
import { type Database, DatabaseError } from './database';
import { migrate } from './migrations';
import { PostgresDatabase } from './postgres';
import { SqliteDatabase } from './sqlite';

/** The embedded database's file name in the data folder. */
export const SQLITE_FILE = 'campaign.sqlite';

export function sqliteFile(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR'>): string {
  return path.join(path.resolve(env.CAMPAIGN_DATA_DIR), SQLITE_FILE);
}

export async function openDatabase(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR' | 'CAMPAIGN_DATABASE_URL'>): Promise<Database> {
  let db: Database;
  if (env.CAMPAIGN_DATABASE_URL) {
    db = new PostgresDatabase(env.CAMPAIGN_DATABASE_URL);
  } else {
    const file = sqliteFile(env);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    db = new SqliteDatabase(file);
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError(`cannot prepare the database ${db.location}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}
