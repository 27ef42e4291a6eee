/**
 * `npm run demo`: the whole product in one command. Starts the stack (tools/harness/stack.ts: the
 * Temporal dev server with its Web UI, the demo inbox, a worker, the portal), starts a campaign
 * from a plan in rehearsal mode — Shanxi 2024's 77 days in about five minutes — and plays its
 * departments through the portal's own HTTP interface, with the link each one received by email:
 * most on time, one by uploading the XLSX template, one or two late, one never (tools/demo/schedule.ts).
 * Shows the campaign's progress and every event as it happens (tools/demo/events.ts), then where the
 * final summary is.
 *
 * This file starts the stack and decides whether to start the campaign afresh or resume the one a
 * previous demo left running; the command line is options.ts, the process's life (Ctrl-C, stopping
 * what it started) session.ts, the opening lines legend.ts, the play play.ts, the end ending.ts.
 *
 *   npm run demo                                   Shanxi 2024 at 1d=4s
 *   npm run demo -- --plan definitions/demo.yaml --scale 1d=2s
 *   npm run demo -- --resume | --fresh             continue a demo stopped with Ctrl-C, or start over
 *   npm run demo -- --exit                         stop when the campaign ends (default without a terminal)
 *
 * Ctrl-C stops every process it started; the campaign stays in .data/temporal.sqlite. Under
 * .data/demo/: the worker's log, the demo's own trace (every submission with its timings, every
 * message as it arrived) and, at the end, copies of the summary as <campaign>-summary.xlsx/.json/.csv.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { webUiLink } from '../../cli/context';
import { campaignNowMs } from '../../obligations/clock';
import { assignShards, campaignWorkflowId, shardNumbers, shardWorkflowId } from '../../obligations/shards';
import { projectRoot } from '../harness/tool-paths';
import { formatDiagnostic, summarize } from '../../deadlines/diagnostics';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import { departmentLinkBuilder } from '../../mail/department-links';
import { formTemplateXlsx, parseFilledTemplate } from '../../reports/xlsx';
import type { CampaignInfo, CampaignWorkflow } from '../../workflows/campaign.messages';
import { busyPorts, portsFromEnv, Stack, StackStoppedError } from '../harness/stack';
import { wallDuration } from './display';
import { finish } from './ending';
import { campaignTimeText } from './events';
import { printLegend } from './legend';
import { DEFAULT_PLAN, DEFAULT_SCALE, parseOptions, rel, scaleName, USAGE, UsageError } from './options';
import { play, progressOf, type DemoRun } from './play';
import { assignRoles } from './schedule';
import { ask, onSignal, retry, say, session, shutdown } from './session';

async function main() {
  const opts = (() => {
    try {
      return parseOptions(process.argv.slice(2), session.display.tty);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`demo: ${err.message}\n${USAGE}\n`);
        process.exit(2);
      }
      throw err;
    }
  })();
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const loaded = loadPlanFile(opts.planFile);
  if (!loaded.ok) {
    for (const d of [...loaded.errors, ...loaded.warnings]) process.stderr.write(`${formatDiagnostic(d)}\n`);
    const shipped = readdirSync(path.join(projectRoot, 'definitions')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    process.stderr.write(`${summarize(opts.planFile, loaded.errors.length, loaded.warnings.length)}\ndemo: cannot play ${opts.planFile}; fix it (npx campaign validate ${opts.planFile}) or pick a plan from definitions/: ${shipped.join(', ')} (e.g. --plan ${shipped[0]}).\n`);
    process.exit(1);
  }
  const filePlan = loaded.plan;
  const playable = filePlan.deadlines.filter((d) => d.kind !== 'open' && d.departments.length > 0);
  if (filePlan.departments.length === 0 || playable.length === 0) {
    process.stderr.write(`demo: ${opts.planFile} has no department with a deadline to play.\n`);
    process.exit(1);
  }

  let ports;
  try {
    ports = portsFromEnv();
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const busy = await busyPorts(ports);
  if (busy.length) {
    process.stderr.write(`demo: ${busy.join(', ')} already in use — is \`npm start\` or another demo running? Stop it, or set the variables in brackets to free ports.\n`);
    process.exit(1);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const demoDir = path.join(opts.dataDir, 'demo');
  mkdirSync(demoDir, { recursive: true });
  const workerLog = path.join(demoDir, 'worker.log');
  const stack = new Stack({
    dataDir: opts.dataDir,
    ports,
    workerOutput: { file: workerLog },
    log: (line) => say(line),
    portalLog: (line) => say(`portal: ${line.split('\n')[0]}`),
    onFailure: (reason) => void shutdown(1, `demo: ${reason} — see ${rel(workerLog)}; stopping.`),
  });
  session.stack = stack;
  const t0 = Date.now();
  await stack.start();
  const env = stack.appEnv!;
  const urls = stack.urls;
  const campaigns = stack.campaigns!;
  const temporal = stack.client!;
  const workflowId = campaignWorkflowId(filePlan.campaign.id);
  const webUi = webUiLink(env, workflowId);
  const urlLines = [
    `  Temporal Web UI   ${urls.webUi}   (this campaign: ${webUi})`,
    `  Demo inbox        ${urls.inbox}   (SMTP ${urls.smtp}; every message also as .eml in ${rel(stack.inboxDir)})`,
    `  Portal            ${urls.portal}   (coordinator: ${urls.portal}/c/login, user ${env.PORTAL_COORDINATOR_USER}, password ${env.PORTAL_COORDINATOR_PASSWORD})`,
    `  Worker            pid ${stack.worker!.pid}, log ${rel(workerLog)}`,
  ];
  say(`stack ready in ${wallDuration(Date.now() - t0)}:`);
  for (const l of urlLines) say(l);
  say();

  // --- fresh or resume ---------------------------------------------------------------------------
  let handle: WorkflowHandle<CampaignWorkflow> = campaigns.handle(workflowId);
  let existing: { status: string; startTime: Date; runId: string } | undefined;
  try {
    const d = await handle.describe();
    existing = { status: d.status.name, startTime: d.startTime, runId: d.runId };
  } catch (err) {
    if ((err as Error)?.name !== 'WorkflowNotFoundError') throw err;
  }
  let mode: 'fresh' | 'resume' | 'finished' = 'fresh';
  let info: CampaignInfo | undefined;
  if (existing?.status === 'RUNNING') {
    info = await retry('asking the running campaign for its state', () => campaigns.info(workflowId), 30_000);
    const realTime = info.clock.scale === 1;
    // Campaign time from the clock: the query's campaignNow is as of the workflow's last activation.
    const nowMs = campaignNowMs(info.clock, Date.now());
    const where = `started ${existing.startTime.toLocaleString('en-GB')}, campaign time now ${campaignTimeText(Math.min(nowMs, Date.parse(info.periodEnd)), filePlan.campaign.timezone)}, ${Math.round(progressOf(info, nowMs) * 100)}%`;
    if (opts.fresh) mode = 'fresh';
    else if (realTime) {
      const msg = `campaign ${filePlan.campaign.id} is running on this server in real time (not a rehearsal: ${where}).`;
      if (opts.resume || !session.display.tty) return shutdown(2, `demo: ${msg} The demo cannot play it; rerun with --fresh to replace it with a rehearsal, or use another --data-dir.`);
      const a = await ask(`${msg}\nReplace it with a fresh rehearsal? [y/N] `);
      if (a !== 'y' && a !== 'yes') return shutdown(0, 'left it running.');
      mode = 'fresh';
    } else if (opts.resume) mode = 'resume';
    else if (!session.display.tty) {
      return shutdown(2, `demo: campaign ${filePlan.campaign.id} from a previous demo is still running in ${rel(opts.dataDir)} (${where}). Rerun with --resume to continue it, or --fresh to start over.`);
    } else {
      say(`Campaign ${filePlan.campaign.id} from a previous demo is still running in ${rel(opts.dataDir)} (${where}, rehearsal ${scaleName(info.clock.scale)}).`);
      const a = await ask('  [r] resume it   [f] start afresh   (R/f) ');
      mode = a === 'f' || a === 'fresh' ? 'fresh' : 'resume';
    }
  } else if (existing?.status === 'COMPLETED' && opts.resume) {
    mode = 'finished';
  }

  let plan: CompiledPlan = filePlan;
  let runStartMs: number;
  if (mode === 'fresh') {
    if (existing?.status === 'RUNNING') await endPrevious(workflowId, info, filePlan);
    await warmUp(filePlan, stack.urls.portal, env.PORTAL_SECRET!);
    // The rehearsal starts a campaign minute into the period (not before it, as `campaign start`
    // does): the portal takes campaign time from the campaign workflow's last activation, which
    // must not be before the period when the first departments open their links.
    const startAt = new Date(Date.parse(filePlan.campaign.periodStart) + 60_000).toISOString();
    const { handle: started } = await campaigns.start(filePlan, { clock: { mode: 'rehearsal', scale: opts.scale, startAt }, workflowId });
    handle = temporal.workflow.getHandle<CampaignWorkflow>(workflowId, started.firstExecutionRunId);
    runStartMs = (await handle.describe()).startTime.getTime();
    info = await retry('waiting for the campaign to start', () => campaigns.info(workflowId), 60_000);
  } else {
    handle = temporal.workflow.getHandle<CampaignWorkflow>(workflowId, existing!.runId);
    runStartMs = existing!.startTime.getTime();
    info ??= await retry('asking the campaign for its state', () => campaigns.info(workflowId), 30_000);
    plan = await stack.stores!.plans.load(info.planRef);
    if (mode === 'resume' && opts.scaleText !== DEFAULT_SCALE && Math.abs(info.clock.scale - opts.scale) > 1e-12) {
      say(`note: the campaign keeps the rehearsal clock it started with (${scaleName(info.clock.scale)}); --scale ${opts.scaleText} applies to a fresh start only.`);
    }
  }
  const clock = info.clock;
  const again = [rel(opts.planFile) === DEFAULT_PLAN ? '' : ` --plan ${rel(opts.planFile)}`, opts.dataDir === path.join(projectRoot, '.data') ? '' : ` --data-dir ${rel(opts.dataDir)}`].join('');
  session.resumeHint = `The campaign stays in ${rel(path.join(opts.dataDir, 'temporal.sqlite'))}: \`npm run demo --${again} --resume\` continues it, \`--fresh\` starts over.\nIts rehearsal clock follows the wall clock (${scaleName(clock.scale)}), so campaign time moves on while the demo is stopped.`;

  const run: DemoRun = { stack, plan, clock, handle, runStartMs, urlLines, opts, workflowId };
  const roles = assignRoles(plan);
  printLegend(plan, roles, clock, opts, mode);
  if (mode === 'finished') {
    const result = await handle.result();
    say(`The campaign had already finished (it played on while the demo was stopped).`);
    await finish(run, result, undefined);
    return;
  }
  const played = await play(run, roles, mode);
  if (played) await finish(run, played.result, played.board);
}

/** Runs exceljs and the portal's request path once, so the first departments do not pay for a cold start. */
async function warmUp(plan: CompiledPlan, portalUrl: string, secret: string): Promise<void> {
  try {
    const deadline = plan.deadlines.find((d) => d.submit.form);
    const form = plan.forms.find((f) => f.id === deadline?.submit.form);
    if (deadline && form) {
      const dept = plan.departments[0]!;
      await parseFilledTemplate(await formTemplateXlsx(plan, form.id, { department: { id: dept.id, name: dept.name }, deadlineId: deadline.id }), form);
    }
    const link = departmentLinkBuilder(portalUrl, secret)('demo-warm-up', 'nobody');
    await (await fetch(link, { signal: AbortSignal.timeout(10_000) })).text();
  } catch {
    /* only an optimisation */
  }
}


