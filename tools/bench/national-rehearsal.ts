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
 * The engine is test/support/engine-env.ts's (time-skipping server, real activities, one worker in
 * this process) with the SMTP server in a child process (sink-process.ts). The parts, each in its
 * own file and shared with test/scale/large-plan.test.ts (re-exported here for it): who submits
 * when (submission-schedule.ts), the messages due (message-counts.ts), playing the campaign
 * (play-campaign.ts), its histories (histories.ts), the final summary's check (summary-check.ts).
 *
 *   npx tsx tools/bench/national-rehearsal.ts [--departments 1000] [--ladder full|lean] [--concurrency 32]
 *       [--database-url postgres://…] [--out file.json]
 *
 * The delivery ledger, blobs and plans are on the embedded SQLite database (as on one machine in
 * production), or on the PostgreSQL database --database-url names.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { CampaignClient } from '../../client/campaign-client';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { startEngineEnv, type EngineEnv } from '../../test/support/engine-env';
import { compileGenerated } from './generate-plan';
import { campaignHistories, engineActions, minimumActions, obligationsQueryBytes, type HistoryReport } from './histories';
import { expectedMessages } from './message-counts';
import { playCampaign, type Rig } from './play-campaign';
import { startSinkProcess, type SinkProcess } from './sink-process';
import { submissionSchedule } from './submission-schedule';
import { checkSummary } from './summary-check';
import { argValue, numberArg, runAsMain } from './bench-main';

export { compileGenerated } from './generate-plan';
export { HISTORY_EVENT_LIMIT, PENDING_LIMIT, campaignHistories, type HistoryReport } from './histories';
export { expectedMessages, type MessageKind } from './message-counts';
export { playCampaign, type PlayResult, type Rig } from './play-campaign';
export { submissionSchedule, type Schedule } from './submission-schedule';
export { checkSummary } from './summary-check';

// --- the engine: test/support/engine-env.ts with the SMTP server in a child process ---------------

export interface BenchEngine extends EngineEnv<SinkProcess>, Rig {
  campaigns: CampaignClient;
}

export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed
  }
}

/**
 * The time-skipping test server, the SMTP sink in a child process, the real activities (the stores
 * on the embedded SQLite database, or on the PostgreSQL of `databaseUrl`; SMTP pool of
 * `smtpConnections`, default the production default) and one worker in this process.
 */
export async function startTimeSkippingEngine(opts: { databaseUrl?: string; testServerPath?: string; smtpConnections?: number } = {}): Promise<BenchEngine> {
  installQuietRuntime();
  const engine = await startEngineEnv({
    sink: startSinkProcess,
    databaseUrl: opts.databaseUrl,
    mailEnv: opts.smtpConnections ? { SMTP_POOL_MAX_CONNECTIONS: String(opts.smtpConnections) } : {},
    testServerPath: opts.testServerPath,
  });
  return Object.assign(engine, { campaigns: engine.client });
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
  opts: { departments?: number; ladder?: 'full' | 'lean'; databaseUrl?: string; concurrency?: number; log?: (line: string) => void } = {},
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
  const engine = await startTimeSkippingEngine({ databaseUrl: opts.databaseUrl });
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

runAsMain(import.meta.url, 'national rehearsal', () =>
  runNationalRehearsal({
    departments: numberArg('--departments') ?? 1000,
    ladder: (argValue('--ladder') as 'full' | 'lean' | undefined) ?? 'full',
    databaseUrl: argValue('--database-url'),
    concurrency: numberArg('--concurrency'),
  }),
);
