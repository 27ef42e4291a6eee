/**
 * A data folder an earlier version left (blobs/ and mail-ledger/ as files) is refused, never
 * silently ignored — a ledger left behind would let messages already sent go out again — and
 * `campaign migrate-data` (its own process, as an operator runs it) imports it into the database,
 * on both backends: the files under their references (a plan too, still loadable by the reference
 * a running workflow holds), every delivery record with its run, state and counts as they were
 * (one left `sending` stays `sending`), damaged and torn files reported rather than imported; then
 * the folders are renamed, the worker starts, and a second import brings nothing twice.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../deadlines/load';
import { DeliveryLedger, type MessageKey } from '../../mail/delivery/ledger';
import { openStores, type Stores } from '../../store/stores';
import { freshPostgresDatabase } from '../support/databases';
import { childEnv, ROOT, runCli } from '../support/run-cli';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The earlier ledger's folder names (its safeName, as it wrote them). */
function earlierSafeName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^\.+/, '_');
  if (cleaned === s && s.length <= 100 && s.length > 0) return s;
  return `${cleaned.slice(0, 80)}~${sha256(s).slice(0, 10)}`;
}

const RUN = 'campaign/demo@0c5e5d3a-7f0b-4a51-9f7e-2b1d6e0c9a41';
/** A campaign id long enough that the earlier ledger cut its run folder's name. */
const LONG_ID = 'shanxi-spring-recruitment-week-2024-taiyuan';
const LONG_RUN = `campaign/${LONG_ID}@5b9e1c2d-3a4f-4e6d-8c7b-1a2b3c4d5e6f`;
const REMINDER: MessageKey = { campaignId: 'demo', key: 'weekly-stats@2024-03-06/east', step: 'reminder-1d' };
const LAUNCH: MessageKey = { campaignId: 'demo', key: 'launch/east', step: 'launch' };

function record(k: MessageKey, recipient: string, state: string, extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    ...k,
    recipient,
    role: 'to',
    messageId: `<${sha256(`${k.key}${k.step}`).slice(0, 32)}.demo@campaign.example>`,
    subject: '【提醒】每周招聘活动情况',
    state,
    attempts: 1,
    unconfirmedAttempts: 0,
    createdAt: '2024-03-05T02:00:00.000Z',
    updatedAt: '2024-03-05T02:00:01.000Z',
    ...extra,
  };
}

