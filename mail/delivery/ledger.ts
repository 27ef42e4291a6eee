/**
 * The delivery ledger (outbox): exactly once, as far as a sender can know.
 *
 * Why one file of ~700 lines: it is one protocol — claim a message's records, lock, send, record
 * the outcome — and its file operations (atomic create, rename, fsync, lock takeover, owner
 * leases) only make sense read together with {@link deliverOnce}; split, each half would depend
 * on the other's invariants. It is also the part issue J replaces by a database (a row per
 * recipient, a transaction instead of 'wx' files and renames), so it is kept whole until then
 * rather than rearranged twice. The delivery summary the workflows keep is {@link deliverySummary}.
 *
 * One JSON record per business key (campaignId, message key, step, recipient) — never the Temporal
 * run or attempt id, so a retried activity, a reset workflow or a restarted worker all find the
 * same record. A message key names what the message is about (`pre-festival-report@2024-02-02/taiyuan`
 * for an obligation, `coordinator-digest` for the digests…) and the step which message of that
 * thing it is (`reminder-3d`, `escalation-2@20240205T100000Z`…); every kind's key is listed with
 * ComposeRequest (obligations/message-requests.ts) and built by mail/messages/<kind>.ts.
 *
 * Storage: a directory tree on disk, `<dir>/<campaignId>/<message key>/<step>--<recipient>.json`
 * (names made file-system safe, with a hash suffix when that changed them). Records are created
 * atomically (`open(…, 'wx')`: exactly one creator wins) and updated atomically (write a temporary
 * file, fsync, rename over the record).
 *
 * Concurrent attempts for the same message (a retry started while a stuck attempt still runs)
 * keep out of each other's way in two ways. A message sent for the first time is claimed by
 * creating its records, in `sending` and naming their owner (host, process, token, lease): the
 * creator that wins owns them, nobody else can create them. Any attempt that finds records already
 * there takes the message's lock file (also created with 'wx') and then leaves alone records that
 * a live owner holds. An owner or lock holder is gone when its process on this host is gone, or
 * after its lease ({@link LEASE_MS}, longer than one message's ledger writes and send may take) on
 * any host. (The lock file alone, taken by every attempt, cost a burst of first sends a third of
 * its file operations.) **When workers run on several machines the directory must be
 * on a filesystem they all share (NFSv4, CephFS, EFS…) with atomic rename and O_EXCL create;**
 * with per-machine directories two workers could each send the same message once.
 *
 * States of a recipient's record: `pending` → `sending` → `sent` | `failed-permanent`, or back to
 * `pending` when the server definitely refused for now (4xx, connection refused): those are retried.
 *
 * Policy for "sent but not confirmed": a record found in `sending` means an earlier attempt handed
 * the message to the server and then died (worker crash between the server's 250 and our ledger
 * write) or lost the connection before the reply. We resend it once more with the SAME Message-ID
 * and count it in `unconfirmedAttempts`. So a duplicate can only happen when a crash or a broken
 * connection lands in that window, it is at most one duplicate per message then in flight (a batch
 * activity sends up to SMTP_POOL_MAX_CONNECTIONS at once; never more than `unconfirmedAttempts`), and
 * receivers (and mail systems that de-duplicate) can recognise it by its Message-ID. We prefer a rare duplicate to a lost deadline notice. Recipients already `sent` or
 * `failed-permanent` are never sent again: a repeated call returns the recorded result.
 */
import { createHash } from 'node:crypto';
import * as cbfs from 'node:fs';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { hostname } from 'node:os';
import path from 'node:path';
import { MESSAGE_SEND_MAX_MS } from '../../config/mail';
import type { DeliveryEntry } from '../../obligations/obligations';
import { PermanentSmtpError, SmtpError, TransientSmtpError, classifySendError } from '../smtp-errors';
import type { RecipientOutcome } from '../smtp-errors';
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
  version: 1;
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
  /** The attempt sending it right now; absent once that attempt is over (see {@link deliverOnce}). */
  owner?: AttemptOwner;
}

