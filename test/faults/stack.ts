/**
 * The fault suite's stack, one per test file, all real and all on loopback:
 *
 * - the Temporal dev server (`temporal server start-dev`) persisted to a SQLite file in a temp
 *   directory, on a port chosen once and kept, so that a stopped and restarted server comes back
 *   at the same address with the same campaigns;
 * - a real SMTP server (test/support/smtp-sink.ts) in this process, that counts every message it
 *   accepts and can go down and come back on the same port;
 * - the worker as a child process (`node cli/campaign.mjs worker`), so that it can be SIGKILLed;
 *   more than one when a scenario asks, each with its own data folder and settings if it likes
 *   (two machines sharing one PostgreSQL);
 * - optionally the portal as a child process (`campaign portal`), the address the links in every
 *   email point at;
 * - the CLI, one process per command, with the same environment (tools/scripts/start.ts builds the same);
 * - the stores (ledger, blobs, plans) on the embedded SQLite file of the data folder that the worker,
 *   the portal and the CLI share, or on the PostgreSQL database `databaseUrl` names.
 *
 * Everything this module starts it also stops (`teardown`), whatever state a test left it in.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect } from 'vitest';
import { CampaignClient } from '../../client/campaign-client';
import { wallMsFor, type CampaignClock } from '../../obligations/clock';
import type { SubmissionInput, SubmissionReceipt } from '../../obligations/obligations';
import { startDevServer, type DevServer } from '../../tools/harness/dev-server';
import { freePort, waitForPort } from '../../tools/harness/free-port';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { BlobStore } from '../../store/blob-store';
import { openStores, type Stores } from '../../store/stores';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { childEnv, ROOT, runCli, spawnCampaign, type Run } from '../support/run-cli';
import { startSmtpSink, type ReceivedMessage, type SmtpSink, type SmtpSinkOptions } from '../support/smtp-sink';
import { until } from '../support/until';

export const TASK_QUEUE = 'faults';
export const SECRET = 'fault-suite-portal-secret-0123456789abcdef';
export const FROM = '春风行动办公室 <noreply@campaign.example>';

/**
 * The plan every scenario plays, test/faults/plans/two-weeks.yaml: 3 districts, a one-off contacts
 * report due Wednesday 03-06 18:00 and a weekly table due Wednesdays 12:00 (9 obligations).
 */
export const PLAN = path.join(ROOT, 'test', 'faults', 'plans', 'two-weeks.yaml');
/** Its campaign id, and the campaign's workflow id. */
export const ID = 'faults';
export const WF = `campaign/${ID}`;
/** Its occurrences: the contacts report and the two weeks. */
export const CONTACTS = 'contacts@2024-03-06';
export const W1 = 'weekly-stats@2024-03-06';
export const W2 = 'weekly-stats@2024-03-13';

/** A child process of ours with its output kept (for diagnostics) and its exit awaited. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
  alive(): boolean;
  /** Sends the signal and waits for the exit (SIGKILL after 20 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function compile(file: string): CompiledPlan {
  const r = loadPlanFile(file);
  if (!r.ok) throw new Error(`plan ${file} does not compile: ${r.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('; ')}`);
  return r.plan;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function spawnProc(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawnCampaign(args, env);
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    exited,
    output: () => out,
    alive,
    async stop(signal = 'SIGTERM') {
      if (!alive()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** How one worker process differs from the stack's own settings. */
export interface WorkerOptions {
  /** Its CAMPAIGN_DATA_DIR (another machine's folder); default the stack's. */
  dataDir?: string;
  /** More environment (e.g. SMTP_USER, SMTP_POOL_MAX_CONNECTIONS), over the stack's. */
  env?: NodeJS.ProcessEnv;
  /** Its name in messages; default `worker <n>`. */
  name?: string;
}

export interface StackOptions {
  /** The stores on this PostgreSQL database (CAMPAIGN_DATABASE_URL) instead of the data folder's SQLite file. */
  databaseUrl?: string;
  /** Options of the SMTP server (a slower reply to DATA…). */
  sink?: SmtpSinkOptions;
}

