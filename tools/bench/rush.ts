/**
 * `npm run bench`, part 4 — the 17:59 rush through the portal on the real dev server.
 *
 * 1,000 departments of one campaign (tools/bench/generate-plan.ts, one weekly table due Thursday
 * 18:00, 20 shards) submit the table through the portal's HTTP interface in the last 60 seconds
 * before 18:00: each opened its page beforehand; 600 press "submit" one after another over the
 * first 50 seconds and the other 400 all at once ten seconds before 18:00 (several hundred
 * connections at once). A second round does the same with 20 of the 400 uploading the filled XLSX
 * template instead. Everything runs as in production, each part its own process: `temporal server
 * start-dev`, `campaign worker`, `campaign portal` (its default deadlines and waiting line), an SMTP
 * server (the receipts); the load generator (tools/bench/rush-load.ts) in this process, bounded.
 *
 * Goal: no errors, every submission recorded exactly once, every department sees its receipt; the
 * time each press took (p50/p95/p99). Checked after each round: the shards' records (one version per
 * department, under the receipt number it was shown), each department's page again, the receipt
 * emails. The CPU each process used during the rush (from /proc) says what limits it.
 *
 * Baseline in the same run: the same 1,000 submissions on the same schedule made directly with
 * CampaignClient.submit (no HTTP, no portal) — Temporal's own cost of the rush.
 *
 *   npx tsx tools/bench/rush.ts [--departments 1000] [--lead 110] [--out file.json]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PORTAL_CALL_LIMITS, PORTAL_DEADLINES, type CallDeadlines, type CallLimits } from '../../client/call-limits';
import { CampaignClient } from '../../client/campaign-client';
import { connectClient } from '../../client/connect';
import { parseEnv } from '../../config/env';
import type { CompiledPlan } from '../../deadlines/timeline';
import { signToken } from '../../mail/department-links';
import { VIEW_TTL_MS } from '../../portal/routes/department-view';
import { wallMsFor } from '../../obligations/clock';
import { openStores } from '../../store/stores';
import { startDevServer, type DevServer } from '../harness/dev-server';
import { freePort } from '../harness/free-port';
import { spreadOf, type Spread } from './figures';
import { compileGenerated, statsValues } from './generate-plan';
import { openPages, rushSchedule, runRush, type Department, type Press } from './rush-load';
import { CpuWindow, startCampaignProcess, until, type CampaignProcess } from './rush-processes';
import { startSinkProcess, type SinkProcess } from './sink-process';
import { numberArg, runAsMain } from './bench-main';

const PERIOD = { start: '2024-03-01', end: '2024-03-31' };
/** The rush: its length, the burst's size and when it comes (ms from the rush's start). */
const RUSH_MS = 60_000;
const BURST = 400;
/** Of the burst, those uploading the template in the second round. */
const UPLOADS = 20;
const BURST_AT_MS = 50_000;
const MAX_IN_FLIGHT = 600;

export interface RushRound {
  name: string;
  departments: number;
  xlsx: number;
  /** Campaign start → the last launch notice received (the launch goes out before the rush). */
  launchDrainedMs: number;
  /** Every department opening its page beforehand (and the template, for those who upload it). */
  open: { pages: Spread; failures: string[] };
  /** How late the rush started against 17:59:00 (the pages took longer than the lead). */
  rushStartLateMs: number;
  presses: number;
  /** What the first press of each department was answered with. */
  firstAnswers: Record<string, number>;
  /** First presses not answered with a receipt (the goal: 0). */
  errors: number;
  errorExamples: string[];
  latency: { all: Spread; form: Spread; xlsx?: Spread; burst: Spread; spread: Spread };
  maxInFlight: number;
  /** Rush start → last answer, and the last answer against 18:00 (negative: before). */
  rushWallMs: number;
  lastAnswerVsDueMs: number;
  receipts: { departments: number; missing: string[] };
  recorded: { exactlyOnce: number; none: string[]; several: string[]; notTheReceiptShown: string[]; late: number };
  pagesShowingReported: number;
  receiptEmails: { received: number; lastAfterDueMs: number };
  cpu: ReturnType<CpuWindow['read']>;
  portalErrorLines: string[];
}

export interface RushResult {
  departments: number;
  shards: number;
  rounds: RushRound[];
  baseline: { latency: Spread; errors: number; errorExamples: string[]; exactlyOnce: number; cpu: ReturnType<CpuWindow['read']> };
  settings: { burst: number; burstAtMs: number; rushMs: number; maxInFlight: number; portalLimits: CallLimits; portalDeadlines: CallDeadlines; viewCacheMs: number; workerMaxConcurrentActivities: number };
}