/** Who is sending a message now: like a lock's holder, live until its process ends or its lease expires. */
export interface AttemptOwner {
  host: string;
  pid: number;
  token: string;
  expiresAt: string;
}

/** The lock lease: longer than {@link MESSAGE_SEND_MAX_MS}, within which one message's writes and send end. */
export const LEASE_MS = MESSAGE_SEND_MAX_MS + 30_000;

const HOST = hostname();
/**
 * The callback file API, promisified: a message costs a dozen small file operations, and the
 * FileHandle objects of fs/promises were a large share of a burst's CPU.
 */
const raw = {
  open: promisify(cbfs.open),
  datasync: promisify(cbfs.fdatasync),
  fsync: promisify(cbfs.fsync),
  close: promisify(cbfs.close),
  unlink: promisify(cbfs.unlink),
};
/** Writes all of `content` at the file's current position. */
async function writeAll(fd: number, content: string): Promise<void> {
  const data = Buffer.from(content, 'utf8');
  for (let off = 0; off < data.length; ) {
    off += await new Promise<number>((resolve, reject) => cbfs.write(fd, data, off, data.length - off, null, (err, n) => (err ? reject(err) : resolve(n))));
  }
}
/** Writes `content` into a file opened with `flags`, optionally syncs its data, and closes it. */
async function writeNew(file: string, flags: 'wx' | 'w', content: string, sync: boolean): Promise<void> {
  const fd = await raw.open(file, flags);
  try {
    await writeAll(fd, content);
    if (sync) await raw.datasync(fd);
  } finally {
    await raw.close(fd);
  }
}
/** Unique names for temporary files and lock tokens (unique per host and process; no entropy needed). */
let sequence = 0;
const uniqueSuffix = () => `${process.pid}.${Date.now().toString(36)}.${(++sequence).toString(36)}`;
/** Directories this process has already created (mkdir -p once, not before every write). */
const madeDirs = new Set<string>();
async function ensureDir(dir: string): Promise<void> {
  if (madeDirs.has(dir)) return;
  await fs.mkdir(dir, { recursive: true });
  madeDirs.add(dir);
}
/** Runs `op` on a file in `dir`, creating the directory again if it vanished since it was made. */
async function inDir<T>(dir: string, op: () => Promise<T>): Promise<T> {
  await ensureDir(dir);
  try {
    return await op();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    madeDirs.delete(dir);
    await ensureDir(dir);
    return op();
  }
}
/** Locks held by this process (every ledger instance), path → token. */
const heldLocks = new Map<string, string>();
/** Tokens of the deliverOnce attempts running in this process. */
const liveAttempts = new Set<string>();

interface LockContent extends AttemptOwner {
  acquiredAt: string;
}

export interface LedgerOptions {
  /** Clock, for tests. */
  now?: () => Date;
  leaseMs?: number;
  /** fsync files and directories after writes (default true). */
  fsync?: boolean;
}

export class DeliveryLedger {
  readonly dir: string;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly doFsync: boolean;

  /** The campaign run this ledger is scoped to (see {@link scoped}); part of every Message-ID it gives. */
  readonly scope?: string;

  constructor(dir: string, opts: LedgerOptions & { scope?: string } = {}) {
    this.dir = path.resolve(dir);
    this.scope = opts.scope;
    this.now = opts.now ?? (() => new Date());
    this.leaseMs = opts.leaseMs ?? LEASE_MS;
    this.doFsync = opts.fsync ?? true;
  }

  /**
   * The ledger of one campaign run, in a sub-directory: a campaign started again from the same
   * plan (same campaign id) is a new run and must not be silenced by what the earlier run sent.
   */
  scoped(scope: string): DeliveryLedger {
    return new DeliveryLedger(path.join(this.dir, safeName(scope)), { now: this.now, leaseMs: this.leaseMs, fsync: this.doFsync, scope });
  }