export interface Stack {
  readonly dir: string;
  readonly dataDir: string;
  readonly address: string;
  readonly sink: SmtpSink;
  readonly env: NodeJS.ProcessEnv;
  readonly client: CampaignClient;
  /** This process's stores, on the database the worker uses. */
  readonly stores: Stores;
  readonly blobs: BlobStore;
  readonly portalUrl: string;
  /** The worker processes started so far, the current one last. */
  readonly workers: Proc[];
  /** Starts a worker process (with the stack's settings, or as `opts` says) and waits until it polls the task queue. */
  startWorker(opts?: WorkerOptions): Promise<Proc>;
  /** SIGKILLs a worker, the current one by default (no warning, no graceful shutdown), and waits until it is gone. */
  killWorker(worker?: Proc): Promise<void>;
  startPortal(): Promise<Proc>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  cli(args: string[], timeoutMs?: number): Promise<Run>;
  /**
   * A submission through the CampaignClient (what the CLI and the portal call), from this process:
   * used where a submission must land inside a window of campaign time, which a CLI process
   * (a second or more to start, several on a busy machine) could miss.
   */
  submit(campaignId: string, input: Omit<SubmissionInput, 'by' | 'submissionId'>): Promise<SubmissionReceipt>;
  /** The campaign's final result, waiting for it across server restarts. */
  result(workflowId: string, timeoutMs: number): Promise<CampaignResult>;
  /** The campaign's clock (from its info query). */
  clock(workflowId: string): Promise<CampaignClock>;
  teardown(): Promise<void>;
}

export async function startStack(name: string, opts: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(path.join(tmpdir(), `campaign-faults-${name}-`));
  const dataDir = path.join(dir, 'data');
  const dbFile = path.join(dir, 'temporal.sqlite');
  const port = await freePort();
  const portalPort = await freePort();
  const address = `127.0.0.1:${port}`;
  const portalUrl = `http://127.0.0.1:${portalPort}`;
  const startServer = () => startDevServer({ dbFile, port, ui: false });
  let server: DevServer | undefined = await startServer();
  let sink: SmtpSink;
  let connection: Connection;
  try {
    sink = await startSmtpSink(opts.sink);
    connection = await Connection.connect({ address });
  } catch (err) {
    await server.stop();
    throw err;
  }
  const env = childEnv({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    CAMPAIGN_DATA_DIR: dataDir,
    PORTAL_SECRET: SECRET,
    PORTAL_BASE_URL: portalUrl,
    PORTAL_PORT: String(portalPort),
    SMTP_URL: sink.url,
    SMTP_FROM: FROM,
    ...(opts.databaseUrl ? { CAMPAIGN_DATABASE_URL: opts.databaseUrl } : {}),
  });
  const stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: opts.databaseUrl });
  const { blobs } = stores;
  const client = new CampaignClient(new Client({ connection }), stores.plans, TASK_QUEUE);
  const workers: Proc[] = [];
  /** The CLI processes running. */
  const running = new Set<ChildProcess>();
  let portal: Proc | undefined;

  const stack: Stack = {
    dir,
    dataDir,
    address,
    sink,
    env,
    client,
    stores,
    blobs,
    portalUrl,
    workers,
    async startWorker(opts = {}) {
      const w = spawnProc(opts.name ?? `worker ${workers.length + 1}`, ['worker'], {
        ...env,
        ...opts.env,
        ...(opts.dataDir ? { CAMPAIGN_DATA_DIR: opts.dataDir } : {}),
      });
      workers.push(w);
      await until(
        `${w.name} to start`,
        () => {
          if (!w.alive()) throw new Error(`${w.name} exited before it was ready:\n${w.output()}`);
          return w.output().includes('campaign worker: started') ? true : undefined;
        },
        120_000,
        100,
      );
      return w;
    },
    async killWorker(worker) {
      const w = worker ?? workers.at(-1);
      if (!w) throw new Error('no worker to kill');
      await w.stop('SIGKILL');
    },
    async startPortal() {
      portal = spawnProc('portal', ['portal'], env);
      await until(
        'the portal to listen',
        () => {
          if (!portal!.alive()) throw new Error(`the portal exited before it was ready:\n${portal!.output()}`);
          return portal!.output().includes('portal listening on') ? true : undefined;
        },
        60_000,
        100,
      );
      await waitForPort(portalPort, 10_000);
      return portal;
    },
    async stopServer() {
      const s = server;
      server = undefined;
      await s?.stop();
    },
    async startServer() {
      if (server) return;
      server = await startServer();
    },
    cli(args, timeoutMs = 120_000) {
      return runCli(args, env, timeoutMs, running);
    },
    submit(campaignId, input) {
      return client.submit(campaignId, { ...input, submissionId: `faults-${input.department}-${input.occurrence ?? input.deadline}`, by: 'fault-suite' });
    },
    async result(workflowId, timeoutMs) {
      // Polled rather than one long handle.result(), which a server restart would break.
      const handle = client.temporal.workflow.getHandle(workflowId);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await handle.describe().then(
          (d) => d.status.name,
          () => 'UNREACHABLE',
        );
        if (status === 'COMPLETED') return (await handle.result()) as CampaignResult;
        if (status !== 'RUNNING' && status !== 'UNREACHABLE') throw new Error(`campaign ${workflowId} closed as ${status}:\n${workers.at(-1)?.output().slice(-5000) ?? ''}`);
        if (Date.now() > deadline) throw new Error(`campaign ${workflowId} still ${status} after ${timeoutMs} ms`);
        await sleep(500);
      }
    },
    async clock(workflowId) {
      return (await client.info(workflowId)).clock;
    },
    async teardown() {
      for (const c of running) {
        if (c.exitCode !== null || c.signalCode !== null) continue;
        c.kill('SIGKILL');
        await once(c, 'exit').catch(() => undefined);
      }
      for (const p of [...workers, ...(portal ? [portal] : [])]) await p.stop('SIGKILL').catch(() => undefined);
      await connection.close().catch(() => undefined);
      await stores.close().catch(() => undefined);
      await sink.stop().catch(() => undefined);
      await server?.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/**
 * The stack of one scenario file, with a worker (and the portal, with `portal`): started before its
 * tests, torn down after them whatever state they left it in. Returns the way to reach it (from a
 * test, once it is started).
 */
export function useStack(name: string, { portal = false } = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(name);
    await Promise.all([stack.startWorker(), ...(portal ? [stack.startPortal()] : [])]);
  });
  afterAll(async () => {
    await stack?.teardown();
  });
  return () => {
    if (!stack) throw new Error(`the ${name} stack is not started`);
    return stack;
  };
}

