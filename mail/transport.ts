/**
 * The SMTP transport: a pooled nodemailer transport with every outcome classified.
 *
 * `send` reports one outcome per recipient:
 * - `accepted`: the server replied 250 to RCPT TO and to the end of DATA;
 * - `rejected-permanent`: 5xx to RCPT TO (except 503), or an address we refuse to send to because it is
 *   malformed: retrying cannot help;
 * - `rejected-transient`: 4xx to RCPT TO (or 503): the same recipient may be accepted later.
 * One bad recipient never blocks the others: when at least one recipient is accepted the message
 * goes to those, and `send` resolves with the rejections listed (checked against smtp-server).
 *
 * When nothing was delivered `send` throws:
 * - {@link TransientSmtpError}: 4xx replies, connection refused/reset/timed out, DNS failures, TLS or
 *   authentication failures, an aborted send. Temporal should retry. Settings problems (wrong
 *   password, bad certificate) are transient on purpose: once an operator fixes the settings and
 *   restarts the worker, the retried activity goes through; nothing about the message is wrong.
 * - {@link PermanentSmtpError}: every recipient refused with 5xx or malformed, or the message itself
 *   refused with 5xx (552 too large, 554 content rejected). Retrying the same message gets the same
 *   answer; list it in the retry policy's `nonRetryableErrorTypes` ({@link NON_RETRYABLE_MAIL_ERRORS}).
 * Both carry the per-recipient outcomes known so far, and `ambiguous` tells whether the server may
 * nevertheless have accepted the message (connection lost after the message data was sent).
 *
 * Temporal names a thrown error's failure type after its class (`constructor.name`), so the class
 * names below are part of the contract; `this.name` is set to the same.
 */
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Transporter, SMTPPoolOptions, SMTPPoolSentMessageInfo, NodemailerError, SendMailOptions } from 'nodemailer';
import { formatAddress, isValidAddress, SEND_TIMEOUT_BUDGET_MS } from '../config/mail';
import type { MailAddress, MailConfig } from '../config/mail';

export type RecipientStatus = 'accepted' | 'rejected-permanent' | 'rejected-transient';

export interface RecipientOutcome {
  /** The address as given (not lower-cased). */
  address: string;
  status: RecipientStatus;
  responseCode?: number;
  /** The server's reply, or our reason ("malformed address"). */
  response?: string;
}

export interface SendResult {
  messageId: string;
  recipients: RecipientOutcome[];
  /** Final reply to DATA, e.g. "250 OK: queued as 123". */
  response: string;
}

export interface OutgoingAttachment {
  filename: string;
  contentType?: string;
  /** Inline content (text or bytes)… */
  content?: string | Buffer;
  /** …or a file path read at send time (e.g. a generated XLSX). */
  path?: string;
}

/** A fully composed message (see compose.ts). */
export interface OutgoingMessage {
  from: MailAddress;
  to: MailAddress[];
  cc?: MailAddress[];
  replyTo?: MailAddress[];
  subject: string;
  text: string;
  html?: string;
  attachments?: OutgoingAttachment[];
  /** With angle brackets: `<…@domain>`. */
  messageId: string;
  /** Extra headers, e.g. X-Campaign-Key. */
  headers?: Record<string, string>;
}

export interface SendOptions {
  /**
   * Send to these addresses only (SMTP envelope), while the To/Cc headers still show everyone: used
   * by the ledger to retry the recipients still outstanding. Default: every To and Cc address.
   */
  envelopeTo?: string[];
  /** Abort the send (e.g. the activity was cancelled). A budget timeout is always applied. */
  signal?: AbortSignal;
  /**
   * The message already built by {@link Mailer.prepare} from this same `message`: sent as it is,
   * with only its Date header set to the moment of sending. The caller vouches that it was built
   * from an identical message (see mail/delivery/prepared-messages.ts).
   */
  prepared?: PreparedMime;
}

/**
 * A message built into its MIME form ahead of time, so that at the instant it is due only the
 * SMTP transaction remains. Its Date header is a placeholder until it is sent.
 */
export interface PreparedMime {
  /** The Message-ID it was built with: a send of any other message ignores it. */
  readonly messageId: string;
  readonly mime: Buffer;
  /** Byte offset of the placeholder Date value inside `mime`. */
  readonly dateAt: number;
}

