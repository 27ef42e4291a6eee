/**
 * The coordinator's side of a campaign, over a Temporal client: start, inspect, submit, excuse,
 * extend, amend, pause, resume, cancel. The CLI, the portal and the tests all go through here, so
 * every one of them uses the same messages (defined next to their workflows) and the same routing
 * of a department to its shard workflow.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { campaignNowMs, type ClockRequest } from '../obligations/clock';
import { CAMPAIGN_ID, CAMPAIGN_STATE, CAMPAIGN_TITLE } from '../obligations/search-attributes';
import { campaignWorkflowId } from '../obligations/shards';
import type { ObligationRef, SubmissionInput, SubmissionReceipt } from '../obligations/obligations';
import { refusal, type SubmissionRefusal } from '../obligations/submission-rules';
import type { CompiledPlan } from '../deadlines/timeline';
import type { PlanStore } from '../store/plan-store';
import { amendUpdate, campaignInfoQuery, CAMPAIGN_WORKFLOW_TYPE, pauseCampaignSignal, resumeCampaignSignal, type Amendment, type CampaignInfo, type CampaignWorkflow } from '../workflows/campaign.messages';
import { excuseUpdate, extendUpdate, obligationsQuery, submitUpdate, type ObligationView } from '../workflows/department-shard.messages';

/**
 * A request the workflow refused, with its reason in the user's terms (and field problems for
 * forms). A refused submission also carries its refusal (code and parameters): the portal and the
 * CLI word it in the plan's language (obligations/submission-rules.ts describeRefusal).
 */
export class RequestRejectedError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: Array<{ field: string; message: string }> = [],
    readonly fieldWarnings: Array<{ field: string; message: string }> = [],
    readonly refusal?: SubmissionRefusal,
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
      const details = (err.cause.details?.[0] ?? {}) as { fieldErrors?: RequestRejectedError['fieldErrors']; fieldWarnings?: RequestRejectedError['fieldWarnings']; refusal?: SubmissionRefusal };
      throw new RequestRejectedError(err.cause.message, details.fieldErrors ?? [], details.fieldWarnings ?? [], details.refusal);
    }
    if ((err as Error)?.name === 'WorkflowNotFoundError') throw new CampaignNotFoundError(String((err as { workflowId?: string }).workflowId ?? ''));
    throw err;
  }
}

/** How long a campaign's department → shard map is trusted before it is asked for again. */
export const ROUTES_TTL_MS = 60_000;

export class CampaignClient {
  /**
   * Department → shard workflow, per campaign workflow id. A department keeps its shard for the
   * campaign's life (obligations/shards.ts assignShards: an amendment only adds shards), so the map can
   * be reused instead of querying the campaign workflow for every submission — one workflow answers
   * its queries one at a time, and at national scale that query was most of the cost of a
   * submission. A department missing from the map (added by an amendment) refreshes it at once;
   * the TTL covers a campaign started again under the same id.
   */
  private readonly routes = new Map<string, { at: number; shards: Promise<Map<string, string>> }>();

  constructor(
    readonly temporal: Client,
    readonly plans: PlanStore,
    readonly taskQueue: string,
  ) {}

  /** Accepts a campaign id (`shanxi-2024`) or a workflow id (`campaign/shanxi-2024`). */
  workflowIdOf(id: string): string {
    return id.startsWith('campaign/') ? id : campaignWorkflowId(id);
  }

  handle(id: string): WorkflowHandle<CampaignWorkflow> {
    return this.temporal.workflow.getHandle<CampaignWorkflow>(this.workflowIdOf(id));
  }

  async start(plan: CompiledPlan, opts: StartOptions = {}) {
    const planRef = await this.plans.save(plan);
    const workflowId = opts.workflowId ?? campaignWorkflowId(plan.campaign.id);
    this.routes.delete(workflowId);
    const handle = await this.temporal.workflow.start<CampaignWorkflow>(CAMPAIGN_WORKFLOW_TYPE, {
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

  /**
   * The campaign's information. `campaignNow` is computed here from the campaign's clock and this
   * machine's time: a query handler runs at the workflow's last activation time, so the value the
   * workflow returns stands still while the campaign sleeps between instants.
   */
  async info(id: string): Promise<CampaignInfo> {
    const info = await rethrowRejection(this.handle(id).query(campaignInfoQuery));
    return { ...info, campaignNow: new Date(campaignNowMs(info.clock, Date.now())).toISOString() };
  }

  /** The workflow id of the shard that owns a department's obligations. */
  async shardOf(id: string, department: string): Promise<string> {
    const workflowId = this.workflowIdOf(id);
    const cached = this.routes.get(workflowId);
    if (cached && Date.now() - cached.at < ROUTES_TTL_MS) {
      const hit = await cached.shards.catch(() => undefined);
      const shard = hit?.get(department);
      if (shard) return shard;
    }
    const shards = this.info(id).then((info) => new Map(info.shards.flatMap((s) => s.departments.map((d) => [d, s.workflowId] as const))));
    this.routes.set(workflowId, { at: Date.now(), shards });
    shards.catch(() => this.routes.delete(workflowId));
    const shard = (await shards).get(department);
    if (!shard) {
      // Refused before any workflow is asked, with the rules' own refusal attached, so the portal and
      // the CLI word it in the campaign's language (the message is for operators and logs).
      const unknown = refusal('unknown-department', { department });
      throw new RequestRejectedError(`unknown department '${department}' in campaign '${id.replace(/^campaign\//, '')}'`, [], [], unknown);
    }
    return shard;
  }

  /** Forget the cached department → shard map (after the campaign was started again, say). */
  forgetRoutes(id: string): void {
    this.routes.delete(this.workflowIdOf(id));
  }

  async status(id: string): Promise<StatusMatrix> {
    const info = await this.info(id);
    const parts = await Promise.all(info.shards.map((s) => this.temporal.workflow.getHandle(s.workflowId).query(obligationsQuery, {})));
    return { info, obligations: parts.flat() };
  }

  async submit(id: string, input: SubmissionInput): Promise<SubmissionReceipt> {
    const shard = await this.shardOf(id, input.department);
    // Idempotence is the workflow's (its submissionIds): a repeated submission id is answered with
    // the first receipt marked `duplicate`, so the CLI and the portal can say "already received".
    // The update id is per call (the SDK reuses it for its own retries of this call); one shared
    // per submission id would have Temporal replay the first answer, duplicate: false.
    return rethrowRejection(this.temporal.workflow.getHandle(shard).executeUpdate(submitUpdate, { args: [input], updateId: `submit-${input.submissionId}-${randomUUID()}` }));
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
    for await (const wf of this.temporal.workflow.list({ query: `WorkflowType = '${CAMPAIGN_WORKFLOW_TYPE}'` })) {
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
