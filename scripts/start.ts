/**
 * `npm start`: the whole stack on this machine, real parts only — the Temporal dev server with
 * its Web UI and a SQLite file under .data/ (campaigns survive restarts), the demo inbox (a real
 * SMTP server and a page to read what it received), and a campaign worker. Prints the URLs and
 * the next commands; Ctrl-C stops everything it started.
 *
 * Ports (override with the variables): TEMPORAL_PORT 7233, TEMPORAL_UI_PORT 8233,
 * INBOX_SMTP_PORT 2525, INBOX_HTTP_PORT 8025, PORTAL_PORT 8080. The portal runs in this process,
 * after the worker; the demo coordinator's password is generated into .data/coordinator-password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startDevServer, type DevServer } from '../harness/dev-server';
import { projectRoot } from '../harness/tool-paths';
import { startDemoInbox, type DemoInbox } from '../inbox/demo-inbox';
import { parseEnv } from '../config/env';
import { connectClient } from '../worker/dependencies';
import { portalConfigFromEnv, portalDepsFromEnv, startPortal, type Portal } from '../portal/server';

const dataDir = path.join(projectRoot, '.data');
const ports = {
  temporal: Number(process.env.TEMPORAL_PORT ?? 7233),
  ui: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
  smtp: Number(process.env.INBOX_SMTP_PORT ?? 2525),
  inbox: Number(process.env.INBOX_HTTP_PORT ?? 8025),
  portal: Number(process.env.PORTAL_PORT ?? 8080),
};

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function portalSecret(): string {
  const file = path.join(dataDir, 'portal-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The demo coordinator's portal password, generated once into .data/coordinator-password. */
function coordinatorPassword(): string {
  const file = path.join(dataDir, 'coordinator-password');
  if (!existsSync(file)) writeFileSync(file, randomBytes(12).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

let server: DevServer | undefined;
let portal: Portal | undefined;
let closeClient: (() => Promise<void>) | undefined;
let inbox: DemoInbox | undefined;
let worker: ChildProcess | undefined;
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping: portal, worker, demo inbox, Temporal dev server…\n');
  await portal?.close().catch(() => undefined);
  await closeClient?.().catch(() => undefined);
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((r) => worker!.once('exit', r));
  }
  await inbox?.stop().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  process.stdout.write('stopped. Campaigns are kept in .data/temporal.sqlite; `npm start` resumes them.\n');
  process.exit(code);
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  const busy = [];
  for (const [name, port] of Object.entries(ports)) if (!(await portFree(port))) busy.push(`${name} port ${port}`);
  if (busy.length) {
    process.stderr.write(`start: ${busy.join(', ')} already in use — is \`npm start\` already running? Stop it, or set TEMPORAL_PORT / TEMPORAL_UI_PORT / INBOX_SMTP_PORT / INBOX_HTTP_PORT / PORTAL_PORT.\n`);
    process.exit(1);
  }
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  process.stdout.write('starting the Temporal dev server (SQLite: .data/temporal.sqlite)…\n');
  server = await startDevServer({ dbFile: path.join(dataDir, 'temporal.sqlite'), port: ports.temporal, uiPort: ports.ui });
  inbox = await startDemoInbox({ dir: path.join(dataDir, 'inbox'), smtpPort: ports.smtp, httpPort: ports.inbox });

  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_WEB_UI_URL: server.uiUrl!,
    CAMPAIGN_DATA_DIR: dataDir,
    SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
    SMTP_FROM: process.env.SMTP_FROM ?? '春风行动办公室 <noreply@campaign.example>',
    PORTAL_SECRET: process.env.PORTAL_SECRET ?? portalSecret(),
    PORTAL_BASE_URL: process.env.PORTAL_BASE_URL ?? `http://127.0.0.1:${ports.portal}`,
    PORTAL_PORT: String(ports.portal),
    PORTAL_COORDINATOR_PASSWORD: process.env.PORTAL_COORDINATOR_PASSWORD ?? coordinatorPassword(),
  };
  worker = spawn(process.execPath, [path.join(projectRoot, 'bin/campaign.mjs'), 'worker'], { env, stdio: 'inherit' });
  worker.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`start: the worker exited (code ${code}); stopping.\n`);
      void stopAll(1);
    }
  });

  const appEnv = parseEnv(env);
  const { client, connection } = await connectClient(appEnv);
  closeClient = () => connection.close();
  portal = await startPortal(portalConfigFromEnv(appEnv), portalDepsFromEnv(appEnv, client), { port: ports.portal, host: appEnv.PORTAL_HOST });

  process.stdout.write(
    [
      '',
      'Running:',
      `  Temporal Web UI   ${server.uiUrl}`,
      `  Temporal gRPC     ${server.address}   (namespace default, task queue campaigns)`,
      `  Demo inbox        ${inbox.url}   (SMTP on 127.0.0.1:${ports.smtp})`,
      '  Worker            pid ' + worker.pid,
      `  Portal            ${portal.url}   (departments: the links in their emails)`,
      `  Coordinator       ${portal.url}/c/login   user ${appEnv.PORTAL_COORDINATOR_USER}, password ${appEnv.PORTAL_COORDINATOR_PASSWORD}`,
      `                    (kept in .data/coordinator-password)`,
      '',
      'In another terminal:',
      '  npx campaign preview definitions/shanxi-2024.yaml',
      '  npx campaign start definitions/demo.yaml --rehearse 1d=10s',
      '  npx campaign status demo',
      '  npx campaign history demo',
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`start: ${(err as Error).message}\n`);
  void stopAll(1);
});