export interface Mailer {
  readonly from: MailAddress;
  readonly messageIdDomain: string;
  send(message: OutgoingMessage, opts?: SendOptions): Promise<SendResult>;
  /**
   * Builds the message exactly as {@link send} would (same headers, parts and encodings), without
   * sending it. Messages with attachments read from files are not prepared (returns undefined): a
   * file may change before the send.
   */
  prepare(message: OutgoingMessage): Promise<PreparedMime | undefined>;
  /** Connects and authenticates, for a start-up check. Throws Transient/PermanentSmtpError. */
  verify(): Promise<void>;
  close(): void;
}

interface SmtpErrorDetails {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  recipients?: RecipientOutcome[];
  ambiguous?: boolean;
  cause?: unknown;
}

/** Base of the two classified errors. */
export class SmtpError extends Error {
  /** nodemailer's code (EENVELOPE, EMESSAGE, ESOCKET, ETIMEDOUT, EDNS, EAUTH…) or the socket's (ECONNREFUSED). */
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  /** SMTP command in flight: CONN, MAIL FROM, RCPT TO, DATA, AUTH… */
  readonly command?: string;
  /** Per-recipient outcomes, when the server got as far as RCPT TO (or addresses were malformed). */
  readonly recipients: RecipientOutcome[];
  /**
   * True when the message may have been accepted although we got no 250: the connection broke or
   * timed out after the message data was handed over. The ledger keeps such recipients "sending".
   */
  readonly ambiguous: boolean;
  constructor(message: string, details: SmtpErrorDetails = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'SmtpError';
    this.code = details.code;
    this.responseCode = details.responseCode;
    this.response = details.response;
    this.command = details.command;
    this.recipients = details.recipients ?? [];
    this.ambiguous = details.ambiguous ?? false;
  }
}

/** Nothing was delivered, and a later attempt may succeed: Temporal should retry. */
export class TransientSmtpError extends SmtpError {
  constructor(message: string, details: SmtpErrorDetails = {}) {
    super(message, details);
    this.name = 'TransientSmtpError';
  }
}

/** Nothing was delivered and retrying the same message cannot help. Non-retryable. */
export class PermanentSmtpError extends SmtpError {
  constructor(message: string, details: SmtpErrorDetails = {}) {
    super(message, details);
    this.name = 'PermanentSmtpError';
  }
}

/**
 * Error types the send activity's retry policy should list as `nonRetryableErrorTypes`.
 * (ComposeError: the plan does not know the department/deadline asked for — see compose.ts.)
 */
export const NON_RETRYABLE_MAIL_ERRORS = ['PermanentSmtpError', 'ComposeError'] as const;

