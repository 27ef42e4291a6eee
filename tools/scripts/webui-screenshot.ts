/**
 * Takes docs/webui-shard-history.png: what an admin sees opening a shard of a campaign in the
 * Temporal Web UI — timers and deliveries named in the campaign's language
 * (obligations/workflow-metadata.ts), not "70 (3s, 738ms)" and `deliverMessages`.
 *
 *   npx tsx tools/scripts/webui-screenshot.ts [out.png]     (after `npm run bootstrap`)
 *
 * Real parts only: the Temporal dev server with its UI (in memory), a real SMTP server on
 * loopback, a campaign worker in this process, definitions/demo.yaml played as a rehearsal (a
 * campaign day in four seconds) up to its second week, then chromium on the shard's history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { CampaignClient } from '../../client/campaign-client';
import { closeMailDependencies } from '../../worker/dependencies';
import { createCampaignWorker } from '../../worker/create-worker';
import { compiledPlan, engineDependencies } from '../../test/support/engine-env';
import { startSmtpSink } from '../../test/support/smtp-sink';
import { launchChromium } from '../harness/browser';
import { startDevServer } from '../harness/dev-server';

const out = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../../docs/webui-shard-history.png', import.meta.url)));
const DAY_WALL_MS = 4_000;
const local = (s: string) => DateTime.fromFormat(`2024-${s}`, 'yyyy-MM-dd HH:mm', { zone: 'Asia/Shanghai' }).toISO()!;
const log = (line: string) => process.stdout.write(`${line}\n`);

const server = await startDevServer({ ui: true });
const sink = await startSmtpSink();
const dataDir = mkdtempSync(path.join(tmpdir(), 'webui-screenshot-'));
const connection = await Connection.connect({ address: server.address });
const temporal = new Client({ connection, namespace: server.namespace });
const { deps, stores } = await engineDependencies({ dataDir, smtpEnv: sink.env(), temporal });
const native = await NativeConnection.connect({ address: server.address });
const taskQueue = 'webui-screenshot';
const worker = await createCampaignWorker({ connection: native, namespace: server.namespace, taskQueue, deps });
const running = worker.run();
try {
  const plan = compiledPlan(fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url)));
  const client = new CampaignClient(temporal, deps.plans, taskQueue);
  const { workflowId } = await client.start(plan, { clock: { mode: 'rehearsal', scale: DAY_WALL_MS / 86_400_000, startAt: local('03-03 23:00') } });
  log(`campaign ${workflowId} started; UI ${server.uiUrl}`);
  // East reports the first week on time: a receipt, and one department fewer on the ladder.
  await new Promise((r) => setTimeout(r, 1.5 * DAY_WALL_MS));
  await client.submit(plan.campaign.id, { submissionId: 'w1', department: 'east', deadline: 'weekly-stats', values: { fairs: 2, hired: 10, hired_women: 4 }, by: 'east' });
  // Eight campaign days more, into the second week (the worker's start-up adds a day or two):
  // reminders, escalations, roll-ups, a weekly digest.
  await new Promise((r) => setTimeout(r, 8 * DAY_WALL_MS));
  const info = await client.info(plan.campaign.id);
  const shardId = info.shards[0]!.workflowId;
  const runId = (await temporal.workflow.getHandle(shardId).describe()).runId;
  const url = `${server.uiUrl}/namespaces/${server.namespace}/workflows/${encodeURIComponent(shardId)}/${runId}/history`;
  log(`shard ${shardId}: ${url}; ${sink.messages.length} messages received`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 2200 }, deviceScaleFactor: 1 });
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.getByText('启动通知').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: out, fullPage: true });
    log(`saved ${out}`);
  } finally {
    await browser.close();
  }
} finally {
  worker.shutdown();
  await running.catch(() => undefined);
  closeMailDependencies(deps);
  await stores.close();
  await native.close();
  await connection.close();
  await sink.stop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
