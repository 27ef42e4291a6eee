/**
 * The whole stack on this machine, real parts only, shared by `npm start` (tools/scripts/start.ts) and
 * `npm run demo` (tools/demo/main.ts): the Temporal dev server with its Web UI and a SQLite file under
 * the data folder (campaigns survive restarts), the demo inbox (a real SMTP server and a page to
 * read what it received), a campaign worker process, and the collection portal in this process.
 *
 * Ports (override with the variables): TEMPORAL_PORT 7233, TEMPORAL_UI_PORT 8233,
 * INBOX_SMTP_PORT 2525, INBOX_HTTP_PORT 8025, PORTAL_PORT 8080. The portal's secret and the demo
 * coordinator's password are generated once into the data folder, which is private to its owner
 * (folders 0700, files 0600: store/stores.ts secureDataDir).
 *
 * `stop()` may be called at any moment, during start-up too: it stops, in order, whatever has been
 * started so far (portal, worker, inbox, dev server) and is safe to call twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { CampaignClient } from '../../client/campaign-client';
import { parseEnv, type AppEnv } from '../../config/env';
import { startDevServer, type DevServer } from './dev-server';
import { projectRoot } from './tool-paths';
import { startDemoInbox, type DemoInbox } from './demo-inbox';
import { portalConfigFromEnv, portalDeps, startPortal, type Portal } from '../../portal/server';
import { connectClient } from '../../client/connect';
import { openStores, secureDataDir, type Stores } from '../../store/stores';

export interface StackPorts {
  temporal: number;
  ui: number;
  smtp: number;
  inbox: number;
  portal: number;
}

export const PORT_VARIABLES: Record<keyof StackPorts, string> = {
  temporal: 'TEMPORAL_PORT',
  ui: 'TEMPORAL_UI_PORT',
  smtp: 'INBOX_SMTP_PORT',
  inbox: 'INBOX_HTTP_PORT',
  portal: 'PORTAL_PORT',
};

const DEFAULT_PORTS: StackPorts = { temporal: 7233, ui: 8233, smtp: 2525, inbox: 8025, portal: 8080 };

/** The ports from the environment variables, or the defaults; throws on a value that is not a port. */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): StackPorts {
  const out = { ...DEFAULT_PORTS };
  for (const [key, name] of Object.entries(PORT_VARIABLES) as Array<[keyof StackPorts, string]>) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${raw} is not a TCP port (1–65535)`);
    out[key] = n;
  }
  return out;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** "temporal port 7233", … for every port something already listens on. */
export async function busyPorts(ports: StackPorts): Promise<string[]> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports) as Array<[keyof StackPorts, number]>) {
    if (!(await portFree(port))) busy.push(`${name} port ${port} (${PORT_VARIABLES[name]})`);
  }
  return busy;
}

function secretFile(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export interface StackOptions {
  /** Absolute data folder: Temporal's SQLite, the embedded database (ledger, blobs, plans), inbox, secrets. */
  dataDir: string;
  ports: StackPorts;
  /** Where the worker's output goes: the terminal, or appended to this file. */
  workerOutput: 'inherit' | { file: string };
  /** Progress lines ("starting the Temporal dev server…"). */
  log?: (line: string) => void;
  /** Portal errors (default: stderr). */
  portalLog?: (line: string) => void;
  /** Called once when the worker or the dev server exits while the stack is not stopping. */
  onFailure?: (reason: string) => void;
}

export class Stack {
  server?: DevServer;
  inbox?: DemoInbox;
  worker?: ChildProcess;
  portal?: Portal;
  client?: Client;
  campaigns?: CampaignClient;
  /** The stores this process uses (the portal's, the campaign client's); the worker opens its own. */
  stores?: Stores;
  appEnv?: AppEnv;
  /** The environment the worker runs with (and any `campaign` command should). */
  env: NodeJS.ProcessEnv = {};
  private closeClient?: () => Promise<void>;
  private stopping = false;
  private stopped?: Promise<void>;
  private startup?: Promise<void>;

  constructor(readonly opts: StackOptions) {}

  get urls() {
    return {
      webUi: this.server?.uiUrl ?? `http://127.0.0.1:${this.opts.ports.ui}`,
      temporal: this.server?.address ?? `127.0.0.1:${this.opts.ports.temporal}`,
      inbox: this.inbox?.url ?? `http://127.0.0.1:${this.opts.ports.inbox}`,
      smtp: `127.0.0.1:${this.opts.ports.smtp}`,
      portal: this.portal?.url ?? `http://127.0.0.1:${this.opts.ports.portal}`,
    };
  }

  get inboxDir(): string {
    return path.join(this.opts.dataDir, 'inbox');
  }

  /**
   * Starts everything and resolves once a worker polls the task queue. Throws when a part cannot
   * start (call stop() then), or StackStoppedError when stop() was called meanwhile.
   */
  start(): Promise<void> {
    this.startup ??= this.doStart();
    return this.startup;
  }

  private async doStart(): Promise<void> {
    const { dataDir, ports } = this.opts;
    const log = this.opts.log ?? (() => undefined);
    // Before anything is written: this process and its children (the dev server's SQLite file, the
    // inbox's .eml files with live department links, the worker) create files for this user only,
    // and a data folder left open by an earlier version is closed.
    secureDataDir({ CAMPAIGN_DATA_DIR: dataDir });
    const step = () => {
      if (this.stopping) throw new StackStoppedError();
    };
    // First: a data folder an earlier version left (blobs/, mail-ledger/) is refused before anything starts.
    this.stores = await openStores(parseEnv({ ...process.env, CAMPAIGN_DATA_DIR: dataDir }));
    step();

    const sqlite = path.join(dataDir, 'temporal.sqlite');
    const shown = path.relative(process.cwd(), sqlite);
    log(`starting the Temporal dev server (SQLite: ${shown.startsWith('..') ? sqlite : shown})…`);
    const server = await startDevServer({ dbFile: sqlite, port: ports.temporal, uiPort: ports.ui });
    this.server = server;
    server.process.once('exit', (code, signal) => this.unexpectedExit(`the Temporal dev server exited (${signal ?? `code ${code}`})`));
    step();
    this.inbox = await startDemoInbox({ dir: this.inboxDir, smtpPort: ports.smtp, httpPort: ports.inbox });
    step();

    this.env = {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_WEB_UI_URL: server.uiUrl!,
      CAMPAIGN_DATA_DIR: dataDir,
      SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
      SMTP_FROM: process.env.SMTP_FROM ?? '春风行动办公室 <noreply@campaign.example>',
      PORTAL_SECRET: process.env.PORTAL_SECRET ?? secretFile(dataDir, 'portal-secret', () => randomBytes(32).toString('hex')),
      PORTAL_BASE_URL: process.env.PORTAL_BASE_URL ?? `http://127.0.0.1:${ports.portal}`,
      PORTAL_PORT: String(ports.portal),
      PORTAL_COORDINATOR_PASSWORD: process.env.PORTAL_COORDINATOR_PASSWORD ?? secretFile(dataDir, 'coordinator-password', () => randomBytes(12).toString('base64url')),
    };
    // Settings of another Temporal or mail server must not leak into the local stack's worker.
    for (const k of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'SMTP_HOST', 'SMTP_PORT', 'SMTP_USER', 'SMTP_PASSWORD', 'SMTP_SECURE']) {
      delete this.env[k];
    }
    this.appEnv = parseEnv(this.env);

    log('starting the worker…');
    let stdio: 'inherit' | ['ignore', number, number] = 'inherit';
    let fd: number | undefined;
    if (this.opts.workerOutput !== 'inherit') {
      mkdirSync(path.dirname(this.opts.workerOutput.file), { recursive: true });
      fd = openSync(this.opts.workerOutput.file, 'a');
      stdio = ['ignore', fd, fd];
    }
    const worker = spawn(process.execPath, [path.join(projectRoot, 'cli/campaign.mjs'), 'worker'], { env: this.env, stdio, cwd: projectRoot });
    if (fd !== undefined) closeSync(fd);
    this.worker = worker;
    worker.once('exit', (code, signal) => this.unexpectedExit(`the worker exited (${signal ?? `code ${code}`})`));

    const { client, connection } = await connectClient(this.appEnv);
    this.client = client;
    this.closeClient = () => connection.close();
    this.campaigns = new CampaignClient(client, this.stores.plans, this.appEnv.TEMPORAL_TASK_QUEUE);
    step();
    const portalConfig = portalConfigFromEnv(this.appEnv);
    if (this.opts.portalLog) portalConfig.log = this.opts.portalLog;
    this.portal = await startPortal(portalConfig, portalDeps(this.appEnv, client, this.stores), { port: ports.portal, host: this.appEnv.PORTAL_HOST });
    step();
    await this.waitForWorker(120_000);
    step();
  }

  /** Resolves once a worker polls the campaign task queue (it bundles the workflows first). */
  async waitForWorker(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopping) throw new StackStoppedError();
      try {
        const res = await this.client!.workflowService.describeTaskQueue({
          namespace: this.appEnv!.TEMPORAL_NAMESPACE,
          taskQueue: { name: this.appEnv!.TEMPORAL_TASK_QUEUE },
          taskQueueType: 1 /* WORKFLOW */,
        });
        if ((res.pollers?.length ?? 0) > 0) return;
      } catch {
        /* the server may still be warming up */
      }
      if (Date.now() > deadline) throw new Error(`the worker did not start polling within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private unexpectedExit(reason: string): void {
    // A Ctrl-C in the terminal reaches the children too (same process group): give our own SIGINT
    // handler a moment to mark the stack as stopping before calling this a failure.
    setTimeout(() => {
      if (!this.stopping) this.opts.onFailure?.(reason);
    }, 500);
  }

  /** Stops whatever was started, in order: portal, client, worker, inbox, dev server, the stores. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      // Let start-up reach its next step (it then gives up), so nothing it starts is left behind.
      await this.startup?.catch(() => undefined);
      await this.portal?.close().catch(() => undefined);
      await this.closeClient?.().catch(() => undefined);
      const worker = this.worker;
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        const exited = new Promise((r) => worker.once('exit', r));
        worker.kill('SIGTERM');
        const timer = setTimeout(() => worker.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await this.inbox?.stop().catch(() => undefined);
      await this.server?.stop().catch(() => undefined);
      await this.stores?.close().catch(() => undefined);
    })();
    return this.stopped;
  }
}

export class StackStoppedError extends Error {
  constructor() {
    super('stopped during start-up');
    this.name = 'StackStoppedError';
  }
}