export function createMailer(config: MailConfig): Mailer {
  const options: SMTPPoolOptions & { pool: true } = {
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.auth ? { user: config.auth.user, pass: config.auth.pass } : undefined,
    maxConnections: config.pool.maxConnections,
    maxMessages: 100,
    connectionTimeout: config.timeouts.connectionMs,
    greetingTimeout: config.timeouts.greetingMs,
    socketTimeout: config.timeouts.socketMs,
    tls: { rejectUnauthorized: config.tls.rejectUnauthorized },
    disableFileAccess: false,
    disableUrlAccess: true,
  };
  if (config.pool.rateLimitPerSecond !== undefined) {
    // nodemailer counts whole messages per rateDelta; express fractional rates as 1 per N ms
    const r = config.pool.rateLimitPerSecond;
    if (r >= 1) {
      options.rateLimit = Math.floor(r);
      options.rateDelta = 1000;
    } else {
      options.rateLimit = 1;
      options.rateDelta = Math.ceil(1000 / r);
    }
  }
  const transport: Transporter<SMTPPoolSentMessageInfo> = nodemailer.createTransport(options);

  return {
    from: config.from,
    messageIdDomain: config.messageIdDomain,
    async send(message, opts = {}) {
      const all = [...message.to, ...(message.cc ?? [])].map((a) => a.address);
      const wanted = dedupe(opts.envelopeTo ?? all);
      const malformed = wanted.filter((a) => !isValidAddress(a));
      const valid = wanted.filter((a) => isValidAddress(a));
      const malformedOutcomes: RecipientOutcome[] = malformed.map((address) => ({
        address,
        status: 'rejected-permanent',
        response: 'malformed address, not sent',
      }));
      if (valid.length === 0) {
        throw new PermanentSmtpError(
          wanted.length === 0 ? 'No recipients' : `Every recipient address is malformed: ${malformed.join(', ')}`,
          { code: 'EENVELOPE', command: 'API', recipients: malformedOutcomes },
        );
      }
      const signal = opts.signal
        ? AbortSignal.any([opts.signal, AbortSignal.timeout(SEND_TIMEOUT_BUDGET_MS)])
        : AbortSignal.timeout(SEND_TIMEOUT_BUDGET_MS);
      let info: SMTPPoolSentMessageInfo;
      try {
        const envelope = { from: message.from.address, to: valid };
        info = await transport.sendMail(
          opts.prepared?.messageId === message.messageId ? { raw: stampDate(opts.prepared, new Date()), envelope, signal } : { ...mailOptions(message), envelope, signal },
        );
      } catch (err) {
        throw classifySendError(err, valid, malformedOutcomes);
      }
      const rejectedErrors = (info as { rejectedErrors?: NodemailerError[] }).rejectedErrors ?? [];
      const accepted = new Set((info.accepted ?? []).map((a) => String(a).toLowerCase()));
      const outcomes: RecipientOutcome[] = valid.map((address) => {
        if (accepted.has(address.toLowerCase())) return { address, status: 'accepted' as const };
        const e = rejectedErrors.find((r) => r.recipient?.toLowerCase() === address.toLowerCase());
        return recipientRejection(address, e);
      });
      return {
        messageId: info.messageId ?? message.messageId,
        recipients: [...outcomes, ...malformedOutcomes],
        response: typeof info.response === 'string' ? info.response : String(info.response ?? ''),
      };
    },
    async prepare(message) {
      if (message.attachments?.some((a) => a.path !== undefined)) return undefined;
      const mime = await new MailComposer({ ...mailOptions(message), date: PLACEHOLDER_DATE }).compile().build();
      const header = mime.indexOf(PLACEHOLDER_DATE_HEADER);
      // not found only if nodemailer changed how it writes the header: then it is built when sent
      if (header < 0) return undefined;
      return { messageId: message.messageId, mime, dateAt: header + '\r\nDate: '.length };
    },
    async verify() {
      try {
        await transport.verify();
      } catch (err) {
        throw classifySendError(err, [], []);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The message's headers and parts as nodemailer takes them; `send` and `prepare` share it. */
function mailOptions(message: OutgoingMessage): SendMailOptions {
  return {
    from: formatAddress(message.from),
    to: message.to.map(formatAddress),
    cc: message.cc && message.cc.length > 0 ? message.cc.map(formatAddress) : undefined,
    replyTo: message.replyTo && message.replyTo.length > 0 ? message.replyTo.map(formatAddress) : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: message.headers,
    attachments: message.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      path: a.path,
    })),
  };
}

// A prepared message carries this Date until it is sent (nodemailer's own format, fixed width:
// every later date until the year 10000 has the same length).
const PLACEHOLDER_DATE = new Date(0);
const PLACEHOLDER_DATE_VALUE = formatDateHeader(PLACEHOLDER_DATE);
const PLACEHOLDER_DATE_HEADER = Buffer.from(`\r\nDate: ${PLACEHOLDER_DATE_VALUE}\r\n`);

function formatDateHeader(d: Date): string {
  return d.toUTCString().replace(/GMT/, '+0000');
}

/** A copy of the prepared message whose Date header says `at`. */
function stampDate(p: PreparedMime, at: Date): Buffer {
  const end = p.dateAt + PLACEHOLDER_DATE_VALUE.length;
  return Buffer.concat([p.mime.subarray(0, p.dateAt), Buffer.from(formatDateHeader(at), 'latin1'), p.mime.subarray(end)]);
}

function dedupe(addresses: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses) {
    const k = a.trim().toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(a.trim());
    }
  }
  return out;
}

function isPermanentCode(code: number | undefined): boolean {
  return code !== undefined && code >= 500 && code < 600 && code !== 503;
}

