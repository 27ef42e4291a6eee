/**
 * `npm run bench`, part 1 — a national campaign rehearsed from launch to final summary on
 * Temporal's time-skipping test server: 1,000 departments × 12 deadline occurrences = 12,000
 * obligations, the full message ladder (reminders 3d/1d/2h; at due the department with its leaders
 * in copy; one working day late the coordinator; then every working day again), with 80 % of the
 * obligations submitted on time, 15 % late and 5 % never, each through CampaignClient.submit.
 *
 * Measures: wall time, peak RSS of this process (it runs the worker; the SMTP server runs in a
 * child process so that its parsing does not count), the largest workflow history (events and
 * bytes, every run of every workflow: a shard may continue as new), the peak of pending activities and
 * children per workflow (sampled with describe() during the run, and derived exactly from the
 * histories), and Temporal actions per obligation against the minimum (one timer and one activity
 * per message sent, one update per submission).
 *
 * Also the driver of test/timeskip/large-plan.test.ts: `submissionSchedule`, `expectedMessages`,
 * `playCampaign`, `campaignHistories`, `checkSummary` are shared with it.
 *
 *   npx tsx tools/bench/national-rehearsal.ts [--departments 1000] [--ladder full|lean] [--concurrency 32]
 *       [--fsync false] [--out file.json]
 *
 * --fsync false turns off the delivery ledger's fsync (on by default, as in production).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { CampaignClient } from '../../client/campaign-client';
import { campaignInstants } from '../../obligations/campaign-instants';
import { wallMsFor, type CampaignClock } from '../../obligations/clock';
import type { SubmissionInput } from '../../obligations/obligations';
import { toolPaths } from '../harness/tool-paths';
import { parseMailConfig } from '../../config/mail';
import { loadPlanText } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { OccurrenceSummary } from '../../reports/summary';
import { departmentLinkBuilder } from '../../mail/department-links';
import { BlobStore } from '../../store/blob-store';
import { PlanStore } from '../../store/plan-store';
import { obligationsQuery, type ObligationView } from '../../workflows/department-shard.messages';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { createCampaignWorker } from '../../worker/create-worker';
import { generatePlanYaml, statsValues, type GeneratePlanOptions } from './generate-plan';
import { closeMailDependencies, mailDependencies } from '../../worker/dependencies';

const HOUR = 3_600_000;
export const HISTORY_EVENT_LIMIT = 10_240;
export const PENDING_LIMIT = 500;

// --- plan -------------------------------------------------------------------------------------

export function compileGenerated(opts: GeneratePlanOptions): { plan: CompiledPlan; yaml: string } {
  const yaml = generatePlanYaml(opts);
  const r = loadPlanText(yaml, 'generated.yaml');
  if (!r.ok) throw new Error(`the generated plan does not compile:\n${r.errors.slice(0, 10).map((e) => `${e.line}:${e.col} ${e.message}`).join('\n')}`);
  return { plan: r.plan, yaml };
}

// --- who submits what, when --------------------------------------------------------------------

export type Outcome = 'submitted' | 'late' | 'pending';

export interface Schedule {
  /** Submission instants (campaign time), in order, each with the submissions made then. */
  points: Array<{ atMs: number; submissions: SubmissionInput[] }>;
  /** Final status of every obligation, by `occurrence|department`. */
  expected: Map<string, Outcome>;
  /** Campaign instant of each obligation's submission, by `occurrence|department` (absent: never). */
  submittedAt: Map<string, number>;
  totals: { obligations: number; onTime: number; late: number; excused: number; missing: number };
  submissions: number;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * For every occurrence, departments shuffled (seeded) and split: `onTime` of them submit on time
 * (half early, 30 hours before due — before the 1-day reminder — and half 4 hours before due, after
 * it), `late` of them 26 hours after due (after the at-due escalation and, on working days, the
 * coordinator's digest; at the latest an hour before the period ends), the rest never.
 */
export function submissionSchedule(plan: CompiledPlan, opts: { onTime?: number; late?: number; seed?: number } = {}): Schedule {
  const onTimeShare = opts.onTime ?? 0.8;
  const lateShare = opts.late ?? 0.15;
  const random = prng(opts.seed ?? 2024);
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const deptIndex = new Map(plan.departments.map((d, i) => [d.id, i]));
  const byTime = new Map<number, SubmissionInput[]>();
  const expected = new Map<string, Outcome>();
  const submittedAt = new Map<string, number>();
  const totals = { obligations: 0, onTime: 0, late: 0, excused: 0, missing: 0 };
  const add = (atMs: number, input: SubmissionInput) => {
    const list = byTime.get(atMs) ?? [];
    list.push(input);
    byTime.set(atMs, list);
  };
  for (const d of plan.deadlines) {
    if (d.kind === 'open') continue;
    d.occurrences.forEach((occ, k) => {
      const due = Date.parse(occ.due);
      const opens = Date.parse(occ.opens);
      const depts = [...d.departments];
      for (let i = depts.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [depts[i], depts[j]] = [depts[j]!, depts[i]!];
      }
      const nOnTime = Math.round(depts.length * onTimeShare);
      const nLate = Math.round(depts.length * lateShare);
      const late = Math.min(due + 26 * HOUR, periodEnd - HOUR);
      const afterReminder = due - 4 * HOUR;
      const early = Math.min(Math.max(opens + HOUR, due - 30 * HOUR), afterReminder);
      if (afterReminder <= opens || late <= due) throw new Error(`occurrence ${occ.key}: no room for the submission instants`);
      depts.forEach((dept, i) => {
        const key = `${occ.key}|${dept}`;
        totals.obligations++;
        const outcome: Outcome = i < nOnTime ? 'submitted' : i < nOnTime + nLate ? 'late' : 'pending';
        expected.set(key, outcome);
        if (outcome === 'pending') {
          totals.missing++;
          return;
        }
        if (outcome === 'late') totals.late++;
        else totals.onTime++;
        const at = outcome === 'late' ? late : i < nOnTime / 2 ? early : afterReminder;
        submittedAt.set(key, at);
        const input: SubmissionInput = { submissionId: `${dept}-${occ.key}`, department: dept, deadline: d.id, occurrence: occ.key, by: `${dept} 联络员` };
        if (d.submit.form) input.values = statsValues(deptIndex.get(dept) ?? 0, k);
        if (d.submit.report) input.report = `${dept}：${d.title}（${occ.key}）已按要求开展，详见附件。`;
        add(at, input);
      });
    });
  }
  const points = [...byTime].sort((a, b) => a[0] - b[0]).map(([atMs, submissions]) => ({ atMs, submissions }));
  return { points, expected, submittedAt, totals, submissions: totals.onTime + totals.late };
}

// --- messages ----------------------------------------------------------------------------------

export type MessageKind = 'launch' | 'reminder' | 'escalation' | 'receipt' | 'rollup' | 'coordinator-digest' | 'weekly-digest' | 'final-summary' | 'other';

/** Kind of a received message, from its X-Campaign-Key header (`<campaign>/<key>/<step>`). */
export function kindOfKey(header: string): MessageKind {
  const parts = header.split('/');
  const key = parts.slice(1, -1).join('/');
  const step = parts.at(-1) ?? '';
  if (key === 'coordinator-digest') return 'coordinator-digest';
  if (key === 'weekly-digest') return 'weekly-digest';
  if (step === 'rollup') return 'rollup';
  if (step === 'final-summary') return 'final-summary';
  if (step === 'launch') return 'launch';
  if (step.startsWith('receipt-')) return 'receipt';
  if (step.startsWith('reminder-')) return 'reminder';
  if (step.startsWith('escalation-')) return 'escalation';
  return 'other';
}

/**
 * Every message the campaign must send, by kind, derived from the compiled plan and the schedule
 * alone (not from the engine): a launch notice per department; each reminder and department-facing
 * escalation rung of an obligation falling before its submission; a receipt per submission; each
 * campaign instant (roll-ups, the coordinator's digests when someone is late, weekly digests); the
 * final summary.
 */
export function expectedMessages(plan: CompiledPlan, schedule: Schedule): { total: number; byKind: Record<MessageKind, number> } {
  const byKind: Record<MessageKind, number> = { launch: 0, reminder: 0, escalation: 0, receipt: 0, rollup: 0, 'coordinator-digest': 0, 'weekly-digest': 0, 'final-summary': 0, other: 0 };
  byKind.launch = plan.departments.length;
  const occDue = new Map<string, number>();
  for (const d of plan.deadlines) {
    if (d.kind === 'open') continue;
    for (const occ of d.occurrences) {
      occDue.set(occ.key, Date.parse(occ.due));
      for (const dept of d.departments) {
        const s = schedule.submittedAt.get(`${occ.key}|${dept}`) ?? Infinity;
        byKind.reminder += occ.reminders.filter((r) => Date.parse(r.at) < s).length;
        byKind.escalation += occ.escalations.filter((e) => e.to[0] !== 'coordinator' && Date.parse(e.at) < s).length;
      }
    }
  }
  byKind.receipt = schedule.submissions;
  for (const i of campaignInstants(plan)) {
    if (i.kind === 'coordinator-digest') {
      const someoneLate = [...schedule.expected.keys()].some((key) => {
        const [occ] = key.split('|');
        return i.occurrences.includes(occ!) && occDue.get(occ!)! < i.atMs && (schedule.submittedAt.get(key) ?? Infinity) > i.atMs;
      });
      if (someoneLate) byKind['coordinator-digest']++;
    } else byKind[i.kind]++;
  }
  byKind['final-summary'] = 1;
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}

// --- playing a campaign on the time-skipping server ---------------------------------------------

export interface Rig {
  env: TestWorkflowEnvironment;
  campaigns: CampaignClient;
}

export interface PendingPeak {
  activities: number;
  children: number;
  /** Workflow ids where each peak was seen. */
  activitiesAt: string;
  childrenAt: string;
  samples: number;
}

export interface PlayResult {
  workflowId: string;
  clock: CampaignClock;
  result: CampaignResult;
  shardIds: string[];
  wallMs: number;
  /** Wall time spent submitting (time stands still meanwhile). */
  submitMs: number;
  /** Wall time the server took to skip from one submission point to the next (timers firing, messages going out). */
  skipMs: number;
  submissions: number;
  /** describe() sampled during the run: the largest pendingActivities / pendingChildren of one workflow. */
  sampledPending: PendingPeak;
  /** performance.now() when the last submission was in and when the result came. */
  lastSubmissionAt: number;
  resultAt: number;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Starts the campaign an hour before its period, makes each submission point's submissions (time
 * stands still while they go in, `concurrency` at a time), lets the server skip to the next one,
 * and finally waits for the result. describe() of every workflow is sampled meanwhile.
 */
export async function playCampaign(
  rig: Rig,
  plan: CompiledPlan,
  schedule: Schedule,
  opts: { workflowId: string; concurrency?: number; describeEveryMs?: number; log?: (line: string) => void; afterPoint?: (n: number) => void | Promise<void> },
): Promise<PlayResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  const startAt = new Date(Date.parse(plan.campaign.periodStart) - HOUR).toISOString();
  const started = await rig.campaigns.start(plan, { workflowId: opts.workflowId, clock: { mode: 'rehearsal', scale: 1, startAt } });
  const info = await rig.campaigns.info(opts.workflowId);
  const clock = info.clock;
  const ids = [opts.workflowId, ...info.shards.map((s) => s.workflowId)];
  const client = rig.env.client;

  const peak: PendingPeak = { activities: 0, children: 0, activitiesAt: '', childrenAt: '', samples: 0 };
  let running = true;
  const sampler = (async () => {
    while (running) {
      await Promise.all(
        ids.map(async (id) => {
          try {
            const raw = (await client.workflow.getHandle(id).describe()).raw;
            const a = raw.pendingActivities?.length ?? 0;
            const c = raw.pendingChildren?.length ?? 0;
            if (a > peak.activities) Object.assign(peak, { activities: a, activitiesAt: id });
            if (c > peak.children) Object.assign(peak, { children: c, childrenAt: id });
          } catch {
            // between runs of a shard continuing as new
          }
        }),
      );
      peak.samples++;
      await new Promise((r) => setTimeout(r, opts.describeEveryMs ?? 1000));
    }
  })();

  let submitMs = 0;
  let skipMs = 0;
  let submitted = 0;
  const errors: string[] = [];
  try {
    for (const [n, point] of schedule.points.entries()) {
      const target = wallMsFor(clock, point.atMs);
      const now = Number(await rig.env.currentTimeMs());
      const z0 = performance.now();
      if (target > now) await rig.env.sleep(target - now);
      const slept = performance.now() - z0;
      skipMs += slept;
      const s0 = performance.now();
      await pool(point.submissions, opts.concurrency ?? 32, async (input) => {
        try {
          await rig.campaigns.submit(opts.workflowId, input);
          submitted++;
        } catch (err) {
          errors.push(`${input.submissionId}: ${(err as Error).message}`);
        }
      });
      submitMs += performance.now() - s0;
      log(`point ${n + 1}/${schedule.points.length} ${new Date(point.atMs).toISOString()}: skipped there in ${(slept / 1000).toFixed(1)} s, ${point.submissions.length} submissions in ${((performance.now() - s0) / 1000).toFixed(1)} s (total ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      if (errors.length) throw new Error(`${errors.length} submission(s) refused, e.g. ${errors.slice(0, 3).join('; ')}`);
      await opts.afterPoint?.(n);
    }
    const lastSubmissionAt = performance.now();
    const result = await started.handle.result();
    const resultAt = performance.now();
    log(`after the last submission: result in ${((resultAt - lastSubmissionAt) / 1000).toFixed(1)} s`);
    return { workflowId: opts.workflowId, clock, result, shardIds: ids.slice(1), wallMs: resultAt - t0, submitMs, skipMs, submissions: submitted, sampledPending: peak, lastSubmissionAt, resultAt };
  } finally {
    running = false;
    await sampler;
  }
}

// --- histories ----------------------------------------------------------------------------------

export interface RunStats {
  workflowId: string;
  runId: string;
  events: number;
  /** Encoded size of the whole history. */
  bytes: number;
  /** Largest single event (encoded), e.g. a continue-as-new input. */
  largestEventBytes: number;
  largestEventType: string;
  /** Exact peaks from the history: activities scheduled and not yet closed, children initiated and not yet closed. */
  maxPendingActivities: number;
  maxPendingChildren: number;
  actions: { timers: number; activities: number; updates: number; children: number; signals: number; continueAsNew: number };
}

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** Encoded (protobuf) size of a history or event: the generated message classes carry their encoder. */
function encodedSize(message: object): number {
  const type = message.constructor as unknown as { encode?: (m: object) => { finish(): Uint8Array } };
  return type.encode ? type.encode(message).finish().length : Buffer.byteLength(JSON.stringify(message));
}

/** `activityTaskScheduledEventAttributes` -> `ActivityTaskScheduled`. */
function eventTypeName(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  return key ? key.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase()) : String(e.eventType);
}

function runStats(workflowId: string, runId: string, history: History): RunStats {
  const events = history.events ?? [];
  let activities = 0;
  let children = 0;
  const s: RunStats = {
    workflowId,
    runId,
    events: events.length,
    bytes: encodedSize(history),
    largestEventBytes: 0,
    largestEventType: '',
    maxPendingActivities: 0,
    maxPendingChildren: 0,
    actions: { timers: 0, activities: 0, updates: 0, children: 0, signals: 0, continueAsNew: 0 },
  };
  for (const e of events) {
    const size = encodedSize(e);
    if (size > s.largestEventBytes) {
      s.largestEventBytes = size;
      s.largestEventType = eventTypeName(e);
    }
    if (e.timerStartedEventAttributes) s.actions.timers++;
    if (e.activityTaskScheduledEventAttributes) {
      s.actions.activities++;
      activities++;
    }
    if (e.activityTaskCompletedEventAttributes || e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes || e.activityTaskCanceledEventAttributes) activities--;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) s.actions.updates++;
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      s.actions.children++;
      children++;
    }
    if (
      e.startChildWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes ||
      e.childWorkflowExecutionTerminatedEventAttributes ||
      e.childWorkflowExecutionTimedOutEventAttributes
    ) {
      children--;
    }
    if (e.workflowExecutionSignaledEventAttributes || e.signalExternalWorkflowExecutionInitiatedEventAttributes) s.actions.signals++;
    if (e.workflowExecutionContinuedAsNewEventAttributes) s.actions.continueAsNew++;
    s.maxPendingActivities = Math.max(s.maxPendingActivities, activities);
    s.maxPendingChildren = Math.max(s.maxPendingChildren, children);
  }
  return s;
}

/** Every run of a workflow, newest first: follows the continue-as-new chain back to the first run. */
export async function workflowRuns(client: Client, workflowId: string): Promise<RunStats[]> {
  const out: RunStats[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    out.push(runStats(workflowId, runId, history));
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return out;
}

export interface HistoryReport {
  runs: RunStats[];
  largest: RunStats;
  largestBytes: RunStats;
  largestEvent: RunStats;
  peakActivities: RunStats;
  peakChildren: RunStats;
  totals: RunStats['actions'] & { events: number; runs: number };
}

export async function campaignHistories(client: Client, workflowId: string, shardIds: readonly string[]): Promise<HistoryReport> {
  const runs: RunStats[] = [];
  for (const id of [workflowId, ...shardIds]) runs.push(...(await workflowRuns(client, id)));
  const max = (f: (r: RunStats) => number) => runs.reduce((a, b) => (f(b) > f(a) ? b : a));
  const totals = { timers: 0, activities: 0, updates: 0, children: 0, signals: 0, continueAsNew: 0, events: 0, runs: runs.length };
  for (const r of runs) {
    for (const k of Object.keys(r.actions) as Array<keyof RunStats['actions']>) totals[k] += r.actions[k];
    totals.events += r.events;
  }
  return {
    runs,
    largest: max((r) => r.events),
    largestBytes: max((r) => r.bytes),
    largestEvent: max((r) => r.largestEventBytes),
    peakActivities: max((r) => r.maxPendingActivities),
    peakChildren: max((r) => r.maxPendingChildren),
    totals,
  };
}

/**
 * Compares every obligation's final state, as written in the final summary (JSON blob), with the
 * schedule: status, lateness, the campaign instant it was received (at its submission point, give
 * or take the wall time the point took) and the 总计 of the statistics table. Reading the summary
 * instead of querying the shards avoids replaying every closed shard once more.
 */
export async function checkSummary(blobs: BlobStore, ref: string, plan: CompiledPlan, schedule: Schedule): Promise<{ mismatches: string[]; checked: number; tables: number }> {
  const summary = JSON.parse((await blobs.get(ref)).toString('utf8')) as { tables: OccurrenceSummary[] };
  const mismatches: string[] = [];
  const note = (m: string) => mismatches.length < 20 && mismatches.push(m);
  const deptIndex = new Map(plan.departments.map((d, i) => [d.id, i]));
  const weekly = new Map(plan.deadlines.flatMap((d) => d.occurrences.map((o, k) => [o.key, k] as const)));
  let checked = 0;
  const seen = new Set<string>();
  for (const t of summary.tables) {
    const sums: Record<string, number> = {};
    for (const row of t.rows) {
      const key = `${t.occurrence}|${row.department}`;
      seen.add(key);
      checked++;
      const want = schedule.expected.get(key);
      const at = schedule.submittedAt.get(key);
      if (row.status !== want || row.late !== (want === 'late')) note(`${key}: ${row.status}${row.late ? ' (late)' : ''}, expected ${want}`);
      if (at !== undefined) {
        const got = Date.parse(row.submittedAt ?? '');
        if (!(got >= at && got < at + HOUR)) note(`${key}: received at ${row.submittedAt}, submitted at ${new Date(at).toISOString()}`);
        if (t.form) {
          const v = statsValues(deptIndex.get(row.department) ?? 0, weekly.get(t.occurrence) ?? 0);
          for (const [c, x] of Object.entries(v)) if (typeof x === 'number') sums[c] = (sums[c] ?? 0) + x;
        }
      } else if (row.submittedAt) note(`${key}: received at ${row.submittedAt}, never submitted`);
    }
    if (t.form) {
      for (const [c, x] of Object.entries(sums)) {
        if (Math.abs(Number(t.totals?.[c]) - x) > 1e-6) note(`${t.occurrence}: 总计 ${c} = ${t.totals?.[c]}, expected ${x}`);
      }
    }
    const missing = t.rows.filter((r) => schedule.expected.get(`${t.occurrence}|${r.department}`) === 'pending').map((r) => r.department);
    if (t.missing.join() !== missing.join()) note(`${t.occurrence}: missing ${t.missing.length} departments, expected ${missing.length}`);
  }
  for (const key of schedule.expected.keys()) if (!seen.has(key)) note(`${key}: not in the final summary`);
  return { mismatches, checked, tables: summary.tables.length };
}

/** Size of one shard's answer to the obligations query: as the engine's activities ask (failed deliveries only) and in full (`campaign status`). */
export async function obligationsQueryBytes(client: Client, shardWorkflowId: string): Promise<{ engine: number; full: number }> {
  const handle = client.workflow.getHandle(shardWorkflowId);
  const engine: ObligationView[] = await handle.query(obligationsQuery, { deliveries: 'failures' });
  const full: ObligationView[] = await handle.query(obligationsQuery, {});
  return { engine: Buffer.byteLength(JSON.stringify(engine)), full: Buffer.byteLength(JSON.stringify(full)) };
}

/** Minimum Temporal actions: one timer and one activity per message sent, one update per submission. */
export function minimumActions(messages: number, submissions: number): number {
  return 2 * messages + submissions;
}

export function engineActions(h: HistoryReport): number {
  return h.totals.timers + h.totals.activities + h.totals.updates + h.totals.children + h.totals.signals;
}

// --- an SMTP sink in a child process ------------------------------------------------------------

export interface SinkProcess {
  env(extra?: Record<string, string>): Record<string, string>;
  /** Messages accepted so far, by kind, and how many distinct Message-IDs among them. */
  counts(): Promise<{ total: number; byKind: Record<string, number>; distinctMessageIds: number }>;
  /** Receive time (epoch ms) of every message accepted so far, by X-Campaign-Key. */
  receiveTimes(): Promise<Array<{ key: string; at: number }>>;
  /** Forget everything received so far. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const SINK_FLAG = '--smtp-sink-child';

/**
 * test/support/smtp-sink.ts (smtp-server + postal-mime on 127.0.0.1) in a child process, so that
 * parsing tens of thousands of messages neither competes with the worker's event loop nor counts in
 * its memory. Keeps per message only its kind and receive time.
 */
export async function startSinkProcess(): Promise<SinkProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [SINK_FLAG], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  child.on('message', (m: { id?: number; value?: unknown }) => {
    if (m.id !== undefined) {
      waiting.get(m.id)?.(m.value);
      waiting.delete(m.id);
    }
  });
  const call = <T>(op: string): Promise<T> =>
    new Promise((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve as (v: unknown) => void);
      child.send({ id, op });
    });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('message', (m: { ready?: Record<string, string> }) => (m.ready ? resolve(m.ready) : reject(new Error('sink child: unexpected first message'))));
    child.once('exit', (code) => reject(new Error(`sink child exited with ${code}`)));
  });
  return {
    env: (extra = {}) => ({ ...env, ...extra }),
    counts: () => call('counts'),
    receiveTimes: () => call('times'),
    reset: () => call('reset'),
    async stop() {
      await call('stop').catch(() => undefined);
      child.disconnect();
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    },
  };
}

async function sinkChildMain(): Promise<void> {
  const { startSmtpSink } = await import('../../test/support/smtp-sink');
  const byKind: Record<string, number> = {};
  let total = 0;
  let times: Array<{ key: string; at: number }> = [];
  const ids = new Set<string>();
  const sink = await startSmtpSink({
    onReceived: (msg) => {
      const key = msg.headers['x-campaign-key'] ?? '';
      const kind = kindOfKey(key);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      total++;
      times.push({ key, at: msg.receivedAt.getTime() });
      if (msg.messageId) ids.add(msg.messageId);
    },
  });
  // Keep nothing but the tallies: drop the parsed messages as they come.
  const trim = setInterval(() => sink.reset(), 1000);
  process.on('message', (m: { id: number; op: string }) => {
    const reply = (value: unknown) => process.send!({ id: m.id, value });
    switch (m.op) {
      case 'counts':
        return reply({ total, byKind: { ...byKind }, distinctMessageIds: ids.size });
      case 'times':
        return reply(times);
      case 'reset':
        total = 0;
        times = [];
        ids.clear();
        for (const k of Object.keys(byKind)) delete byKind[k];
        return reply(true);
      case 'stop':
        clearInterval(trim);
        void sink.stop().then(() => {
          reply(true);
          process.disconnect?.();
        });
        return;
    }
  });
  process.on('disconnect', () => {
    clearInterval(trim);
    void sink.stop().finally(() => process.exit(0));
  });
  process.send!({ ready: sink.env() });
}

// --- a whole engine on the time-skipping server (what test/support/engine-env.ts does, outside vitest) ---

export interface BenchEngine extends Rig {
  sink: SinkProcess;
  worker: Worker;
  deps: ActivityDeps;
  teardown(): Promise<void>;
}

export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed
  }
}

/**
 * The time-skipping test server, the SMTP sink in a child process, the real activities (ledger with
 * `fsync` as given, default true as in production; SMTP pool of `smtpConnections`, default the
 * production default) and one worker in this process.
 */
export async function startTimeSkippingEngine(opts: { fsync?: boolean; testServerPath?: string; smtpConnections?: number } = {}): Promise<BenchEngine> {
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: opts.testServerPath ?? toolPaths().testServer } } });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: { CampaignId: 2, CampaignTitle: 1, CampaignState: 2 },
    });
  } catch {
    // already registered
  }
  const sink = await startSinkProcess();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-bench-'));
  const mail = parseMailConfig(
    sink.env({ MAIL_LEDGER_DIR: path.join(dataDir, 'ledger'), ...(opts.smtpConnections ? { SMTP_POOL_MAX_CONNECTIONS: String(opts.smtpConnections) } : {}) }),
  );
  const blobs = new BlobStore(path.join(dataDir, 'blobs'));
  const plans = new PlanStore(blobs);
  const link = departmentLinkBuilder('http://portal.bench', 'bench-secret-bench-secret-bench-secret!');
  const deps: ActivityDeps = {
    ...mailDependencies(mail, { ledgerFsync: opts.fsync ?? true }),
    blobs,
    plans,
    links: (c, d) => link(c, d),
    coordinatorLink: (c) => `http://portal.tools/bench/c/${c}`,
    temporal: env.client,
    now: () => new Date(),
  };
  const taskQueue = `bench-${Date.now().toString(36)}`;
  const worker = await createCampaignWorker({ connection: env.nativeConnection, taskQueue, deps });
  const running = worker.run();
  return {
    env,
    sink,
    worker,
    deps,
    campaigns: new CampaignClient(env.client, plans, taskQueue),
    async teardown() {
      worker.shutdown();
      await running.catch(() => undefined);
      closeMailDependencies(deps);
      await sink.stop();
      await env.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// --- the benchmark ----------------------------------------------------------------------------

export interface RehearsalResult {
  departments: number;
  obligations: number;
  ladder: string;
  submissions: number;
  shares: { onTime: number; late: number; never: number };
  wallMs: number;
  submitMs: number;
  peakRssBytes: number;
  /** Peak RSS while the campaign ran up to its last submission, and from then to the result (final summary). */
  peakRssRunningBytes: number;
  peakRssSummaryBytes: number;
  /** process.memoryUsage() at the RSS peak (heap figures are the main thread's; workflows run in a worker thread). */
  peakMemory: NodeJS.MemoryUsage;
  /** Wall time from the last submission to the result (the final summary). */
  finalMs: number;
  concurrency: number;
  messages: { sent: number; expected: number; byKind: Record<string, number> };
  largestHistory: { workflowId: string; events: number; bytes: number };
  largestHistoryBytes: { workflowId: string; events: number; bytes: number };
  largestEvent: { workflowId: string; bytes: number; type: string };
  pending: { activities: number; children: number; activitiesAt: string; childrenAt: string; sampledActivities: number; sampledChildren: number };
  actions: { engine: number; minimum: number; perObligation: number; minimumPerObligation: number; ratio: number; breakdown: HistoryReport['totals'] };
  /** One shard's obligations query as the activities make it (failed deliveries only). */
  largestShardQueryBytes: number;
  /** The same with every delivery (what `campaign status` asks for). */
  fullShardQueryBytes: number;
  campaignInputBytes: number;
  totals: CampaignResult['totals'];
  obligationMismatches: string[];
}

export async function runNationalRehearsal(
  opts: { departments?: number; ladder?: 'full' | 'lean'; fsync?: boolean; concurrency?: number; log?: (line: string) => void } = {},
): Promise<RehearsalResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const departments = opts.departments ?? 1000;
  const id = `national-${Date.now().toString(36)}`;
  const { plan } = compileGenerated({ departments, ladder: opts.ladder ?? 'full', id });
  const schedule = submissionSchedule(plan);
  const expected = expectedMessages(plan, schedule);
  const rssSamples: Array<[number, number]> = [];
  let peakMemory = process.memoryUsage();
  const rss = setInterval(() => {
    const m = process.memoryUsage();
    rssSamples.push([performance.now(), m.rss]);
    if (m.rss > peakMemory.rss) peakMemory = m;
  }, 200);
  const peakRss = (from = 0, to = Infinity) => rssSamples.reduce((m, [t, r]) => (t >= from && t <= to ? Math.max(m, r) : m), 0);
  const concurrency = opts.concurrency ?? 32;
  const t0 = performance.now();
  const engine = await startTimeSkippingEngine({ fsync: opts.fsync });
  try {
    log(`rehearsal: ${departments} departments, ${schedule.totals.obligations} obligations, ${schedule.submissions} submissions at ${schedule.points.length} instants, ${expected.total} messages expected`);
    const played = await playCampaign({ env: engine.env, campaigns: engine.campaigns }, plan, schedule, { workflowId: `campaign/${id}`, concurrency, log });
    const wallMs = performance.now() - t0;
    let m0 = performance.now();
    const histories = await campaignHistories(engine.env.client, played.workflowId, played.shardIds);
    log(`histories fetched in ${((performance.now() - m0) / 1000).toFixed(1)} s`);
    m0 = performance.now();
    const check = await checkSummary(engine.deps.blobs, played.result.summary.json, plan, schedule);
    log(`final summary checked in ${((performance.now() - m0) / 1000).toFixed(1)} s`);
    m0 = performance.now();
    const queryBytes = await obligationsQueryBytes(engine.env.client, played.shardIds[0]!);
    log(`one closed shard queried in ${((performance.now() - m0) / 1000).toFixed(1)} s`);
    const sink = await engine.sink.counts();
    const campaignRun = histories.runs.find((r) => r.workflowId === played.workflowId)!;
    const engineActionCount = engineActions(histories);
    const minimum = minimumActions(sink.total, played.submissions);
    return {
      departments,
      obligations: schedule.totals.obligations,
      ladder: opts.ladder ?? 'full',
      submissions: played.submissions,
      shares: { onTime: 0.8, late: 0.15, never: 0.05 },
      wallMs,
      submitMs: played.submitMs,
      peakRssBytes: peakRss(),
      peakRssRunningBytes: peakRss(0, played.lastSubmissionAt),
      peakRssSummaryBytes: peakRss(played.lastSubmissionAt, played.resultAt),
      peakMemory,
      finalMs: played.resultAt - played.lastSubmissionAt,
      concurrency,
      messages: { sent: sink.total, expected: expected.total, byKind: sink.byKind },
      largestHistory: { workflowId: histories.largest.workflowId, events: histories.largest.events, bytes: histories.largest.bytes },
      largestHistoryBytes: { workflowId: histories.largestBytes.workflowId, events: histories.largestBytes.events, bytes: histories.largestBytes.bytes },
      largestEvent: { workflowId: histories.largestEvent.workflowId, bytes: histories.largestEvent.largestEventBytes, type: histories.largestEvent.largestEventType },
      pending: {
        activities: histories.peakActivities.maxPendingActivities,
        children: histories.peakChildren.maxPendingChildren,
        activitiesAt: histories.peakActivities.workflowId,
        childrenAt: histories.peakChildren.workflowId,
        sampledActivities: played.sampledPending.activities,
        sampledChildren: played.sampledPending.children,
      },
      actions: {
        engine: engineActionCount,
        minimum,
        perObligation: engineActionCount / schedule.totals.obligations,
        minimumPerObligation: minimum / schedule.totals.obligations,
        ratio: engineActionCount / minimum,
        breakdown: histories.totals,
      },
      largestShardQueryBytes: queryBytes.engine,
      fullShardQueryBytes: queryBytes.full,
      campaignInputBytes: campaignRun.largestEventBytes,
      totals: played.result.totals,
      obligationMismatches: check.mismatches,
    };
  } finally {
    clearInterval(rss);
    await engine.teardown();
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain && process.argv.includes(SINK_FLAG)) {
  void sinkChildMain();
} else if (isMain) {
  void (async () => {
    const result = await runNationalRehearsal({
      departments: Number(argValue('--departments') ?? 1000),
      ladder: (argValue('--ladder') as 'full' | 'lean' | undefined) ?? 'full',
      fsync: argValue('--fsync') !== 'false',
      concurrency: argValue('--concurrency') ? Number(argValue('--concurrency')) : undefined,
    });
    const out = argValue('--out');
    const text = JSON.stringify(result, null, 2);
    if (out) writeFileSync(out, text);
    else process.stdout.write(`${text}\n`);
    process.exit(0);
  })().catch((err: unknown) => {
    process.stderr.write(`national rehearsal failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
