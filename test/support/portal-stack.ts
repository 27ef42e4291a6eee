/**
 * The engine against the Temporal dev server for tests that submit: an in-process worker with the
 * real activities (SMTP sink; ledger and blob store on the embedded database of a temporary
 * CAMPAIGN_DATA_DIR, or on PostgreSQL when a database URL is given), a CampaignClient,
 * optionally the portal in-process on a free port, and demo campaigns started as rehearsals from
 * 2024-03-05 09:00 (the contacts report and the first weekly table are open), each under its own id;
 * and a client that streams a large multipart upload the way a browser does, without holding it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import type { ActivityDeps } from '../../activities';
import { CampaignClient } from '../../client/campaign-client';
import { parseMailConfig } from '../../config/mail';
import { loadPlanText } from '../../deadlines/load';
import { departmentLinkBuilder, signToken } from '../../mail/department-links';
import type { ClockRequest } from '../../obligations/clock';
import { startPortal, type Portal } from '../../portal/server';
import { AccountStore } from '../../store/accounts/account-store';
import { openStores, type Stores } from '../../store/stores';
import { freePort } from '../../tools/harness/free-port';
import { closeMailDependencies, mailDependencies, storeDependencies } from '../../worker/dependencies';
import { createCampaignWorker, WORKFLOWS_PATH } from '../../worker/create-worker';
import { ROOT } from './run-cli';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { uniqueId } from './temporal';

export const STACK_SECRET = 'portal-stack-secret-portal-stack-secret!!';
const PLAN_FILE = path.join(ROOT, 'definitions/demo.yaml');

export interface PortalStack {
  campaigns: CampaignClient;
  dataDir: string;
  /** The stores the worker and the portal use (one database). */
  stores: Stores;
  taskQueue: string;
  /** The SMTP server the worker sends to: every message it took. */
  sink: SmtpSink;
  /** The in-process portal, when asked for. */
  portal?: Portal;
  /** Starts the demo plan (edited) under a fresh campaign id (by default played from 2024-03-05 09:00 in real time); returns the id. */
  startDemo(edit?: (yaml: string) => string, clock?: ClockRequest): Promise<string>;
  /** A department's link token for a campaign. */
  token(campaignId: string, department: string): string;
  teardown(): Promise<void>;
}

export async function startPortalStack(address: string, opts: { portal?: { maxUploadBytes: number; maxFiles: number }; databaseUrl?: string } = {}): Promise<PortalStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'campaign-stack-'));
  const sink = await startSmtpSink();
  const stores = await openStores({ CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: opts.databaseUrl });
  const { blobs, plans } = stores;
  const port = await freePort();
  const portalUrl = `http://127.0.0.1:${port}`;
  const link = departmentLinkBuilder(portalUrl, STACK_SECRET);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const deps: ActivityDeps = {
    ...mailDependencies(parseMailConfig(sink.env())),
    ...storeDependencies(stores),
    links: (c, d) => link(c, d),
    coordinatorLink: (c) => `${portalUrl}/c/${c}`,
    temporal: client,
    now: () => new Date(),
  };
  const taskQueue = uniqueId('stack');
  const nativeConnection = await NativeConnection.connect({ address });
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, debug() {}, trace() {}, error() {} } });
  const worker = await createCampaignWorker({ connection: nativeConnection, taskQueue, deps, workflowBundle: bundle });
  const running = worker.run();
  const campaigns = new CampaignClient(client, plans, taskQueue);
  const portal = opts.portal
    ? await startPortal(
        { secret: STACK_SECRET, baseUrl: portalUrl, ...opts.portal, temporalWebUiUrl: 'http://127.0.0.1:8233', namespace: 'default', log: () => undefined },
        { campaigns, blobs },
        { port },
      )
    : undefined;
  const started: string[] = [];
  return {
    campaigns,
    dataDir,
    stores,
    taskQueue,
    sink,
    portal,
    async startDemo(edit = (y) => y, clock = { mode: 'rehearsal', scale: 1, startAt: '2024-03-05T09:00:00+08:00' }) {
      const id = uniqueId('demo');
      const r = loadPlanText(edit(readFileSync(PLAN_FILE, 'utf8').replace(/^ {2}id: demo$/m, `  id: ${id}`)), 'demo.yaml');
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
      await campaigns.start(r.plan, { workflowId: `campaign/${id}`, clock });
      started.push(id);
      // Ready once its shards run: before that a department's page has no form to fill in.
      for (let attempt = 0; ; attempt++) {
        const info = await campaigns.info(id).catch(() => undefined);
        if (info?.state === 'running' && info.shards.length > 0) break;
        if (attempt >= 100) throw new Error(`campaign ${id} did not start its shards`);
        await new Promise((done) => setTimeout(done, 100));
      }
      return id;
    },
    token: (campaignId, department) => signToken(STACK_SECRET, { campaignId, departmentId: department, expiresAt: Math.floor(Date.now() / 1000) + 3600 }),
    async teardown() {
      for (const id of started) await campaigns.cancel(id).catch(() => undefined);
      await portal?.close();
      worker.shutdown();
      await running.catch(() => undefined);
      closeMailDependencies(deps);
      await nativeConnection.close();
      await connection.close();
      await sink.stop();
      await stores.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The portal with its coordinator pages (accounts on the stack's database), on a free port, in
 * front of the stack's campaigns; and a coordinator and a viewer given these campaigns.
 */
export async function startAccountsPortal(stack: PortalStack, people: { coordinator: string; viewer?: string; password: string; campaigns: string[] }): Promise<{ portal: Portal; url: string; accounts: AccountStore }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const accounts = new AccountStore(stack.stores.db);
  const config = { secret: STACK_SECRET, baseUrl: url, maxUploadBytes: 64 * 1024, maxFiles: 3, temporalWebUiUrl: 'http://127.0.0.1:8233', namespace: 'default', log: () => undefined };
  const portal = await startPortal(config, { campaigns: stack.campaigns, blobs: stack.stores.blobs, accounts, records: stack.stores }, { port });
  await accounts.add({ login: people.coordinator, name: '王芳', role: 'coordinator', password: people.password, campaigns: people.campaigns }, 'test');
  if (people.viewer) await accounts.add({ login: people.viewer, name: '李局长', role: 'viewer', password: people.password, campaigns: people.campaigns }, 'test');
  return { portal, url, accounts };
}

/** A multipart body: the form's fields, then one file of `size` bytes made as it is sent (a PDF header, then spaces). */
export async function* multipartBody(boundary: string, fields: Record<string, string>, file: { field: string; name: string; size: number }): AsyncGenerator<Buffer> {
  for (const [k, v] of Object.entries(fields)) yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  for (let left = file.size - 9; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

/**
 * POSTs a body streamed from `parts` (chunked, no declared length, with back-pressure). Resolves
 * with the answer as soon as it is complete, even if the server closed the connection before
 * reading everything (what it does with an upload it refused).
 */
export function postStream(url: string, headers: Record<string, string>, parts: AsyncIterable<Buffer>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers });
    let sent = 0;
    let answered = false;
    let closed = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), sent }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      closed = true;
      if (!answered) reject(err);
    });
    req.on('close', () => (closed = true));
    void (async () => {
      for await (const part of parts) {
        if (closed || answered) break;
        sent += part.length;
        if (!req.write(part)) await new Promise<void>((r) => (req.once('drain', r), req.once('close', r)));
      }
      if (!closed && !answered) req.end();
    })().catch(reject);
  });
}
