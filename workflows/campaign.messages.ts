/**
 * The campaign workflow's messages — its input and result, what it tells about itself, and its
 * update, signals and query — apart from the workflow code, so that the client, the portal and
 * the activities can use them without importing the workflow (checked by dependency-cruiser,
 * .dependency-cruiser.cjs). The workflow's handlers are in campaign.ts beside this file.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignClock, ClockRequest } from '../obligations/clock';
import type { CompiledPlan } from '../deadlines/timeline';

export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';
export type CampaignWorkflow = (input: CampaignInput) => Promise<CampaignResult>;

export type CampaignState = 'scheduled' | 'running' | 'paused' | 'summarising' | 'completed' | 'cancelled';

export interface CampaignInput {
  plan: CompiledPlan;
  planRef: string;
  clock: ClockRequest;
  /** Departments per shard workflow (tests use small shards to exercise the split). */
  shardSize?: number;
  /** History length past which shards continue as new (tests use small values to exercise it). */
  shardHistoryLimit?: number;
}

export interface CampaignResult {
  campaignId: string;
  state: 'completed';
  /** Blob references of the final summary files. */
  summary: { xlsx?: string; json: string; csv: string };
  totals: { obligations: number; onTime: number; late: number; excused: number; missing: number };
}

export interface Amendment {
  at: string;
  planRef: string;
  by: string;
  added: string[];
  removed: string[];
}

export interface CampaignInfo {
  campaignId: string;
  title: string;
  state: CampaignState;
  paused: boolean;
  clock: CampaignClock;
  /** Campaign time as of the workflow's last activation; CampaignClient.info() replaces it with the current one. */
  campaignNow: string;
  periodStart: string;
  periodEnd: string;
  planRef: string;
  shards: Array<{ shard: number; workflowId: string; departments: string[] }>;
  amendments: Amendment[];
  sent: Array<{ kind: string; at: string; occurrence?: string; sent: string[]; failed: Array<{ address: string; reason: string }> }>;
  result?: CampaignResult;
}

export const amendUpdate = defineUpdate<Amendment, [{ plan: CompiledPlan; planRef: string; by: string }]>('amend');
export const pauseCampaignSignal = defineSignal<[{ by: string }]>('pauseCampaign');
export const resumeCampaignSignal = defineSignal<[{ by: string }]>('resumeCampaign');
export const campaignInfoQuery = defineQuery<CampaignInfo>('campaignInfo');

