/**
 * `npm run bench`, part 1 — a national campaign rehearsed from launch to final summary on
 * Temporal's time-skipping test server: 1,000 departments × 12 deadline occurrences = 12,000
 * obligations, the full message ladder (reminders 3d/1d/2h; at due the department with its leaders
 * in copy; one working day late the coordinator; then every working day again), with 80 % of the
 * obligations submitted on time, 15 % late and 5 % never, each through CampaignClient.submit.
 *
 * Measures: wall time from launch to the final summary; the worker's memory — it runs in a process
 * of its own as `campaign worker` does (worker-process.ts): its peak RSS and where that memory goes
 * (memory.ts: the V8 heaps of its main and workflow threads, native memory, mapped files), and heap
 * snapshots of it on request; the SMTP server runs in a third process so that its parsing counts
 * nowhere. Also the largest workflow history (events and
 * bytes, every run of every workflow: a shard may continue as new), the peak of pending activities and
 * children per workflow (sampled with describe() during the run, and derived exactly from the
 * histories), and Temporal actions per obligation against the minimum (one timer and one activity
 * per message sent, one update per submission).
 *
 * The engine: Temporal's time-skipping test server, the real activities in the worker process, the
 * SMTP server in a child process (sink-process.ts); startTimeSkippingEngine, the same with the
 * worker in this process (test/support/engine-env.ts), serves test/scale/large-plan.test.ts. The parts, each in its
 * own file and shared with test/scale/large-plan.test.ts (re-exported here for it): who submits
 * when (submission-schedule.ts), the messages due (message-counts.ts), playing the campaign
 * (play-campaign.ts), its histories (histories.ts), the final summary's check (summary-check.ts).
 *
 *   npx tsx tools/bench/national-rehearsal.ts [--departments 1000] [--ladder full|lean] [--concurrency 32]
 *       [--database-url postgres://…] [--durability text] [--snapshots dir [--snapshot-after-point n]]
 *       [--worker-node-options "--flag …"] [--worker-env "NAME=value …"] [--worker-exec program] [--out file.json]
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
import { describeBreakdown, watchMemory, type MemoryBreakdown, type MemoryWatch } from './memory';
import { startSeparateWorkerEngine } from './worker-process';
import { childPids, CpuWindow } from './rush-processes';
import { MAX_CACHED_WORKFLOWS } from '../../worker/create-worker';
import { parseMailConfig } from '../../config/mail';

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
  /** Launch → final summary. */
  wallMs: number;
  /** Starting the test server, the SMTP server and the worker (bundling the workflows), before the launch. */
  engineStartMs?: number;
  submitMs: number;
  /** Waiting for the server to skip from one submission point to the next (timers firing, messages going out). */
  skipMs?: number;
  /** Launch → final summary: CPU seconds of each process (worker, test server, SMTP server, this one) and how busy the machine was. */
  cpu?: ReturnType<CpuWindow['read']>;
  /** The worker process's peak RSS (the kernel's VmHWM: it runs in a process of its own, as `campaign worker` does). */
  peakRssBytes: number;
  /** The worker's peak RSS while the campaign ran up to its last submission, and from then to the result (final summary). */
  peakRssRunningBytes: number;
  peakRssSummaryBytes: number;
  /** Where the worker's memory was at its largest full sample (memory.ts), the largest each part reached, the latest sample. */
  memoryAtPeak?: MemoryBreakdown;
  memoryLargest?: ReturnType<MemoryWatch['largest']>;
  memoryAtEnd?: MemoryBreakdown;
  /** The benchmark's own process (client, load, bookkeeping: not the worker). */
  benchPeakRssBytes: number;
  /** Settings the worker ran with that bear on its memory. */
  workerSettings: { maxCachedWorkflows: number; prepareAheadMb: number; nodeOptions: string[]; env: Record<string, string> };
  /** Heap snapshots written (--snapshots dir). */
  snapshots?: string[];
  /** Where the stores were, and how a commit is kept. */
  database: { dialect: 'sqlite' | 'postgres'; durability: string };
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
  opts: {
    departments?: number;
    ladder?: 'full' | 'lean';
    databaseUrl?: string;
    concurrency?: number;
    /** Write heap snapshots of every thread of the worker into this folder after this submission point (1-based; default the last). */
    snapshots?: { dir: string; afterPoint?: number };
    /** How the PostgreSQL server keeps a commit (stated in the result). */
    durability?: string;
    /** Extra node options / environment for the worker process (e.g. --max-semi-space-size, MALLOC_ARENA_MAX), for experiments. */
    worker?: { nodeOptions?: string[]; env?: Record<string, string>; execPath?: string };
    log?: (line: string) => void;
  } = {},
): Promise<RehearsalResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const departments = opts.departments ?? 1000;
  const id = `national-${Date.now().toString(36)}`;
  const { plan } = compileGenerated({ departments, ladder: opts.ladder ?? 'full', id });
  const schedule = submissionSchedule(plan);
  const expected = expectedMessages(plan, schedule);
  const memory = watchMemory({ fullEveryMs: 30_000 });
  const snapshots: string[] = [];
  const concurrency = opts.concurrency ?? 32;
  const e0 = performance.now();
  const engine = await startSeparateWorkerEngine({ databaseUrl: opts.databaseUrl, worker: opts.worker });
  const engineStartMs = performance.now() - e0;
  const t0 = performance.now();
  const cpuWindow = new CpuWindow({ worker: engine.worker.pid, testServer: childPids(/temporal-test-server|io\.temporal\.testserver/)[0], smtp: engine.sink.pid, benchmark: process.pid });
  try {
    log(`rehearsal: ${departments} departments, ${schedule.totals.obligations} obligations, ${schedule.submissions} submissions at ${schedule.points.length} instants, ${expected.total} messages expected; worker pid ${engine.worker.pid}, stores on ${engine.stores.db.dialect}`);
    const snapshotAfter = opts.snapshots ? (opts.snapshots.afterPoint ?? schedule.points.length) - 1 : -1;
    let workerMarkLast = 0;
    const played = await playCampaign({ env: engine.env, campaigns: engine.campaigns }, plan, schedule, {
      workflowId: `campaign/${id}`,
      concurrency,
      log,
      afterPoint: async (n) => {
        const last = (await engine.worker.memory()).last;
        if (last) log(`  worker memory: ${describeBreakdown(last)}`);
        if (n === schedule.points.length - 1) workerMarkLast = await engine.worker.mark();
        if (n !== snapshotAfter || !opts.snapshots) return;
        snapshots.push(...(await engine.worker.snapshots(opts.snapshots.dir)));
        log(`heap snapshots: ${snapshots.join(', ')}`);
      },
    });
    const cpu = cpuWindow.read();
    const workerMarkResult = await engine.worker.mark();
    const workerMemory = await engine.worker.memory();
    const wallMs = performance.now() - t0;
    let m0 = performance.now();
    const histories = await campaignHistories(engine.env.client, played.workflowId, played.shardIds);
    log(`histories fetched in ${((performance.now() - m0) / 1000).toFixed(1)} s`);
    m0 = performance.now();
    const check = await checkSummary(engine.stores.blobs, played.result.summary.json, plan, schedule);
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
      engineStartMs,
      submitMs: played.submitMs,
      skipMs: played.skipMs,
      cpu,
      peakRssBytes: workerMemory.peakRss,
      peakRssRunningBytes: await engine.worker.peakBetween(0, workerMarkLast),
      peakRssSummaryBytes: await engine.worker.peakBetween(workerMarkLast, workerMarkResult),
      memoryAtPeak: workerMemory.atPeak,
      memoryLargest: workerMemory.largest,
      memoryAtEnd: workerMemory.last,
      benchPeakRssBytes: memory.peakRss(),
      workerSettings: { maxCachedWorkflows: MAX_CACHED_WORKFLOWS, prepareAheadMb: parseMailConfig(engine.mailEnv).prepareAheadBytes / 1048576, nodeOptions: opts.worker?.nodeOptions ?? [], env: opts.worker?.env ?? {} },
      snapshots,
      database: { dialect: engine.stores.db.dialect, durability: engine.stores.db.dialect === 'sqlite' ? 'WAL, synchronous=FULL (every commit flushed to disk)' : (opts.durability ?? 'as the server is configured') },
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
    await memory.stop();
    await engine.teardown();
  }
}

runAsMain(import.meta.url, 'national rehearsal', () =>
  runNationalRehearsal({
    departments: numberArg('--departments') ?? 1000,
    ladder: (argValue('--ladder') as 'full' | 'lean' | undefined) ?? 'full',
    databaseUrl: argValue('--database-url'),
    concurrency: numberArg('--concurrency'),
    snapshots: argValue('--snapshots') ? { dir: argValue('--snapshots')!, afterPoint: numberArg('--snapshot-after-point') } : undefined,
    durability: argValue('--durability'),
    worker: {
      nodeOptions: argValue('--worker-node-options')?.split(' ').filter(Boolean),
      env: Object.fromEntries((argValue('--worker-env') ?? '').split(' ').filter(Boolean).map((kv) => kv.split('=') as [string, string])),
      execPath: argValue('--worker-exec'),
    },
  }),
);
