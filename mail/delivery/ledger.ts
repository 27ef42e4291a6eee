/**
 * The delivery ledger (outbox): exactly once, as far as a sender can know — on the database
 * (store/database: SQLite on one machine, PostgreSQL shared by several).
 *
 * One row per recipient of one message of one campaign run, keyed by (run, campaign, message key,
 * step, recipient) — never the Temporal run or attempt id, so a retried activity, a reset workflow
 * or a restarted worker all find the same row. A message key names what the message is about
 * (`pre-festival-report@2024-02-02/taiyuan` for an obligation, `coordinator-digest` for the
 * digests…) and the step which message of that thing it is (`reminder-3d`,
 * `escalation-2@20240205T100000Z`…); every kind's key is listed with ComposeRequest
 * (obligations/message-requests.ts) and built by mail/messages/<kind>.ts.
 *
 * Who sends a message is decided by the database: an attempt claims the message with one
 * conditional upsert on `delivery_claims` — it wins when nobody holds the message or the holder's
 * lease has expired, judged on the DATABASE's clock — and holds it while it sends, renewing its
 * lease ({@link LEASE_MS}) as it waits on the server. No pids, no host names, no lock files, no
 * state in this module: two workers on two machines with nothing in common but the database
 * cannot both send the same message, and a worker killed mid-send is replaced once its lease lapses.
 *
 * States of a recipient's row: `pending` → `sending` → `sent` | `failed-permanent`, or back to
 * `pending` when the server definitely refused for now (4xx, connection refused): those are retried.
 *
 * Policy for "sent but not confirmed": a row found in `sending` means an earlier attempt handed the
 * message to the server and then died (worker killed between the server's 250 and the outcome's
 * write, or the database unreachable for the write) or lost the connection before the reply. We
 * resend it once more with the SAME Message-ID and count it in `unconfirmedAttempts`. So a duplicate
 * can only happen when a crash or a broken connection lands in that window, it is at most one
 * duplicate per message then in flight (a batch activity sends up to SMTP_POOL_MAX_CONNECTIONS at
 * once), and receivers can recognise it by its Message-ID. We prefer a rare duplicate to a lost
 * deadline notice. Recipients already `sent` or `failed-permanent` are never sent again: a repeated
 * call returns the recorded result.
 *
 * Queryable by SQL: `SELECT * FROM deliveries WHERE campaign_id = $1 AND state = 'failed-permanent'`
 * (a campaign's refused deliveries), `… WHERE recipient = $1` (everything sent to one department's
 * address) — {@link DeliveryLedger.failed} and {@link DeliveryLedger.sentTo}.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MESSAGE_SEND_MAX_MS } from '../../config/mail';
import type { DeliveryEntry } from '../../obligations/obligations';
import { type Database, nowMs, type Queryable } from '../../store/database/database';
import { PermanentSmtpError, type RecipientOutcome, type SmtpError, TransientSmtpError, classifySendError } from '../smtp-errors';
import type { Mailer, OutgoingMessage, PreparedMime } from '../transport';

/** Identifies one message (every recipient of it). */
export interface MessageKey {
  campaignId: string;
  /** What the message is about: an obligation `occurrenceKey/departmentId`, or a message key such as `digest@…`. */
  key: string;
  /** Which message of it: `launch`, `reminder-3d`, `escalation-1@<instant>`, `receipt-<id>`… */
  step: string;
}

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed-permanent';

export interface DeliveryRecord {
  /** The campaign run ('' for a ledger not scoped to one). */
  run: string;
  campaignId: string;
  key: string;
  step: string;
  /** Lower-case address. */
  recipient: string;
  role: 'to' | 'cc';
  messageId: string;
  subject: string;
  state: DeliveryState;
  /** SMTP attempts that included this recipient. */
  attempts: number;
  /** Attempts whose outcome was unknown (crash or broken connection after the data went out) and were resent. */
  unconfirmedAttempts: number;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  /** Last reply for this recipient, e.g. "250 OK: queued as 12" or "550 mailbox unavailable". */
  responseCode?: number;
  response?: string;
  lastError?: string;
}