  /** The ledger's clock, as an ISO instant. */
  nowIso(): string {
    return this.now().toISOString();
  }

  /** Directory holding every record of one message key. */
  messageDir(k: Pick<MessageKey, 'campaignId' | 'key'>): string {
    return path.join(this.dir, safeName(k.campaignId), safeName(k.key));
  }

  recordPath(k: MessageKey, recipient: string): string {
    return path.join(this.messageDir(k), `${safeName(k.step)}--${safeName(recipient.toLowerCase())}.json`);
  }

  lockPath(k: MessageKey): string {
    return path.join(this.messageDir(k), `${safeName(k.step)}.lock`);
  }

  async get(k: MessageKey, recipient: string): Promise<DeliveryRecord | undefined> {
    return readJson<DeliveryRecord>(this.recordPath(k, recipient));
  }

  /** Every record of one message (all recipients). */
  async records(k: MessageKey): Promise<DeliveryRecord[]> {
    const dir = this.messageDir(k);
    const prefix = `${safeName(k.step)}--`;
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const out: DeliveryRecord[] = [];
    for (const n of names.sort()) {
      if (!n.startsWith(prefix) || !n.endsWith('.json')) continue;
      const r = await readJson<DeliveryRecord>(path.join(dir, n));
      if (r && r.step === k.step && r.key === k.key) out.push(r);
    }
    return out;
  }

  /** Every record of a campaign, for reports. */
  async list(campaignId: string): Promise<DeliveryRecord[]> {
    const root = path.join(this.dir, safeName(campaignId));
    const out: DeliveryRecord[] = [];
    for (const d of (await fs.readdir(root).catch(() => [] as string[])).sort()) {
      const sub = path.join(root, d);
      for (const n of (await fs.readdir(sub).catch(() => [] as string[])).sort()) {
        if (!n.endsWith('.json')) continue;
        const r = await readJson<DeliveryRecord>(path.join(sub, n));
        if (r) out.push(r);
      }
    }
    return out;
  }

  /**
   * Creates the record if absent (atomic, 'wx'); returns the record on disk either way (the given
   * object itself when this call created it). The directory entry is made durable by
   * {@link syncDir}, once per message.
   */
  async createIfAbsent(record: DeliveryRecord): Promise<DeliveryRecord> {
    const file = this.recordPath(record, record.recipient);
    try {
      await inDir(path.dirname(file), () => writeNew(file, 'wx', JSON.stringify(record) + '\n', this.doFsync));
      return record;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = await readJson<DeliveryRecord>(file);
    if (existing) return existing;
    // Empty or torn. Young, it is being written by the attempt that created it right now: that
    // attempt owns it. Older than a lease, its creator died before writing — and so before sending
    // (the send comes after the record is durable): rewrite it as ours.
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && this.now().getTime() - stat.mtime.getTime() <= this.leaseMs) {
      throw new TransientSmtpError(`Message ${record.campaignId}/${record.key}/${record.step}: its record for ${record.recipient} is being created by another attempt`, { code: 'ELOCKED' });
    }
    await this.update(record);
    return record;
  }

  /**
   * Replaces the record atomically (temporary file + rename). `syncDirectory: false` leaves the
   * rename's durability to one {@link syncDir} for all recipients of a message.
   */
  async update(record: DeliveryRecord, opts: { syncDirectory?: boolean } = {}): Promise<void> {
    const file = this.recordPath(record, record.recipient);
    await inDir(path.dirname(file), () => atomicWrite(file, JSON.stringify(record) + '\n', this.doFsync, opts.syncDirectory ?? true));
  }

  /** Makes the creates and renames in one message's directory durable (one directory fsync). */
  async syncDir(k: Pick<MessageKey, 'campaignId' | 'key'>): Promise<void> {
    if (this.doFsync) await fsyncDir(this.messageDir(k));
  }

