/**
 * Messages built before the instant they are due, so that at a Thursday 18:00 with a thousand
 * reminders the worker only has the SMTP transactions and the ledger left to do.
 *
 * When a shard sends a batch it also names the batch that follows (the next instant of its
 * ladder, as things stand, and when that is on the wall clock). From {@link PREPARE_LEAD_MS}
 * before that instant this worker composes those messages and builds their MIME form in the
 * background — one message at a time, and only while no batch is being sent, so preparing never
 * delays a send. Preparing late keeps the waste small (a department that submits in between is
 * not reminded, and its prepared reminder is thrown away) and the memory short-lived.
 *
 * Correctness never depends on it:
 * - composing is a pure function of the plan (its reference is its content hash), the request and
 *   the sender, and an entry is found only under exactly those; the run's ledger scope is in the
 *   key too, as the Message-ID depends on it. The one thing added at send time, the department's
 *   signed link, is signed when the message is prepared: it expires that much earlier (links are
 *   valid 180 days; an entry older than {@link MAX_AGE_MS} is not used);
 * - anything not found (not yet prepared, prepared on another worker, evicted, changed by a
 *   submission or an extension meanwhile) is composed and built at send time, as without it;
 * - an entry is used once and dropped, and the ledger still decides whether it is sent at all;
 * - only its Date header is set when it is sent.
 *
 * Memory is bounded (MAIL_PREPARE_AHEAD_MB, default 16 MiB: about 1,800 reminders); the oldest
 * entries go first. A message that needs a file read at send time (the final summary's XLSX) is
 * not prepared.
 */
import type { CompiledPlan } from '../../deadlines/timeline';
import { composeMessage, type ComposedMessage } from '../compose';
import type { ComposeRequest } from '../../obligations/message-requests';
import type { MailAddress } from '../../config/mail';
import { stampMessage } from './ledger';
import type { Mailer, PreparedMime } from '../transport';

export interface PreparedMessage {
  composed: ComposedMessage;
  mime: PreparedMime;
}

export interface PrepareJob {
  plan: CompiledPlan;
  planRef: string;
  /** The campaign run (ledger scope) the messages will be sent under. */
  scope: string;
  /** As the workflow names them (the department link not yet filled in): the cache key. */
  requests: ComposeRequest[];
  /** What the activity adds before composing (the signed department link). */
  complete: (request: ComposeRequest) => ComposeRequest;
  /** When the batch is due on the wall clock (epoch ms). */
  dueWallMs: number;
}

export interface PreparedStats {
  /** Messages built ahead of time. */
  prepared: number;
  /** Sends that found their message prepared, and that did not. */
  hits: number;
  misses: number;
  /** Dropped unused to stay within the memory bound. */
  evicted: number;
  /** Not prepared: too many waiting, or due further ahead than an entry is kept. */
  skipped: number;
  /** Could not be prepared (e.g. the plan no longer has the department); sent the usual way. */
  failed: number;
  /** Entries and their approximate size now. */
  entries: number;
  bytes: number;
}

/** Preparing starts this long before the batch is due (at once when it is due sooner). */
export const PREPARE_LEAD_MS = 5 * 60_000;

/** An entry older than this is not used: its link was signed too long ago. */
const MAX_AGE_MS = 7 * 86_400_000;

/** At most this many requests wait to be prepared; older ones are dropped first. */
const MAX_QUEUED = 20_000;

