/**
 * A complete engine for tests: Temporal's time-skipping test server, a real SMTP server on
 * loopback, the real activities (ledger, stores, mailer) and one worker built from one workflow
 * bundle per test file. The stores (ledger, blobs, plans) are on the embedded SQLite database in a
 * temporary data folder, or on a PostgreSQL database when `databaseUrl` is given. The benchmarks
 * (tools/bench) start the same engine with their own SMTP server (in a child process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { DateTime } from 'luxon';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { CampaignClient } from '../../client/campaign-client';
import { campaignNowMs, wallMsFor, type CampaignClock } from '../../obligations/clock';
import { parseMailConfig, type MailConfig } from '../../config/mail';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import { departmentLinkBuilder } from '../../mail/department-links';
import { openStores, type Stores } from '../../store/stores';
import { createCampaignWorker, WORKFLOWS_PATH } from '../../worker/create-worker';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from './smtp-sink';
import { createTimeSkippingEnv, uniqueId } from './temporal';
import { closeMailDependencies, mailDependencies, storeDependencies } from '../../worker/dependencies';
import { SEARCH_ATTRIBUTE_TYPES } from '../../obligations/search-attributes';

export const TEST_PORTAL_SECRET = 'test-secret-test-secret-test-secret!';
export const TEST_PORTAL_URL = 'http://portal.test';

/** An SMTP server the engine can send to: its SMTP_* settings, and a way to stop it. */
export interface MailSink {
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export interface EngineEnv<S extends MailSink = SmtpSink> {
  env: TestWorkflowEnvironment;
  sink: S;
  worker: Worker;
  client: CampaignClient;
  deps: ActivityDeps;
  stores: Stores;
  dataDir: string;
  /** Test-server time (ms) at which each message reached the SMTP server, by sink seq (the default sink only). */
  serverTimeOf: Map<number, number>;
  teardown(): Promise<void>;
}

export interface EngineOptions<S extends MailSink> {
  /** The SMTP server to send to; default an in-process SmtpSink that records serverTimeOf. */
  sink?: () => Promise<S>;
  /** A PostgreSQL database for the stores (postgres://…); default the embedded SQLite file in a temporary data folder. */
  databaseUrl?: string;
  /** More mail settings (e.g. SMTP_POOL_MAX_CONNECTIONS, MAIL_PREPARE_AHEAD_MB). */
  mailEnv?: Record<string, string>;
  /** The test server's executable; default the one bootstrap resolved (tried again if it starts slowly). */
  testServerPath?: string;
}

let bundle: Promise<{ code: string }> | undefined;
/** One workflow bundle per test file (worker start-up then takes milliseconds). */
export function workflowBundle() {
  return (bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, debug() {}, trace() {}, error() {} } }));
}

async function registerSearchAttributes(env: TestWorkflowEnvironment) {
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      // The IndexedValueType numbers of Temporal's API for each registered type.
      searchAttributes: Object.fromEntries(
        Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, { Text: 1, Keyword: 2, Int: 3, Datetime: 6 }[type]]),
      ),
    });
  } catch {
    // Already registered, or a server that accepts any attribute.
  }
}

/**
 * The real activities' dependencies: the stores (ledger, blobs, plans) on the database of `dataDir`
 * or `databaseUrl`, mailing through the given SMTP settings, department links signed with
 * TEST_PORTAL_SECRET. Also the stores (close them when done), the mail settings and the link
 * builder, for a caller that composes or sends the same messages itself.
 */
export async function engineDependencies(opts: { dataDir: string; smtpEnv: Record<string, string>; temporal: Client; databaseUrl?: string }): Promise<{
  deps: ActivityDeps;
  stores: Stores;
  mail: MailConfig;
  link: (campaignId: string, departmentId: string) => string;
}> {
  const mail = parseMailConfig(opts.smtpEnv);
  const stores = await openStores({ CAMPAIGN_DATA_DIR: opts.dataDir, CAMPAIGN_DATABASE_URL: opts.databaseUrl });
  const link = departmentLinkBuilder(TEST_PORTAL_URL, TEST_PORTAL_SECRET);
  const deps: ActivityDeps = {
    ...mailDependencies(mail),
    ...storeDependencies(stores),
    links: (c, d) => link(c, d),
    coordinatorLink: (c) => `${TEST_PORTAL_URL}/c/${c}`,
    temporal: opts.temporal,
    now: () => new Date(),
  };
  return { deps, stores, mail, link };
}

