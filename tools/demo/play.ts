/**
 * Plays a campaign the demo started (or resumed): the departments act at their instants through the
 * portal (tools/demo/schedule.ts says who does what and when; portal-player.ts does it over HTTP),
 * each opening the link from its own launch email as it arrives in the demo inbox; every message
 * and submission becomes an event line (events.ts), the progress shows on the status line (a
 * terminal) or as a line every campaign week (no terminal), and a trace of every submission and
 * message goes to <data>/demo/demo.log. Returns when the campaign completes.
 */
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WorkflowHandle } from '@temporalio/client';
import { campaignNowMs, type CampaignClock } from '../../obligations/clock';
import type { CompiledPlan } from '../../deadlines/timeline';
import { departmentLinkBuilder } from '../../mail/department-links';
import type { CampaignInfo, CampaignResult, CampaignWorkflow } from '../../workflows/campaign.messages';
import type { Stack } from '../harness/stack';
import { bar, wallDuration } from './display';
import { campaignTimeText, EventBoard } from './events';
import { InboxFeed, type InboxMessage } from './inbox-feed';
import type { Options } from './options';
import { PortalPlayer, type SubmitOutcome } from './portal-player';
import { schedule, type Action, type Roles } from './schedule';
import { retry, say, session, shutdown } from './session';

const DAY = 86_400_000;
/** Departments at the portal at the same time, at most. */
const CONCURRENCY = 3;

/** A campaign the demo plays: what playing it and its ending need. */
export interface DemoRun {
  stack: Stack;
  plan: CompiledPlan;
  clock: CampaignClock;
  handle: WorkflowHandle<CampaignWorkflow>;
  /** Wall time the campaign's run started. */
  runStartMs: number;
  /** The stack's URLs, printed at the start and again at the end. */
  urlLines: string[];
  opts: Options;
  workflowId: string;
}

/** How far through its period a campaign is at a campaign instant, 0..1. */
export function progressOf(info: Pick<CampaignInfo, 'periodStart' | 'periodEnd'>, campaignMs: number): number {
  const start = Date.parse(info.periodStart);
  const end = Date.parse(info.periodEnd);
  return Math.max(0, Math.min(1, (campaignMs - start) / (end - start)));
}

/** Plays the campaign to its end; undefined when the demo is stopping instead. */
export async function play(run: DemoRun, roles: Roles, mode: 'fresh' | 'resume'): Promise<{ result: CampaignResult; board: EventBoard } | undefined> {
  const { stack, plan, clock, handle, runStartMs, opts, workflowId } = run;
  const campaigns = stack.campaigns!;
  const env = stack.appEnv!;
  const zone = plan.campaign.timezone;
  const periodStart = Date.parse(plan.campaign.periodStart);
  const periodEnd = Date.parse(plan.campaign.periodEnd);
  const now = () => campaignNowMs(clock, Date.now());
  const board = new EventBoard(plan, clock, say);
  const feed = new InboxFeed(stack.inboxDir, plan.campaign.id, runStartMs);
  const player = new PortalPlayer(stack.urls.portal, plan);
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
  const link = departmentLinkBuilder(stack.urls.portal, env.PORTAL_SECRET!);
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
    for (let attempt = 1; attempt <= 3 && !session.exiting; attempt++) {
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
    if (session.exiting || !outcome) return;
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
    if (session.display.tty) {
      const left = Math.max(0, (periodEnd - t) * clock.scale);
      const tail = t >= periodEnd ? 'writing the final summary…' : `≈${wallDuration(left)} left`;
      session.display.setStatus(`${bar(p)} ${String(Math.round(p * 100)).padStart(3)}%  ${campaignTimeText(Math.min(t, periodEnd), zone)}  ${tail} │ submitted ${board.submitted.onTime} on time, ${board.submitted.late} late │ ${board.shortCounts()}`);
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
    if (polling || session.exiting) return;
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
  session.timers.push(setInterval(tick, 100), setInterval(() => void pollInbox(), 250));
  // The trace notes when this process itself was slow (it runs the portal the departments use).
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  session.timers.push(
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
      if (session.exiting) return undefined;
    }
    result = await handle.result();
  } catch (err) {
    if (session.exiting) return undefined;
    return shutdown(1, `demo: the campaign did not complete: ${(err as Error).message}`);
  }
  // The final summary email went out before the workflow completed; let the inbox catch up.
  for (let i = 0; i < 20 && !board.counts.get('summary'); i++) {
    await new Promise((r) => setTimeout(r, 250));
    await pollInbox();
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 100));
  for (const t of session.timers) clearInterval(t);
  board.flushAll();
  session.display.clearStatus();
  return { result, board };
}
