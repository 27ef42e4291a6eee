/**
 * `npm run demo`: the whole product in one command. Starts the stack (tools/harness/stack.ts: the
 * Temporal dev server with its Web UI, the demo inbox, a worker, the portal), starts a campaign
 * from a plan in rehearsal mode — Shanxi 2024's 77 days in about five minutes — and plays its
 * departments through the portal's own HTTP interface, with the link each one received by email:
 * most on time, one by uploading the XLSX template, one or two late, one never (tools/demo/schedule.ts).
 * Shows the campaign's progress and every event as it happens (tools/demo/events.ts), then where the
 * final summary is.
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
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { webUiLink } from '../../cli/context';
import { humanDuration } from '../../cli/verbs/start';
import { campaignNowMs, parseRehearsal, type CampaignClock } from '../../obligations/clock';
import { assignShards, campaignWorkflowId, shardNumbers, shardWorkflowId } from '../../obligations/shards';
import { projectRoot } from '../harness/tool-paths';
import { formatDiagnostic, summarize } from '../../deadlines/diagnostics';
import { loadPlanFile } from '../../deadlines/load';
import { anyTimeDeadlines, expandObligations, type CompiledPlan } from '../../deadlines/timeline';
import { departmentLinkBuilder } from '../../mail/department-links';
import { formTemplateXlsx, parseFilledTemplate } from '../../reports/xlsx';
import { stores } from '../../store/stores';
import type { CampaignInfo, CampaignResult, CampaignWorkflow } from '../../workflows/campaign.messages';
import { bar, Display, wallDuration } from './display';
import { campaignTimeText, EventBoard } from './events';
import { InboxFeed, type InboxMessage } from './inbox-feed';
import { PortalPlayer, type SubmitOutcome } from './portal-player';
import { assignRoles, schedule, type Action, type Roles } from './schedule';
import { busyPorts, portsFromEnv, Stack, StackStoppedError } from '../harness/stack';

const DEFAULT_PLAN = 'definitions/shanxi-2024.yaml';
const DEFAULT_SCALE = '1d=4s';
const DAY = 86_400_000;
/** Departments at the portal at the same time, at most. */
const CONCURRENCY = 3;

const USAGE = `usage: npm run demo -- [--plan FILE] [--scale 1d=4s] [--resume | --fresh] [--exit | --keep]

  --plan FILE    the plan to play (default ${DEFAULT_PLAN}); a bare name means definitions/NAME.yaml
  --scale MAP    campaign time to wall time (default ${DEFAULT_SCALE}: a campaign day in four seconds)
  --resume       continue the campaign a previous demo left running (no question asked)
  --fresh        start the campaign afresh, ending the one a previous demo left running
  --exit         stop everything when the campaign ends (the default without a terminal)
  --keep         keep serving the inbox, portal and Web UI after the end, until Ctrl-C
  --data-dir DIR data folder (default .data)

Ports: TEMPORAL_PORT 7233, TEMPORAL_UI_PORT 8233, INBOX_SMTP_PORT 2525, INBOX_HTTP_PORT 8025, PORTAL_PORT 8080.`;

class UsageError extends Error {}

interface Options {
  planFile: string;
  scaleText: string;
  scale: number;
  resume: boolean;
  fresh: boolean;
  exitAtEnd: boolean;
  dataDir: string;
}

function parseOptions(argv: string[], tty: boolean): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        plan: { type: 'string' },
        scale: { type: 'string' },
        resume: { type: 'boolean' },
        fresh: { type: 'boolean' },
        exit: { type: 'boolean' },
        keep: { type: 'boolean' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length > 1 || (parsed.positionals.length === 1 && v.plan)) throw new UsageError(`unexpected argument '${parsed.positionals.at(-1)}'`);
  if (v.resume && v.fresh) throw new UsageError('--resume and --fresh exclude each other');
  if (v.exit && v.keep) throw new UsageError('--exit and --keep exclude each other');
  let planFile = v.plan ?? parsed.positionals[0] ?? DEFAULT_PLAN;
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  if (!isFile(planFile) && /^[A-Za-z0-9_.-]+$/.test(planFile)) {
    const named = path.join('definitions', planFile.endsWith('.yaml') ? planFile : `${planFile}.yaml`);
    if (isFile(named)) planFile = named;
  }
  const scaleText = v.scale ?? DEFAULT_SCALE;
  const r = parseRehearsal(scaleText);
  if ('error' in r) throw new UsageError(r.error.replace('--rehearse', '--scale'));
  return {
    planFile,
    scaleText,
    scale: r.scale,
    resume: !!v.resume,
    fresh: !!v.fresh,
    exitAtEnd: v.exit ? true : v.keep ? false : !tty,
    dataDir: path.resolve(v['data-dir'] ?? path.join(projectRoot, '.data')),
  };
}

