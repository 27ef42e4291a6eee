/**
 * Messages built before they are due (mail/delivery/prepared-messages.ts), sent through nodemailer's pooled
 * transport to a real SMTP server on loopback: what arrives must be what would have arrived had
 * the message been built when sent, and a prepared message must never be used for another one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { composeMessage } from '../../mail/compose';
import type { ComposeRequest } from '../../obligations/message-requests';
import { parseMailConfig } from '../../config/mail';
import { DeliveryLedger, deliverOnce } from '../../mail/delivery/ledger';
import { PREPARE_LEAD_MS, PreparedMessages } from '../../mail/delivery/prepared-messages';
import { SAMPLE_FROM, samplePlan, sampleRequests } from '../../mail/sample';
import { createMailer, type Mailer } from '../../mail/transport';
import { migrate } from '../../store/database/migrations';
import { SqliteDatabase } from '../../store/database/sqlite';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink';

const PLAN_REF = 'sha256:' + 'a'.repeat(64);
const SCOPE = 'run-1';

let sink: SmtpSink;
let mailer: Mailer;
let dirs: string[] = [];
let prepared: PreparedMessages;

/** A ledger of its own: an empty SQLite database in a fresh folder. */
const ledgerIn = async (): Promise<DeliveryLedger> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'prepared-'));
  dirs.push(dir);
  const db = new SqliteDatabase(path.join(dir, 'campaign.sqlite'));
  databases.push(db);
  await migrate(db);
  return new DeliveryLedger(db).scoped(SCOPE);
};
let databases: SqliteDatabase[] = [];

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/** What a reader sees of a message, Date aside. */
function visible(m: ReceivedMessage) {
  const { date: _date, ...headers } = m.headers;
  // MIME boundaries are random per build
  headers['content-type'] = headers['content-type']!.replace(/boundary="[^"]+"/, 'boundary=…');
  return {
    subject: m.subject,
    from: m.from,
    to: m.to,
    cc: m.cc,
    replyTo: m.replyTo,
    messageId: m.messageId,
    headers,
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => ({ filename: a.filename, mimeType: a.mimeType, disposition: a.disposition, method: a.method, text: a.text })),
    envelope: { mailFrom: m.envelope.mailFrom, rcptTo: [...m.envelope.rcptTo].sort() },
  };
}

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.stop();
});
beforeEach(() => {
  sink.reset();
  mailer = createMailer(parseMailConfig(sink.env({ SMTP_FROM: '春风行动办公室 <noreply@shanxi.example>' })));
  prepared = new PreparedMessages({ mailer, from: SAMPLE_FROM, maxBytes: 16 * 1024 * 1024 });
});
afterEach(async () => {
  prepared.close();
  mailer.close();
  await Promise.all(databases.map((db) => db.close()));
  databases = [];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('messages prepared ahead of their instant', () => {
  it('arrive exactly as when built at send time — subject, addresses, Message-ID, headers, text, HTML, .ics — with the Date of sending', async () => {
    const plan = samplePlan();
    for (const kind of ['reminder', 'overdue', 'escalation', 'launch'] as const) {
      sink.reset();
      const request = sampleRequests()[kind];
      const { message, key } = composeMessage(plan, request, { from: SAMPLE_FROM });
      await deliverOnce(await ledgerIn(), mailer, message, key);
      const [cold] = await sink.waitFor(1);

      prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [request], dueWallMs: Date.now() });
      await until('the message to be prepared', () => prepared.stats().entries === 1);
      await new Promise((r) => setTimeout(r, 1100)); // the Date header must say when it was sent, not built
      const ready = prepared.take(PLAN_REF, SCOPE, request);
      expect(ready, kind).toBeDefined();
      const before = Date.now();
      await deliverOnce(await ledgerIn(), mailer, ready!.composed.message, ready!.composed.key, { prepared: ready!.mime });
      const [, warm] = await sink.waitFor(2);

      expect(visible(warm!), kind).toEqual(visible(cold!));
      if (kind === 'reminder') expect(warm!.attachments.map((a) => a.filename)).toContainEqual(expect.stringMatching(/\.ics$/));
      const sentAt = Date.parse(warm!.headers.date!);
      expect(sentAt, `${kind}: Date header ${warm!.headers.date}`).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(sentAt).toBeLessThanOrEqual(Date.now());
    }
  });

  it('is found only for the same request, plan and campaign run, and only once', async () => {
    const plan = samplePlan();
    const request = sampleRequests().reminder;
    prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [request], dueWallMs: Date.now() });
    await until('the message to be prepared', () => prepared.stats().prepared === 1);

    const extended = { ...request, due: '2024-02-04T18:00:00.000+08:00' } as ComposeRequest;
    expect(prepared.take(PLAN_REF, SCOPE, extended)).toBeUndefined(); // an extension changes the message
    expect(prepared.take('sha256:' + 'b'.repeat(64), SCOPE, request)).toBeUndefined(); // an amended plan
    expect(prepared.take(PLAN_REF, 'run-2', request)).toBeUndefined(); // the campaign started again: other Message-IDs
    expect(prepared.take(PLAN_REF, SCOPE, request)).toBeDefined();
    expect(prepared.take(PLAN_REF, SCOPE, request)).toBeUndefined(); // used once
    expect(prepared.stats()).toMatchObject({ hits: 1, misses: 4, entries: 0, bytes: 0 });
  });

  it('does not send a second copy: the ledger still decides, prepared or not', async () => {
    const plan = samplePlan();
    const request = sampleRequests().overdue;
    const ledger = await ledgerIn();
    const { message, key } = composeMessage(plan, request, { from: SAMPLE_FROM });
    await deliverOnce(ledger, mailer, message, key);
    await sink.waitFor(1);

    prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [request], dueWallMs: Date.now() });
    await until('the message to be prepared', () => prepared.stats().prepared === 1);
    const ready = prepared.take(PLAN_REF, SCOPE, request)!;
    const records = await deliverOnce(ledger, mailer, ready.composed.message, ready.composed.key, { prepared: ready.mime });
    expect(records.map((r) => r.state)).toEqual(['sent', 'sent']);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages).toHaveLength(1);
  });

  it('waits while a batch is being sent, then prepares', async () => {
    const plan = samplePlan();
    let preparedDuringSend = -1;
    await prepared.whileSending(async () => {
      prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [sampleRequests().reminder, sampleRequests().overdue], dueWallMs: Date.now() });
      await new Promise((r) => setTimeout(r, 300));
      preparedDuringSend = prepared.stats().prepared;
    });
    expect(preparedDuringSend).toBe(0);
    await until('both messages to be prepared', () => prepared.stats().prepared === 2);
  });

  it('starts preparing a few minutes before the batch is due, not when it is named', async () => {
    const plan = samplePlan();
    const request = sampleRequests().reminder;
    prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [request], dueWallMs: Date.now() + PREPARE_LEAD_MS + 400 });
    const overdue = sampleRequests().overdue;
    prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [overdue], dueWallMs: Date.now() + 3 * 86_400_000 });
    await new Promise((r) => setTimeout(r, 150));
    expect(prepared.stats().prepared).toBe(0);
    await until('the reminder to be prepared', () => prepared.stats().prepared === 1);
    expect(prepared.take(PLAN_REF, SCOPE, request)).toBeDefined();
    expect(prepared.stats().entries).toBe(0); // the other one's time has not come
    prepared.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [overdue], dueWallMs: Date.now() + 30 * 86_400_000 });
    expect(prepared.stats().skipped).toBe(1); // due further ahead than an entry is kept
  });

  it('stays within its memory bound, dropping the oldest first', async () => {
    const plan = samplePlan();
    const one = new PreparedMessages({ mailer, from: SAMPLE_FROM, maxBytes: 16 * 1024 * 1024 });
    one.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests: [sampleRequests().reminder], dueWallMs: Date.now() });
    await until('one message', () => one.stats().prepared === 1);
    const size = one.stats().bytes;
    one.close();

    const small = new PreparedMessages({ mailer, from: SAMPLE_FROM, maxBytes: Math.floor(size * 2.5) });
    const requests = ['1d', '2d', '3d', '4d', '5d'].map((before) => ({ ...sampleRequests().reminder, before }) as ComposeRequest);
    small.schedule({ plan, planRef: PLAN_REF, scope: SCOPE, complete: (r) => r, requests, dueWallMs: Date.now() });
    await until('five messages', () => small.stats().prepared === 5);
    expect(small.stats()).toMatchObject({ entries: 2, evicted: 3 });
    expect(small.stats().bytes).toBeLessThanOrEqual(Math.floor(size * 2.5));
    expect(small.take(PLAN_REF, SCOPE, requests[0]!)).toBeUndefined();
    expect(small.take(PLAN_REF, SCOPE, requests[4]!)).toBeDefined();
    small.close();
  });

  it('leaves messages whose attachment is read from a file at send time (the final summary) to be built when sent', async () => {
    const message = {
      ...composeMessage(samplePlan(), sampleRequests().reminder, { from: SAMPLE_FROM }).message,
      attachments: [{ filename: 'summary.xlsx', path: '/nonexistent/summary.xlsx' }],
    };
    expect(await mailer.prepare(message)).toBeUndefined();
  });
});
