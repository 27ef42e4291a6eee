/**
 * A campaign: the durable process behind one plan, from launch to final summary.
 *
 * It splits the departments into shard workflows (obligations/shards.ts) that own every obligation,
 * and keeps for itself what concerns the whole campaign: the roll-up to the coordinator at each
 * due instant, the coordinator's digest of late departments, the weekly digest, the final
 * summary — and the coordinator's controls: amend, pause, resume (cancel is Temporal's own
 * cancellation of this workflow, which cancels the shards).
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { campaignNowMs, resolveClock, wallMsFor, type CampaignClock, type ClockRequest } from '../obligations/clock';
import { campaignInstants, type CampaignInstant } from '../obligations/campaign-instants';
import { assignShards, departmentsOfShard, planSlice, shardNumbers, shardWorkflowId, type ShardAssignment } from '../obligations/shards';
import type { CompiledPlan } from '../deadlines/timeline';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { CAMPAIGN_ID, CAMPAIGN_NEXT_DUE, CAMPAIGN_OVERDUE, CAMPAIGN_PENDING, CAMPAIGN_STATE, CAMPAIGN_TITLE, nextDueMs } from '../obligations/search-attributes';
import { departmentShardWorkflow } from './department-shard';
import { amendShardSignal, pauseSignal, resumeSignal, type ShardResult } from './department-shard.messages';
import { campaignCurrentDetails, campaignMessageSummary, campaignWaitSummary, finalSummarySummary, shardStartMetadata, type StateCounts } from '../obligations/workflow-metadata';
import { DELIVERY_RETRY, NAMED_IN_WEB_UI, SEARCHABLE_PROGRESS } from './policies';
import {
  amendUpdate,
  campaignInfoQuery,
  pauseCampaignSignal,
  resumeCampaignSignal,
  type Amendment,
  type CampaignInfo,
  type CampaignInput,
  type CampaignResult,
  type CampaignState,
} from './campaign.messages';


const { sendCampaignMessage, writeFinalSummary } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '2 minutes',
  retry: DELIVERY_RETRY,
  // On cancel, wait until a running batch stops at a message boundary: the campaign never closes
  // with a send in flight whose outcome the ledger has not recorded.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  let plan = input.plan;
  let planRef = input.planRef;
  const info = workflowInfo();
  // Names this run of the campaign in the delivery ledger (stable across the shards' continue-as-new).
  const scope = `${info.workflowId}@${info.firstExecutionRunId}`;
  const clock = resolveClock(input.clock, Date.now(), Date.parse(plan.campaign.periodStart));
  const now = () => campaignNowMs(clock, Date.now());
  let assignment: ShardAssignment = assignShards(plan, {}, input.shardSize);
  let state: CampaignState = 'scheduled';
  let paused = false;
  let processedUntilMs = Date.parse(plan.campaign.periodStart) - 1;
  let wake = false;
  let result: CampaignResult | undefined;
  const amendments: Amendment[] = [];
  const sent: CampaignInfo['sent'] = [];
  const children = new Map<number, ChildWorkflowHandle<typeof departmentShardWorkflow>>();

  // Versioned change: campaigns started before it replay with anonymous shards, timers and
  // activity calls; from it on each says what it is in the campaign's language, and the current
  // details tell the next instant (obligations/workflow-metadata.ts).
  const named = patched(NAMED_IN_WEB_UI);
  let nextText: string | undefined;
  let counted: StateCounts | undefined;
  const showDetails = () => {
    if (named) setCurrentDetails(campaignCurrentDetails(plan, { state, shards: shardNumbers(assignment).length, next: nextText, sent: sent.length, totals: counted }));
  };
  const setState = (s: CampaignState) => {
    state = s;
    upsertSearchAttributes([{ key: CAMPAIGN_STATE, value: s }] as never);
    showDetails();
  };
  upsertSearchAttributes([
    { key: CAMPAIGN_ID, value: plan.campaign.id },
    { key: CAMPAIGN_TITLE, value: plan.campaign.title },
  ] as never);
  // Versioned change: from it on the campaign keeps its next due instant searchable, and its final
  // counts once finished; upserted only when a value changes (each upsert is a history event).
  const searchable = patched(SEARCHABLE_PROGRESS);
  const shown = new Map<string, number | null>();
  const showProgress = (values: { nextDue?: number | null; pending?: number; overdue?: number }) => {
    if (!searchable) return;
    const pairs: SearchAttributeUpdatePair[] = [];
    const put = (name: string, v: number | null | undefined, pair: () => SearchAttributeUpdatePair) => {
      if (v === undefined || shown.get(name) === v) return;
      shown.set(name, v);
      pairs.push(pair());
    };
    put('nextDue', values.nextDue, () => ({ key: CAMPAIGN_NEXT_DUE, value: values.nextDue == null ? null : new Date(values.nextDue) }));
    put('pending', values.pending, () => ({ key: CAMPAIGN_PENDING, value: values.pending! }));
    put('overdue', values.overdue, () => ({ key: CAMPAIGN_OVERDUE, value: values.overdue! }));
    if (pairs.length) upsertSearchAttributes(pairs);
  };

  const startShard = async (shard: number) => {
    const slice = planSlice(plan, departmentsOfShard(assignment, shard));
    const handle = await startChild(departmentShardWorkflow, {
      ...(named ? shardStartMetadata(slice, shard) : {}),
      workflowId: shardWorkflowId(info.workflowId, shard),
      args: [{ campaignWorkflowId: info.workflowId, shard, plan: slice, planRef, clock, scope, startedAtMs: now(), historyLimit: input.shardHistoryLimit }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    children.set(shard, handle);
  };

  const validateAmendment = (next: CompiledPlan) => {
    if (next.campaign.id !== plan.campaign.id) throw ApplicationFailure.create({ type: 'InvalidAmendment', nonRetryable: true, message: `the amended plan is for campaign '${next.campaign.id}', not '${plan.campaign.id}'` });
    if (next.campaign.timezone !== plan.campaign.timezone) throw ApplicationFailure.create({ type: 'InvalidAmendment', nonRetryable: true, message: `the time zone cannot change once a campaign runs (${plan.campaign.timezone} -> ${next.campaign.timezone})` });
    if (now() >= Date.parse(plan.campaign.periodStart) && next.campaign.periodStart !== plan.campaign.periodStart) {
      throw ApplicationFailure.create({ type: 'InvalidAmendment', nonRetryable: true, message: `the campaign has started; its start (${plan.campaign.periodStart}) cannot move` });
    }
    if (now() >= Date.parse(next.campaign.periodEnd)) throw ApplicationFailure.create({ type: 'InvalidAmendment', nonRetryable: true, message: `the amended period ends (${next.campaign.periodEnd}) before the campaign's current time` });
    if (state === 'summarising' || state === 'completed') throw ApplicationFailure.create({ type: 'InvalidAmendment', nonRetryable: true, message: 'the campaign is already being summarised' });
  };

  setHandler(
    amendUpdate,
    async ({ plan: next, planRef: nextRef, by }) => {
      const before = new Set(plan.departments.map((d) => d.id));
      const after = new Set(next.departments.map((d) => d.id));
      const nextAssignment = assignShards(next, assignment, input.shardSize);
      plan = next;
      planRef = nextRef;
      const oldShards = new Set(shardNumbers(assignment));
      assignment = nextAssignment;
      for (const shard of shardNumbers(assignment)) {
        if (oldShards.has(shard)) {
          await getExternalWorkflowHandle(shardWorkflowId(info.workflowId, shard)).signal(amendShardSignal, { plan: planSlice(plan, departmentsOfShard(assignment, shard)), planRef });
        } else await startShard(shard);
      }
      // Shards whose departments were all removed get an empty slice: they keep their history.
      for (const shard of oldShards) {
        if (!shardNumbers(assignment).includes(shard)) {
          await getExternalWorkflowHandle(shardWorkflowId(info.workflowId, shard)).signal(amendShardSignal, { plan: planSlice(plan, []), planRef });
        }
      }
      const amendment: Amendment = { at: new Date(now()).toISOString(), planRef, by, added: [...after].filter((d) => !before.has(d)), removed: [...before].filter((d) => !after.has(d)) };
      amendments.push(amendment);
      wake = true;
      return amendment;
    },
    { validator: ({ plan: next }) => validateAmendment(next) },
  );

  const forwardToShards = async (signal: typeof pauseSignal, by: string) => {
    for (const shard of shardNumbers(assignment)) await getExternalWorkflowHandle(shardWorkflowId(info.workflowId, shard)).signal(signal, { by });
  };
  setHandler(pauseCampaignSignal, async ({ by }) => {
    if (paused) return;
    paused = true;
    setState('paused');
    await forwardToShards(pauseSignal, by);
  });
  setHandler(resumeCampaignSignal, async ({ by }) => {
    if (!paused) return;
    paused = false;
    setState('running');
    await forwardToShards(resumeSignal, by);
  });
  setHandler(campaignInfoQuery, () => ({
    campaignId: plan.campaign.id,
    title: plan.campaign.title,
    state,
    paused,
    clock,
    campaignNow: new Date(now()).toISOString(),
    periodStart: plan.campaign.periodStart,
    periodEnd: plan.campaign.periodEnd,
    planRef,
    shards: shardNumbers(assignment).map((shard) => ({ shard, workflowId: shardWorkflowId(info.workflowId, shard), departments: departmentsOfShard(assignment, shard) })),
    amendments,
    sent,
    result,
  }));

  try {
    for (const shard of shardNumbers(assignment)) await startShard(shard);
    setState('running');
    const periodEndMs = () => Date.parse(plan.campaign.periodEnd);
    for (;;) {
      const t = now();
      const instants = campaignInstants(plan);
      const due = instants.filter((i) => i.atMs > processedUntilMs && i.atMs <= t);
      for (const item of due) await runInstant(item);
      processedUntilMs = Math.max(processedUntilMs, t);
      if (t >= periodEndMs()) break;
      const next = Math.min(instants.find((i) => i.atMs > processedUntilMs)?.atMs ?? Infinity, periodEndMs());
      wake = false;
      showProgress({ nextDue: nextDueMs(plan, t) ?? null });
      const timer = named ? { summary: campaignWaitSummary(plan, next, instants.filter((i) => i.atMs === next)) } : undefined;
      nextText = timer?.summary;
      showDetails();
      const wait = () => Math.max(1, Math.ceil(wallMsFor(clock, next) - Date.now()));
      const timedOut = !(await (timer ? condition(() => wake, wait(), timer) : condition(() => wake, wait())));
      if (timedOut && now() < next) await (timer ? condition(() => wake, wait(), timer) : condition(() => wake, wait()));
    }
    nextText = undefined;
    setState('summarising');
    const results: ShardResult[] = [];
    for (const handle of children.values()) results.push(await handle.result());
    const finalInput = { campaignWorkflowId: info.workflowId, shardWorkflowIds: shardIds(), planRef, at: new Date(now()).toISOString(), scope, shardOutcomes: results.map((r) => r.outcomeRef) };
    const summary = await (named ? writeFinalSummary.executeWithOptions({ summary: finalSummarySummary(plan) }, [finalInput]) : writeFinalSummary(finalInput));
    const totals = results.reduce(
      (a, r) => ({ obligations: a.obligations + r.obligations, onTime: a.onTime + r.submitted, late: a.late + r.late, excused: a.excused + r.excused, missing: a.missing + r.missing }),
      { obligations: 0, onTime: 0, late: 0, excused: 0, missing: 0 },
    );
    result = { campaignId: plan.campaign.id, state: 'completed', summary, totals };
    counted = { submitted: totals.onTime, late: totals.late, excused: totals.excused, pending: totals.missing };
    showProgress({ nextDue: null, pending: totals.missing, overdue: totals.missing });
    setState('completed');
    await condition(allHandlersFinished);
    return result;
  } catch (err) {
    if (isCancellation(err)) {
      // The shards were started in this workflow's scope, so they are being cancelled too: wait
      // for them, so the campaign closes with no shard left behind.
      await CancellationScope.nonCancellable(async () => {
        setState('cancelled');
        await Promise.allSettled([...children.values()].map((h) => h.result()));
      });
    }
    throw err;
  }

  function shardIds(): string[] {
    return shardNumbers(assignment).map((shard) => shardWorkflowId(info.workflowId, shard));
  }

  async function runInstant(item: CampaignInstant): Promise<void> {
    // Roll-ups and digests go to the coordinator even while reminders are paused.
    const input = { campaignWorkflowId: info.workflowId, shardWorkflowIds: shardIds(), planRef, instant: item, scope };
    const outcome = await (named ? sendCampaignMessage.executeWithOptions({ summary: campaignMessageSummary(plan, item) }, [input]) : sendCampaignMessage(input));
    if (outcome) sent.push({ kind: item.kind, at: new Date(item.atMs).toISOString(), occurrence: item.occurrence, sent: outcome.sent, failed: outcome.failed });
  }
}
