/**
 * Where everything outside Temporal lives on this machine, from the validated environment: the
 * data folder and its blob and plan stores. One place for the worker, the portal, the CLI and the
 * tools, so that none of them imports another to find its files.
 */
import path from 'node:path';
import type { AppEnv } from '../config/env';
import { BlobStore } from './blob-store';
import { PlanStore } from './plan-store';

export function dataDirs(env: AppEnv) {
  const root = path.resolve(env.CAMPAIGN_DATA_DIR);
  return { root, blobs: path.join(root, 'blobs'), ledger: path.join(root, 'mail-ledger') };
}

export function stores(env: AppEnv) {
  const blobs = new BlobStore(dataDirs(env).blobs);
  return { blobs, plans: new PlanStore(blobs) };
}
