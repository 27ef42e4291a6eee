/**
 * The delivery ledger alone (mail/delivery/ledger.ts deliverOnce), per backend: how many messages a
 * second it can take through claim → "sending" → outcome → release when the SMTP server answers at
 * once, so that the Thursday burst's figures can be split between the ledger and everything else.
 *
 * The messages are the burst's (one reminder per department, one To and one leader in Cc for one
 * department in twenty); the "server" is a Mailer that accepts every recipient the moment it is
 * asked — a measuring device, so that only the database's statements and commits are timed. As many
 * messages in flight as the burst has (20 activities × 5 each); then one at a time, which shows a
 * commit's cost. Then, as a diagnostic of what the flush to disk costs, the same 100 in flight with
 * commits not flushed before they are acknowledged (SQLite synchronous=NORMAL, PostgreSQL
 * synchronous_commit=off: a crash of the machine may lose the last commits) — not what the product
 * runs with.
 *
 *   npx tsx tools/bench/ledger.ts [--messages 10000] [--database-url postgres://…] [--durability text] [--out file.json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deliverOnce } from '../../mail/delivery/ledger';
import type { Mailer, OutgoingMessage, SendResult } from '../../mail/transport';
import { openStores, type Stores } from '../../store/stores';
import { argValue, numberArg, runAsMain } from './bench-main';

export interface LedgerRun {
  inFlight: number;
  /** Commits acknowledged before they reach the disk (the diagnostic run). */
  relaxed?: boolean;
  messages: number;
  recipients: number;
  wallMs: number;
  perSecond: number;
}

export interface LedgerResult {
  database: 'sqlite' | 'postgres';
  /** How the database keeps a commit (stated, not measured). */
  durability: string;
  runs: LedgerRun[];
}

/** Accepts every recipient at once: only the ledger's own work is timed. */
function instantServer(): Mailer {
  let n = 0;
  return {
    from: { name: '', address: 'bench@example.test' },
    messageIdDomain: 'example.test',
    async send(message: OutgoingMessage, opts = {}): Promise<SendResult> {
      const to = opts.envelopeTo ?? [...message.to, ...(message.cc ?? [])].map((a) => a.address);
      return { messageId: message.messageId ?? '', recipients: to.map((address) => ({ address, status: 'accepted' as const })), response: `250 OK: queued as ${++n}` };
    },
    prepare: async () => undefined,
    verify: async () => undefined,
    close: () => undefined,
  };
}

function message(i: number): OutgoingMessage {
  return {
    from: { name: '', address: 'bench@example.test' },
    to: [{ name: '', address: `d${String(i).padStart(5, '0')}@dept.example.test` }],
    cc: i % 20 === 0 ? [{ name: '', address: `leader${i % 31}@prov.example.test` }] : [],
    subject: `提醒：统计表 ${i}`,
    text: 'body',
    messageId: '',
  };
}

/**
 * Commits acknowledged before they are flushed, for the diagnostic run only: SQLite's connection
 * (not reachable through the Database interface, on purpose) set to synchronous=NORMAL; PostgreSQL's
 * sessions to synchronous_commit=off.
 */
async function relaxDurability(stores: Stores, reopen: () => Promise<Stores>): Promise<Stores> {
  if (stores.db.dialect === 'sqlite') {
    (stores.db as unknown as { db: { pragma(p: string): unknown } }).db.pragma('synchronous = NORMAL');
    return stores;
  }
  await stores.db.run(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$`);
  // Sessions read the setting when they open: a fresh pool.
  await stores.close();
  return reopen();
}

export async function runLedgerBench(opts: { messages?: number; databaseUrl?: string; durability?: string } = {}): Promise<LedgerResult> {
  const count = opts.messages ?? 10_000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-ledger-bench-'));
  const open = () => openStores({ CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: opts.databaseUrl });
  let stores = await open();
  const mailer = instantServer();
  const runs: LedgerRun[] = [];
  try {
    for (const [n, { inFlight, relaxed }] of [{ inFlight: 100 }, { inFlight: 1 }, { inFlight: 100, relaxed: true }].entries()) {
      if (relaxed) stores = await relaxDurability(stores, open);
      const ledger = stores.ledger.scoped(`bench-${Date.now().toString(36)}-${n}`);
      const total = inFlight === 1 ? Math.min(count, 2_000) : count;
      let next = 0;
      let recipients = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          for (let i = next++; i < total; i = next++) {
            const records = await deliverOnce(ledger, mailer, message(i), { campaignId: 'ledger-bench', key: `weekly@2024-03-07/d${i}`, step: 'reminder-2h' });
            recipients += records.length;
          }
        }),
      );
      const wallMs = performance.now() - t0;
      runs.push({ inFlight, ...(relaxed ? { relaxed } : {}), messages: total, recipients, wallMs, perSecond: total / (wallMs / 1000) });
      process.stderr.write(`ledger on ${stores.db.dialect}${relaxed ? ' (commits not flushed)' : ''}, ${inFlight} in flight: ${total} messages in ${(wallMs / 1000).toFixed(1)} s = ${(total / (wallMs / 1000)).toFixed(0)}/s\n`);
    }
    return { database: stores.db.dialect, durability: opts.durability ?? (stores.db.dialect === 'sqlite' ? 'WAL, synchronous=FULL (every commit flushed to disk)' : 'as the server is configured'), runs };
  } finally {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runAsMain(import.meta.url, 'ledger', () => runLedgerBench({ messages: numberArg('--messages'), databaseUrl: argValue('--database-url'), durability: argValue('--durability') }));