interface Parts {
  server: DevServer;
  sink: SinkProcess;
  worker: CampaignProcess;
  portal: CampaignProcess;
  portalUrl: string;
  secret: string;
  campaigns: CampaignClient;
}

/** The burst's size (smaller runs keep its share). */
const burstOf = (departments: number) => Math.min(BURST, Math.floor(departments * 0.4));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function plan(departments: number, id: string): CompiledPlan {
  return compileGenerated({ departments, id, oneOff: 0, weekly: 1, reminders: [], escalation: [], period: PERIOD }).plan;
}

/** Starts a campaign due `leadMs` from now (rehearsal, scale 1) and waits for its launch notices. */
async function startCampaign(p: Parts, compiled: CompiledPlan, leadMs: number): Promise<{ dueWall: number; launchDrainedMs: number; shards: number }> {
  const dueMs = Date.parse(compiled.deadlines[0]!.occurrences[0]!.due);
  await p.sink.reset();
  const t0 = Date.now();
  await p.campaigns.start(compiled, { workflowId: `campaign/${compiled.campaign.id}`, clock: { mode: 'rehearsal', scale: 1, startAt: new Date(dueMs - leadMs).toISOString() } });
  const info = await p.campaigns.info(compiled.campaign.id);
  const n = compiled.departments.length;
  await until('the launch notices', async () => ((await p.sink.counts()).byKind.launch ?? 0) >= n, 180_000);
  const launched = (await p.sink.receiveTimes()).map((t) => t.at);
  return { dueWall: wallMsFor(info.clock, dueMs), launchDrainedMs: Math.max(...launched) - t0, shards: info.shards.length };
}

const pids = (p: Parts) => ({ temporal: p.server.process.pid, worker: p.worker.child.pid, portal: p.portal.child.pid, smtp: p.sink.pid, generator: process.pid });