/**
 * How long a claim holds without renewal: an attempt renews it every third of this while it waits
 * on the SMTP server, so only an attempt that is gone (killed, frozen, cut off from the database)
 * loses it. A retry after a SIGKILL waits at most this long before it may send.
 */
export const LEASE_MS = 30_000;

/** How long an attempt keeps trying to record what the server answered before giving up (then the rows stay `sending`). */
const OUTCOME_WRITE_MS = Math.max(30_000, MESSAGE_SEND_MAX_MS / 2);

const COLUMNS = `run, campaign_id, message_key, step, recipient, role, message_id, subject, state, attempts, unconfirmed_attempts,
  created_at, updated_at, sent_at, response_code, response, last_error`;

interface Row {
  run: string;
  campaign_id: string;
  message_key: string;
  step: string;
  recipient: string;
  role: 'to' | 'cc';
  message_id: string;
  subject: string;
  state: DeliveryState;
  attempts: number;
  unconfirmed_attempts: number;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  response_code: number | null;
  response: string | null;
  last_error: string | null;
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(Number(ms)).toISOString());
const toRecord = (r: Row): DeliveryRecord => ({
  run: r.run,
  campaignId: r.campaign_id,
  key: r.message_key,
  step: r.step,
  recipient: r.recipient,
  role: r.role,
  messageId: r.message_id,
  subject: r.subject,
  state: r.state,
  attempts: Number(r.attempts),
  unconfirmedAttempts: Number(r.unconfirmed_attempts),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  sentAt: iso(r.sent_at),
  responseCode: r.response_code ?? undefined,
  response: r.response ?? undefined,
  lastError: r.last_error ?? undefined,
});

export interface LedgerOptions {
  /** Claim lease (default {@link LEASE_MS}); tests shorten it. */
  leaseMs?: number;
  /** The campaign run; see {@link DeliveryLedger.scoped}. */
  scope?: string;
}

export class DeliveryLedger {
  readonly scope?: string;
  readonly leaseMs: number;

  constructor(
    readonly db: Database,
    opts: LedgerOptions = {},
  ) {
    this.scope = opts.scope;
    this.leaseMs = opts.leaseMs ?? LEASE_MS;
  }

  /**
   * The ledger of one campaign run: a campaign started again from the same plan (same campaign id)
   * is a new run and must not be silenced by what the earlier run sent.
   */
  scoped(scope: string): DeliveryLedger {
    return new DeliveryLedger(this.db, { leaseMs: this.leaseMs, scope });
  }

  /** The run column's value for this ledger. */
  get run(): string {
    return this.scope ?? '';
  }

