/**
 * The coordinator's side of a campaign, over a Temporal client: start, inspect, submit, excuse,
 * extend, amend, pause, resume, cancel. The CLI, the portal and the tests all go through here, so
 * every one of them uses the same messages (defined next to their workflows) and the same routing
 * of a department to its shard workflow.
 *
 * Every call to Temporal made here has a deadline (client/call-limits.ts: the CLI's by default, the
 * portal's shorter ones through withPolicy), and the portal's also wait in a bounded line.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { CLI_DEADLINES, type CallDeadlines, type CallLimiter } from './call-limits';
import { ApplicationFailure } from '@temporalio/common';
import { campaignNowMs, type ClockRequest } from '../obligations/clock';
import { CAMPAIGN_ID, CAMPAIGN_STATE, CAMPAIGN_TITLE } from '../obligations/search-attributes';
import { campaignWorkflowId } from '../obligations/shards';
import type { ObligationRef, SubmissionInput, SubmissionReceipt } from '../obligations/obligations';
import { refusal, type SubmissionRefusal } from '../obligations/submission-rules';
import { combineChase, describeChaseRefusal, type ChaseOutcome, type ChaseRefusal, type ChaseRequest } from '../obligations/chase-rules';
import type { CompiledPlan } from '../deadlines/timeline';
import type { PlanStore } from '../store/plan-store';
import { amendUpdate, campaignInfoQuery, CAMPAIGN_WORKFLOW_TYPE, pauseCampaignSignal, resumeCampaignSignal, type Amendment, type CampaignInfo, type CampaignWorkflow } from '../workflows/campaign.messages';
import { chaseUpdate, excuseUpdate, extendUpdate, obligationsQuery, submitUpdate, type ObligationView } from '../workflows/department-shard.messages';
import { campaignStartMetadata } from '../obligations/workflow-metadata';

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

/** A chase (催报) that sent nothing, with the rules' refusal for the portal and the CLI to word (obligations/chase-rules.ts). */
export class ChaseRefusedError extends RequestRejectedError {
  constructor(
    message: string,
    readonly chaseRefusal: ChaseRefusal,
  ) {
    super(message);
    this.name = 'ChaseRefusedError';
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

/** The receipt of a submission among a department's obligation records (as the shard holds them), marked `duplicate`. */
export function receiptIn(records: readonly ObligationView[], department: string, submissionId: string): SubmissionReceipt | undefined {
  for (const rec of records) {
    const v = rec.department === department ? rec.versions.find((x) => x.submissionId === submissionId) : undefined;
    if (v) return { submissionId, department, deadline: rec.deadline, occurrence: rec.occurrence, version: v.version, status: rec.status, late: v.late, receivedAt: v.receivedAt, duplicate: true };
  }
  return undefined;
}

const routesOf = (info: CampaignInfo) => new Map(info.shards.flatMap((s) => s.departments.map((d) => [d, s.workflowId] as const)));

/** How long a campaign's department → shard map is trusted before it is asked for again. */
export const ROUTES_TTL_MS = 60_000;

/** How calls are bounded: their deadlines, and (the portal) the line they wait in. */
export interface CallPolicy {
  deadlines: CallDeadlines;
  limiter?: CallLimiter;
}

/** What clients made from one another by withPolicy share. */
interface Shared {
  /**
   * Department → shard workflow, per campaign workflow id. A department keeps its shard for the
   * campaign's life (obligations/shards.ts assignShards: an amendment only adds shards), so the map can
   * be reused instead of querying the campaign workflow for every submission — one workflow answers
   * its queries one at a time, and at national scale that query was most of the cost of a
   * submission. A department missing from the map (added by an amendment) refreshes it at once;
   * the TTL covers a campaign started again under the same id.
   */
  routes: Map<string, { at: number; shards: Promise<Map<string, string>> }>;
  /** Submissions being sent, by submission id: the same one sent again meanwhile waits for the first answer. */
  submitting: Map<string, { input: string; receipt: Promise<SubmissionReceipt> }>;
}

export class CampaignClient {
  private readonly shared: Shared;

  constructor(
    readonly temporal: Client,
    readonly plans: PlanStore,
    readonly taskQueue: string,
    readonly policy: CallPolicy = { deadlines: CLI_DEADLINES },
    shared?: Shared,
  ) {
    this.shared = shared ?? { routes: new Map(), submitting: new Map() };
  }

  /** The same client (same connection, same department → shard map) with other deadlines and limits. */
  withPolicy(policy: CallPolicy): CampaignClient {
    return new CampaignClient(this.temporal, this.plans, this.taskQueue, policy, this.shared);
  }

  /** One call to Temporal: in line for `workflowId` when there is a limiter, then with the deadline for its kind. */
  private call<T>(kind: keyof CallDeadlines, workflowId: string, fn: () => Promise<T>): Promise<T> {
    const go = () => this.temporal.withDeadline(Date.now() + this.policy.deadlines[kind], fn);
    return this.policy.limiter ? this.policy.limiter.run(workflowId, go) : go();
  }

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
    this.shared.routes.delete(workflowId);
    const handle = await this.call('startMs', workflowId, () => this.temporal.workflow.start<CampaignWorkflow>(CAMPAIGN_WORKFLOW_TYPE, {
      taskQueue: this.taskQueue,
      workflowId,
      // What the Temporal Web UI shows for the campaign (its title, period, departments, deadlines).
      ...campaignStartMetadata(plan),
      args: [{ plan, planRef, clock: opts.clock ?? { mode: 'real' }, shardSize: opts.shardSize, shardHistoryLimit: opts.shardHistoryLimit }],
      typedSearchAttributes: [
        { key: CAMPAIGN_ID, value: plan.campaign.id },
        { key: CAMPAIGN_TITLE, value: plan.campaign.title },
        { key: CAMPAIGN_STATE, value: 'scheduled' },
      ] as never,
    }));
    return { handle, workflowId, planRef };
  }

  /**
   * The campaign's information. `campaignNow` is computed here from the campaign's clock and this
   * machine's time: a query handler runs at the workflow's last activation time, so the value the
   * workflow returns stands still while the campaign sleeps between instants.
   */
  async info(id: string, deadline: keyof CallDeadlines = 'queryMs'): Promise<CampaignInfo> {
    const workflowId = this.workflowIdOf(id);
    const info = await rethrowRejection(this.call(deadline, workflowId, () => this.handle(id).query(campaignInfoQuery)));
    // Every answer renews the department → shard map: a submission right after a page needs no query of its own.
    this.shared.routes.set(workflowId, { at: Date.now(), shards: Promise.resolve(routesOf(info)) });
    return { ...info, campaignNow: new Date(campaignNowMs(info.clock, Date.now())).toISOString() };
  }

  /** The workflow id of the shard that owns a department's obligations. */
  async shardOf(id: string, department: string): Promise<string> {
    const workflowId = this.workflowIdOf(id);
    const cached = this.shared.routes.get(workflowId);
    if (cached && Date.now() - cached.at < ROUTES_TTL_MS) {
      const hit = await cached.shards.catch(() => undefined);
      const shard = hit?.get(department);
      if (shard) return shard;
    }
    const shards = this.info(id).then(routesOf);
    this.shared.routes.set(workflowId, { at: Date.now(), shards });
    shards.catch(() => this.shared.routes.delete(workflowId));
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
    this.shared.routes.delete(this.workflowIdOf(id));
  }

  async status(id: string): Promise<StatusMatrix> {
    const info = await this.info(id);
    const parts = await Promise.all(info.shards.map((s) => this.shardObligations(s.workflowId, {})));
    return { info, obligations: parts.flat() };
  }

  /**
   * One shard's obligations (the shard filters by occurrence or department, see obligationsQuery).
   * A read made for a submission may be given the submission's deadline (`deadline: 'submitMs'`).
   */
  shardObligations(shardWorkflowId: string, filter: { occurrence?: string; department?: string; deliveries?: 'all' | 'failures' }, deadline: keyof CallDeadlines = 'queryMs'): Promise<ObligationView[]> {
    return this.call(deadline, shardWorkflowId, () => this.temporal.workflow.getHandle(shardWorkflowId).query(obligationsQuery, filter));
  }

  async submit(id: string, input: SubmissionInput): Promise<SubmissionReceipt> {
    // Idempotence is the workflow's (its submissionIds): a repeated submission id is answered with
    // the first receipt marked `duplicate`, so the CLI and the portal can say "already received".
    // The same submission sent again while the first is on its way (a double click, a browser
    // resending its form, a rush of identical posts) waits for that first answer instead of queueing
    // another update on the shard, and is answered as the workflow would: the receipt, duplicate.
    const key = JSON.stringify([this.workflowIdOf(id), input]);
    const sending = this.shared.submitting.get(input.submissionId);
    if (sending?.input === key) return { ...(await sending.receipt), duplicate: true };
    const receipt = this.sendSubmission(id, input);
    this.shared.submitting.set(input.submissionId, { input: key, receipt });
    try {
      return await receipt;
    } finally {
      if (this.shared.submitting.get(input.submissionId)?.receipt === receipt) this.shared.submitting.delete(input.submissionId);
    }
  }

  private async sendSubmission(id: string, input: SubmissionInput): Promise<SubmissionReceipt> {
    const shard = await this.shardOf(id, input.department);
    // The update id is per call (the SDK reuses it for its own retries of this call); one shared
    // per submission id would have Temporal replay the first answer, duplicate: false.
    return rethrowRejection(
      this.call('submitMs', shard, () => this.temporal.workflow.getHandle(shard).executeUpdate(submitUpdate, { args: [input], updateId: `submit-${input.submissionId}-${randomUUID()}` })),
    );
  }

  /**
   * The receipt of a submission the shard holds, looked up by its id (after a submit whose answer
   * never came: it may have been recorded all the same), marked `duplicate`; undefined when the
   * shard has no such submission from this department.
   */
  async receiptOf(id: string, department: string, submissionId: string): Promise<SubmissionReceipt | undefined> {
    const shard = await this.shardOf(id, department);
    return receiptIn(await this.shardObligations(shard, { department }), department, submissionId);
  }

  async excuse(id: string, ref: ObligationRef, reason: string, by: string): Promise<ObligationView> {
    const shard = await this.shardOf(id, ref.department);
    return rethrowRejection(this.call('updateMs', shard, () => this.temporal.workflow.getHandle(shard).executeUpdate(excuseUpdate, { args: [{ ...ref, reason, by }] })));
  }

  async extend(id: string, ref: ObligationRef, until: string, by: string): Promise<ObligationView> {
    const shard = await this.shardOf(id, ref.department);
    return rethrowRejection(this.call('updateMs', shard, () => this.temporal.workflow.getHandle(shard).executeUpdate(extendUpdate, { args: [{ ...ref, until, by }] })));
  }

  /**
   * A chase by hand (催报) of an occurrence: the chosen departments' shards, or every shard for the
   * whole 未填名单, each asked with the same chase id (the same id again sends nothing more).
   * Throws ChaseRefusedError when no shard sent anything.
   */
  async chase(id: string, req: Omit<ChaseRequest, 'by'>, by: string): Promise<ChaseOutcome> {
    const shards = req.departments?.length
      ? [...new Set(await Promise.all(req.departments.map((d) => this.shardOf(id, d))))]
      : (await this.info(id)).shards.map((s) => s.workflowId);
    const answers = await Promise.all(
      shards.map((shard) =>
        this.call('updateMs', shard, () => this.temporal.workflow.getHandle(shard).executeUpdate(chaseUpdate, { args: [{ ...req, by }], updateId: `chase-${req.chaseId}-${randomUUID()}` })).then(
          (outcome) => ({ outcome }),
          (err: unknown) => {
            const details = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? (err.cause.details?.[0] as { chaseRefusal?: ChaseRefusal } | undefined) : undefined;
            if (details?.chaseRefusal) return { refusal: details.chaseRefusal };
            return rethrowRejection(Promise.reject(err));
          },
        ),
      ),
    );
    const result = combineChase(answers);
    if (!result.ok) throw new ChaseRefusedError(describeChaseRefusal(result.refusal, 'en'), result.refusal);
    return result.outcome;
  }

  async amend(id: string, plan: CompiledPlan, by: string): Promise<Amendment> {
    const planRef = await this.plans.save(plan);
    return rethrowRejection(this.call('updateMs', this.workflowIdOf(id), () => this.handle(id).executeUpdate(amendUpdate, { args: [{ plan, planRef, by }] })));
  }

  async pause(id: string, by: string): Promise<void> {
    await rethrowRejection(this.call('signalMs', this.workflowIdOf(id), () => this.handle(id).signal(pauseCampaignSignal, { by })));
  }

  async resume(id: string, by: string): Promise<void> {
    await rethrowRejection(this.call('signalMs', this.workflowIdOf(id), () => this.handle(id).signal(resumeCampaignSignal, { by })));
  }

  async cancel(id: string): Promise<void> {
    await rethrowRejection(this.call('signalMs', this.workflowIdOf(id), () => this.handle(id).cancel()));
  }

  /** Campaigns on the server, newest first (visibility; needs the search attributes registered). */
  list(limit = 100): Promise<Array<{ workflowId: string; campaignId: string; title: string; state: string; status: string; startTime: Date }>> {
    return this.call('listMs', '(visibility)', () => this.listPages(limit));
  }

  private async listPages(limit: number): Promise<Array<{ workflowId: string; campaignId: string; title: string; state: string; status: string; startTime: Date }>> {
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