/**
 * `campaign start` of {@link PLAN} as a rehearsal at 1 campaign day = 6 s, as its own process (it
 * must exit 0); the compiled plan and the campaign's clock.
 */
export async function startRehearsal(stack: Stack): Promise<{ plan: CompiledPlan; clock: CampaignClock }> {
  const plan = compile(PLAN);
  const started = await stack.cli(['start', PLAN, '--rehearse', '1d=6s', '--json']);
  expect(started.code, started.stderr).toBe(0);
  return { plan, clock: await stack.clock(ID) };
}

/** `campaign submit <campaignId> … --json` as its own process; fails the test unless it exits 0. */
export async function cliSubmit(stack: Stack, campaignId: string, args: string[]): Promise<SubmissionReceipt> {
  const r = await stack.cli(['submit', campaignId, ...args, '--json']);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as SubmissionReceipt;
}

/** Writes a statistics form's figures as `<stack dir>/<name>.yaml`, for `campaign submit --file`. */
export function formFile(stack: Stack, name: string, values: Record<string, number | string>): string {
  const file = path.join(stack.dir, `${name}.yaml`);
  writeFileSync(file, `values: ${JSON.stringify(values)}\n`);
  return file;
}

// --- campaign time ------------------------------------------------------------------------------

/** Waits until the campaign clock reaches `iso` (returns at once when it already has). */
export async function untilCampaign(clock: CampaignClock, iso: string): Promise<void> {
  await sleep(wallMsFor(clock, Date.parse(iso)) - Date.now());
}

// --- SMTP server hooks ---------------------------------------------------------------------------

/**
 * Runs `action` inside the SMTP server for the first message that `match`es, after the server
 * stored it and BEFORE it replies 250: the reply waits until `action` settles. Later messages
 * pass through. Resolves (with the message) once the action has run.
 */
export function onFirstMessage(sink: SmtpSink, match: (m: ReceivedMessage) => boolean, action: (m: ReceivedMessage) => Promise<void>): Promise<ReceivedMessage> {
  let fired = false;
  return new Promise((resolve, reject) => {
    const remove = sink.onReceived(async (m) => {
      if (fired || !match(m)) return;
      fired = true;
      remove();
      try {
        await action(m);
        resolve(m);
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** The X-Campaign-Key of a received message. */
export function keyOf(m: ReceivedMessage): string {
  return m.headers['x-campaign-key'] ?? '';
}

/** Each department's portal link, taken from its launch notice (the link every email carries). */
export function portalLinks(sink: SmtpSink, campaignId: string, portalUrl: string): Record<string, string> {
  const links: Record<string, string> = {};
  const pattern = new RegExp(`${portalUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/d/[A-Za-z0-9_.-]+`);
  for (const m of sink.messages) {
    const k = /^[^/]+\/launch\/([^/]+)\/launch$/.exec(keyOf(m));
    if (!k || !keyOf(m).startsWith(`${campaignId}/`)) continue;
    const link = pattern.exec(m.text ?? '')?.[0];
    if (link) links[k[1]!] = link;
  }
  return links;
}
