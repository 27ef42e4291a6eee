/**
 * The search attributes campaigns carry, so `campaign list` finds them on any Temporal server.
 * Register them once per namespace (the dev server started by this project does it; on a
 * cluster: `temporal operator search-attribute create --name CampaignId --type Keyword` etc.).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CAMPAIGN_ID = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CAMPAIGN_TITLE = defineSearchAttributeKey('CampaignTitle', SearchAttributeType.TEXT);
export const CAMPAIGN_STATE = defineSearchAttributeKey('CampaignState', SearchAttributeType.KEYWORD);
