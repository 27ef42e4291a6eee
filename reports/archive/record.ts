/**
 * Keeping what a campaign's archive needs once Temporal's retention has removed its histories: at
 * the end of a campaign run, the audit history is read from the histories (the only place it is)
 * and written to the blob store, and the run's record (store/campaign-records.ts) names it beside
 * the plan, the summaries and every shard's final state.
 *
 * Two writers, one function:
 * - the final summary's activity, right after the summary has gone out (activities/final-summary.ts).
 *   The campaign workflow is still open then, waiting for that activity: its history ends there, so
 *   the captured audit lacks the campaign's own completion event; the final summary's entry is added
 *   here, from what the activity has just done. No workflow code changes for this: the activity
 *   reads the histories itself, with the Temporal client it already has.
 * - `campaign archive`, for a campaign that finished before records were kept, while Temporal still
 *   has its histories ({@link recordFromTemporal}): then the audit is complete.
 *
 * Reading the histories is bounded in time: when it fails or takes too long, the record is kept
 * without an audit history, with the reason (the archive says so), and the summary is not held up.
 */
import type { Client } from '@temporalio/client';
import { campaignNowMs, wallMsFor } from '../../obligations/clock';
import type { CompiledPlan, Language } from '../../deadlines/timeline';
import type { BlobStore } from '../../store/blob-store';
import type { CampaignRecord, CampaignRecords } from '../../store/campaign-records';
import type { PlanStore } from '../../store/plan-store';
import { obligationsQuery } from '../../workflows/department-shard.messages';
import { auditEntries, campaignTime, type AuditEntry } from '../audit-history';
import { decodePayloads, eventMs, idOf, loadCampaignHistories, type CampaignHistories, type WorkflowRunHistory } from '../temporal-histories';

/** The audit history as kept in the blob store (the archive's audit/history.json). */
export interface AuditCapture {
  /** Campaign time the histories were read (ISO). */
  capturedAt: string;
  /** True when the histories ran to the campaign's completion; false when read by the final summary's activity. */
  complete: boolean;
  zone: string;
  language: Language;
  entries: AuditEntry[];
}

/** What the end of a campaign run leaves: the final summary's input and result. */
export interface FinishedCampaign {
  workflowId: string;
  /** The campaign run, as in the delivery ledger. */
  scope: string;
  planRef: string;
  /** Campaign time the final summary was written (ISO). */
  at: string;
  summary: { json: string; csv: string; xlsx?: string };
  shardOutcomes: string[];
}

export interface RecordDeps {
  temporal: Client;
  blobs: BlobStore;
  plans: PlanStore;
  records: CampaignRecords;
}

export interface RecordOptions {
  source: CampaignRecord['source'];
  /** Histories already read (by {@link recordFromTemporal}). */
  histories?: CampaignHistories;
  /** Longest wait for the histories (default 2 minutes). */
  timeoutMs?: number;
  /** Called while the histories are read (an activity's heartbeat). */
  heartbeat?: () => void;
}

/** The campaign has not written its final summary: there is nothing finished to archive yet. */
export class CampaignNotFinishedError extends Error {
  constructor(workflowId: string, how: string) {
    super(`campaign '${workflowId.replace(/^campaign\//, '')}' ${how}: an archive is made of a campaign whose final summary has gone out`);
    this.name = 'CampaignNotFinishedError';
  }
}

const HISTORY_READ_MS = 120_000;

/** Reads the audit history and saves the run's record. Returns the record as saved. */
export async function recordFinishedCampaign(deps: RecordDeps, input: FinishedCampaign, opts: RecordOptions): Promise<CampaignRecord> {
  const plan = await deps.plans.load(input.planRef);
  let histories = opts.histories;
  let auditProblem: string | undefined;
  if (!histories) {
    try {
      histories = await bounded(loadCampaignHistories(deps.temporal, input.workflowId), opts.timeoutMs ?? HISTORY_READ_MS, opts.heartbeat);
    } catch (err) {
      auditProblem = `the Temporal histories could not be read: ${(err as Error)?.message ?? String(err)}`;
    }
  }
  const clock = histories?.facts.clock;
  let auditRef: string | undefined;
  if (histories && clock) {
    const capture = auditCapture(histories.runs, plan, clock, input);
    auditRef = await deps.blobs.put(JSON.stringify(capture, null, 1));
  } else if (histories) auditProblem = 'the histories do not tell the campaign clock (no worker ever ran the campaign)';
  const record: Omit<CampaignRecord, 'recordedAt'> = {
    run: input.scope,
    campaignId: plan.campaign.id,
    workflowId: input.workflowId,
    title: plan.campaign.title,
    planRef: input.planRef,
    planRefs: histories ? planRefsOf(histories.runs, input.planRef) : [input.planRef],
    ...(clock ? { clock } : {}),
    summary: input.summary,
    shardOutcomes: input.shardOutcomes,
    ...(auditRef ? { auditRef } : {}),
    ...(auditProblem ? { auditProblem } : {}),
    finishedAt: input.at,
    source: opts.source,
  };
  await deps.records.save(record);
  return (await deps.records.get(record.run))!;
}