async function round(p: Parts, name: string, departments: number, xlsx: number, leadMs: number, log: (line: string) => void): Promise<RushRound & { shards: number }> {
  const id = `rush-${name}-${Date.now().toString(36)}`;
  const compiled = plan(departments, id);
  const occurrence = compiled.deadlines[0]!.occurrences[0]!.key;
  const { dueWall, launchDrainedMs, shards } = await startCampaign(p, compiled, leadMs);
  const rushStart = dueWall - RUSH_MS;
  log(`rush ${name}: ${departments} departments (${xlsx} uploading the template), launch notices drained ${(launchDrainedMs / 1000).toFixed(1)} s after start; 18:00 is ${((dueWall - Date.now()) / 1000).toFixed(1)} s away`);

  const burst = burstOf(departments);
  const { order, atMs } = rushSchedule(departments, burst, BURST_AT_MS);
  const uploading = new Set(order.slice(departments - xlsx));
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const all: Department[] = compiled.departments.map((d, i) => ({
    index: i,
    id: d.id,
    link: `${p.portalUrl}/d/${signToken(p.secret, { campaignId: id, departmentId: d.id, expiresAt })}`,
    via: uploading.has(i) ? 'xlsx' : 'form',
  }));
  const opened = await openPages(compiled, all, 32);
  log(`  pages opened: p50 ${spreadOf(opened.ms).p50Ms} ms, p99 ${spreadOf(opened.ms).p99Ms} ms, ${opened.failures.length} failures; the rush starts in ${((rushStart - Date.now()) / 1000).toFixed(1)} s`);
  await sleep(rushStart - Date.now());
  const rushStartLateMs = Math.max(0, Date.now() - rushStart);

  const cpu = new CpuWindow(pids(p));
  const run = await runRush(compiled, order.map((i) => all[i]!), atMs, { portalOrigin: p.portalUrl, maxInFlight: MAX_IN_FLIGHT, requestTimeoutMs: 90_000, stopAfterMs: RUSH_MS + 240_000 });
  const cpuUsed = cpu.read();
  const lastAnswerVsDueMs = Math.round(rushStart + rushStartLateMs + run.wallMs - dueWall);

  const first = run.presses.filter((x) => x.attempt === 1);
  const firstAnswers: Record<string, number> = {};
  for (const x of first) {
    const k = x.error ? 'no answer' : `${x.status} ${x.outcome ?? '?'}`;
    firstAnswers[k] = (firstAnswers[k] ?? 0) + 1;
  }
  const failed = first.filter((x) => !(x.status === 200 && (x.outcome === 'recorded' || x.outcome === 'already-received')));
  const ms = (xs: Press[]) => xs.map((x) => x.ms);
  const burstIds = new Set(order.slice(departments - burst).map((i) => all[i]!.id));

  // What the shards recorded, against the receipt each department was shown.
  const status = await p.campaigns.status(id);
  const recorded = { exactlyOnce: 0, none: [] as string[], several: [] as string[], notTheReceiptShown: [] as string[], late: 0 };
  for (const o of status.obligations.filter((x) => x.occurrence === occurrence)) {
    if (o.versions.length === 0) recorded.none.push(o.department);
    else if (o.versions.length > 1) recorded.several.push(o.department);
    else recorded.exactlyOnce++;
    if (o.versions[0]?.late) recorded.late++;
    const shown = run.receipts.get(o.department);
    if (shown && o.versions[0]?.submissionId !== shown) recorded.notTheReceiptShown.push(o.department);
  }
  // Each department's page again: it shows the table reported (on time or late).
  let showing = 0;
  for (let i = 0; i < all.length; i += 50) {
    const pages = await Promise.all(all.slice(i, i + 50).map((d) => fetch(d.link, { signal: AbortSignal.timeout(60_000) }).then((r) => r.text()).catch(() => '')));
    showing += pages.filter((pg) => /<span class="state st-(submitted|late)">/.test(pg)).length;
  }
  await until('the receipt emails', async () => ((await p.sink.counts()).byKind.receipt ?? 0) >= recorded.exactlyOnce + recorded.several.length, 180_000).catch(() => undefined);
  const receiptTimes = (await p.sink.receiveTimes()).filter((t) => t.key.includes('/receipt-')).map((t) => t.at);
  await p.campaigns.cancel(id).catch(() => undefined);

  const missing = [...run.receipts].filter(([, r]) => !r).map(([d]) => d);
  const result: RushRound & { shards: number } = {
    name,
    shards,
    departments,
    xlsx,
    launchDrainedMs,
    open: { pages: spreadOf(opened.ms), failures: opened.failures.slice(0, 10) },
    rushStartLateMs,
    presses: run.presses.length,
    firstAnswers,
    errors: failed.length,
    errorExamples: failed.slice(0, 5).map((x) => `${x.department} (${x.via}): ${x.error ?? `${x.status} ${x.outcome ?? ''}`} after ${Math.round(x.ms)} ms`),
    latency: {
      all: spreadOf(ms(first)),
      form: spreadOf(ms(first.filter((x) => x.via === 'form'))),
      ...(xlsx ? { xlsx: spreadOf(ms(first.filter((x) => x.via === 'xlsx'))) } : {}),
      burst: spreadOf(ms(first.filter((x) => burstIds.has(x.department)))),
      spread: spreadOf(ms(first.filter((x) => !burstIds.has(x.department)))),
    },
    maxInFlight: run.maxInFlight,
    rushWallMs: Math.round(run.wallMs),
    lastAnswerVsDueMs,
    receipts: { departments: departments - missing.length, missing: missing.slice(0, 10) },
    recorded: { ...recorded, none: recorded.none.slice(0, 10), several: recorded.several.slice(0, 10), notTheReceiptShown: recorded.notTheReceiptShown.slice(0, 10) },
    pagesShowingReported: showing,
    receiptEmails: { received: receiptTimes.length, lastAfterDueMs: receiptTimes.length ? Math.max(...receiptTimes) - dueWall : NaN },
    cpu: cpuUsed,
    portalErrorLines: p.portal.errorLines.splice(0).slice(0, 5),
  };
  log(`  first presses: ${JSON.stringify(firstAnswers)}; p50 ${result.latency.all.p50Ms} ms, p95 ${result.latency.all.p95Ms} ms, p99 ${result.latency.all.p99Ms} ms, max ${result.latency.all.maxMs} ms; ${run.maxInFlight} at once; recorded exactly once: ${recorded.exactlyOnce}; pages showing it: ${showing}; receipt emails: ${receiptTimes.length}; CPU s ${JSON.stringify(cpuUsed.byProcess)} over ${cpuUsed.seconds} s, machine ${Math.round((cpuUsed.machineBusy ?? NaN) * 100)} % busy`);
  return result;
}

