/**
 * Delivery against a real SMTP server (smtp-server via test/support/smtp-sink) over loopback, with
 * nodemailer's pooled SMTP transport, and the ledger on a real database — every test runs twice,
 * on the embedded SQLite file and on the PostgreSQL the run's global set-up started. No mocked
 * transport and no mocked database anywhere.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { composeMessage } from '../../mail/compose';
import { parseMailConfig } from '../../config/mail';
import { DeliveryLedger, deliverOnce, messageIdFor } from '../../mail/delivery/ledger';
import type { DeliveryRecord, MessageKey } from '../../mail/delivery/ledger';
import { SAMPLE_FROM, samplePlan, sampleRequests } from '../../mail/sample';
import { PermanentSmtpError, TransientSmtpError } from '../../mail/smtp-errors';
import { createMailer } from '../../mail/transport';
import type { Mailer, OutgoingMessage } from '../../mail/transport';
import type { Database } from '../../store/database/database';
import { migrate } from '../../store/database/migrations';
import { PostgresDatabase } from '../../store/database/postgres';
import { SqliteDatabase } from '../../store/database/sqlite';
import { freshPostgresDatabase } from '../support/databases';
import { startSmtpSink } from '../support/smtp-sink';
import type { SmtpSink } from '../support/smtp-sink';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FROM = { name: '春风行动办公室', address: 'noreply@shanxi.example' };

const simple = (to: string[], cc: string[] = [], subject = '测试邮件'): OutgoingMessage => ({
  from: FROM,
  to: to.map((address) => ({ name: '', address })),
  cc: cc.map((address) => ({ name: '', address })),
  subject,
  text: '正文',
  messageId: '<ignored@shanxi.example>',
});
const KEY: MessageKey = { campaignId: 'shanxi-2024', key: 'pre-festival-report@2024-02-02/taiyuan', step: 'reminder-3d' };
const states = (records: DeliveryRecord[]) => Object.fromEntries(records.map((r) => [r.recipient, r.state]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sink: SmtpSink;
let mailer: Mailer;
let dir: string;

beforeAll(async () => {
  sink = await startSmtpSink();
  dir = mkdtempSync(path.join(tmpdir(), 'mail-ledger-'));
});
afterAll(async () => {
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await sink.setFailure({ kind: 'none' });
  sink.reset();
  mailer = createMailer(parseMailConfig(sink.env({ SMTP_USER: 'mailer', SMTP_PASSWORD: 'secret', SMTP_FROM: '春风行动办公室 <noreply@shanxi.example>' })));
});
afterEach(() => {
  mailer.close();
});

/** The two backends: where each keeps its data, and how another worker process would open it. */
const BACKENDS = [
  {
    name: 'SQLite',
    location: async () => path.join(mkdtempSync(path.join(dir, 'sqlite-')), 'campaign.sqlite'),
    open: (where: string): Database => new SqliteDatabase(where),
  },
  {
    name: 'PostgreSQL',
    location: () => freshPostgresDatabase('mail_delivery'),
    open: (where: string): Database => new PostgresDatabase(where),
  },
] as const;

