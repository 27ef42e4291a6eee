/**
 * Real dependencies of the activities, from the validated configuration: pooled SMTP mailer, the
 * stores on the database (delivery ledger, blobs, plans: store/stores.ts), link signing, Temporal
 * client.
 */
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import type { AppEnv } from '../config/env';
import type { MailConfig } from '../config/mail';
import { PreparedMessages } from '../mail/delivery/prepared-messages';
import { createMailer } from '../mail/transport';
import { departmentLinkBuilder } from '../mail/department-links';
import type { Stores } from '../store/stores';

export function buildDependencies(env: AppEnv, client: Client, stores: Stores, mail: MailConfig): ActivityDeps {
  const secret = env.PORTAL_SECRET;
  if (!secret) throw new Error('PORTAL_SECRET is not set: the department links in every email are signed with it (at least 32 characters).');
  const link = departmentLinkBuilder(env.PORTAL_BASE_URL, secret);
  return {
    ...mailDependencies(mail),
    ...storeDependencies(stores),
    links: (campaignId, departmentId) => link(campaignId, departmentId),
    coordinatorLink: (campaignId) => `${env.PORTAL_BASE_URL.replace(/\/$/, '')}/c/${encodeURIComponent(campaignId)}`,
    temporal: client,
    now: () => new Date(),
  };
}

export type MailDependencies = Pick<ActivityDeps, 'mailer' | 'from' | 'sendConcurrency' | 'prepared'>;

/**
 * The mail side of the activities' dependencies, from the mail settings: the pooled mailer, as many
 * messages of a batch in flight as the pool has connections, and the messages prepared ahead
 * (unless MAIL_PREPARE_AHEAD_MB is 0). Shared by the worker, the tests and the benchmarks.
 */
export function mailDependencies(mail: MailConfig): MailDependencies {
  const mailer = createMailer(mail);
  return {
    mailer,
    from: mail.from,
    sendConcurrency: mail.pool.maxConnections,
    prepared: mail.prepareAheadBytes > 0 ? new PreparedMessages({ mailer, from: mail.from, maxBytes: mail.prepareAheadBytes }) : undefined,
  };
}

/** The activities' stores: the delivery ledger, blobs and plans, all on one database. */
export function storeDependencies(stores: Stores): Pick<ActivityDeps, 'ledger' | 'blobs' | 'plans'> {
  return { ledger: stores.ledger, blobs: stores.blobs, plans: stores.plans };
}

/** Stops what {@link mailDependencies} started (preparing ahead, the SMTP pool). */
export function closeMailDependencies(deps: Pick<ActivityDeps, 'mailer' | 'prepared'>): void {
  deps.prepared?.close();
  deps.mailer.close();
}