/** The same submissions on the same schedule, straight to Temporal with CampaignClient.submit. */
async function baseline(p: Parts, departments: number, log: (line: string) => void): Promise<RushResult['baseline']> {
  const id = `rush-direct-${Date.now().toString(36)}`;
  const compiled = plan(departments, id);
  const occ = compiled.deadlines[0]!.occurrences[0]!;
  await startCampaign(p, compiled, 600_000);
  const { order, atMs } = rushSchedule(departments, burstOf(departments), BURST_AT_MS);
  const cpu = new CpuWindow(pids(p));
  const t0 = performance.now();
  const times: number[] = [];
  const errors: string[] = [];
  await Promise.all(
    order.map(async (i, k) => {
      await sleep(t0 + atMs[k]! - performance.now());
      const d = compiled.departments[i]!;
      const s = performance.now();
      try {
        await p.campaigns.submit(id, { submissionId: `direct-${d.id}`, department: d.id, deadline: occ.key.split('@')[0]!, occurrence: occ.key, values: statsValues(i, 0), by: 'bench' });
        times.push(performance.now() - s);
      } catch (err) {
        const e = err as Error;
        errors.push(`${d.id}: ${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ''}`);
      }
    }),
  );
  const cpuUsed = cpu.read();
  const status = await p.campaigns.status(id);
  const exactlyOnce = status.obligations.filter((o) => o.occurrence === occ.key && o.versions.length === 1).length;
  await p.campaigns.cancel(id).catch(() => undefined);
  const latency = spreadOf(times);
  log(`direct baseline: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms; ${errors.length} errors; recorded exactly once: ${exactlyOnce}`);
  return { latency, errors: errors.length, errorExamples: errors.slice(0, 5), exactlyOnce, cpu: cpuUsed };
}

export async function runRushBench(opts: { departments?: number; leadSeconds?: number; log?: (line: string) => void } = {}): Promise<RushResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const departments = opts.departments ?? 1000;
  const leadMs = (opts.leadSeconds ?? 110) * 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-rush-'));
  const server = await startDevServer({ ui: false });
  const sink = await startSinkProcess();
  const portalPort = await freePort();
  const portalUrl = `http://127.0.0.1:${portalPort}`;
  const secret = randomBytes(32).toString('hex');
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Settings of another Temporal or mail server must not leak into the benchmark's processes.
  for (const k of Object.keys(env)) if (/^(TEMPORAL_|SMTP_|MAIL_|PORTAL_|WORKER_)/.test(k)) delete env[k];
  Object.assign(env, sink.env(), {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: `rush-${Date.now().toString(36)}`,
    CAMPAIGN_DATA_DIR: dataDir,
    PORTAL_SECRET: secret,
    PORTAL_PORT: String(portalPort),
    PORTAL_BASE_URL: portalUrl,
  });
  const appEnv = parseEnv(env);
  const worker = startCampaignProcess('worker', 'worker', env);
  const portal = startCampaignProcess('portal', 'portal', env);
  const stores = await openStores(appEnv);
  const { client, connection } = await connectClient(appEnv);
  try {
    const campaigns = new CampaignClient(client, stores.plans, appEnv.TEMPORAL_TASK_QUEUE);
    await until('the worker to poll', async () => ((await client.workflowService.describeTaskQueue({ namespace: appEnv.TEMPORAL_NAMESPACE, taskQueue: { name: appEnv.TEMPORAL_TASK_QUEUE }, taskQueueType: 1 })).pollers?.length ?? 0) > 0, 180_000);
    await until('the portal', async () => (await fetch(`${portalUrl}/healthz`)).ok, 120_000);
    const parts: Parts = { server, sink, worker, portal, portalUrl, secret, campaigns };
    const rounds = [await round(parts, 'form', departments, 0, leadMs, log), await round(parts, 'xlsx', departments, Math.min(UPLOADS, burstOf(departments)), leadMs, log)];
    const base = await baseline(parts, departments, log);
    return {
      departments,
      shards: rounds[0]!.shards,
      rounds: rounds.map(({ shards: _, ...r }) => r),
      baseline: base,
      settings: {
        burst: BURST,
        burstAtMs: BURST_AT_MS,
        rushMs: RUSH_MS,
        maxInFlight: MAX_IN_FLIGHT,
        portalLimits: PORTAL_CALL_LIMITS,
        portalDeadlines: PORTAL_DEADLINES,
        viewCacheMs: VIEW_TTL_MS,
        workerMaxConcurrentActivities: appEnv.WORKER_MAX_CONCURRENT_ACTIVITIES,
      },
    };
  } finally {
    await connection.close().catch(() => undefined);
    await stores.close().catch(() => undefined);
    await portal.stop();
    await worker.stop();
    await sink.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runAsMain(import.meta.url, 'rush', () => runRushBench({ departments: numberArg('--departments'), leadSeconds: numberArg('--lead') }));
