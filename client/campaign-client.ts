/**
 * The coordinator's side of a campaign, over a Temporal client: start, inspect, submit, excuse,
 * extend, amend, pause, resume, cancel. The CLI, the portal and the tests all go through here, so
 * every one of them uses the same messages (defined next to their workflows) and the same routing
 * of a department to its shard workflow.
 */
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ClockRequest } from '../engine/clock';
import { CAMPAIGN_ID, CAMPAIGN_STATE, CAMPAIGN_TITLE } from '../engine/search-attributes';
import { campaignWorkflowId } from '../engine/shards';
import type { ObligationRef, SubmissionInput, SubmissionReceipt } from '../engine/obligations';
import type { CompiledPlan } from '../plan/timeline';
import type { PlanStore } from '../store/plan-store';
import { amendUpdate, campaignInfoQuery, campaignWorkflow, pauseCampaignSignal, resumeCampaignSignal, type Amendment, type CampaignInfo } from '../workflows/campaign';
import { excuseUpdate, extendUpdate, obligationsQuery, submitUpdate, type ObligationView } from '../workflows/department-shard';

/** A request the workflow refused, with its reason in the user's terms (and field problems for forms). */
export class RequestRejectedError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: Array<{ field: string; message: string }> = [],
    readonly fieldWarnings: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'RequestRejectedError';
  }
}

export class CampaignNotFoundError extends Error {
  constructor(id: string) {
    super(`no campaign '${id}' on this Temporal server (see: campaign list)`);
    this.name = 'CampaignNotFoundError';
  }
}

export interface StartOptions {
  clock?: ClockRequest;
  /** Override the workflow id (tests run the same plan many times). */
  workflowId?: string;
  shardSize?: number;
  shardHistoryLimit?: number;
}

export interface StatusMatrix {
  info: CampaignInfo;
  obligations: ObligationView[];
}

async function rethrowRejection<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const details = (err.cause.details?.[0] ?? {}) as { fieldErrors?: RequestRejectedError['fieldErrors']; fieldWarnings?: RequestRejectedError['fieldWarnings'] };
      throw new RequestRejectedError(err.cause.message, details.fieldErrors ?? [], details.fieldWarnings ?? []);
    }
    if ((err as Error)?.name === 'WorkflowNotFoundError') throw new CampaignNotFoundError(String((err as { workflowId?: string }).workflowId ?? ''));
    throw err;
  }
}

export class CampaignClient {
  constructor(
    readonly temporal: Client,
    readonly plans: PlanStore,
    readonly taskQueue: string,
  ) {}

  /** Accepts a campaign id (`shanxi-2024`) or a workflow id (`campaign/shanxi-2024`). */
  workflowIdOf(id: string): string {
    return id.startsWith('campaign/') ? id : campaignWorkflowId(id);
  }

  handle(id: string): WorkflowHandle<typeof campaignWorkflow> {
    return this.temporal.workflow.getHandle<typeof campaignWorkflow>(this.workflowIdOf(id));
  }

  async start(plan: CompiledPlan, opts: StartOptions = {}) {
    const planRef = await this.plans.save(plan);
    const workflowId = opts.workflowId ?? campaignWorkflowId(plan.campaign.id);
    const handle = await this.temporal.workflow.start(campaignWorkflow, {
      taskQueue: this.taskQueue,
      workflowId,
      args: [{ plan, planRef, clock: opts.clock ?? { mode: 'real' }, shardSize: opts.shardSize, shardHistoryLimit: opts.shardHistoryLimit }],
      typedSearchAttributes: [
        { key: CAMPAIGN_ID, value: plan.campaign.id },
        { key: CAMPAIGN_TITLE, value: plan.campaign.title },
        { key: CAMPAIGN_STATE, value: 'scheduled' },
      ] as never,
    });
    return { handle, workflowId, planRef };
  }

  async info(id: string): Promise<CampaignInfo> {
    return rethrowRejection(this.handle(id).query(campaignInfoQuery));
  }

  async shardOf(id: string, department: string): Promise<string> {
    const info = await this.info(id);
    const shard = info.shards.find((s) => s.departments.includes(department));
    if (!shard) throw new RequestRejectedError(`unknown department '${department}' in campaign '${info.campaignId}'`);
    return shard.workflowId;
  }

  async status(id: string): Promise<StatusMatrix> {
    const info = await this.info(id);
    const parts = await Promise.all(info.shards.map((s) => this.temporal.workflow.getHandle(s.workflowId).query(obligationsQuery, {})));
    return { info, obligations: parts.flat() };
  }

  async submit(id: string, input: SubmissionInput): Promise<SubmissionReceipt> {
    const shard = await this.shardOf(id, input.department);
    return rethrowRejection(this.temporal.workflow.getHandle(shard).executeUpdate(submitUpdate, { args: [input], updateId: `submit-${input.submissionId}` }));
  }

  async excuse(id: string, ref: ObligationRef, reason: string, by: string): Promise<ObligationView> {
    const shard = await this.shardOf(id, ref.department);
    return rethrowRejection(this.temporal.workflow.getHandle(shard).executeUpdate(excuseUpdate, { args: [{ ...ref, reason, by }] }));
  }

  async extend(id: string, ref: ObligationRef, until: string, by: string): Promise<ObligationView> {
    const shard = await this.shardOf(id, ref.department);
    return rethrowRejection(this.temporal.workflow.getHandle(shard).executeUpdate(extendUpdate, { args: [{ ...ref, until, by }] }));
  }

  async amend(id: string, plan: CompiledPlan, by: string): Promise<Amendment> {
    const planRef = await this.plans.save(plan);
    return rethrowRejection(this.handle(id).executeUpdate(amendUpdate, { args: [{ plan, planRef, by }] }));
  }

  async pause(id: string, by: string): Promise<void> {
    await rethrowRejection(this.handle(id).signal(pauseCampaignSignal, { by }));
  }

  async resume(id: string, by: string): Promise<void> {
    await rethrowRejection(this.handle(id).signal(resumeCampaignSignal, { by }));
  }

  async cancel(id: string): Promise<void> {
    await rethrowRejection(this.handle(id).cancel());
  }

  /** Campaigns on the server, newest first (visibility; needs the search attributes registered). */
  async list(limit = 100): Promise<Array<{ workflowId: string; campaignId: string; title: string; state: string; status: string; startTime: Date }>> {
    const out = [];
    for await (const wf of this.temporal.workflow.list({ query: `WorkflowType = 'campaignWorkflow'` })) {
      const sa = wf.typedSearchAttributes;
      out.push({
        workflowId: wf.workflowId,
        campaignId: String(sa.get(CAMPAIGN_ID) ?? wf.workflowId.replace(/^campaign\//, '')),
        title: String(sa.get(CAMPAIGN_TITLE) ?? ''),
        state: String(sa.get(CAMPAIGN_STATE) ?? ''),
        status: wf.status.name,
        startTime: wf.startTime,
      });
      if (out.length >= limit) break;
    }
    return out;
  }
}
