/**
 * The activities: every side effect of a campaign (sending mail, reading shard state for the
 * coordinator's messages, writing summaries). Built by a factory from their dependencies so the
 * worker and the tests wire real ones (SMTP, ledger, stores, Temporal client).
 */
import { sendCampaignMessageActivity } from './campaign-messages';
import { deliverMessagesActivity } from './deliver-messages';
import type { ActivityDeps } from './deps';
import { writeFinalSummaryActivity } from './final-summary';
import { saveShardOutcomeActivity } from './shard-outcome';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    deliverMessages: deliverMessagesActivity(deps),
    sendCampaignMessage: sendCampaignMessageActivity(deps),
    writeFinalSummary: writeFinalSummaryActivity(deps),
    saveShardOutcome: saveShardOutcomeActivity(deps),
  };
}
