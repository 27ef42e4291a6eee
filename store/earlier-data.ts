/**
 * Data an earlier version kept as files in the data folder: the blob store (`blobs/<2 hex>/<64 hex>`)
 * and the delivery ledger (`mail-ledger/[<run>/]<campaign>/<message key>/<step>--<recipient>.json`).
 * This version keeps both in the database, so such folders are found at start-up and refused with a
 * message that says how to import them ({@link earlierDataRefusal}) — never silently ignored: a
 * ledger left behind would let messages already sent go out again, and blobs left behind would
 * leave the campaigns' attachments and plans unreadable.
 *
 * `campaign migrate-data` calls {@link importEarlierData}: every blob file streamed into the blob
 * store (its content checked against its name), every ledger record inserted into `deliveries` as
 * it was (a record left `sending` stays `sending`, so the ledger's "resent once, counted" policy
 * still applies to it), then each folder renamed `<name>.imported`. Running it again imports nothing
 * twice (existing blobs are skipped, records are inserted ON CONFLICT DO NOTHING).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { AppEnv } from '../config/env';
import { ConfigError } from '../config/errors';
import type { DeliveryRecord } from '../mail/delivery/ledger';
import { BlobStore } from './blob-store';
import type { Database, Queryable } from './database/database';

/** The earlier version's folders in the data folder. */
export const EARLIER_FOLDERS = { blobs: 'blobs', ledger: 'mail-ledger' } as const;

export interface EarlierData {
  /** The blob folder, when it exists. */
  blobs?: string;
  /** The ledger folders that exist: the data folder's, and the one MAIL_LEDGER_DIR named. */
  ledgers: string[];
}

/**
 * The earlier version's folders in the data folder, and the ledger at `ledgerDir` (where
 * MAIL_LEDGER_DIR put it, when it was set) when it exists.
 */
export function findEarlierData(env: Pick<AppEnv, 'CAMPAIGN_DATA_DIR'>, opts: { ledgerDir?: string } = {}): EarlierData {
  const root = path.resolve(env.CAMPAIGN_DATA_DIR);
  const blobs = path.join(root, EARLIER_FOLDERS.blobs);
  const ledgers = [...new Set([path.join(root, EARLIER_FOLDERS.ledger), ...(opts.ledgerDir ? [path.resolve(opts.ledgerDir)] : [])])].filter((d) => existsSync(d));
  return { ...(existsSync(blobs) ? { blobs } : {}), ledgers };
}

export function isEmpty(found: EarlierData): boolean {
  return !found.blobs && found.ledgers.length === 0;
}

/** The refusal to run beside data of an earlier version, saying what was found and how to import it. */
export function earlierDataRefusal(found: EarlierData): ConfigError {
  const problems: string[] = [];
  if (found.blobs) problems.push(`${found.blobs} holds the files of an earlier version (attachments, plans, summaries); this version keeps them in the database`);
  for (const ledger of found.ledgers) problems.push(`${ledger} holds the delivery ledger of an earlier version; this version keeps delivery records in the database, and without them messages already sent could be sent again`);
  problems.push('import them once with: npx campaign migrate-data (with the same CAMPAIGN_DATA_DIR and CAMPAIGN_DATABASE_URL); it renames the folders to *.imported when done');
  return new ConfigError(problems, 'The data folder holds data from an earlier version that is not imported yet');
}

export interface ImportReport {
  blobs: {
    imported: number;
    /** Already in the store (an earlier run of the import, or the same file stored since). */
    present: number;
    /** Files whose content does not match their name, or that are not blobs; not imported. */
    refused: Array<{ file: string; reason: string }>;
    /** Temporary files of uploads never committed (never blobs). */
    unfinished: number;
    renamed?: { from: string; to: string };
  };
  deliveries: {
    imported: number;
    present: number;
    skipped: Array<{ file: string; reason: string }>;
    /** Run folders whose name was shortened too much to recover the run: their records are kept under the folder's name. */
    runsNotRecovered: string[];
    renamed: Array<{ from: string; to: string }>;
  };
}