/** Writes a file, making its folder. */
function put(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** An earlier version's data folder: blobs (a plan, an attachment, a damaged file, an unfinished upload) and a ledger. */
function earlierDataFolder(dataDir: string, plan: Buffer, attachment: Buffer): void {
  for (const content of [plan, attachment]) {
    const hex = sha256(content);
    put(path.join(dataDir, 'blobs', hex.slice(0, 2), hex), content);
  }
  const damaged = sha256('what it was');
  put(path.join(dataDir, 'blobs', damaged.slice(0, 2), damaged), 'not what it was');
  put(path.join(dataDir, 'blobs', 'tmp', '9f2c.tmp'), 'half an upload');

  const ledger = path.join(dataDir, 'mail-ledger');
  const messageDir = (run: string | undefined, k: MessageKey) => path.join(ledger, ...(run ? [earlierSafeName(run)] : []), earlierSafeName(k.campaignId), earlierSafeName(k.key));
  const file = (run: string | undefined, k: MessageKey, recipient: string) => path.join(messageDir(run, k), `${earlierSafeName(k.step)}--${earlierSafeName(recipient)}.json`);
  put(file(RUN, REMINDER, 'east@district.example'), JSON.stringify(record(REMINDER, 'east@district.example', 'sent', { sentAt: '2024-03-05T02:00:01.000Z', responseCode: 250, response: '250 OK: queued as 7' })));
  put(file(RUN, REMINDER, 'leader@district.example'), JSON.stringify(record(REMINDER, 'leader@district.example', 'sending', { attempts: 2, unconfirmedAttempts: 1 })));
  put(path.join(messageDir(RUN, REMINDER), `${earlierSafeName(REMINDER.step)}.lock`), '{}');
  put(path.join(messageDir(RUN, REMINDER), `${earlierSafeName(REMINDER.step)}--torn@district.example.json`), '{"version":1,"campaignId":"de');
  // A ledger from before records were kept per campaign run.
  put(file(undefined, LAUNCH, 'east@district.example'), JSON.stringify(record(LAUNCH, 'east@district.example', 'failed-permanent', { responseCode: 550, response: '550 mailbox unavailable' })));
  const long: MessageKey = { ...REMINDER, campaignId: LONG_ID };
  put(file(LONG_RUN, long, 'east@district.example'), JSON.stringify(record(long, 'east@district.example', 'sent')));
}

const BACKENDS = [
  { name: 'SQLite', databaseUrl: async (): Promise<string | undefined> => undefined },
  { name: 'PostgreSQL', databaseUrl: async (): Promise<string | undefined> => freshPostgresDatabase('migrate_data') },
] as const;

describe.each(BACKENDS)('data of an earlier version, on $name', (backend) => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let settings: { CAMPAIGN_DATA_DIR: string; CAMPAIGN_DATABASE_URL?: string };
  let plan: Buffer;
  const attachment = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300 * 1024, 0x20)]);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'migrate-data-'));
    const databaseUrl = await backend.databaseUrl();
    settings = { CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: databaseUrl };
    env = childEnv({
      CAMPAIGN_DATA_DIR: dataDir,
      ...(databaseUrl ? { CAMPAIGN_DATABASE_URL: databaseUrl } : {}),
      // For `campaign worker`: a Temporal nobody listens on (it must not get that far).
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      PORTAL_SECRET: 'migrate-data-test-secret-0123456789abcdef',
      SMTP_URL: 'smtp://127.0.0.1:1',
      SMTP_FROM: '春风行动办公室 <noreply@campaign.example>',
    });
    const loaded = loadPlanFile(path.join(ROOT, 'definitions', 'demo.yaml'));
    if (!loaded.ok) throw new Error('the demo plan does not compile');
    plan = Buffer.from(JSON.stringify(loaded.plan));
    earlierDataFolder(dataDir, plan, attachment);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is refused by the worker, with what was found and how to import it', async () => {
    const r = await runCli(['worker'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('The data folder holds data from an earlier version that is not imported yet');
    expect(r.stderr).toContain(`${path.join(dataDir, 'blobs')} holds the files of an earlier version`);
    expect(r.stderr).toContain(`${path.join(dataDir, 'mail-ledger')} holds the delivery ledger of an earlier version`);
    expect(r.stderr).toContain('npx campaign migrate-data');
    await expect(openStores(settings)).rejects.toThrow(/not imported yet/);
  });

  it('is imported by `campaign migrate-data`: files, plans and delivery records as they were, the folders renamed', async () => {
    const r = await runCli(['migrate-data'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('files:              2 imported, 0 already in the database, 1 unfinished uploads left out (never stored)');
    expect(r.stdout).toContain('delivery records:   4 imported, 0 already in the database');
    expect(r.stdout).toContain(`renamed ${path.join(dataDir, 'blobs')} to ${path.join(dataDir, 'blobs.imported')}`);
    expect(r.stdout).toMatch(/not imported \(2; the files are kept in the renamed folders\)/);
    expect(r.stdout).toMatch(/[0-9a-f]{64}: its content is damaged/);
    expect(r.stdout).toMatch(/torn@district\.example\.json: not readable as a record/);
    expect(r.stdout).toContain(`run folder ${earlierSafeName(LONG_RUN)}: its name was cut`);
    expect(existsSync(path.join(dataDir, 'blobs'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'mail-ledger.imported'))).toBe(true);

    const stores: Stores = await openStores(settings);
    try {
      expect((await stores.blobs.get(`sha256:${sha256(attachment)}`)).equals(attachment)).toBe(true);
      // The plan a running workflow knows by its blob reference.
      expect(await stores.plans.load(`sha256:${sha256(plan)}`)).toEqual(JSON.parse(plan.toString()));
      const reminder = await stores.ledger.scoped(RUN).records(REMINDER);
      expect(reminder.map((d) => [d.recipient, d.state, d.attempts, d.unconfirmedAttempts, d.responseCode ?? null])).toEqual([
        ['east@district.example', 'sent', 1, 0, 250],
        ['leader@district.example', 'sending', 2, 1, null],
      ]);
      expect(reminder[0]).toMatchObject({ run: RUN, messageId: record(REMINDER, '', '').messageId, sentAt: '2024-03-05T02:00:01.000Z', response: '250 OK: queued as 7' });
      expect((await new DeliveryLedger(stores.db).records(LAUNCH)).map((d) => [d.recipient, d.state, d.response])).toEqual([['east@district.example', 'failed-permanent', '550 mailbox unavailable']]);
      expect(await stores.ledger.scoped(earlierSafeName(LONG_RUN)).list(LONG_ID)).toHaveLength(1);
    } finally {
      await stores.close();
    }
  });

  it('then lets the worker start, and imports nothing twice', async () => {
    const worker = await runCli(['worker'], env);
    expect(worker.code, worker.stderr).toBe(69);
    expect(worker.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');

    expect((await runCli(['migrate-data'], env)).stdout).toContain('nothing to import');
    // The same folders again (a copy restored from a backup): everything is already there.
    earlierDataFolder(dataDir, plan, attachment);
    const again = await runCli(['migrate-data', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { blobs: { imported: number; present: number }; deliveries: { imported: number; present: number; renamed: Array<{ to: string }> } };
    expect(report.blobs).toMatchObject({ imported: 0, present: 2 });
    expect(report.deliveries).toMatchObject({ imported: 0, present: 4 });
    expect(report.deliveries.renamed[0]!.to).toBe(path.join(dataDir, 'mail-ledger.imported-2'));
    expect(readFileSync(path.join(dataDir, 'blobs.imported-2', sha256(attachment).slice(0, 2), sha256(attachment))).equals(attachment)).toBe(true);
  });
});
