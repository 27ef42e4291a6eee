import type { Client } from '@temporalio/client';
import type { MailAddress } from '../config/mail';
import type { DeliveryLedger } from '../mail/delivery/ledger';
import type { PreparedMessages } from '../mail/delivery/prepared-messages';
import type { Mailer } from '../mail/transport';
import type { BlobStore } from '../store/blob-store';
import type { PlanStore } from '../store/plan-store';

/** Everything the activities need, injected by the worker (or a test). */
export interface ActivityDeps {
  mailer: Mailer;
  ledger: DeliveryLedger;
  from: MailAddress;
  blobs: BlobStore;
  plans: PlanStore;
  /** The department's submission link (signed token). */
  links: (campaignId: string, departmentId: string) => string;
  /** Link for the coordinator (portal matrix); optional. */
  coordinatorLink?: (campaignId: string) => string;
  /** To query shard workflows for roll-ups and summaries. */
  temporal: Client;
  now: () => Date;
  /** Messages of one batch in flight at once (default 5: match SMTP_POOL_MAX_CONNECTIONS). */
  sendConcurrency?: number;
  /** Messages built before they are due (optional: without it every message is built when sent). */
  prepared?: PreparedMessages;
}
