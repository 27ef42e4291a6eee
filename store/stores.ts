/**
 * Where everything outside Temporal lives on this machine, from the validated environment: the
 * data folder and its blob and plan stores. One place for the worker, the portal, the CLI and the
 * tools, so that none of them imports another to find its files.
 *
 * The data folder is private to its owner. It holds the mail the demo inbox received (with live
 * department links), the attachments departments submitted, the delivery ledger, the portal's
 * secret and, under `npm start`, the Temporal dev server's SQLite database. Every process that
 * writes there runs with a umask of 077 (files 0600, folders 0700): the `campaign` command sets it
 * at start-up for every verb, and secureDataDir sets it too for the worker, the portal and the
 * tools' stack, whose children (dev server, worker) inherit it.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { AppEnv } from '../config/env';
import { ConfigError } from '../config/errors';
import { BlobStore } from './blob-store';
import { PlanStore } from './plan-store';

export function dataDirs(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR'>) {
  const root = path.resolve(env.CAMPAIGN_DATA_DIR);
  return { root, blobs: path.join(root, 'blobs'), ledger: path.join(root, 'mail-ledger') };
}

export function stores(env: AppEnv) {
  const blobs = new BlobStore(dataDirs(env).blobs);
  return { blobs, plans: new PlanStore(blobs) };
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
 * its immediate subfolders (blobs/, mail-ledger/, inbox/, …). Not recursively: no other user can
 * reach a file whose folder they cannot enter, so the root at 0700 already closes everything
 * below, and rewriting the mode of every stored file would make each start-up as slow as the store
 * is large. Throws a ConfigError when the folder is a shared one (world-writable or sticky, like
 * /tmp) or cannot be made private (another user's).
 */
export function secureDataDir(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR'>): string {
  privateFileModes();
  const { root } = dataDirs(env);
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
