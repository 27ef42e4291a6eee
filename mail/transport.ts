/**
 * The SMTP transport: a pooled nodemailer transport that sends a composed message and reports one
 * outcome per recipient (accepted, refused for good, refused for now: mail/smtp-errors.ts says
 * what each answer means). One bad recipient never blocks the others: when at least one recipient
 * is accepted the message goes to those, and `send` resolves with the rejections listed (checked
 * against smtp-server). When nothing was delivered `send` throws a TransientSmtpError (Temporal
 * retries) or a PermanentSmtpError (retrying cannot help).
 *
 * It also builds a message's MIME form ahead of time (`prepare`, used by
 * mail/delivery/prepared-messages.ts) exactly as `send` would, leaving only its Date header to set.
 */
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Transporter, SMTPPoolOptions, SMTPPoolSentMessageInfo, NodemailerError, SendMailOptions } from 'nodemailer';
import { formatAddress, isValidAddress, SEND_TIMEOUT_BUDGET_MS } from '../config/mail';
import type { MailAddress, MailConfig } from '../config/mail';
import { classifySendError, PermanentSmtpError, recipientRejection, type RecipientOutcome } from './smtp-errors';

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