function auditCapture(runs: readonly WorkflowRunHistory[], plan: CompiledPlan, clock: NonNullable<CampaignHistories['facts']['clock']>, input: FinishedCampaign): AuditCapture {
  const zone = plan.campaign.timezone;
  const language = plan.campaign.language;
  const entries = auditEntries(runs, { clock, zone, language, plan });
  const complete = entries.some((e) => e.kind === 'completed');
  if (!entries.some((e) => e.kind === 'summary')) {
    // Read from inside the final summary's activity: its completion is not in the history yet.
    const campaignMs = Date.parse(input.at);
    entries.push({
      wallMs: Math.round(wallMsFor(clock, campaignMs)),
      campaignMs,
      when: campaignTime(campaignMs, zone, language),
      actor: 'engine',
      kind: 'summary',
      what: `final summary written (csv ${shortRef(input.summary.csv)}, json ${shortRef(input.summary.json)}) and mailed to the office`,
      workflowId: input.workflowId,
    });
  }
  const last = Math.max(0, ...runs.flatMap((r) => r.events.slice(-1).map(eventMs)));
  const capturedAt = complete ? new Date(campaignNowMs(clock, last)).toISOString() : input.at;
  return { capturedAt, complete, zone, language, entries };
}

function shortRef(ref: string): string {
  return ref.replace(/^sha256:(.{12}).*$/, 'sha256:$1…');
}

/** The plan the campaign started with, then each accepted amendment's, without repeats. */
function planRefsOf(runs: readonly WorkflowRunHistory[], latest: string): string[] {
  const refs: string[] = [];
  const add = (ref: unknown) => {
    if (typeof ref === 'string' && ref && !refs.includes(ref)) refs.push(ref);
  };
  for (const run of runs.filter((r) => r.role === 'campaign')) {
    const succeeded = new Set(run.events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success).map((e) => idOf(e.workflowExecutionUpdateCompletedEventAttributes!.acceptedEventId)));
    for (const e of run.events) {
      const started = e.workflowExecutionStartedEventAttributes;
      if (started && !started.continuedExecutionRunId) add((decodePayloads(started.input)[0] as { planRef?: string } | undefined)?.planRef);
      const accepted = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (accepted?.input?.name === 'amend' && succeeded.has(idOf(e.eventId))) add((decodePayloads(accepted.input.args)[0] as { planRef?: string } | undefined)?.planRef);
    }
  }
  add(latest);
  return refs;
}

/** `work`, or a time-out error after `ms`; `heartbeat` is called every 10 s meanwhile. */
async function bounded<T>(work: Promise<T>, ms: number, heartbeat?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const beat = heartbeat ? setInterval(heartbeat, 10_000) : undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not read within ${Math.round(ms / 1000)} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
    if (beat) clearInterval(beat);
  }
}

/**
 * The record of a campaign that finished before records were kept, from its Temporal histories
 * (while retention has not removed them): the final summary's input and result, the complete audit
 * history. Saved, so that its archive works after retention too.
 */
export async function recordFromTemporal(deps: RecordDeps, workflowId: string): Promise<CampaignRecord> {
  const histories = await loadCampaignHistories(deps.temporal, workflowId);
  const campaignRuns = histories.runs.filter((r) => r.role === 'campaign');
  let input: { planRef?: string; scope?: string; at?: string; shardOutcomes?: Array<string | undefined>; shardWorkflowIds?: string[] } | undefined;
  let result: FinishedCampaign['summary'] | undefined;
  const scheduled = new Map<string, unknown>();
  for (const e of campaignRuns.flatMap((r) => r.events)) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'writeFinalSummary') scheduled.set(idOf(e.eventId), decodePayloads(s.input)[0]);
    const done = e.activityTaskCompletedEventAttributes;
    if (done && scheduled.has(idOf(done.scheduledEventId))) {
      input = scheduled.get(idOf(done.scheduledEventId)) as typeof input;
      result = decodePayloads(done.result)[0] as typeof result;
    }
  }
  if (!input?.planRef || !input.scope || !input.at || !result?.json) {
    const events = campaignRuns.flatMap((r) => r.events);
    const closed = events.some((e) => e.workflowExecutionCanceledEventAttributes || e.workflowExecutionTerminatedEventAttributes || e.workflowExecutionFailedEventAttributes);
    throw new CampaignNotFinishedError(workflowId, closed ? 'ended without a final summary (cancelled, terminated or failed)' : 'is still running');
  }
  const refs = input.shardOutcomes ?? [];
  let shardOutcomes: string[];
  if (refs.length && refs.every((r): r is string => !!r)) shardOutcomes = refs;
  else {
    // Shards that finished before they kept their final state: asked (a worker replays them to answer).
    const ids = input.shardWorkflowIds ?? histories.facts.shards;
    const parts = await Promise.all(ids.map((id) => deps.temporal.workflow.getHandle(id).query(obligationsQuery, { deliveries: 'failures' })));
    shardOutcomes = [await deps.blobs.put(JSON.stringify(parts.flat()))];
  }
  return recordFinishedCampaign(deps, { workflowId, scope: input.scope, planRef: input.planRef, at: input.at, summary: result, shardOutcomes }, { source: 'temporal', histories });
}