  /**
   * Takes the message's lock, or throws {@link TransientSmtpError} when another live attempt holds it
   * (Temporal retries later). Stale locks (dead owner on this host, or lease expired) are taken over.
   */
  async acquire(k: MessageKey): Promise<{ release(): Promise<void> }> {
    const file = this.lockPath(k);
    for (let round = 0; round < 5; round++) {
      const token = `${HOST}.${uniqueSuffix()}`;
      const now = this.now();
      const content: LockContent = {
        host: HOST,
        pid: process.pid,
        token,
        acquiredAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.leaseMs).toISOString(),
      };
      try {
        const fd = await inDir(path.dirname(file), () => raw.open(file, 'wx'));
        heldLocks.set(file, token); // before writing: another attempt in this process must see it held
        try {
          // Not fsynced: the lock only keeps live attempts apart. After a machine crash an empty or
          // missing lock is judged by its age (the lease), and the records say what was sent.
          await writeAll(fd, JSON.stringify(content) + '\n');
        } finally {
          await raw.close(fd);
        }
        return {
          release: async () => {
            if (heldLocks.get(file) !== token) return;
            heldLocks.delete(file);
            const current = await readJson<LockContent>(file);
            if (current?.token === token) await raw.unlink(file).catch(() => undefined);
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readJson<LockContent>(file);
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat) continue; // released meanwhile: try again
      if (!this.isStale(file, holder, stat.mtime)) {
        throw new TransientSmtpError(
          `Message ${k.campaignId}/${k.key}/${k.step} is being sent by another attempt` +
            (holder ? ` (${holder.host} pid ${holder.pid}, lease until ${holder.expiresAt})` : ''),
          { code: 'ELOCKED' },
        );
      }
      // take over: move the stale lock aside (only one taker's rename succeeds), check it was the one we judged
      const aside = `${file}.stale-${token}`;
      try {
        await fs.rename(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = await readJson<LockContent>(aside);
      if (holder && moved && moved.token !== holder.token) {
        // we moved a fresh lock someone took meanwhile: put it back and let them finish
        await fs.link(aside, file).catch(() => undefined);
        await fs.rm(aside, { force: true });
        throw new TransientSmtpError(`Message ${k.campaignId}/${k.key}/${k.step}: lock contention, try again`, { code: 'ELOCKED' });
      }
      await fs.rm(aside, { force: true });
    }
    throw new TransientSmtpError(`Message ${k.campaignId}/${k.key}/${k.step}: could not take the lock`, { code: 'ELOCKED' });
  }

  /** A new attempt to send a message: it owns the records it claims until it ends or its lease expires. */
  newAttempt(): AttemptOwner {
    return { host: HOST, pid: process.pid, token: `${HOST}.${uniqueSuffix()}`, expiresAt: new Date(this.now().getTime() + this.leaseMs).toISOString() };
  }

  /** Whether the attempt that owns a record may still be sending it. */
  isLiveOwner(o: AttemptOwner): boolean {
    return this.isLive(o, (token) => liveAttempts.has(token));
  }

  private isStale(file: string, holder: LockContent | undefined, mtime: Date): boolean {
    if (!holder) return this.now().getTime() - mtime.getTime() > this.leaseMs; // torn lock file: judge by age
    return !this.isLive(holder, (token) => heldLocks.get(file) === token);
  }

  /**
   * The one rule for a lock's holder and a record's owner: gone once its lease expired; on this
   * host, gone when its process is (in this process, when `heldHere` no longer knows its token);
   * on another host, live until the lease expires.
   */
  private isLive(h: AttemptOwner, heldHere: (token: string) => boolean): boolean {
    if (Date.parse(h.expiresAt) < this.now().getTime()) return false;
    if (h.host !== HOST) return true;
    if (h.pid === process.pid) return heldHere(h.token);
    return pidAlive(h.pid);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A small file's text: open, one read, close (readFile would stat it first). */
async function readSmall(file: string): Promise<string> {
  const fd = await raw.open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.allocUnsafe(chunks.length === 0 ? 4096 : 65536);
      const n = await new Promise<number>((resolve, reject) => cbfs.read(fd, buf, 0, buf.length, null, (err, got) => (err ? reject(err) : resolve(got))));
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      if (n < buf.length) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await raw.close(fd);
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readSmall(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

async function atomicWrite(file: string, content: string, doFsync: boolean, syncDirectory = true): Promise<void> {
  const tmp = `${file}.${uniqueSuffix()}.tmp`;
  await writeNew(tmp, 'w', content, doFsync);
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  if (doFsync && syncDirectory) await fsyncDir(path.dirname(file));
}

/** Makes renames and creates in a directory durable; not every platform lets a directory be opened for sync. */
async function fsyncDir(dir: string): Promise<void> {
  const fd = await raw.open(dir, 'r').catch(() => undefined);
  if (fd !== undefined) await raw.fsync(fd).catch(() => undefined).finally(() => raw.close(fd));
}

/** safeName's answers for the names seen lately: a message's paths are asked for a dozen times. */
const safeNames = new Map<string, string>();

/** File-system-safe name; a hash suffix keeps distinct inputs distinct when characters were replaced or cut. */
function safeName(s: string): string {
  const known = safeNames.get(s);
  if (known !== undefined) return known;
  const safe = computeSafeName(s);
  if (safeNames.size >= 10_000) safeNames.clear();
  safeNames.set(s, safe);
  return safe;
}

function computeSafeName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^\.+/, '_');
  if (cleaned === s && s.length <= 100 && s.length > 0) return s;
  return `${cleaned.slice(0, 80)}~${sha256(s).slice(0, 10)}`;
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

/**
 * Sends `message` to every To and Cc recipient not yet `sent` or `failed-permanent` under `key`,
 * recording each outcome. Returns the records of every recipient once all are final.
 *
 * - Message-ID and X-Campaign-Key are set here from the key (overriding the message's).
 * - Recipients refused for good are recorded `failed-permanent` and returned, not thrown: a repeated
 *   call returns the same records, and nobody is retried.
 * - If any recipient is still outstanding (4xx, server unreachable, outcome unknown) the others are
 *   recorded and a {@link TransientSmtpError} is thrown so that Temporal retries; the retry sends to the
 *   outstanding recipients only (the headers still show everyone).
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
  const messageId = msg.messageId;
  const recipients: Array<{ address: string; role: 'to' | 'cc' }> = [];
  const seen = new Set<string>();
  for (const [role, list] of [['to', message.to], ['cc', message.cc ?? []]] as const) {
    for (const a of list) {
      const address = a.address.trim().toLowerCase();
      if (!seen.has(address)) {
        seen.add(address);
        recipients.push({ address, role });
      }
    }
  }
  if (recipients.length === 0) throw new PermanentSmtpError('deliverOnce: the message has no recipients', { code: 'EENVELOPE' });

  const nowIso = () => ledger.nowIso();
  const owner = ledger.newAttempt();
  const token = owner.token;
  liveAttempts.add(token);
  let lock: { release(): Promise<void> } | undefined;
  try {
    // Claim: a recipient seen for the first time gets its record created in "sending", owned by
    // this attempt ('wx': exactly one creator wins). When every record is new — the common case —
    // that is the whole claim: no lock file.
    const fresh = new Set<DeliveryRecord>();
    // Records this attempt claimed but will not send: handed back untouched, then `err` is thrown.
    const backOff = async (err: unknown): Promise<never> => {
      for (const r of fresh) {
        r.state = 'pending';
        r.attempts = 0;
        r.owner = undefined;
        r.lastError = 'not sent: another attempt was sending this message';
      }
      await Promise.all([...fresh].map((r) => ledger.update(r, { syncDirectory: false })));
      throw err;
    };
    const claimed = await Promise.allSettled(
      recipients.map(async (r) => {
        const record: DeliveryRecord = {
          version: 1,
          campaignId: key.campaignId,
          key: key.key,
          step: key.step,
          recipient: r.address,
          role: r.role,
          messageId,
          subject: message.subject,
          state: 'sending',
          attempts: 1,
          unconfirmedAttempts: 0,
          createdAt: nowIso(),
          updatedAt: nowIso(),
          owner,
        };
        const onDisk = await ledger.createIfAbsent(record);
        if (onDisk === record) fresh.add(record);
        return onDisk;
      }),
    );
    const refused = claimed.find((c) => c.status === 'rejected');
    if (refused) await backOff(refused.reason);
    let records = claimed.map((c) => (c as PromiseFulfilledResult<DeliveryRecord>).value);
    if (fresh.size < records.length) {
      // Seen before, by an earlier attempt or by one running now.
      if (fresh.size === 0 && records.every((r) => FINAL.has(r.state))) return records;
      // Attempts that find existing records take the message's lock file, one at a time...
      lock = await ledger.acquire(key).catch(backOff);
      records = await Promise.all(records.map(async (r) => (fresh.has(r) ? r : ((await ledger.get(key, r.recipient)) ?? r))));
      // ...and leave alone a message whose records another live attempt claimed without it.
      const busy = records.find((r) => !fresh.has(r) && r.owner && r.owner.token !== token && ledger.isLiveOwner(r.owner));
      if (busy) {
        await backOff(
          new TransientSmtpError(
            `Message ${key.campaignId}/${key.key}/${key.step} is being sent by another attempt (${busy.owner!.host} pid ${busy.owner!.pid}, lease until ${busy.owner!.expiresAt})`,
            { code: 'ELOCKED' },
          ),
        );
      }
    }
    const todo = records.filter((r) => !FINAL.has(r.state));
    if (todo.length === 0) return records;
    // One an earlier attempt left behind is moved to "sending" (and owned by this attempt); found
    // in "sending" already, its earlier outcome is unknown and this resend may duplicate it.
    const again = todo.filter((r) => !fresh.has(r));
    for (const r of again) {
      if (r.state === 'sending') r.unconfirmedAttempts += 1;
      r.state = 'sending';
      r.attempts += 1;
      r.messageId = messageId;
      r.updatedAt = nowIso();
      r.owner = owner;
    }
    await Promise.all(again.map((r) => ledger.update(r, { syncDirectory: false })));
    // Durable before the message goes out: a crash from here on leaves them "sending".
    await ledger.syncDir(key);

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
    }

    const stamp = nowIso();
    for (const r of todo) {
      const o = outcomes.find((x) => x.address.toLowerCase() === r.recipient);
      r.updatedAt = stamp;
      r.owner = undefined; // this attempt is over, whatever its outcome
      if (o?.status === 'accepted') {
        r.state = 'sent';
        r.sentAt = stamp;
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
    await Promise.all(todo.map((r) => ledger.update(r, { syncDirectory: false })));
    await ledger.syncDir(key);

    const outstanding = todo.filter((r) => !FINAL.has(r.state));
    if (outstanding.length > 0) {
      const detail = outstanding.map((r) => `${r.recipient}: ${r.lastError ?? r.state}`).join('; ');
      throw new TransientSmtpError(
        failure ? failure.message : `${outstanding.length} recipient(s) deferred, will retry: ${detail}`,
        {
          code: failure?.code ?? 'EDEFERRED',
          responseCode: failure?.responseCode,
          response: failure?.response,
          command: failure?.command,
          recipients: outcomes,
          ambiguous: failure?.ambiguous,
          cause: failure,
        },
      );
    }
    return records;
  } finally {
    liveAttempts.delete(token);
    await lock?.release();
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