/** "1d=4s" for a clock scale. */
function scaleName(scale: number): string {
  const s = scale * 86_400;
  return s >= 1 ? `1d=${+s.toFixed(2)}s` : `1d=${+(s * 1000).toFixed(0)}ms`;
}

const rel = (p: string) => {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

// --- the run -----------------------------------------------------------------------------------

const display = new Display();
const say = (line = '') => display.line(line);
let stack: Stack | undefined;
let exiting = false;
/** What Ctrl-C should say about continuing later (set once a campaign runs). */
let resumeHint: string | undefined;
/** The campaign completed and its summary was printed. */
let finished = false;
const timers: NodeJS.Timeout[] = [];

async function shutdown(code: number, why?: string): Promise<never> {
  if (!exiting) {
    exiting = true;
    // A call the client retries after its connection closed throws from a timer: nothing to report.
    process.on('uncaughtException', (err) => {
      if (!/Channel has been shut down|aborted/i.test(String((err as Error)?.message))) process.stderr.write(`demo: ${(err as Error)?.stack ?? String(err)}\n`);
    });
    for (const t of timers) clearInterval(t);
    display.clearStatus();
    if (why) say(why);
    say('stopping: portal, worker, demo inbox, Temporal dev server…');
    await stack?.stop();
    say('stopped.');
    if (resumeHint && code !== 0) say(resumeHint);
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

let firstSignalAt = 0;

function onSignal() {
  // npm and tsx pass a terminal's Ctrl-C on to this process too: the same Ctrl-C can arrive two or
  // three times within a moment. Only a second Ctrl-C a while later means "stop now".
  if (exiting && Date.now() - firstSignalAt < 2000) return;
  firstSignalAt ||= Date.now();
  if (exiting) {
    // A second Ctrl-C: do not wait for a graceful stop.
    for (const child of [stack?.worker, stack?.server?.process]) if (child && child.exitCode === null) child.kill('SIGKILL');
    process.exit(130);
  }
  // After the end (--keep), Ctrl-C is the normal way out.
  void (finished ? shutdown(0) : shutdown(130, '\ninterrupted.'));
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim().toLowerCase();
  } finally {
    rl.close();
  }
}

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline || exiting) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function main() {
  const opts = (() => {
    try {
      return parseOptions(process.argv.slice(2), display.tty);
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
  stack = new Stack({
    dataDir: opts.dataDir,
    ports,
    workerOutput: { file: workerLog },
    log: (line) => say(line),
    portalLog: (line) => say(`portal: ${line.split('\n')[0]}`),
    onFailure: (reason) => void shutdown(1, `demo: ${reason} — see ${rel(workerLog)}; stopping.`),
  });
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
      if (opts.resume || !display.tty) return shutdown(2, `demo: ${msg} The demo cannot play it; rerun with --fresh to replace it with a rehearsal, or use another --data-dir.`);
      const a = await ask(`${msg}\nReplace it with a fresh rehearsal? [y/N] `);
      if (a !== 'y' && a !== 'yes') return shutdown(0, 'left it running.');
      mode = 'fresh';
    } else if (opts.resume) mode = 'resume';
    else if (!display.tty) {
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
    plan = await stores(env).plans.load(info.planRef);
    if (mode === 'resume' && opts.scaleText !== DEFAULT_SCALE && Math.abs(info.clock.scale - opts.scale) > 1e-12) {
      say(`note: the campaign keeps the rehearsal clock it started with (${scaleName(info.clock.scale)}); --scale ${opts.scaleText} applies to a fresh start only.`);
    }
  }
  const clock = info.clock;
  const again = [rel(opts.planFile) === DEFAULT_PLAN ? '' : ` --plan ${rel(opts.planFile)}`, opts.dataDir === path.join(projectRoot, '.data') ? '' : ` --data-dir ${rel(opts.dataDir)}`].join('');
  resumeHint = `The campaign stays in ${rel(path.join(opts.dataDir, 'temporal.sqlite'))}: \`npm run demo --${again} --resume\` continues it, \`--fresh\` starts over.\nIts rehearsal clock follows the wall clock (${scaleName(clock.scale)}), so campaign time moves on while the demo is stopped.`;

  const roles = assignRoles(plan);
  printLegend(plan, roles, clock, opts, mode);
  if (mode === 'finished') {
    const result = await handle.result();
    say(`The campaign had already finished (it played on while the demo was stopped).`);
    await finish(plan, result, runStartMs, undefined, urlLines, opts, workflowId);
    return;
  }
  await play(plan, roles, clock, handle, runStartMs, mode, urlLines, opts, workflowId);
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

function progressOf(info: Pick<CampaignInfo, 'periodStart' | 'periodEnd'>, campaignMs: number): number {
  const start = Date.parse(info.periodStart);
  const end = Date.parse(info.periodEnd);
  return Math.max(0, Math.min(1, (campaignMs - start) / (end - start)));
}

/**
 * Ends the previous run (and its shards) so the same workflow ids can start afresh: cancelled, as
 * `campaign cancel` does, and waited for — a send in flight finishes first, so nothing of the old
 * run reaches the inbox once the new one starts. Terminated if it does not close within 30 s.
 */
async function endPrevious(workflowId: string, info: CampaignInfo | undefined, plan: CompiledPlan): Promise<void> {
  const temporal = stack!.client!;
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
  await stack!.campaigns!.cancel(workflowId);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await running(workflowId))) await new Promise((r) => setTimeout(r, 500));
  for (const id of [workflowId, ...shards]) {
    if (await running(id)) await temporal.workflow.getHandle(id).terminate('demo: started afresh');
  }
}

function printLegend(plan: CompiledPlan, roles: Roles, clock: CampaignClock, opts: Options, mode: string): void {
  const c = plan.campaign;
  const periodMs = Date.parse(c.periodEnd) - Date.parse(c.periodStart);
  const occurrences = plan.deadlines.reduce((n, d) => n + d.occurrences.length, 0);
  // As the engine counts them: "any time" channels (随时报送) are not obligations.
  const anyTime = anyTimeDeadlines(plan);
  const expanded = expandObligations(plan);
  const obligationCount = expanded.filter((o) => !anyTime.has(o.deadline)).length;
  const anyTimeCount = expanded.length - obligationCount;
  const names = new Map(plan.departments.map((d) => [d.id, d.name]));
  // Names beside ids for a few departments; ids only for many (Wuhan has 41).
  const list = (ids: string[]) =>
    ids.length <= 8 ? ids.map((id) => `${id} (${names.get(id)})`).join(', ') : ids.length <= 16 ? ids.join(', ') : `${ids.length} departments: ${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more`;
  say(`${mode === 'fresh' ? 'Started' : mode === 'resume' ? 'Resuming' : 'Found'} campaign ${c.id} — ${c.title}   [${rel(opts.planFile)}]`);
  say(`  period      ${c.periodStart.slice(0, 10)} — ${c.periodEnd.slice(0, 10)} (${Math.round(periodMs / DAY)} days, ${c.timezone}), ${plan.departments.length} departments, ${plan.deadlines.length} deadlines, ${occurrences} occurrences, ${obligationCount} obligations${anyTimeCount ? ` (and ${anyTimeCount} “any time” channels, not counted)` : ''}`);
  say(`  rehearsal   ${scaleName(clock.scale)}: the whole campaign plays in about ${humanDuration(periodMs * clock.scale)}`);
  say('  departments (through the portal, each with the link from its own launch email):');
  if (roles.onTime.length) say(`    on time      ${list(roles.onTime)} — the web form, hours before each due time`);
  if (roles.xlsx) say(`    XLSX upload  ${list([roles.xlsx])} — on time; downloads the statistics table's template, fills it in, uploads it`);
  if (roles.late.length) say(`    late         ${list(roles.late)} — after the overdue notice and the office's digest`);
  if (roles.never) say(`    never        ${list([roles.never])} — chased until the end, missing in the summary`);
  for (const a of roles.anyTime) {
    const d = plan.deadlines.find((x) => x.id === a.deadline)!;
    say(`    any time     ${a.department} reports once to “${d.title}”${d.submit.report ? '' : ' (a photo)'}`);
  }
  say();
}

async function play(
  plan: CompiledPlan,
  roles: Roles,
  clock: CampaignClock,
  handle: WorkflowHandle<CampaignWorkflow>,
  runStartMs: number,
  mode: 'fresh' | 'resume',
  urlLines: string[],
  opts: Options,
  workflowId: string,
): Promise<void> {
  const campaigns = stack!.campaigns!;
  const env = stack!.appEnv!;
  const zone = plan.campaign.timezone;
  const periodStart = Date.parse(plan.campaign.periodStart);
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const now = () => campaignNowMs(clock, Date.now());
  const board = new EventBoard(plan, clock, say);
  const feed = new InboxFeed(stack!.inboxDir, plan.campaign.id, runStartMs);
  const player = new PortalPlayer(stack!.urls.portal, plan);
  const tokens = new Map<string, string>();
  // A department opens its link when its launch email arrives (its page stays open for later).
  const toOpen: string[] = [];
  const learnTokens = (ms: InboxMessage[]) => {
    for (const m of ms) {
      if (!m.department || !m.token || (tokens.has(m.department) && m.kind !== 'launch')) continue;
      if (!tokens.has(m.department)) toOpen.push(m.department);
      tokens.set(m.department, m.token);
    }
  };
  // A department whose email has not arrived (or was deleted) gets the same link the emails carry.
  const link = departmentLinkBuilder(stack!.urls.portal, env.PORTAL_SECRET!);
  const fallbackToken = (dept: string) => link(plan.campaign.id, dept).split('/d/')[1]!;

  const traceFile = path.join(opts.dataDir, 'demo', 'demo.log');
  // Each run appends; a trace grown past a few MB starts over.
  if (existsSync(traceFile) && statSync(traceFile).size > 8 * 1024 * 1024) writeFileSync(traceFile, '');
  const iso = (ms: number) => new Date(ms).toISOString();
  const trace = (line: string) => appendFileSync(traceFile, `${new Date().toISOString()} ${line}\n`);
  trace(`--- ${mode} ${plan.campaign.id} clock ${JSON.stringify(clock)}`);
  const done = new Set<string>();
  // On-time departments submit at least 2 s of wall time before due (12 campaign hours at 1d=4s).
  let actions = schedule(plan, roles, 2000 / clock.scale);
  let resumedAt = -Infinity;
  if (mode === 'resume') {
    const status = await retry('reading the campaign status', () => campaigns.status(workflowId), 30_000);
    for (const o of status.obligations) if (o.status !== 'pending') done.add(`${o.occurrence}|${o.department}`);
    const before = await feed.poll();
    learnTokens(before);
    board.countOnly(before);
    const t = now();
    resumedAt = t;
    actions = actions.filter((a) => !done.has(a.id));
    const overdue = actions.filter((a) => a.atMs < t);
    say(`resuming at ${campaignTimeText(Math.min(t, periodEnd), zone)} (${Math.round(progressOf(plan.campaign, t) * 100)}%): ${board.messageTotal} message${board.messageTotal === 1 ? '' : 's'} already delivered, ${done.size} obligation${done.size === 1 ? '' : 's'} already submitted or excused.`);
    if (t >= periodEnd) say('The period ended while the demo was stopped (the rehearsal clock kept running): no more submissions; the engine catches up and writes the final summary.');
    else if (overdue.length) say(`${overdue.length} submission${overdue.length === 1 ? ' was' : 's were'} due while the demo was stopped: those departments catch up now (late where the due time has passed).`);
    say();
    board.resumedAt(t, t >= periodEnd ? 0 : overdue.length);
  }
  const perOccurrence = new Map<string, number>();
  for (const a of actions) if (a.intent === 'on-time' && a.atMs >= resumedAt) perOccurrence.set(a.occurrence, (perOccurrence.get(a.occurrence) ?? 0) + 1);
  for (const [occ, n] of perOccurrence) board.expectOnTime(occ, n);

  // --- the loops ----------------------------------------------------------------------------------
  let inFlight = 0;
  let lastWeek = mode === 'resume' ? Math.floor((now() - periodStart) / (7 * DAY)) : 0;
  const waitingSince = new Map<string, number>();
  const queue = [...actions];
  const runAction = async (a: Action, token: string) => {
    inFlight++;
    let outcome: SubmitOutcome | undefined;
    const began = now();
    for (let attempt = 1; attempt <= 3 && !exiting; attempt++) {
      try {
        outcome = await player.submit(a, token);
      } catch (err) {
        outcome = { ok: false, reason: (err as Error).message };
      }
      trace(`${a.id} ${a.via} ${a.intent} planned ${iso(a.atMs)} began ${iso(began)} attempt ${attempt} ended ${iso(now())}: ${JSON.stringify(outcome)}`);
      if (outcome.ok || (outcome.status !== undefined && outcome.status < 500)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    inFlight--;
    if (exiting || !outcome) return;
    if (outcome.ok) done.add(a.id);
    board.submission(a, outcome, Math.round(now()));
  };
  const tick = () => {
    const t = now();
    while (queue.length && queue[0]!.atMs <= t && inFlight < CONCURRENCY) {
      const a = queue[0]!;
      if (t > periodEnd) {
        queue.shift();
        continue;
      }
      let token = tokens.get(a.department);
      if (!token) {
        // Its launch email may still be on its way: wait for it a little, then use the same link.
        const since = waitingSince.get(a.department) ?? Date.now();
        waitingSince.set(a.department, since);
        if (Date.now() - since < 1500) break;
        token = fallbackToken(a.department);
        tokens.set(a.department, token);
        say(`(${a.department}: no email with its link in the inbox; using the link the emails carry)`);
      }
      queue.shift();
      void runAction(a, token);
    }
    while (toOpen.length && inFlight < CONCURRENCY && !(queue.length && queue[0]!.atMs <= t)) {
      const token = tokens.get(toOpen.shift()!)!;
      if (player.isOpen(token)) continue;
      inFlight++;
      void player
        .open(token)
        .catch(() => undefined)
        .finally(() => inFlight--);
    }
    board.flush();
    const p = progressOf(plan.campaign, t);
    if (display.tty) {
      const left = Math.max(0, (periodEnd - t) * clock.scale);
      const tail = t >= periodEnd ? 'writing the final summary…' : `≈${wallDuration(left)} left`;
      display.setStatus(`${bar(p)} ${String(Math.round(p * 100)).padStart(3)}%  ${campaignTimeText(Math.min(t, periodEnd), zone)}  ${tail} │ submitted ${board.submitted.onTime} on time, ${board.submitted.late} late │ ${board.shortCounts()}`);
    } else {
      // Plain output: no status line; a progress line every campaign week.
      const week = Math.floor((Math.min(t, periodEnd) - periodStart) / (7 * DAY));
      if (week > lastWeek && t >= periodStart) {
        lastWeek = week;
        say(`${campaignTimeText(periodStart + week * 7 * DAY, zone)}  ── ${Math.round(p * 100)}% ── messages so far: ${board.countsText(', ')}; submissions ${board.submitted.onTime} on time, ${board.submitted.late} late`);
      }
    }
  };
  let polling = false;
  const pollInbox = async () => {
    if (polling || exiting) return;
    polling = true;
    try {
      const ms = await feed.poll();
      for (const m of ms) trace(`inbox ${m.kind} ${m.key}/${m.step} arrived at campaign ${iso(campaignNowMs(clock, m.receivedMs))}`);
      learnTokens(ms);
      board.addMessages(ms);
    } finally {
      polling = false;
    }
  };
  timers.push(setInterval(tick, 100), setInterval(() => void pollInbox(), 250));
  // The trace notes when this process itself was slow (it runs the portal the departments use).
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  timers.push(
    setInterval(() => {
      if (loop.max > 300e6) trace(`event loop: delayed up to ${Math.round(loop.max / 1e6)} ms in the last second`);
      loop.reset();
    }, 1000),
  );

  let result: CampaignResult;
  try {
    // Polled rather than long-polled: nothing is left waiting on the connection when Ctrl-C closes it.
    while ((await handle.describe()).status.name === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 1000));
      if (exiting) return;
    }
    result = await handle.result();
  } catch (err) {
    if (exiting) return;
    return void (await shutdown(1, `demo: the campaign did not complete: ${(err as Error).message}`));
  }
  // The final summary email went out before the workflow completed; let the inbox catch up.
  for (let i = 0; i < 20 && !board.counts.get('summary'); i++) {
    await new Promise((r) => setTimeout(r, 250));
    await pollInbox();
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 100));
  for (const t of timers) clearInterval(t);
  board.flushAll();
  display.clearStatus();
  await finish(plan, result, runStartMs, board, urlLines, opts, workflowId);
}

async function finish(plan: CompiledPlan, result: CampaignResult, runStartMs: number, board: EventBoard | undefined, urlLines: string[], opts: Options, workflowId: string): Promise<void> {
  resumeHint = undefined;
  const env = stack!.appEnv!;
  const { blobs } = stores(env);
  const id = plan.campaign.id;
  const demoDir = path.join(opts.dataDir, 'demo');
  const copy = (ref: string | undefined, ext: string): { file: string; blob: string } | undefined => {
    if (!ref) return undefined;
    const blob = blobs.pathOf(ref);
    const file = path.join(demoDir, `${id}-summary.${ext}`);
    copyFileSync(blob, file);
    return { file, blob };
  };
  const xlsx = copy(result.summary.xlsx, 'xlsx');
  const json = copy(result.summary.json, 'json');
  copy(result.summary.csv, 'csv');

  // "Any time" channels (随时报送) are not obligations: the engine leaves them out of the totals.
  let openReports = 0;
  try {
    const status = await stack!.campaigns!.status(workflowId);
    const anyTime = anyTimeDeadlines(plan);
    openReports = status.obligations.filter((o) => o.inPlan && anyTime.has(o.deadline) && o.versions.length > 0).length;
  } catch {
    /* the breakdown is a nicety */
  }
  const t = result.totals;
  say();
  say(`Campaign ${id} completed${board ? ` — ${wallDuration(Date.now() - runStartMs)} after it started` : ''}.`);
  say(`  obligations  ${t.obligations}: ${t.onTime} on time, ${t.late} late, ${t.excused} excused, ${t.missing} missing${openReports ? `; and ${openReports} “any time” report${openReports === 1 ? '' : 's'} (not counted as obligations)` : ''}`);
  if (board) say(`  messages     ${board.messageTotal} in the demo inbox: ${board.countsText(', ')}`);
  if (xlsx) say(`  summary XLSX ${rel(xlsx.file)}   (blob store: ${rel(xlsx.blob)})`);
  if (json) say(`  summary JSON ${rel(json.file)}`);
  say(`  also: the coordinator's email with the XLSX attached in the demo inbox; every table at ${stack!.urls.portal}/c/${encodeURIComponent(id)}`);
  say();
  for (const l of urlLines) say(l);
  say();
  finished = true;
  if (opts.exitAtEnd) {
    await shutdown(0);
  } else {
    say('Everything keeps running so you can look around (inbox, portal, Web UI). Ctrl-C stops it.');
  }
}

main().catch((err) => {
  if (err instanceof StackStoppedError || exiting) return;
  void shutdown(1, `demo: ${(err as Error)?.message ?? String(err)}`);
});
