/**
 * `npm start`: the whole stack on this machine, real parts only — the Temporal dev server with
 * its Web UI and a SQLite file under .data/ (campaigns survive restarts), the demo inbox (a real
 * SMTP server and a page to read what it received), a campaign worker and the collection portal
 * (tools/harness/stack.ts). Prints the URLs and the next commands; Ctrl-C stops everything it started.
 *
 * Ports (override with the variables): TEMPORAL_PORT 7233, TEMPORAL_UI_PORT 8233,
 * INBOX_SMTP_PORT 2525, INBOX_HTTP_PORT 8025, PORTAL_PORT 8080. The demo coordinator's password is
 * generated into .data/coordinator-password.
 *
 * Of the tools it needs only the Temporal CLI: `npm start` runs `bootstrap.mjs --for start`, which
 * builds no Java test server and installs no browser.
 */
import path from 'node:path';
import { projectRoot } from '../harness/tool-paths';
import { busyPorts, portsFromEnv, Stack, StackStoppedError } from '../harness/stack';

const dataDir = path.join(projectRoot, '.data');
let stack: Stack | undefined;
let exiting = false;

async function stopAll(code: number) {
  if (exiting) return;
  exiting = true;
  process.stdout.write('\nstopping: portal, worker, demo inbox, Temporal dev server…\n');
  await stack?.stop();
  process.stdout.write('stopped. Campaigns are kept in .data/temporal.sqlite; `npm start` resumes them.\n');
  process.exit(code);
}

async function main() {
  const ports = portsFromEnv();
  const busy = await busyPorts(ports);
  if (busy.length) {
    process.stderr.write(`start: ${busy.join(', ')} already in use — is \`npm start\` or \`npm run demo\` already running? Stop it, or set TEMPORAL_PORT / TEMPORAL_UI_PORT / INBOX_SMTP_PORT / INBOX_HTTP_PORT / PORTAL_PORT.\n`);
    process.exit(1);
  }
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  stack = new Stack({
    dataDir,
    ports,
    workerOutput: 'inherit',
    log: (line) => process.stdout.write(`${line}\n`),
    onFailure: (reason) => {
      process.stderr.write(`start: ${reason}; stopping.\n`);
      void stopAll(1);
    },
  });
  await stack.start();
  const urls = stack.urls;
  const env = stack.appEnv!;
  process.stdout.write(
    [
      '',
      'Running:',
      `  Temporal Web UI   ${urls.webUi}`,
      `  Temporal gRPC     ${urls.temporal}   (namespace ${env.TEMPORAL_NAMESPACE}, task queue ${env.TEMPORAL_TASK_QUEUE})`,
      `  Demo inbox        ${urls.inbox}   (SMTP on ${urls.smtp})`,
      '  Worker            pid ' + stack.worker!.pid,
      `  Portal            ${urls.portal}   (departments: the links in their emails)`,
      `  Coordinator       ${urls.portal}/c/login   user ${env.PORTAL_COORDINATOR_USER}, password ${env.PORTAL_COORDINATOR_PASSWORD}`,
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
  if (err instanceof StackStoppedError) return;
  process.stderr.write(`start: ${(err as Error).message}\n`);
  void stopAll(1);
});
