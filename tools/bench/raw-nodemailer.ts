/**
 * The Thursday burst's baseline: plain pooled nodemailer, with the pool the product's mailer uses
 * (mail/transport.ts createMailer: same host, connections, messages per connection and timeouts)
 * but nothing of the product around it — no per-message time budget, no ledger, no Temporal. Ten
 * thousand messages handed to it at once simply queue in its pool; the product's mailer would give
 * the last of them up after its budget (MESSAGE_SEND_MAX_MS), which a baseline must not do.
 */
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { SendMailOptions } from 'nodemailer';
import { formatAddress, type MailConfig } from '../../config/mail';
import type { OutgoingMessage } from '../../mail/transport';

export interface RawNodemailer {
  send(message: OutgoingMessage): Promise<void>;
  /** The message built into MIME beforehand (MailComposer, as nodemailer builds it when sending). */
  build(message: OutgoingMessage): Promise<Buffer>;
  sendBuilt(message: OutgoingMessage, mime: Buffer): Promise<void>;
  close(): void;
}

function options(message: OutgoingMessage): SendMailOptions {
  return {
    from: formatAddress(message.from),
    to: message.to.map(formatAddress),
    cc: message.cc?.length ? message.cc.map(formatAddress) : undefined,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId || undefined,
    headers: message.headers,
  };
}

const envelope = (m: OutgoingMessage) => ({ from: m.from.address, to: [...m.to, ...(m.cc ?? [])].map((a) => a.address) });

export function rawNodemailer(mail: MailConfig): RawNodemailer {
  const transport = nodemailer.createTransport({
    pool: true,
    host: mail.host,
    port: mail.port,
    secure: mail.secure,
    auth: mail.auth ? { user: mail.auth.user, pass: mail.auth.pass } : undefined,
    maxConnections: mail.pool.maxConnections,
    maxMessages: 100,
    connectionTimeout: mail.timeouts.connectionMs,
    greetingTimeout: mail.timeouts.greetingMs,
    socketTimeout: mail.timeouts.socketMs,
    tls: { rejectUnauthorized: mail.tls.rejectUnauthorized },
  });
  return {
    async send(message) {
      await transport.sendMail(options(message));
    },
    build: (message) => new MailComposer(options(message)).compile().build(),
    async sendBuilt(message, mime) {
      await transport.sendMail({ raw: mime, envelope: envelope(message) });
    },
    close: () => transport.close(),
  };
}