function recipientRejection(address: string, e: NodemailerError | undefined): RecipientOutcome {
  const code = e?.responseCode;
  return {
    address,
    status: isPermanentCode(code) ? 'rejected-permanent' : 'rejected-transient',
    responseCode: code,
    response: e?.response ?? e?.message ?? 'rejected without a reason',
  };
}

/** Socket-level codes that mean "nothing was sent" (the connection never carried a message). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** Message-level problems: the same message will be refused again. */
const PERMANENT_CODES = new Set(['EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'EOTP']);

/**
 * Maps a nodemailer error to a Transient/PermanentSmtpError. `sentTo` are the envelope recipients
 * of the attempt; `extra` outcomes (malformed addresses) are appended.
 */
export function classifySendError(err: unknown, sentTo: string[], extra: RecipientOutcome[]): SmtpError {
  if (err instanceof SmtpError) return err;
  const e = (err ?? {}) as NodemailerError & { name?: string };
  const code = e.code;
  const responseCode = e.responseCode;
  const command = e.command;
  const message = e.message ?? String(err);

  // every recipient refused at RCPT TO: one outcome each
  if (code === 'EENVELOPE' && command === 'RCPT TO' && e.rejectedErrors && e.rejectedErrors.length > 0) {
    const outcomes = sentTo.map((address) =>
      recipientRejection(address, e.rejectedErrors?.find((r) => r.recipient?.toLowerCase() === address.toLowerCase())),
    );
    const recipients = [...outcomes, ...extra];
    const details = { code, responseCode, response: e.response, command, recipients, cause: err };
    return outcomes.some((o) => o.status === 'rejected-transient')
      ? new TransientSmtpError(message, details)
      : new PermanentSmtpError(message, details);
  }

  const base = { code, responseCode, response: e.response, command, cause: err };
  if (responseCode !== undefined) {
    // the server answered: no ambiguity about acceptance
    const status: RecipientStatus = isPermanentCode(responseCode) ? 'rejected-permanent' : 'rejected-transient';
    // a refused sender (MAIL FROM) or message (DATA) applies to every recipient
    const recipients = [...sentTo.map((address) => ({ address, status, responseCode, response: e.response })), ...extra];
    // a 5xx to AUTH or MAIL FROM is a settings problem, not the message's: keep retrying
    const settings = code === 'EAUTH' || command === 'AUTH' || command === 'MAIL FROM' || command?.startsWith('AUTH');
    if (status === 'rejected-permanent' && !settings) return new PermanentSmtpError(message, { ...base, recipients });
    return new TransientSmtpError(message, { ...base, recipients: settings ? extra : recipients });
  }
  if (code !== undefined && PERMANENT_CODES.has(code)) {
    return new PermanentSmtpError(message, { ...base, recipients: extra });
  }
  if (code === 'EENVELOPE' && command === 'API') {
    // nodemailer refused the envelope before connecting (e.g. an address it cannot encode)
    return new PermanentSmtpError(message, { ...base, recipients: extra });
  }
  // no reply from the server: the connection failed or broke. Ambiguous unless it never connected
  // or the send was refused before any message data went out.
  const original = e.originalCode ?? (typeof e.errno === 'string' ? e.errno : undefined);
  // (nodemailer labels a connection lost in the middle of DATA with command CONN too, so CONN alone proves nothing)
  const neverConnected =
    code === 'EDNS' ||
    code === 'EAUTH' ||
    code === 'ENOAUTH' ||
    code === 'ETLS' ||
    code === 'EPROXY' ||
    e.timeoutType === 'CONNECT_TIMEOUT' ||
    e.timeoutType === 'GREETING_TIMEOUT' ||
    e.timeoutType === 'UPGRADE_TIMEOUT' ||
    (original !== undefined && NEVER_CONNECTED.has(original));
  // only a connection that broke or timed out (or a send aborted) after connecting can have
  // delivered the message unbeknown to us; a local failure (e.g. an attachment file missing) cannot
  const midSession = code === 'ECONNECTION' || code === 'ESOCKET' || code === 'ETIMEDOUT' || code === 'EPROTOCOL' || code === 'EABORT';
  return new TransientSmtpError(message, {
    ...base,
    code: original && NEVER_CONNECTED.has(original) ? original : code,
    recipients: extra,
    ambiguous: midSession && !neverConnected,
  });
}