  async get(k: MessageKey, recipient: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM deliveries WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4 AND recipient = $5`, [
      ...this.messageParams(k),
      recipient.toLowerCase(),
    ]);
    return row && toRecord(row);
  }

  /** Every recipient's row of one message. */
  async records(k: MessageKey, db: Queryable = this.db): Promise<DeliveryRecord[]> {
    const rows = await db.all<Row>(`SELECT ${COLUMNS} FROM deliveries WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4 ORDER BY recipient`, this.messageParams(k));
    return rows.map(toRecord);
  }

  /** Every row of a campaign in this ledger's run, for reports. */
  async list(campaignId: string): Promise<DeliveryRecord[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM deliveries WHERE run = $1 AND campaign_id = $2 ORDER BY message_key, step, recipient`, [this.run, campaignId]);
    return rows.map(toRecord);
  }

  /** Deliveries of a campaign refused for good (every run, or this ledger's when scoped). */
  async failed(campaignId: string): Promise<DeliveryRecord[]> {
    return this.select(`campaign_id = $1 AND state = 'failed-permanent'`, [campaignId]);
  }

  /** Everything sent (or being sent) to one address, in order. */
  async sentTo(address: string): Promise<DeliveryRecord[]> {
    return this.select(`recipient = $1`, [address.trim().toLowerCase()]);
  }

  private async select(where: string, params: unknown[]): Promise<DeliveryRecord[]> {
    const scoped = this.scope === undefined ? '' : ` AND run = $${params.length + 1}`;
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM deliveries WHERE ${where}${scoped} ORDER BY created_at, message_key, step, recipient`, this.scope === undefined ? params : [...params, this.scope]);
    return rows.map(toRecord);
  }

  messageParams(k: MessageKey): [string, string, string, string] {
    return [this.run, k.campaignId, k.key, k.step];
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * The deterministic Message-ID of a message: `<hash.campaignId@domain>`, the hash over
 * (campaignId, key, step) and — for a ledger scoped to a campaign run — the run, the domain that of
 * SMTP_FROM. The same for every recipient and attempt; a campaign started again under the same id
 * sends new Message-IDs, so mail systems that de-duplicate do not hide the new run's messages.
 */
export function messageIdFor(k: MessageKey, domain: string, scope?: string): string {
  const h = sha256(`${k.campaignId}\u0000${k.key}\u0000${k.step}${scope ? `\u0000${scope}` : ''}`).slice(0, 32);
  const campaign = k.campaignId.replace(/[^A-Za-z0-9-]/g, '');
  return `<${h}${campaign ? `.${campaign}` : ''}@${domain.toLowerCase()}>`;
}

/** Value of the X-Campaign-Key header. */
export function campaignKeyHeader(k: MessageKey): string {
  return `${k.campaignId}/${k.key}/${k.step}`;
}

export interface DeliverOptions {
  signal?: AbortSignal;
  /** The message built ahead of time from `stampMessage(message, key, …)` (see mail/delivery/prepared-messages.ts). */
  prepared?: PreparedMime;
}

/** The message as it goes out under `key`: its deterministic Message-ID and X-Campaign-Key header set. */
export function stampMessage(message: OutgoingMessage, key: MessageKey, messageIdDomain: string, scope?: string): OutgoingMessage {
  return {
    ...message,
    messageId: messageIdFor(key, messageIdDomain, scope),
    headers: { ...message.headers, 'X-Campaign-Key': campaignKeyHeader(key) },
  };
}

const FINAL: ReadonlySet<DeliveryState> = new Set(['sent', 'failed-permanent']);

/** `$from, $from+1, …` for a list of `count` parameters. */
const placeholders = (from: number, count: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/**
 * Sends `message` to every To and Cc recipient not yet `sent` or `failed-permanent` under `key`,
 * recording each outcome. Returns the rows of every recipient once all are final.
 *
 * - Message-ID and X-Campaign-Key are set here from the key (overriding the message's).
 * - Recipients refused for good are recorded `failed-permanent` and returned, not thrown: a repeated
 *   call returns the same rows, and nobody is retried.
 * - If any recipient is still outstanding (4xx, server unreachable, outcome unknown) the others are
 *   recorded and a {@link TransientSmtpError} is thrown so that Temporal retries; the retry sends to the
 *   outstanding recipients only (the headers still show everyone).
 * - Another live attempt holding the message: TransientSmtpError `ELOCKED`, nothing touched.
 */
export async function deliverOnce(
  ledger: DeliveryLedger,
  mailer: Mailer,
  message: OutgoingMessage,
  key: MessageKey,
  opts: DeliverOptions = {},
): Promise<DeliveryRecord[]> {
  for (const [name, v] of Object.entries({ campaignId: key.campaignId, key: key.key, step: key.step })) {
    if (typeof v !== 'string' || v === '') throw new TypeError(`deliverOnce: key.${name} must be a non-empty string`);
  }
  const msg = stampMessage(message, key, mailer.messageIdDomain, ledger.scope);
  const recipients = uniqueRecipients(message);
  if (recipients.length === 0) throw new PermanentSmtpError('deliverOnce: the message has no recipients', { code: 'EENVELOPE' });

  const db = ledger.db;
  const NOW = nowMs(db.dialect);
  const msgParams = ledger.messageParams(key);
  const token = randomUUID();
  const addresses = recipients.map((r) => r.address);

  // 1. Claim the message and move every recipient not yet final to "sending", in one transaction:
  //    durable before anything goes out, so a crash from here on leaves the rows "sending".
  const claim = await db.transaction<{ done: DeliveryRecord[] } | { rows: DeliveryRecord[] }>(async (tx) => {
    const won = await tx.get(
      `INSERT INTO delivery_claims (run, campaign_id, message_key, step, owner, lease_until) VALUES ($1, $2, $3, $4, $5, ${NOW} + $6)
       ON CONFLICT (run, campaign_id, message_key, step) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE delivery_claims.owner IS NULL OR delivery_claims.lease_until < ${NOW}
       RETURNING owner`,
      [...msgParams, token, ledger.leaseMs],
    );
    if (!won) {
      const existing = (await ledger.records(key, tx)).filter((r) => addresses.includes(r.recipient));
      if (existing.length === addresses.length && existing.every((r) => FINAL.has(r.state))) return { done: existing };
      const holder = await tx.get<{ left: number }>(`SELECT lease_until - ${NOW} AS "left" FROM delivery_claims WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4`, msgParams);
      throw new TransientSmtpError(
        `Message ${key.campaignId}/${key.key}/${key.step} is being sent by another attempt (its lease runs ${Math.max(0, Math.ceil(Number(holder?.left ?? 0) / 1000))} s more)`,
        { code: 'ELOCKED' },
      );
    }
    // First time seen: created in "sending" (attempt 1). Seen before and not final: an earlier
    // attempt left it — "pending" (refused for now) or "sending" (outcome unknown: counted).
    const values = recipients.map((_, i) => `($1, $2, $3, $4, $${7 + 2 * i}, $${8 + 2 * i}, $5, $6, 'sending', 1, 0, ${NOW}, ${NOW})`).join(', ');
    const inserted = await tx.all<{ recipient: string }>(
      `INSERT INTO deliveries (run, campaign_id, message_key, step, recipient, role, message_id, subject, state, attempts, unconfirmed_attempts, created_at, updated_at)
       VALUES ${values} ON CONFLICT (run, campaign_id, message_key, step, recipient) DO NOTHING RETURNING recipient`,
      [...msgParams, msg.messageId, message.subject, ...recipients.flatMap((r) => [r.address, r.role])],
    );
    const fresh = new Set(inserted.map((r) => r.recipient));
    const before = (await ledger.records(key, tx)).filter((r) => addresses.includes(r.recipient));
    const again = before.filter((r) => !FINAL.has(r.state) && !fresh.has(r.recipient)).map((r) => r.recipient);
    if (again.length > 0) {
      await tx.run(
        `UPDATE deliveries SET unconfirmed_attempts = unconfirmed_attempts + CASE WHEN state = 'sending' THEN 1 ELSE 0 END,
           state = 'sending', attempts = attempts + 1, message_id = $5, updated_at = ${NOW}
         WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4 AND recipient IN (${placeholders(6, again.length)})`,
        [...msgParams, msg.messageId, ...again],
      );
    }
    return { rows: again.length > 0 ? (await ledger.records(key, tx)).filter((r) => addresses.includes(r.recipient)) : before };
  });
  if ('done' in claim) return claim.done;

  const release = (tx: Queryable) =>
    tx.run(`UPDATE delivery_claims SET owner = NULL WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4 AND owner = $5`, [...msgParams, token]);
  const records = claim.rows;
  const todo = records.filter((r) => !FINAL.has(r.state));
  if (todo.length === 0) {
    await release(db);
    return records;
  }

  // 2. Send, renewing the claim while the server takes its time.
  const renew = setInterval(() => {
    db.run(`UPDATE delivery_claims SET lease_until = ${NOW} + $6 WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4 AND owner = $5`, [
      ...msgParams,
      token,
      ledger.leaseMs,
    ]).catch(() => undefined); // the database unreachable: the lease may lapse, and a later attempt counts the resend
  }, Math.max(50, Math.floor(ledger.leaseMs / 3)));
  let outcomes: RecipientOutcome[];
  let failure: SmtpError | undefined;
  let response = '';
  try {
    const result = await mailer.send(msg, { envelopeTo: todo.map((r) => r.recipient), signal: opts.signal, prepared: opts.prepared });
    outcomes = result.recipients;
    response = result.response;
  } catch (err) {
    failure = classifySendError(err, [], []);
    outcomes = failure.recipients;
  } finally {
    clearInterval(renew);
  }

  // 3. Record every outcome and let go of the message, in one transaction. A row another attempt
  //    already made final (after this one's lease lapsed) is left as it is.
  for (const r of todo) applyOutcome(r, outcomes.find((x) => x.address.toLowerCase() === r.recipient), failure, response);
  await persistently(() =>
    db.transaction(async (tx) => {
      for (const r of todo) {
        await tx.run(
          `UPDATE deliveries SET state = $6, updated_at = ${NOW}, sent_at = CASE WHEN $6 = 'sent' THEN ${NOW} ELSE sent_at END,
             response_code = $7, response = $8, last_error = $9
           WHERE run = $1 AND campaign_id = $2 AND message_key = $3 AND step = $4 AND recipient = $5 AND state = 'sending'`,
          [...msgParams, r.recipient, r.state, r.responseCode ?? null, r.response ?? null, r.lastError ?? null],
        );
      }
      await release(tx);
    }),
  );
  const final = (await ledger.records(key)).filter((r) => addresses.includes(r.recipient));

  const outstanding = final.filter((r) => !FINAL.has(r.state));
  if (outstanding.length > 0) {
    const detail = outstanding.map((r) => `${r.recipient}: ${r.lastError ?? r.state}`).join('; ');
    throw new TransientSmtpError(failure ? failure.message : `${outstanding.length} recipient(s) deferred, will retry: ${detail}`, {
      code: failure?.code ?? 'EDEFERRED',
      responseCode: failure?.responseCode,
      response: failure?.response,
      command: failure?.command,
      recipients: outcomes,
      ambiguous: failure?.ambiguous,
      cause: failure,
    });
  }
  return final;
}

function uniqueRecipients(message: OutgoingMessage): Array<{ address: string; role: 'to' | 'cc' }> {
  const out: Array<{ address: string; role: 'to' | 'cc' }> = [];
  const seen = new Set<string>();
  for (const [role, list] of [['to', message.to], ['cc', message.cc ?? []]] as const) {
    for (const a of list) {
      const address = a.address.trim().toLowerCase();
      if (!seen.has(address)) {
        seen.add(address);
        out.push({ address, role });
      }
    }
  }
  return out;
}

/** What the server's answer (or the failure) means for one recipient's row. */
function applyOutcome(r: DeliveryRecord, o: RecipientOutcome | undefined, failure: SmtpError | undefined, response: string): void {
  if (o?.status === 'accepted') {
    r.state = 'sent';
    r.response = response;
    r.responseCode = Number(/^\d{3}/.exec(response)?.[0] ?? 250);
    r.lastError = undefined;
  } else if (o?.status === 'rejected-permanent' || (failure instanceof PermanentSmtpError && !o)) {
    r.state = 'failed-permanent';
    r.responseCode = o?.responseCode ?? failure?.responseCode;
    r.response = o?.response ?? failure?.response ?? failure?.message;
    r.lastError = failure?.message ?? o?.response;
  } else if (o?.status === 'rejected-transient') {
    r.state = 'pending';
    r.responseCode = o.responseCode;
    r.response = o.response;
    r.lastError = o.response;
  } else {
    // no per-recipient answer: the whole attempt failed
    r.state = failure?.ambiguous ? 'sending' : 'pending';
    r.responseCode = failure?.responseCode;
    r.response = failure?.response;
    r.lastError = failure?.message ?? 'no outcome reported for this recipient';
  }
}

/**
 * Writes what the server answered, retrying while the database is briefly away (a restart): the
 * message went out, and losing its outcome would cost a resend. Gives up after OUTCOME_WRITE_MS;
 * then the rows stay `sending` and the next attempt resends once, counted.
 */
async function persistently(write: () => Promise<void>): Promise<void> {
  const until = Date.now() + OUTCOME_WRITE_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + wait > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * What a {@link deliverOnce} result tells the workflows (their delivery entries, the coordinator's
 * digest of refused addresses): the Message-ID, who has it, and who was refused for good and why.
 */
export function deliverySummary(records: DeliveryRecord[]): Pick<DeliveryEntry, 'messageId' | 'sent' | 'failed'> {
  return {
    messageId: records[0]?.messageId,
    sent: records.filter((r) => r.state === 'sent').map((r) => r.recipient),
    failed: records.filter((r) => r.state === 'failed-permanent').map((r) => ({ address: r.recipient, reason: r.response ?? r.lastError ?? 'refused' })),
  };
}
