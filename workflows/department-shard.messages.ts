/**
 * The department shard's messages — its input and result, the obligation as others see it, and its
 * updates, signals and queries — apart from the workflow code, so that the client, the portal and
 * the activities can use them without importing the workflow (checked by dependency-cruiser,
 * .dependency-cruiser.cjs). The workflow's handlers are in department-shard.ts beside this file.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CampaignClock } from '../obligations/clock';
import type { CompiledPlan } from '../deadlines/timeline';
import type { ChaseOutcome, ChaseRequest } from '../obligations/chase-rules';
import type { ComposeRequest } from '../obligations/message-requests';
import type { ObligationRecord, ObligationRef, ShardState, SubmissionInput, SubmissionReceipt } from '../obligations/obligations';

export const DEPARTMENT_SHARD_WORKFLOW_TYPE = 'departmentShardWorkflow';
export type DepartmentShardWorkflow = (input: ShardInput) => Promise<ShardResult>;

export interface ShardInput {
  campaignWorkflowId: string;
  shard: number;
  /** The plan restricted to this shard's departments. */
  plan: CompiledPlan;
  /** Reference of the full compiled plan in the plan store (activities render messages from it). */
  planRef: string;
  clock: CampaignClock;
  /** The campaign run's name in the delivery ledger. */
  scope: string;
  /** Campaign time the shard was started (later than the period start for shards an amendment adds). */
  startedAtMs: number;
  /** Continue as new past this many history events (default HISTORY_SOFT_LIMIT; tests use small values). */
  historyLimit?: number;
  /** Carried over when the shard continues as new. */
  state?: ShardState;
  outbox?: ComposeRequest[];
}

export interface ShardResult {
  shard: number;
  /**
   * Blob reference of every obligation's final record (ObligationView[] as JSON), written while the
   * shard was still open so the final summary never has to replay a closed shard to query it.
   * Absent for shards that finished before this was introduced.
   */
  outcomeRef?: string;
  obligations: number;
  submitted: number;
  late: number;
  excused: number;
  missing: number;
}

export interface ObligationView extends ObligationRecord {
  due: string;
  /** False when an amendment removed the department or the occurrence. */
  inPlan: boolean;
}

export const submitUpdate = defineUpdate<SubmissionReceipt, [SubmissionInput]>('submit');
export const excuseUpdate = defineUpdate<ObligationView, [ObligationRef & { reason: string; by: string }]>('excuse');
export const extendUpdate = defineUpdate<ObligationView, [ObligationRef & { until: string; by: string }]>('extend');
/**
 * A chase by hand (催报) of the shard's departments still owing an occurrence: one email each,
 * once per chase id; refused (validator, obligations/chase-rules.ts) when it would send nothing.
 */
export const chaseUpdate = defineUpdate<ChaseOutcome, [ChaseRequest]>('chase');
export const pauseSignal = defineSignal<[{ by: string }]>('pause');
export const resumeSignal = defineSignal<[{ by: string }]>('resume');
export const amendShardSignal = defineSignal<[{ plan: CompiledPlan; planRef: string }]>('amendShard');
/**
 * The shard's obligations, optionally for one occurrence or department. `deliveries: 'failures'`
 * leaves out the deliveries that went through (most of the answer's size at national scale): the
 * coordinator's messages and the summaries need only the failed ones.
 */
export const obligationsQuery = defineQuery<ObligationView[], [{ occurrence?: string; department?: string; deliveries?: 'all' | 'failures' }?]>('obligations');
export const shardInfoQuery = defineQuery<{ shard: number; departments: string[]; paused: boolean; processedUntil: string; planRef: string }>('shardInfo');