export class PreparedMessages {
  private readonly entries = new Map<string, { message: PreparedMessage; bytes: number; at: number }>();
  private queue: Array<{ job: PrepareJob; request: ComposeRequest }> = [];
  /** Jobs whose time to be prepared has not come yet, and the one timer for the earliest. */
  private waiting: Array<{ job: PrepareJob; startAt: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private bytes = 0;
  private sending = 0;
  private idle: Array<() => void> = [];
  private running = false;
  private closed = false;
  private readonly counts = { prepared: 0, hits: 0, misses: 0, evicted: 0, skipped: 0, failed: 0 };

  constructor(private readonly opts: { mailer: Mailer; from: MailAddress; maxBytes: number }) {}

  static key(planRef: string, scope: string, request: ComposeRequest): string {
    return `${scope}\u0000${planRef}\u0000${JSON.stringify(request)}`;
  }

  /**
   * The prepared message for this request (as the workflow names it), removed from the cache;
   * undefined when there is none.
   */
  take(planRef: string, scope: string, request: ComposeRequest): PreparedMessage | undefined {
    const key = PreparedMessages.key(planRef, scope, request);
    const found = this.entries.get(key);
    if (found) {
      this.entries.delete(key);
      this.bytes -= found.bytes;
    }
    if (!found || Date.now() - found.at > MAX_AGE_MS) {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    return found.message;
  }

  /**
   * Queues the messages of a coming batch: they are built from {@link PREPARE_LEAD_MS} before it
   * is due, when no batch is being sent. One due further ahead than entries are kept
   * ({@link MAX_AGE_MS}) is not prepared.
   */
  schedule(job: PrepareJob): void {
    if (this.closed || this.opts.maxBytes <= 0) return;
    const startAt = job.dueWallMs - PREPARE_LEAD_MS;
    const now = Date.now();
    if (startAt > now) {
      if (startAt - now > MAX_AGE_MS) {
        this.counts.skipped += job.requests.length;
        return;
      }
      this.waiting.push({ job, startAt });
      let waitingRequests = 0;
      for (const w of this.waiting) waitingRequests += w.job.requests.length;
      while (waitingRequests > MAX_QUEUED && this.waiting.length > 1) {
        const dropped = this.waiting.shift()!;
        waitingRequests -= dropped.job.requests.length;
        this.counts.skipped += dropped.job.requests.length;
      }
      this.armTimer();
      return;
    }
    this.enqueue(job);
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.waiting.length === 0) return;
    const first = Math.min(...this.waiting.map((w) => w.startAt));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      const ready = this.waiting.filter((w) => w.startAt <= now);
      this.waiting = this.waiting.filter((w) => w.startAt > now);
      for (const w of ready) this.enqueue(w.job);
      this.armTimer();
    }, Math.max(0, first - Date.now()));
    this.timer.unref();
  }

  private enqueue(job: PrepareJob): void {
    for (const request of job.requests) this.queue.push({ job, request });
    if (this.queue.length > MAX_QUEUED) {
      const drop = this.queue.length - MAX_QUEUED;
      this.queue.splice(0, drop);
      this.counts.skipped += drop;
    }
    void this.run();
  }

  /** Runs `send` as a batch in progress: preparing waits until no batch is. */
  async whileSending<T>(send: () => Promise<T>): Promise<T> {
    this.sending++;
    try {
      return await send();
    } finally {
      if (--this.sending === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  stats(): PreparedStats {
    return { ...this.counts, entries: this.entries.size, bytes: this.bytes };
  }

  /** Stops preparing and forgets every entry (worker shutdown). */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.waiting = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.bytes = 0;
    for (const wake of this.idle.splice(0)) wake();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        if (this.sending > 0) {
          await new Promise<void>((resolve) => this.idle.push(resolve));
          continue;
        }
        const { job, request } = this.queue.shift()!;
        await this.prepareOne(job, request);
        // one message at a time: let a batch that became due start in between
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  private async prepareOne(job: PrepareJob, request: ComposeRequest): Promise<void> {
    const key = PreparedMessages.key(job.planRef, job.scope, request);
    if (this.entries.has(key)) return;
    try {
      const composed = composeMessage(job.plan, job.complete(request), { from: this.opts.from });
      const stamped = stampMessage(composed.message, composed.key, this.opts.mailer.messageIdDomain, job.scope);
      const mime = await this.opts.mailer.prepare(stamped);
      if (!mime || this.closed) return;
      // the built message and the composed one (text and HTML held twice, roughly)
      const bytes = mime.mime.length * 2 + 512;
      this.entries.set(key, { message: { composed, mime }, bytes, at: Date.now() });
      this.bytes += bytes;
      this.counts.prepared++;
      for (const [oldest, entry] of this.entries) {
        if (this.bytes <= this.opts.maxBytes) break;
        this.entries.delete(oldest);
        this.bytes -= entry.bytes;
        this.counts.evicted++;
      }
    } catch {
      // sent the usual way when due; whatever went wrong will be reported then
      this.counts.failed++;
    }
  }
}