/**
 * Ends the previous run (and its shards) so the same workflow ids can start afresh: cancelled, as
 * `campaign cancel` does, and waited for — a send in flight finishes first, so nothing of the old
 * run reaches the inbox once the new one starts. Terminated if it does not close within 30 s.
 */
async function endPrevious(workflowId: string, info: CampaignInfo | undefined, plan: CompiledPlan): Promise<void> {
  const temporal = session.stack!.client!;
  const shards = info?.shards.map((s) => s.workflowId) ?? shardNumbers(assignShards(plan)).map((n) => shardWorkflowId(workflowId, n));
  say(`ending the previous run of ${workflowId} (cancelled)…`);
  const running = async (id: string) => {
    try {
      return (await temporal.workflow.getHandle(id).describe()).status.name === 'RUNNING';
    } catch (err) {
      if ((err as Error)?.name === 'WorkflowNotFoundError') return false;
      throw err;
    }
  };
  await session.stack!.campaigns!.cancel(workflowId);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await running(workflowId))) await new Promise((r) => setTimeout(r, 500));
  for (const id of [workflowId, ...shards]) {
    if (await running(id)) await temporal.workflow.getHandle(id).terminate('demo: started afresh');
  }
}


main().catch((err) => {
  if (err instanceof StackStoppedError || session.exiting) return;
  void shutdown(1, `demo: ${(err as Error)?.message ?? String(err)}`);
});