/** Starts the engine; without `opts.sink`, S is the in-process SmtpSink. */
export async function startEngineEnv<S extends MailSink = SmtpSink>(opts: EngineOptions<S> = {}): Promise<EngineEnv<S>> {
  const env = opts.testServerPath
    ? await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: opts.testServerPath } } })
    : await createTimeSkippingEnv();
  await registerSearchAttributes(env);
  const serverTimeOf = new Map<number, number>();
  const sink = opts.sink
    ? await opts.sink()
    : ((await startSmtpSink({
        onReceived: async (msg) => {
          serverTimeOf.set(msg.seq, Number(await env.currentTimeMs()));
        },
      })) as MailSink as S);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-engine-'));
  const { deps, stores } = await engineDependencies({ dataDir, smtpEnv: sink.env(opts.mailEnv), temporal: env.client, databaseUrl: opts.databaseUrl });
  const taskQueue = uniqueId('campaigns');
  const worker = await createCampaignWorker({ connection: env.nativeConnection, taskQueue, deps, workflowBundle: await workflowBundle() });
  const running = worker.run();
  const client = new CampaignClient(env.client, deps.plans, taskQueue);
  return {
    env,
    sink,
    worker,
    client,
    deps,
    stores,
    dataDir,
    serverTimeOf,
    async teardown() {
      worker.shutdown();
      await running.catch(() => undefined);
      closeMailDependencies(deps);
      await stores.close();
      await sink.stop();
      await env.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function compiledPlan(file: string): CompiledPlan {
  const result = loadPlanFile(file);
  if (!result.ok) throw new Error(`plan ${file} does not compile:\n${result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n')}`);
  return result.plan;
}

/** Moves the test server's clock forward to a campaign instant (timers in between fire). */
export async function advanceTo(e: EngineEnv, clock: CampaignClock, campaignIso: string): Promise<void> {
  const target = wallMsFor(clock, Date.parse(campaignIso));
  const now = Number(await e.env.currentTimeMs());
  if (target > now) await e.env.sleep(target - now);
}

/** Campaign instant at which the SMTP server received a message. */
export function campaignTimeOf(e: EngineEnv, clock: CampaignClock, msg: ReceivedMessage): number {
  const server = e.serverTimeOf.get(msg.seq);
  if (server === undefined) throw new Error(`no server time recorded for message ${msg.seq}`);
  return campaignNowMs(clock, server);
}

/** `<campaign>/<key>/<step>` of a received message. */
export function campaignKey(msg: ReceivedMessage): string {
  return msg.headers['x-campaign-key'] ?? '';
}

/**
 * One line per message the SMTP server received for a campaign:
 * `MM-dd HH:mm <step> <about> to:<addresses> [cc:<addresses>]`, the time being the campaign
 * instant (in `zone`) the message arrived at.
 */
export function messageRows(e: EngineEnv, clock: CampaignClock, campaignId: string, zone = 'Asia/Shanghai'): string[] {
  const prefix = `${campaignId}/`;
  return e.sink.messages
    .filter((m) => campaignKey(m).startsWith(prefix))
    .map((m) => {
      const rest = campaignKey(m).slice(prefix.length);
      const [, key, step] = /^(.+)\/([^/]+)$/.exec(rest) ?? [];
      const label = step!.startsWith('receipt-') ? 'receipt' : step!.startsWith('escalation-') ? step!.split('@')[0] : /^\d{8}T/.test(step!) || key === 'weekly-digest' ? key : step;
      const at = DateTime.fromMillis(campaignTimeOf(e, clock, m), { zone }).toFormat('MM-dd HH:mm');
      const to = m.to.map((a) => a.address).sort().join(',');
      const cc = m.cc.map((a) => a.address).sort().join(',');
      return `${at} ${label} ${key} to:${to}${cc ? ` cc:${cc}` : ''}`;
    })
    .sort();
}