/** Imports what {@link findEarlierData} found, then renames each folder `<name>.imported`. */
export async function importEarlierData(db: Database, found: EarlierData): Promise<ImportReport> {
  const report: ImportReport = {
    blobs: { imported: 0, present: 0, refused: [], unfinished: 0 },
    deliveries: { imported: 0, present: 0, skipped: [], runsNotRecovered: [], renamed: [] },
  };
  if (found.blobs) {
    await importBlobs(new BlobStore(db), found.blobs, report.blobs);
    report.blobs.renamed = await renameImported(found.blobs);
  }
  for (const ledger of found.ledgers) {
    await importLedger(db, ledger, report.deliveries);
    report.deliveries.renamed.push(await renameImported(ledger));
  }
  return report;
}

// --- blobs -------------------------------------------------------------------------------------

async function importBlobs(blobs: BlobStore, dir: string, report: ImportReport['blobs']): Promise<void> {
  for (const sub of await fs.readdir(dir, { withFileTypes: true })) {
    const subDir = path.join(dir, sub.name);
    if (sub.isDirectory() && sub.name === 'tmp') {
      report.unfinished += (await fs.readdir(subDir)).length;
      continue;
    }
    if (!sub.isDirectory() || !/^[0-9a-f]{2}$/.test(sub.name)) {
      report.refused.push({ file: subDir, reason: 'not a blob of the earlier store' });
      continue;
    }
    for (const entry of await fs.readdir(subDir, { withFileTypes: true })) {
      const file = path.join(subDir, entry.name);
      if (/\.tmp$/.test(entry.name)) {
        report.unfinished++;
        continue;
      }
      if (!entry.isFile() || !/^[0-9a-f]{64}$/.test(entry.name) || !entry.name.startsWith(sub.name)) {
        report.refused.push({ file, reason: 'not a blob of the earlier store' });
        continue;
      }
      const ref = `sha256:${entry.name}`;
      if (await blobs.has(ref)) {
        report.present++;
        continue;
      }
      const staged = await blobs.stage(createReadStream(file));
      if (staged.ref !== ref) {
        await staged.discard();
        report.refused.push({ file, reason: `its content is damaged: it hashes to ${staged.ref}` });
        continue;
      }
      await staged.commit();
      report.imported++;
    }
  }
}

// --- the delivery ledger -----------------------------------------------------------------------

/** A record as the earlier ledger wrote it (one JSON file per recipient): today's, with a version and no run. */
type EarlierRecord = Omit<DeliveryRecord, 'run'> & { version: 1 };

/** Records inserted per transaction (SQLite syncs each commit to disk). */
const RECORDS_PER_TRANSACTION = 500;

const INSERT_DELIVERY = `INSERT INTO deliveries (run, campaign_id, message_key, step, recipient, role, message_id, subject, state, attempts, unconfirmed_attempts, created_at, updated_at, sent_at, response_code, response, last_error)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
  ON CONFLICT (run, campaign_id, message_key, step, recipient) DO NOTHING`;

async function importLedger(db: Database, dir: string, report: ImportReport['deliveries']): Promise<void> {
  const runs = new Map<string, string>();
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const inserted = await db.transaction(async (tx: Queryable) => {
      let n = 0;
      for (const params of rows) n += await tx.run(INSERT_DELIVERY, params);
      return n;
    });
    report.imported += inserted;
    report.present += rows.length - inserted;
  };
  for (const file of await jsonFiles(dir)) {
    const segments = path.relative(dir, file).split(path.sep);
    // <run>/<campaign>/<key>/<file> for a ledger scoped to campaign runs, <campaign>/<key>/<file> before.
    if (segments.length !== 3 && segments.length !== 4) {
      report.skipped.push({ file, reason: 'not where the earlier ledger kept records' });
      continue;
    }
    let record: EarlierRecord;
    try {
      record = JSON.parse(await fs.readFile(file, 'utf8')) as EarlierRecord;
    } catch (err) {
      report.skipped.push({ file, reason: `not readable as a record (${(err as Error).message})` });
      continue;
    }
    const problem = recordProblem(record);
    if (problem) {
      report.skipped.push({ file, reason: problem });
      continue;
    }
    let run = '';
    if (segments.length === 4) {
      const folder = segments[0]!;
      if (!runs.has(folder)) {
        const recovered = recoverRun(folder);
        if (recovered === undefined) report.runsNotRecovered.push(folder);
        runs.set(folder, recovered ?? folder);
      }
      run = runs.get(folder)!;
    }
    const r = record;
    batch.push([
      run,
      r.campaignId,
      r.key,
      r.step,
      r.recipient.toLowerCase(),
      r.role,
      r.messageId,
      r.subject,
      r.state,
      r.attempts,
      r.unconfirmedAttempts,
      Date.parse(r.createdAt),
      Date.parse(r.updatedAt),
      r.sentAt ? Date.parse(r.sentAt) : null,
      r.responseCode ?? null,
      r.response ?? null,
      r.lastError ?? null,
    ]);
    if (batch.length >= RECORDS_PER_TRANSACTION) await flush();
  }
  await flush();
}

