/**
 * Retry and size policies, and patch ids, shared by the campaign workflows. Pure constants:
 * workflows import them.
 */
import type { RetryPolicy } from '@temporalio/common';

/**
 * Sending mail: transient SMTP failures (4xx, connection refused, time-outs) are retried with
 * backoff for as long as the campaign needs; permanent ones never are (they are recorded per
 * recipient and reported instead). The names are the error classes in mail/ and activities/.
 */
export const DELIVERY_RETRY: RetryPolicy = {
  initialInterval: '10 seconds',
  backoffCoefficient: 2,
  maximumInterval: '10 minutes',
  nonRetryableErrorTypes: ['PermanentSmtpError', 'ComposeError', 'PlanNotFoundError', 'ConfigError'],
};

/** Continue as new well before Temporal's 10,240-event warning threshold (the hard limit is 51,200). */
export const HISTORY_SOFT_LIMIT = 8_000;

/**
 * Patch id of the change that names every timer and activity call in the campaign's language and
 * keeps each workflow's current details (obligations/workflow-metadata.ts): campaigns started
 * before it replay without.
 */
export const NAMED_IN_WEB_UI = 'named-in-web-ui';

/**
 * Patch id of the change that keeps each campaign's and shard's progress in search attributes
 * (obligations/search-attributes.ts: CampaignNextDue, CampaignPending, CampaignOverdue), so an admin
 * can list "campaigns with something due today": campaigns started before it replay without.
 */
export const SEARCHABLE_PROGRESS = 'searchable-progress';
