/**
 * What an SMTP server's answer means for a message, so the ledger and the activities know whether
 * to record, retry or give up:
 *
 * - per recipient (`RecipientOutcome`): `accepted` (250 to RCPT TO and to the end of DATA),
 *   `rejected-permanent` (5xx to RCPT TO except 503, or an address we refuse because it is
 *   malformed: retrying cannot help), `rejected-transient` (4xx or 503: may be accepted later);
 * - for a send that delivered nothing, a thrown error:
 *   {@link TransientSmtpError}: 4xx replies, connection refused/reset/timed out, DNS failures, TLS or
 *   authentication failures, an aborted send. Temporal should retry. Settings problems (wrong
 *   password, bad certificate) are transient on purpose: once an operator fixes the settings and
 *   restarts the worker, the retried activity goes through; nothing about the message is wrong.
 *   {@link PermanentSmtpError}: every recipient refused with 5xx or malformed, or the message itself
 *   refused with 5xx (552 too large, 554 content rejected). Retrying the same message gets the same
 *   answer; list it in the retry policy's `nonRetryableErrorTypes` ({@link NON_RETRYABLE_MAIL_ERRORS}).
 *   Both carry the per-recipient outcomes known so far, and `ambiguous` tells whether the server may
 *   nevertheless have accepted the message (connection lost after the message data was sent).
 *
 * {@link classifySendError} maps nodemailer's errors onto these (checked against smtp-server in
 * test/unit/mail-delivery.test.ts). Temporal names a thrown error's failure type after its class
 * (`constructor.name`), so the class names below are part of the contract; `this.name` is set to
 * the same.
 */
import type { NodemailerError } from 'nodemailer';

export type RecipientStatus = 'accepted' | 'rejected-permanent' | 'rejected-transient';

export interface RecipientOutcome {
  /** The address as given (not lower-cased). */
  address: string;
  status: RecipientStatus;
  responseCode?: number;
  /** The server's reply, or our reason ("malformed address"). */
  response?: string;
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
 * (ComposeError: the plan does not know the department/deadline asked for — see mail/messages/plan-index.ts.)
 */
export const NON_RETRYABLE_MAIL_ERRORS = ['PermanentSmtpError', 'ComposeError'] as const;
function isPermanentCode(code: number | undefined): boolean {
  return code !== undefined && code >= 500 && code < 600 && code !== 503;
}

/** The outcome of one recipient the server refused at RCPT TO. */
export function recipientRejection(address: string, e: NodemailerError | undefined): RecipientOutcome {
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