/** Every `*.json` file under `dir` (lock and temporary files are not records). */
async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await jsonFiles(p)));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

const STATES = new Set(['pending', 'sending', 'sent', 'failed-permanent']);

/** Why a parsed file is not a record of the earlier ledger, or undefined when it is one. */
function recordProblem(r: EarlierRecord): string | undefined {
  if (typeof r !== 'object' || r === null || r.version !== 1) return 'not a record of the earlier ledger (version 1)';
  for (const field of ['campaignId', 'key', 'step', 'recipient', 'messageId', 'subject'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') return `its ${field} is missing`;
  }
  if (r.role !== 'to' && r.role !== 'cc') return `its role is ${JSON.stringify(r.role)}, not to or cc`;
  if (!STATES.has(r.state)) return `its state is ${JSON.stringify(r.state)}`;
  if (!Number.isInteger(r.attempts) || !Number.isInteger(r.unconfirmedAttempts)) return 'its attempts are not counts';
  for (const field of ['createdAt', 'updatedAt', 'sentAt'] as const) {
    if ((field !== 'sentAt' || r[field] !== undefined) && Number.isNaN(Date.parse(String(r[field])))) return `its ${field} is not an instant`;
  }
  if (r.responseCode !== undefined && !Number.isInteger(r.responseCode)) return 'its responseCode is not a number';
  return undefined;
}

/**
 * The campaign run a run folder was named after. The earlier ledger named folders with its
 * safeName: a name with other characters than `A-Za-z0-9._@+-` (a run is `campaign/<id>@<run id>`)
 * had them replaced by `_`, was cut to 80 characters and got `~` and 10 hex digits of its sha256.
 * The run is the name whose safeName is the folder's: tried with each `_` back to `/`, the one
 * character runs have that safeName replaces. Undefined when the name was cut (the rest is lost).
 */
export function recoverRun(folder: string): string | undefined {
  if (safeName(folder) === folder) return folder;
  const tilde = folder.lastIndexOf('~');
  if (tilde < 0) return undefined;
  const cleaned = folder.slice(0, tilde);
  const underscores = [...cleaned].flatMap((c, i) => (c === '_' ? [i] : []));
  if (underscores.length > 12) return undefined;
  for (let mask = 0; mask < 1 << underscores.length; mask++) {
    const chars = [...cleaned];
    underscores.forEach((at, bit) => {
      if (mask & (1 << bit)) chars[at] = '/';
    });
    const candidate = chars.join('');
    if (safeName(candidate) === folder) return candidate;
  }
  return undefined;
}

/** The earlier ledger's file-system-safe name (kept here only to read its folders). */
export function safeName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^\.+/, '_');
  if (cleaned === s && s.length <= 100 && s.length > 0) return s;
  return `${cleaned.slice(0, 80)}~${createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 10)}`;
}

/** Renames an imported folder to `<name>.imported` (or `.imported-2`, … when that exists). */
async function renameImported(dir: string): Promise<{ from: string; to: string }> {
  let to = `${dir}.imported`;
  for (let n = 2; existsSync(to); n++) to = `${dir}.imported-${n}`;
  await fs.rename(dir, to);
  return { from: dir, to };
}
