/**
 * Where everything outside Temporal lives, from the validated environment: the database (the
 * embedded SQLite file in the data folder, or the PostgreSQL of CAMPAIGN_DATABASE_URL) and the
 * stores on it — blobs, plans, the delivery ledger. One place for the worker, the portal, the CLI
 * and the tools, so that none of them imports another to find its data. Whoever opens the stores
 * closes them ({@link Stores.close}) when it stops.
 *
 * Data an earlier version kept as files here (blobs/, mail-ledger/) is refused until imported
 * (store/earlier-data.ts, `campaign migrate-data`).
 *
 * The data folder is private to its owner. It holds the embedded database (delivery records, the
 * attachments departments submitted), the mail the demo inbox received (with live department
 * links), the portal's secret and, under `npm start`, the Temporal dev server's SQLite database.
 * Every process that writes there runs with a umask of 077 (files 0600, folders 0700): the
 * `campaign` command sets it at start-up for every verb, and secureDataDir sets it too for the
 * worker, the portal and the tools' stack, whose children (dev server, worker) inherit it.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { AppEnv } from '../config/env';
import { ConfigError } from '../config/errors';
import { DeliveryLedger } from '../mail/delivery/ledger';
import { BlobStore } from './blob-store';
import type { Database } from './database/database';
import { openDatabase } from './database/open';
import { earlierDataRefusal, findEarlierData, isEmpty } from './earlier-data';
import { PlanStore } from './plan-store';

/** The data folder, absolute. */
export function dataDir(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR'>): string {
  return path.resolve(env.CAMPAIGN_DATA_DIR);
}

export interface Stores {
  db: Database;
  blobs: BlobStore;
  plans: PlanStore;
  ledger: DeliveryLedger;
  /** Closes the database (after the statements under way). */
  close(): Promise<void>;
}

export type StoreSettings = Pick<AppEnv, 'CAMPAIGN_DATA_DIR' | 'CAMPAIGN_DATABASE_URL'>;

/**
 * Opens the database (schema migrated) and the stores on it; sweeps the blob uploads abandoned more
 * than an hour ago. Throws a ConfigError when the data folder holds data of an earlier version not
 * imported yet, a DatabaseError when the database cannot be opened.
 */
export async function openStores(env: StoreSettings): Promise<Stores> {
  const earlier = findEarlierData(env);
  if (!isEmpty(earlier)) throw earlierDataRefusal(earlier);
  const db = await openDatabase(env);
  try {
    const blobs = new BlobStore(db);
    await blobs.sweepAbandonedUploads();
    return { db, blobs, plans: new PlanStore(db, blobs), ledger: new DeliveryLedger(db), close: () => db.close() };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** Bits no file or folder this process creates gives to its group or to other users. */
export const PRIVATE_UMASK = 0o077;

/**
 * From now on this process (and every child it starts) creates files 0600 and folders 0700.
 * Bits already masked stay masked. A worker thread cannot change the umask (Node refuses): there
 * the folder modes set by secureDataDir still keep other users out.
 */
export function privateFileModes(): void {
  if (isMainThread) process.umask(process.umask() | PRIVATE_UMASK);
}

/**
 * Makes the data folder private before anything is written to it: the umask above, the folder
 * created 0700, and a folder left by an earlier version (0755, files 0644) tightened to 0700, with
 * its immediate subfolders (inbox/, logs/, …). Not recursively: no other user can
 * reach a file whose folder they cannot enter, so the root at 0700 already closes everything
 * below, and rewriting the mode of every stored file would make each start-up as slow as the store
 * is large. Throws a ConfigError when the folder is a shared one (world-writable or sticky, like
 * /tmp) or cannot be made private (another user's).
 */
export function secureDataDir(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR'>): string {
  privateFileModes();
  const root = dataDir(env);
  const problem = (what: string) => new ConfigError([`CAMPAIGN_DATA_DIR=${env.CAMPAIGN_DATA_DIR} (${root}) ${what}`], 'The data folder cannot be made private');
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw problem(`cannot be created: ${(err as Error).message}`);
  }
  const stat = statSync(root);
  if (!stat.isDirectory()) throw problem('is not a folder');
  if (stat.mode & 0o1002) throw problem('is a folder every user may write to: choose a folder of your own');
  try {
    tighten(root, stat.mode);
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      // Dirent.isDirectory() does not follow symbolic links: a link's target is not ours to change.
      if (entry.isDirectory()) {
        const sub = path.join(root, entry.name);
        tighten(sub, statSync(sub).mode);
      }
    }
  } catch (err) {
    throw problem(`cannot be made private to its owner: ${(err as Error).message}`);
  }
  return root;
}

function tighten(dir: string, mode: number): void {
  if (mode & PRIVATE_UMASK) chmodSync(dir, mode & 0o700);
}
