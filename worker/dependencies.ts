/**
 * Real dependencies of the activities, from the validated configuration: pooled SMTP mailer,
 * delivery ledger, blob and plan stores under CAMPAIGN_DATA_DIR, link signing, Temporal client.
 */
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import type { AppEnv } from '../config/env';
import { parseMailConfig, type MailConfig } from '../config/mail';
import { DeliveryLedger } from '../mail/delivery/ledger';
import { PreparedMessages } from '../mail/delivery/prepared-messages';
import { createMailer } from '../mail/transport';
import { departmentLinkBuilder } from '../mail/department-links';
import { dataDirs, stores } from '../store/stores';

export function buildDependencies(env: AppEnv, client: Client, mail: MailConfig = parseMailConfig({ MAIL_LEDGER_DIR: dataDirs(env).ledger, ...process.env })): ActivityDeps {
  const { blobs, plans } = stores(env);
  const secret = env.PORTAL_SECRET;
  if (!secret) throw new Error('PORTAL_SECRET is not set: the department links in every email are signed with it (at least 32 characters).');
  const link = departmentLinkBuilder(env.PORTAL_BASE_URL, secret);
  return {
    ...mailDependencies(mail),
    blobs,
    plans,
    links: (campaignId, departmentId) => link(campaignId, departmentId),
    coordinatorLink: (campaignId) => `${env.PORTAL_BASE_URL.replace(/\/$/, '')}/c/${encodeURIComponent(campaignId)}`,
    temporal: client,
    now: () => new Date(),
  };
}

export type MailDependencies = Pick<ActivityDeps, 'mailer' | 'ledger' | 'from' | 'sendConcurrency' | 'prepared'>;

/**
 * The mail side of the activities' dependencies, from the mail settings: the pooled mailer, the
 * delivery ledger, as many messages of a batch in flight as the pool has connections, and the
 * messages prepared ahead (unless MAIL_PREPARE_AHEAD_MB is 0). Shared by the worker, the tests
 * and the benchmarks; `ledgerFsync: false` only where a test or benchmark says so.
 */
export function mailDependencies(mail: MailConfig, opts: { ledgerFsync?: boolean } = {}): MailDependencies {
  const mailer = createMailer(mail);
  return {
    mailer,
    ledger: new DeliveryLedger(mail.ledgerDir, { fsync: opts.ledgerFsync ?? true }),
    from: mail.from,
    sendConcurrency: mail.pool.maxConnections,
    prepared: mail.prepareAheadBytes > 0 ? new PreparedMessages({ mailer, from: mail.from, maxBytes: mail.prepareAheadBytes }) : undefined,
  };
}

/** Stops what {@link mailDependencies} started (preparing ahead, the SMTP pool). */
export function closeMailDependencies(deps: Pick<ActivityDeps, 'mailer' | 'prepared'>): void {
  deps.prepared?.close();
  deps.mailer.close();
}