describe.each(BACKENDS)('the delivery ledger on $name', (backend) => {
  let where: string;
  let db: Database;
  /** A second connection, as another worker (another process, another machine) has. */
  let otherDb: Database;
  let ledger: DeliveryLedger;

  beforeAll(async () => {
    where = await backend.location();
    db = backend.open(where);
    await migrate(db);
    otherDb = backend.open(where);
  });
  afterAll(async () => {
    await otherDb.close();
    await db.close();
  });
  beforeEach(async () => {
    await db.run('DELETE FROM deliveries');
    await db.run('DELETE FROM delivery_claims');
    ledger = new DeliveryLedger(db);
  });

  /** What another attempt left in the database: its claim on the message (live until `leaseMs` from now on the database's clock). */
  const claimHeldBy = async (owner: string, leaseMs: number) => {
    const now = db.dialect === 'sqlite' ? `CAST(unixepoch('subsec') * 1000 AS INTEGER)` : `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT`;
    await db.run(`INSERT INTO delivery_claims (run, campaign_id, message_key, step, owner, lease_until) VALUES ('', $1, $2, $3, $4, ${now} + $5)`, [KEY.campaignId, KEY.key, KEY.step, owner, leaseMs]);
  };
  /** A recipient's row as an attempt that sent (or was about to send) and then died left it. */
  const rowLeftSending = async (recipient: string, messageId: string) => {
    await db.run(
      `INSERT INTO deliveries (run, campaign_id, message_key, step, recipient, role, message_id, subject, state, attempts, unconfirmed_attempts, created_at, updated_at)
       VALUES ('', $1, $2, $3, $4, 'to', $5, '测试邮件', 'sending', 1, 0, 0, 0)`,
      [KEY.campaignId, KEY.key, KEY.step, recipient, messageId],
    );
  };

  describe('sending through the real SMTP server', () => {
    it('delivers a composed overdue notice: parsed subject, addresses, Message-ID, headers, text, html and .ics', async () => {
      const { message, key } = composeMessage(samplePlan(), sampleRequests().overdue, { from: SAMPLE_FROM });
      const records = await deliverOnce(ledger, mailer, message, key);
      expect(states(records)).toEqual({ 'taiyuan@shanxi.example': 'sent', 'taiyuan-leader@shanxi.example': 'sent' });
      const [got] = await sink.waitFor(1);
      expect(got.subject).toBe(message.subject);
      expect(got.from).toEqual({ name: '春风行动办公室', address: 'noreply@shanxi.example' });
      expect(got.to).toEqual([{ name: '联络员', address: 'taiyuan@shanxi.example' }]);
      expect(got.cc).toEqual([{ name: '分管领导', address: 'taiyuan-leader@shanxi.example' }]);
      expect(got.replyTo.map((a) => a.address)).toEqual(['coordinator@shanxi.example']);
      expect(got.envelope.rcptTo.sort()).toEqual(['taiyuan-leader@shanxi.example', 'taiyuan@shanxi.example']);
      expect(got.envelope.mailFrom).toBe('noreply@shanxi.example');
      expect(got.user).toBe('mailer');
      expect(got.messageId).toBe(messageIdFor(key, 'shanxi.example'));
      expect(got.messageId).toBe(records[0].messageId);
      expect(got.headers['x-campaign-key']).toBe(`shanxi-2024/${key.key}/${key.step}`);
      expect(got.headers['auto-submitted']).toBe('auto-generated');
      expect(got.text).toContain('截止时间为2024年2月2日（星期五）18:00前');
      expect(got.html).toContain('href="https://portal.shanxi.example/s/taiyuan-7f3a"');
    });

    it('carries the .ics of a reminder intact', async () => {
      const { message, key } = composeMessage(samplePlan(), sampleRequests().reminder, { from: SAMPLE_FROM });
      await deliverOnce(ledger, mailer, message, key);
      const [got] = await sink.waitFor(1);
      const ics = got.attachments.find((a) => a.mimeType === 'text/calendar');
      expect(ics?.filename).toBe('pre-festival-report_2024-02-02.ics');
      expect(ics?.text).toContain('DTSTART:20240202T100000Z');
      // postal-mime hands calendar parts back with \n line ends; on the wire they are the CRLF of RFC 5545
      const sent = String(message.attachments![0].content);
      expect(ics?.text).toBe(sent.replace(/\r\n/g, '\n'));
      const raw = got.raw.toString('latin1');
      const part = raw.slice(raw.indexOf('Content-Type: text/calendar'));
      const body = part.slice(part.indexOf('\r\n\r\n') + 4, part.indexOf('\r\n--'));
      expect(part).toMatch(/Content-Transfer-Encoding: base64/);
      expect(Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')).toBe(sent);
    });

    it('451 then 250: the first send throws TransientSmtpError, the second delivers, one message at the sink', async () => {
      await sink.setFailure({ kind: 'tempfail', at: 'data', count: 1 });
      const err = await mailer.send(simple(['a@x.example'])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientSmtpError);
      expect((err as TransientSmtpError).responseCode).toBe(451);
      expect((err as TransientSmtpError).ambiguous).toBe(false);
      const ok = await mailer.send(simple(['a@x.example']));
      expect(ok.recipients).toEqual([{ address: 'a@x.example', status: 'accepted' }]);
      expect(sink.messages).toHaveLength(1);
    });

    it('451 then 250 through the ledger: the record goes back to pending, then sent, attempts 2', async () => {
      await sink.setFailure({ kind: 'tempfail', at: 'data', count: 1 });
      await expect(deliverOnce(ledger, mailer, simple(['a@x.example']), KEY)).rejects.toBeInstanceOf(TransientSmtpError);
      expect(await ledger.get(KEY, 'a@x.example')).toMatchObject({ state: 'pending', attempts: 1, responseCode: 451 });
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(records[0]).toMatchObject({ state: 'sent', attempts: 2, unconfirmedAttempts: 0 });
      expect(sink.messages).toHaveLength(1);
    });

    it('550 for one of three recipients: the two others get it, that one is failed-permanent and never retried', async () => {
      await sink.setFailure({ kind: 'reject-recipient', address: 'b@x.example' });
      // the transport alone reports the per-recipient outcome
      const direct = await mailer.send(simple(['a@x.example', 'b@x.example'], ['c@x.example']));
      expect(direct.recipients).toEqual([
        { address: 'a@x.example', status: 'accepted' },
        expect.objectContaining({ address: 'b@x.example', status: 'rejected-permanent', responseCode: 550 }),
        { address: 'c@x.example', status: 'accepted' },
      ]);
      sink.reset();

      const first = await deliverOnce(ledger, mailer, simple(['a@x.example', 'b@x.example'], ['c@x.example']), KEY);
      expect(states(first)).toEqual({ 'a@x.example': 'sent', 'b@x.example': 'failed-permanent', 'c@x.example': 'sent' });
      expect(first.find((r) => r.recipient === 'b@x.example')).toMatchObject({ responseCode: 550, attempts: 1 });
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0].envelope.rcptTo).toEqual(['a@x.example', 'c@x.example']);
      // the headers still show everyone
      expect(sink.messages[0].to.map((a) => a.address)).toEqual(['a@x.example', 'b@x.example']);

      const rcptBefore = sink.events.filter((e) => e.phase === 'rcpt').length;
      const again = await deliverOnce(ledger, mailer, simple(['a@x.example', 'b@x.example'], ['c@x.example']), KEY);
      expect(again).toEqual(first);
      expect(sink.events.filter((e) => e.phase === 'rcpt')).toHaveLength(rcptBefore);
      expect(sink.messages).toHaveLength(1);
    });

    it('every recipient refused with 5xx: the transport throws PermanentSmtpError, the ledger records it without throwing', async () => {
      await sink.setFailure({ kind: 'reject-recipient', address: 'b@x.example' });
      await sink.setFailure({ kind: 'reject-recipient', address: 'd@x.example', code: 553 });
      const err = await mailer.send(simple(['b@x.example', 'd@x.example'])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentSmtpError);
      expect((err as PermanentSmtpError).recipients.map((r) => [r.address, r.status, r.responseCode])).toEqual([
        ['b@x.example', 'rejected-permanent', 550],
        ['d@x.example', 'rejected-permanent', 553],
      ]);
      const records = await deliverOnce(ledger, mailer, simple(['b@x.example', 'd@x.example']), KEY);
      expect(states(records)).toEqual({ 'b@x.example': 'failed-permanent', 'd@x.example': 'failed-permanent' });
      expect(sink.messages).toHaveLength(0);
    });

    it('4xx for one recipient: the others are delivered, the deferred one is retried alone', async () => {
      await sink.setFailure({ kind: 'tempfail', at: 'rcpt', count: 1 });
      const err = await deliverOnce(ledger, mailer, simple(['a@x.example', 'c@x.example']), KEY).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientSmtpError);
      expect(states(await ledger.records(KEY))).toEqual({ 'a@x.example': 'pending', 'c@x.example': 'sent' });
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example', 'c@x.example']), KEY);
      expect(states(records)).toEqual({ 'a@x.example': 'sent', 'c@x.example': 'sent' });
      expect(sink.messages.map((m) => m.envelope.rcptTo)).toEqual([['c@x.example'], ['a@x.example']]);
      expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(1);
    });

    it('a malformed address does not block the others', async () => {
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example', 'not an address']), KEY);
      expect(states(records)).toEqual({ 'a@x.example': 'sent', 'not an address': 'failed-permanent' });
      expect(sink.messages).toHaveLength(1);
      await expect(mailer.send(simple(['bad@@x']))).rejects.toBeInstanceOf(PermanentSmtpError);
    });

    it('deliverOnce twice with the same key: one message', async () => {
      const a = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      const b = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(b).toEqual(a);
      expect(sink.messages).toHaveLength(1);
      // a second connection to the same database (another worker) agrees
      const c = await deliverOnce(new DeliveryLedger(otherDb), mailer, simple(['a@x.example']), KEY);
      expect(c).toEqual(a);
      expect(sink.messages).toHaveLength(1);
      // a different step is a different message
      await deliverOnce(ledger, mailer, simple(['a@x.example']), { ...KEY, step: 'reminder-1d' });
      expect(sink.messages).toHaveLength(2);
      expect(sink.messages[0].messageId).not.toBe(sink.messages[1].messageId);
    });

    it('two concurrent attempts for the same key: one message', async () => {
      const results = await Promise.allSettled([
        deliverOnce(ledger, mailer, simple(['a@x.example']), KEY),
        deliverOnce(new DeliveryLedger(otherDb), mailer, simple(['a@x.example']), KEY),
      ]);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'TransientSmtpError', code: 'ELOCKED' });
      }
      const final = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(final[0].state).toBe('sent');
      expect(sink.messages).toHaveLength(1);
    });

    it('SMTP down for a stretch: TransientSmtpError, then delivered once after it comes back on the same port', async () => {
      const port = sink.port;
      // warm the pool so there is an idle connection to lose
      await mailer.send(simple(['warm@x.example']));
      sink.reset();
      await sink.setFailure({ kind: 'down' });
      const err = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientSmtpError);
      expect((err as TransientSmtpError).ambiguous).toBe(false);
      expect(await ledger.get(KEY, 'a@x.example')).toMatchObject({ state: 'pending', attempts: 1 });
      await expect(deliverOnce(ledger, mailer, simple(['a@x.example']), KEY)).rejects.toMatchObject({ name: 'TransientSmtpError', code: 'ECONNREFUSED' });
      await sink.restart();
      expect(sink.port).toBe(port);
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(records[0]).toMatchObject({ state: 'sent', attempts: 3, unconfirmedAttempts: 0 });
      expect(sink.messages).toHaveLength(1);
    });
  });

  describe('the unconfirmed window (server accepted, outcome not yet written)', () => {
    it('a row left in "sending" by a dead worker is resent once with the same Message-ID, once its claim lapsed', async () => {
      const message = simple(['a@x.example']);
      const messageId = messageIdFor(KEY, mailer.messageIdDomain);
      // what a worker had done before it died: its claim (lease running on the database's clock),
      // the row marked sending, and the message accepted by the server (the 250 arrived, the write did not)
      await claimHeldBy('dead-worker', 400);
      await rowLeftSending('a@x.example', messageId);
      await mailer.send({ ...message, messageId, headers: { 'X-Campaign-Key': 'x' } });
      expect(sink.messages).toHaveLength(1);
      // still within its lease: nobody else may send
      await expect(deliverOnce(ledger, mailer, message, KEY)).rejects.toMatchObject({ name: 'TransientSmtpError', code: 'ELOCKED' });
      expect(sink.messages).toHaveLength(1);
      await sleep(500);
      const records = await deliverOnce(ledger, mailer, message, KEY);
      expect(records[0]).toMatchObject({ state: 'sent', attempts: 2, unconfirmedAttempts: 1 });
      // bound: at most one duplicate, recognisable by its Message-ID
      expect(sink.messages).toHaveLength(2);
      expect(sink.messages.map((m) => m.messageId)).toEqual([messageId, messageId]);
      await deliverOnce(ledger, mailer, message, KEY);
      expect(sink.messages).toHaveLength(2);
    });

    it('connection lost after the data went out: ambiguous, kept "sending", resent once with the same Message-ID', async () => {
      await sink.setFailure({ kind: 'drop-after-data' });
      const err = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientSmtpError);
      expect((err as TransientSmtpError).ambiguous).toBe(true);
      expect(await ledger.get(KEY, 'a@x.example')).toMatchObject({ state: 'sending', attempts: 1 });
      expect(sink.messages).toHaveLength(1); // the server has it, the sender does not know
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(records[0]).toMatchObject({ state: 'sent', attempts: 2, unconfirmedAttempts: 1 });
      expect(sink.messages).toHaveLength(2);
      expect(sink.messages[1].messageId).toBe(sink.messages[0].messageId);
    });

    it('a local failure before anything was sent (attachment file missing) is not ambiguous', async () => {
      const msg = { ...simple(['a@x.example']), attachments: [{ filename: 'x.xlsx', path: path.join(dir, 'missing.xlsx') }] };
      const err = await deliverOnce(ledger, mailer, msg, KEY).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientSmtpError);
      expect((err as TransientSmtpError).ambiguous).toBe(false);
      expect(await ledger.get(KEY, 'a@x.example')).toMatchObject({ state: 'pending', attempts: 1 });
      expect(sink.messages).toHaveLength(0);
    });

    it('a live claim (another attempt in flight, on another machine) is respected until its lease expires on the database clock', async () => {
      // a retry finds the row an earlier attempt left pending, while another machine holds the message
      await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY).catch(() => undefined);
      sink.reset();
      await db.run(`UPDATE deliveries SET state = 'pending'`);
      await db.run(`DELETE FROM delivery_claims`);
      await claimHeldBy('other-machine', 400);
      await expect(deliverOnce(ledger, mailer, simple(['a@x.example']), KEY)).rejects.toMatchObject({ code: 'ELOCKED' });
      await expect(deliverOnce(new DeliveryLedger(otherDb), mailer, simple(['a@x.example']), KEY)).rejects.toMatchObject({ code: 'ELOCKED' });
      expect(sink.messages).toHaveLength(0);
      await sleep(500);
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(records[0].state).toBe('sent');
      expect(sink.messages).toHaveLength(1);
    });

    it('a claim whose holder died before writing any row: taken over once lapsed, a first attempt (not an unconfirmed one)', async () => {
      await claimHeldBy('died-before-writing', 300);
      await expect(deliverOnce(ledger, mailer, simple(['a@x.example']), KEY)).rejects.toMatchObject({ name: 'TransientSmtpError', code: 'ELOCKED' });
      expect(sink.messages).toHaveLength(0);
      await sleep(400);
      const records = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      expect(records[0]).toMatchObject({ state: 'sent', attempts: 1, unconfirmedAttempts: 0 });
      expect(sink.messages).toHaveLength(1);
    });

    it('a first send in flight on another machine is respected: an attempt that backs off leaves no row behind', async () => {
      const messageId = messageIdFor(KEY, mailer.messageIdDomain);
      await claimHeldBy('other-machine', 400);
      for (const recipient of ['a@x.example', 'b@x.example']) await rowLeftSending(recipient, messageId);
      // a third recipient is new to this attempt: nothing is written for it when it backs off (one transaction)
      await expect(deliverOnce(ledger, mailer, simple(['a@x.example', 'b@x.example', 'c@x.example']), KEY)).rejects.toMatchObject({ code: 'ELOCKED' });
      expect(sink.messages).toHaveLength(0);
      expect(await ledger.get(KEY, 'c@x.example')).toBeUndefined();
      // the lease over, the other machine's attempt counts as gone: its two recipients' outcome is unknown
      await sleep(500);
      const records = await deliverOnce(new DeliveryLedger(otherDb), mailer, simple(['a@x.example', 'b@x.example', 'c@x.example']), KEY);
      expect(records.map((r) => [r.recipient, r.state, r.attempts, r.unconfirmedAttempts])).toEqual([
        ['a@x.example', 'sent', 2, 1],
        ['b@x.example', 'sent', 2, 1],
        ['c@x.example', 'sent', 1, 0],
      ]);
      expect(sink.messages).toHaveLength(1);
      expect(await db.get(`SELECT owner FROM delivery_claims`)).toEqual({ owner: null });
    });

    it('twenty attempts from two connections racing for one message: exactly one copy', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) => deliverOnce(new DeliveryLedger(i % 2 ? otherDb : db), mailer, simple(['a@x.example', 'b@x.example']), KEY));
      const results = await Promise.allSettled(attempts);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ELOCKED' });
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      expect(sink.messages).toHaveLength(1);
      expect(states(await ledger.records(KEY))).toEqual({ 'a@x.example': 'sent', 'b@x.example': 'sent' });
    });

    it('a worker process killed after the server took the message but before the 250 reached it: at most one duplicate', async () => {
      const child = spawnSender(backend.name, where);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const off = sink.onReceived(async () => {
        child.kill('SIGKILL');
        await exited;
      });
      try {
        // fail fast if the child dies on its own instead of being killed in the window
        await Promise.race([
          sink.waitFor(1, 20_000),
          exited.then((code) => {
            if (sink.messages.length === 0) throw new Error(`sender exited with ${code} before the server received anything`);
          }),
        ]);
        expect(await exited).toBeNull(); // killed by the signal
      } finally {
        off();
      }
      expect(await ledger.get(KEY, 'a@x.example')).toMatchObject({ state: 'sending', attempts: 1 });

      // the killed worker's claim holds until its lease (1 s) lapses; then one resend, counted
      let records: DeliveryRecord[] | undefined;
      for (let tries = 0; !records && tries < 40; tries++) {
        records = await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY).catch(async (err: unknown) => {
          expect(err).toMatchObject({ code: 'ELOCKED' });
          await sleep(100);
          return undefined;
        });
      }
      expect(records![0]).toMatchObject({ state: 'sent', attempts: 2, unconfirmedAttempts: 1 });
      await deliverOnce(ledger, mailer, simple(['a@x.example']), KEY);
      const got = await sink.waitFor(2);
      expect(got).toHaveLength(2);
      expect(got[0].messageId).toBe(messageIdFor(KEY, 'shanxi.example'));
      expect(got[1].messageId).toBe(got[0].messageId);
    }, 30_000);
  });

  /** A separate worker process that calls deliverOnce for KEY on the same database, talking to the sink. */
  function spawnSender(backendName: string, location: string) {
    const script = path.join(dir, 'sender.mts'); // .mts: ESM (top-level await) outside the package
    const imp = (rel: string) => JSON.stringify(pathToFileURL(path.join(ROOT, rel)).href);
    writeFileSync(
      script,
      `import { parseMailConfig } from ${imp('config/mail.ts')};
import { createMailer } from ${imp('mail/transport.ts')};
import { DeliveryLedger, deliverOnce } from ${imp('mail/delivery/ledger.ts')};
import { SqliteDatabase } from ${imp('store/database/sqlite.ts')};
import { PostgresDatabase } from ${imp('store/database/postgres.ts')};
const input = JSON.parse(process.env.SENDER_INPUT);
const mailer = createMailer(parseMailConfig(process.env));
const db = input.backend === 'SQLite' ? new SqliteDatabase(input.location) : new PostgresDatabase(input.location);
await deliverOnce(new DeliveryLedger(db, { leaseMs: 1000 }), mailer, input.message, input.key);
mailer.close();
await db.close();
`,
    );
    return spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...sink.env({ SMTP_FROM: '春风行动办公室 <noreply@shanxi.example>' }),
        SENDER_INPUT: JSON.stringify({ backend: backendName, location, message: simple(['a@x.example']), key: KEY }),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }

  describe('Message-IDs per campaign run', () => {
    it('a campaign started again under the same id sends new Message-IDs; retries within a run keep theirs', async () => {
      const first = ledger.scoped('campaign/shanxi-2024@run-1');
      const again = ledger.scoped('campaign/shanxi-2024@run-2');
      await deliverOnce(first, mailer, simple(['a@x.example']), KEY);
      await deliverOnce(first, mailer, simple(['a@x.example']), KEY); // recorded: not sent again
      await deliverOnce(again, mailer, simple(['a@x.example']), KEY);
      const got = await sink.waitFor(2);
      expect(got).toHaveLength(2);
      expect(got[0].messageId).toBe(messageIdFor(KEY, 'shanxi.example', 'campaign/shanxi-2024@run-1'));
      expect(got[1].messageId).toBe(messageIdFor(KEY, 'shanxi.example', 'campaign/shanxi-2024@run-2'));
      expect(got[1].messageId).not.toBe(got[0].messageId);
    });
  });
});
