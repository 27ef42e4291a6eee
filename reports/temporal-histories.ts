/**
 * Reading a campaign's Temporal histories: the events' shapes as the audit needs them, their
 * payloads decoded with the default payload converter (the engine uses no payload codec), the
 * campaign's own facts (plan, clock, shards) from its workflow's history, and fetching every run of
 * the campaign workflow and of each shard (following continue-as-new). The audit log
 * (audit-history.ts) turns these histories into entries in the coordinator's terms.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { resolveClock, type CampaignClock, type ClockRequest } from '../obligations/clock';
import type { CompiledPlan } from '../deadlines/timeline';

export type Payloads = { payloads?: Payload[] | null } | null;
type Timestamp = { seconds?: unknown; nanos?: number | null } | null;
export type FailureLike = { message?: string | null; cause?: FailureLike | null } | null;

export interface HistoryEventLike {
  eventId?: unknown;
  eventTime?: Timestamp;
  workflowExecutionStartedEventAttributes?: { input?: Payloads; identity?: string | null; continuedExecutionRunId?: string | null; parentWorkflowExecution?: unknown } | null;
  workflowExecutionCompletedEventAttributes?: { result?: Payloads } | null;
  workflowExecutionFailedEventAttributes?: { failure?: FailureLike } | null;
  workflowExecutionTimedOutEventAttributes?: object | null;
  workflowExecutionTerminatedEventAttributes?: { reason?: string | null; identity?: string | null } | null;
  workflowExecutionCanceledEventAttributes?: object | null;
  workflowExecutionCancelRequestedEventAttributes?: { cause?: string | null; identity?: string | null; externalWorkflowExecution?: unknown } | null;
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
  workflowExecutionSignaledEventAttributes?: { signalName?: string | null; input?: Payloads; identity?: string | null; externalWorkflowExecution?: unknown } | null;
  workflowExecutionUpdateAcceptedEventAttributes?: {
    acceptedRequest?: { meta?: { updateId?: string | null; identity?: string | null } | null; input?: { name?: string | null; args?: Payloads } | null } | null;
  } | null;
  workflowExecutionUpdateCompletedEventAttributes?: {
    acceptedEventId?: unknown;
    meta?: { updateId?: string | null } | null;
    outcome?: { success?: Payloads; failure?: FailureLike } | null;
  } | null;
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null; input?: Payloads } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null; input?: Payloads } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown; result?: Payloads } | null;
  activityTaskFailedEventAttributes?: { scheduledEventId?: unknown; failure?: FailureLike } | null;
  activityTaskTimedOutEventAttributes?: { scheduledEventId?: unknown; failure?: FailureLike } | null;
  workflowTaskStartedEventAttributes?: object | null;
}

/** One run of one workflow of the campaign, oldest event first. */
export interface WorkflowRunHistory {
  workflowId: string;
  runId?: string;
  role: 'campaign' | 'shard';
  events: HistoryEventLike[];
}

export function eventMs(e: HistoryEventLike): number {
  const t = e.eventTime;
  if (!t) return 0;
  return Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export function idOf(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function decodePayloads(p: Payloads | undefined): unknown[] {
  return (p?.payloads ?? []).map((payload) => {
    try {
      return defaultPayloadConverter.fromPayload(payload);
    } catch {
      return undefined;
    }
  });
}

export function failureMessage(f: FailureLike | undefined): string {
  const parts: string[] = [];
  for (let x = f; x && parts.length < 3; x = x.cause) if (x.message) parts.push(x.message);
  return parts.join(': ') || 'failed';
}

// --- what a campaign's histories tell about the campaign ---------------------------------------

export interface CampaignFacts {
  /** The plan the campaign runs: the one it started with, or the latest amendment. */
  plan?: CompiledPlan;
  clockRequest?: ClockRequest;
  /** The campaign clock as the workflow resolved it (passed to every shard). */
  clock?: CampaignClock;
  /** Shard workflow ids, in the order they were started. */
  shards: string[];
}

/** Plan, clock and shards of a campaign from its own workflow's history. */
export function campaignFacts(events: readonly HistoryEventLike[]): CampaignFacts {
  const facts: CampaignFacts = { shards: [] };
  let firstTaskMs: number | undefined;
  for (const e of events) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = decodePayloads(started.input)[0] as { plan?: CompiledPlan; clock?: ClockRequest } | undefined;
      facts.plan = input?.plan;
      facts.clockRequest = input?.clock;
    }
    if (e.workflowTaskStartedEventAttributes && firstTaskMs === undefined) firstTaskMs = eventMs(e);
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child?.workflowId) {
      if (!facts.shards.includes(child.workflowId)) facts.shards.push(child.workflowId);
      const input = decodePayloads(child.input)[0] as { clock?: CampaignClock } | undefined;
      facts.clock ??= input?.clock;
    }
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (accepted?.input?.name === 'amend') {
      const arg = decodePayloads(accepted.input.args)[0] as { plan?: CompiledPlan } | undefined;
      if (arg?.plan) facts.plan = arg.plan;
    }
  }
  // No shard started yet: the workflow resolved its clock at its first workflow task.
  if (!facts.clock && facts.clockRequest && facts.plan && firstTaskMs !== undefined) {
    facts.clock = resolveClock(facts.clockRequest, firstTaskMs, Date.parse(facts.plan.campaign.periodStart));
  }
  return facts;
}

// --- fetching ----------------------------------------------------------------------------------

/** Every run of a workflow, oldest first (following continue-as-new back from the latest run). */
export async function fetchRuns(client: Client, workflowId: string, role: WorkflowRunHistory['role']): Promise<WorkflowRunHistory[]> {
  const runs: WorkflowRunHistory[] = [];
  let runId: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = (history.events ?? []) as HistoryEventLike[];
    runs.unshift({ workflowId, runId, role, events });
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }
  return runs;
}

export interface CampaignHistories {
  facts: CampaignFacts;
  runs: WorkflowRunHistory[];
  /** Workflow ids, campaign first. */
  workflows: string[];
}

/** The histories of a campaign workflow and of every shard it started. */
export async function loadCampaignHistories(client: Client, campaignWorkflowId: string): Promise<CampaignHistories> {
  const campaignRuns = await fetchRuns(client, campaignWorkflowId, 'campaign');
  const facts = campaignFacts(campaignRuns.flatMap((r) => r.events));
  const shardRuns: WorkflowRunHistory[] = [];
  for (const shard of facts.shards) {
    try {
      shardRuns.push(...(await fetchRuns(client, shard, 'shard')));
    } catch (err) {
      if ((err as Error)?.name !== 'WorkflowNotFoundError') throw err;
    }
  }
  return { facts, runs: [...campaignRuns, ...shardRuns], workflows: [campaignWorkflowId, ...facts.shards] };
}
