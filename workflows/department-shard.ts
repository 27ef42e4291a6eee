/**
 * One shard of a campaign's departments (at most SHARD_SIZE): sends each department its launch
 * notice, the reminders before each deadline and the escalations after it, takes submissions,
 * excuses and extensions, and keeps the state of every obligation.
 *
 * Deterministic: workflow time only, no I/O; every message goes out through the deliverMessages
 * activity in one batch per instant. Long campaigns continue as new when the history grows.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { ComposeRequest } from '../obligations/message-requests';
import { campaignNowMs, wallMsFor, type CampaignClock } from '../obligations/clock';
import { countByState, deliverySummary, shardCurrentDetails, shardOutcomeSummary, shardWaitSummary } from '../obligations/workflow-metadata';
import {
  amendObligations,
  applySubmission,
  batchAfter,
  checkExcuse,
  checkExtension,
  dueItems,
  findObligation,
  initialShardState,
  indexPlan,
  isInPlan,
  ladder,
  nextInstant,
  type DeliveryEntry,
  type ObligationRecord,
  type ObligationRef,
  type ShardState,
  type SubmissionInput,
  type SubmissionReceipt,
} from '../obligations/obligations';
import { describeChaseRefusal, judgeChase, recordChase, type ChaseRefusal } from '../obligations/chase-rules';
import { acceptSubmission, describeRefusal, fieldErrorsOf, fieldWarningsOf, judgeSubmission, type SubmissionRefusal } from '../obligations/submission-rules';
import type { CompiledPlan } from '../deadlines/timeline';
import { DELIVERY_RETRY, HISTORY_SOFT_LIMIT, NAMED_IN_WEB_UI, SEARCHABLE_PROGRESS } from './policies';
import { CAMPAIGN_ID, CAMPAIGN_NEXT_DUE, CAMPAIGN_OVERDUE, CAMPAIGN_PENDING, shardProgress } from '../obligations/search-attributes';
import {
  amendShardSignal,
  chaseUpdate,
  excuseUpdate,
  extendUpdate,
  obligationsQuery,
  pauseSignal,
  resumeSignal,
  shardInfoQuery,
  submitUpdate,
  type ObligationView,
  type ShardInput,
  type ShardResult,
} from './department-shard.messages';


const { deliverMessages, saveShardOutcome } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '2 minutes',
  retry: DELIVERY_RETRY,
  // On cancel, wait until a running batch stops at a message boundary: the campaign never closes
  // with a send in flight whose outcome the ledger has not recorded.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export async function departmentShardWorkflow(input: ShardInput): Promise<ShardResult> {
  let plan = input.plan;
  let planRef = input.planRef;
  const clock = input.clock;
  const periodStartMs = Date.parse(plan.campaign.periodStart);
  // A shard added by an amendment starts from the amendment: nothing before it is sent, and what
  // was already due is not owed (see syncObligations).
  const state: ShardState = input.state ?? initialShardState(plan, Math.max(periodStartMs, input.startedAtMs) - 1);
  const outbox: ComposeRequest[] = input.outbox ?? [];
  let wake = false;
  // The ladder (every pending obligation's reminders and escalations) is rebuilt only when a
  // message may have changed it — a submission, excuse, extension or amendment — not on every
  // loop iteration: a 50-department shard has thousands of items, and replay runs the loop again.
  let ladderCache: ReturnType<typeof ladder> | undefined;
  const currentLadder = () => (ladderCache ??= ladder(plan, state, () => ''));
  const changed = () => {
    ladderCache = undefined;
    wake = true;
  };
  const now = () => campaignNowMs(clock, Date.now());
  const fail = (message: string) => ApplicationFailure.create({ type: 'InvalidRequest', message, nonRetryable: true });
  // Versioned change: shards started before it replay with anonymous timers and activity calls;
  // from it on each timer and delivery says, in the campaign's language, what it waits for or
  // sends, and the shard's current details are kept up to date (obligations/workflow-metadata.ts).
  const named = patched(NAMED_IN_WEB_UI);
  // Versioned change: from it on the shard keeps its progress searchable (how many obligations are
  // pending, how many overdue, the next due among them), upserted only when a value changes.
  const searchable = patched(SEARCHABLE_PROGRESS);
  const shown = new Map<string, number | string | null>();
  const showProgress = () => {
    if (!searchable) return;
    const p = shardProgress(plan, state, now());
    const pairs: SearchAttributeUpdatePair[] = [];
    const put = (name: string, v: number | string | null, pair: SearchAttributeUpdatePair) => {
      if (shown.get(name) === v) return;
      shown.set(name, v);
      pairs.push(pair);
    };
    put('id', plan.campaign.id, { key: CAMPAIGN_ID, value: plan.campaign.id });
    put('pending', p.pending, { key: CAMPAIGN_PENDING, value: p.pending });
    put('overdue', p.overdue, { key: CAMPAIGN_OVERDUE, value: p.overdue });
    put('nextDue', p.nextDueMs ?? null, { key: CAMPAIGN_NEXT_DUE, value: p.nextDueMs === undefined ? null : new Date(p.nextDueMs) });
    if (pairs.length) upsertSearchAttributes(pairs);
    return p;
  };
  type DeliverInput = Parameters<typeof deliverMessages>[0];
  const deliver = (input: DeliverInput) =>
    named ? deliverMessages.executeWithOptions({ summary: deliverySummary(plan, input.requests) }, [input]) : deliverMessages(input);

  const view = (rec: ObligationRecord, idx = indexPlan(plan)): ObligationView => {
    const occ = idx.occurrence(rec.occurrence)?.occurrence;
    return { ...rec, due: rec.extendedTo ?? occ?.due ?? '', inPlan: isInPlan(plan, rec, idx) };
  };

  // A refused submission: the message is the reason in the plan's language (a zh-CN campaign's
  // department reads Chinese on every path, a direct update included); the details carry the
  // refusal (code and parameters) so the portal and the CLI word it themselves
  // (RequestRejectedError.refusal). Validator rejections are not written to the history.
  const refused = (r: SubmissionRefusal) =>
    ApplicationFailure.create({
      type: 'InvalidSubmission',
      message: describeRefusal(r, plan.campaign.language),
      details: [{ refusal: r, reason: describeRefusal(r, plan.campaign.language), fieldErrors: fieldErrorsOf(r), fieldWarnings: fieldWarningsOf(r) }],
      nonRetryable: true,
    });

  setHandler(
    submitUpdate,
    (sub) => {
      // The validator has just judged this submission (obligations/submission-rules.ts); the
      // handler takes the obligation and the figures, refusing nothing it did not refuse before.
      const check = acceptSubmission(plan, state, sub, now());
      if (!check.ok) throw fail(describeRefusal(check.refusal, 'en'));
      const receipt = applySubmission(plan, state, sub, check, now());
      if (!receipt.duplicate) {
        const rec = state.obligations[check.key]!;
        const v = rec.versions.at(-1)!;
        outbox.push({ kind: 'receipt', occurrenceKey: rec.occurrence, departmentId: rec.department, submissionId: v.submissionId, submittedAt: v.receivedAt, submittedBy: v.by, revision: v.version, link: '' });
        changed();
      }
      return receipt;
    },
    {
      validator: (sub) => {
        const verdict = judgeSubmission(plan, state, sub, now());
        if (!verdict.ok) throw refused(verdict.refusal);
      },
    },
  );

  setHandler(
    excuseUpdate,
    (req) => {
      const found = findObligation(state, req);
      if ('error' in found) throw fail(found.error);
      found.rec.status = 'excused';
      found.rec.excused = { reason: req.reason, at: new Date(now()).toISOString(), by: req.by };
      changed();
      return view(found.rec);
    },
    {
      validator: (req) => {
        if (!req.reason?.trim()) throw fail('give a reason for the excuse (it is recorded in the audit history)');
        const problem = checkExcuse(state, req);
        if (problem) throw fail(problem);
      },
    },
  );

  setHandler(
    extendUpdate,
    (req) => {
      const found = findObligation(state, req);
      if ('error' in found) throw fail(found.error);
      found.rec.extendedTo = new Date(Date.parse(req.until)).toISOString();
      changed();
      return view(found.rec);
    },
    {
      validator: (req) => {
        const problem = checkExtension(plan, state, req, req.until, now());
        if (problem) throw fail(problem);
      },
    },
  );

  // A chase by hand (催报): new handler, no change to what shards did before it. The refusal's
  // message is in the plan's language; its details carry the refusal for the portal and the CLI.
  const chaseRefused = (r: ChaseRefusal) =>
    ApplicationFailure.create({ type: 'InvalidChase', message: describeChaseRefusal(r, plan.campaign.language), details: [{ chaseRefusal: r }], nonRetryable: true });
  setHandler(
    chaseUpdate,
    (req) => {
      const verdict = judgeChase(plan, state, req, now());
      if (!verdict.ok) throw chaseRefused(verdict.refusal);
      const outcome = verdict.outcome;
      if (outcome.duplicate) return outcome;
      recordChase(state, outcome, req.by);
      for (const department of outcome.chased) {
        const rec = state.obligations[`${outcome.occurrence}|${department}`]!;
        outbox.push({ kind: 'chase', occurrenceKey: outcome.occurrence, departmentId: department, chaseId: outcome.chaseId, at: outcome.at, ...(rec.extendedTo ? { due: rec.extendedTo } : {}), link: '' });
      }
      return outcome;
    },
    {
      validator: (req) => {
        const verdict = judgeChase(plan, state, req, now());
        if (!verdict.ok) throw chaseRefused(verdict.refusal);
      },
    },
  );

  setHandler(pauseSignal, () => {
    state.paused = true;
    wake = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = false;
    wake = true;
  });
  setHandler(amendShardSignal, (amendment) => {
    amendObligations(plan, amendment.plan, state, now());
    plan = amendment.plan;
    planRef = amendment.planRef;
    changed();
  });
  setHandler(obligationsQuery, (filter) => {
    const idx = indexPlan(plan);
    return Object.values(state.obligations)
      .filter((r) => (!filter?.occurrence || r.occurrence === filter.occurrence) && (!filter?.department || r.department === filter.department))
      .map((r) => {
        const v = view(r, idx);
        return filter?.deliveries === 'failures' ? { ...v, deliveries: v.deliveries.filter((d) => d.failed.length > 0) } : v;
      });
  });
  setHandler(shardInfoQuery, () => ({
    shard: input.shard,
    departments: plan.departments.map((d) => d.id),
    paused: state.paused,
    processedUntil: new Date(state.processedUntilMs).toISOString(),
    planRef,
  }));

  // Read each time: an amendment may move the end of the period.
  const periodEndMs = () => Date.parse(plan.campaign.periodEnd);
  const record = (requests: ComposeRequest[], outcomes: DeliveryEntry[], obligationOf: (i: number) => string | undefined) => {
    outcomes.forEach((o, i) => {
      const key = obligationOf(i);
      if (key && state.obligations[key]) state.obligations[key]!.deliveries.push(o);
      else if (requests[i]!.kind === 'launch') state.launched.push((requests[i] as { departmentId: string }).departmentId);
    });
  };

  // The batch after instant t as things stand (a submission, excuse or extension may still change
  // it): the worker builds its messages once t's are sent, so that they go out faster when due.
  // A hint in the activity's input only; without it every message is built when sent.
  const upcomingBatch = (t: number): { requests: ComposeRequest[]; dueWallMs: number } | undefined => {
    if (state.paused) return undefined;
    const items = batchAfter(currentLadder(), t);
    return items.length ? { requests: items.map((i) => i.request), dueWallMs: wallMsFor(clock, items[0]!.atMs) } : undefined;
  };

  // What the timer until `next` waits for: the launch notices, the ladder's batch at that instant,
  // or the end of the period.
  const waitSummary = (next: number, t: number) => {
    const batch = batchAfter(currentLadder(), state.processedUntilMs);
    const launch = t < periodStartMs && next === periodStartMs ? plan.departments.filter((d) => !state.launched.includes(d.id)).length : 0;
    return shardWaitSummary(plan, next, batch[0]?.atMs === next ? batch : [], { launch, paused: state.paused });
  };

  for (;;) {
    const t = now();
    // Launch notices: at the start of the period, to every department not yet launched
    // (departments added by an amendment get theirs when it arrives).
    if (t >= periodStartMs) {
      const launch: ComposeRequest[] = plan.departments
        .filter((d) => !state.launched.includes(d.id))
        .map((d) => ({ kind: 'launch', departmentId: d.id, link: '' }));
      if (launch.length) {
        // the batch due now, if any, names the one after it; otherwise the launch notices do
        const comingNext = dueItems(currentLadder(), state, t).length > 0 ? undefined : upcomingBatch(t);
        record(launch, await deliver({ planRef, requests: launch, scope: input.scope, at: new Date(t).toISOString(), ...(comingNext ? { next: comingNext } : {}) }), () => undefined);
      }
    }
    const due = dueItems(currentLadder(), state, t);
    if (due.length && !state.paused) {
      const comingNext = upcomingBatch(t);
      const outcomes = await deliver({ planRef, requests: due.map((i) => i.request), scope: input.scope, at: new Date(t).toISOString(), ...(comingNext ? { next: comingNext } : {}) });
      record(due.map((i) => i.request), outcomes, (i) => due[i]!.obligation);
    }
    // While paused, what falls due is skipped for good, not sent on resume.
    state.processedUntilMs = Math.max(state.processedUntilMs, t);
    if (outbox.length) {
      const batch = outbox.splice(0, outbox.length);
      const outcomes = await deliver({ planRef, requests: batch, scope: input.scope, at: new Date(t).toISOString() });
      record(batch, outcomes, (i) => {
        const r = batch[i] as { occurrenceKey: string; departmentId: string };
        return `${r.occurrenceKey}|${r.departmentId}`;
      });
    }
    if (t >= periodEndMs()) break;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyLimit ?? HISTORY_SOFT_LIMIT)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof departmentShardWorkflow>({ ...input, plan, planRef, state, outbox });
    }
    // With searchable progress the shard also wakes when an obligation falls due, so that its
    // overdue count turns at the due instant, not at the next message after it.
    const progress = showProgress();
    const next = Math.min(nextInstant(currentLadder(), state) ?? Infinity, progress?.nextDueMs ?? Infinity, t < periodStartMs ? periodStartMs : Infinity, periodEndMs());
    wake = false;
    const timer = named ? { summary: waitSummary(next, t) } : undefined;
    if (timer) setCurrentDetails(shardCurrentDetails(plan, input.shard, { atMs: next, summary: timer.summary }, countByState(plan, state), state.paused));
    const timedOut = !(await (timer
      ? condition(() => wake || outbox.length > 0, Math.max(1, Math.ceil(wallMsFor(clock, next) - Date.now())), timer)
      : condition(() => wake || outbox.length > 0, Math.max(1, Math.ceil(wallMsFor(clock, next) - Date.now())))));
    if (timedOut && now() < next) {
      // The wall clock and campaign clock differ by rounding at most; never wake early.
      if (timer) await condition(() => wake, Math.max(1, Math.ceil(wallMsFor(clock, next) - Date.now())), timer);
      else await condition(() => wake, Math.max(1, Math.ceil(wallMsFor(clock, next) - Date.now())));
    }
  }
  await condition(allHandlersFinished);
  showProgress();
  if (named) setCurrentDetails(shardCurrentDetails(plan, input.shard, undefined, countByState(plan, state), state.paused));
  // Versioned change: shards that ran their last iteration before it return no outcomeRef (the
  // final summary then queries them, as it used to).
  const outcomeInput = { shardWorkflowId: workflowInfo().workflowId };
  const outcomeRef = !patched('shard-outcome-blob')
    ? undefined
    : named
      ? await saveShardOutcome.executeWithOptions({ summary: shardOutcomeSummary(plan, countByState(plan, state)) }, [outcomeInput])
      : await saveShardOutcome(outcomeInput);
  const idx = indexPlan(plan);
  // "Any time" deadlines (随时报送) are channels, not obligations: they stay out of the totals.
  const all = Object.values(state.obligations).filter((r) => isInPlan(plan, r, idx) && idx.deadline(r.deadline)?.kind !== 'open');
  return {
    shard: input.shard,
    ...(outcomeRef ? { outcomeRef } : {}),
    obligations: all.length,
    submitted: all.filter((r) => r.status === 'submitted').length,
    late: all.filter((r) => r.status === 'late').length,
    excused: all.filter((r) => r.status === 'excused').length,
    missing: all.filter((r) => r.status === 'pending').length,
  };
}
