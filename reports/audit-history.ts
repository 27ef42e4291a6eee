/**
 * The audit log of a campaign in the coordinator's terms, derived from the Temporal histories of
 * its workflows (the campaign workflow and every department shard, every run of each): what was
 * sent to whom and when in campaign time, what failed, who submitted, excused, extended, paused,
 * resumed or amended, the roll-ups and digests, the final summary.
 *
 * Nothing is kept by the engine for the audit's sake: the histories are the record. Payloads are
 * decoded with the default payload converter (the engine uses no payload codec).
 *
 * `auditEntries` is pure (histories in, entries out); reading and fetching the histories is in
 * temporal-histories.ts (`loadCampaignHistories`).
 */
import { DateTime } from 'luxon';
import { campaignNowMs, type CampaignClock, type ClockRequest } from '../obligations/clock';
import type { CampaignInstant } from '../obligations/campaign-instants';
import type { DeliveryEntry, SubmissionInput, SubmissionReceipt } from '../obligations/obligations';
import type { ComposeRequest } from '../obligations/message-requests';
import type { CompiledPlan, Language } from '../deadlines/timeline';
import { decodePayloads, eventMs, failureMessage, idOf, type HistoryEventLike, type WorkflowRunHistory } from './temporal-histories';

// --- time --------------------------------------------------------------------------------------

const ZH_WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const EN_WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "2024-03-05 周二 09:00" (zh-CN) / "2024-03-05 Tue 09:00" (en), in the campaign's zone. */
export function campaignTime(at: string | number, zone: string, lang: Language = 'zh-CN'): string {
  const dt = (typeof at === 'number' ? DateTime.fromMillis(at) : DateTime.fromISO(at, { setZone: true })).setZone(zone);
  if (!dt.isValid) return String(at);
  return `${dt.toFormat('yyyy-MM-dd')} ${(lang === 'zh-CN' ? ZH_WEEKDAYS : EN_WEEKDAYS)[dt.weekday - 1]} ${dt.toFormat('HH:mm')}`;
}

// --- the parts of Temporal's history events read here (structural: proto objects fit) ---------

// --- entries -----------------------------------------------------------------------------------

export type AuditKind =
  | 'started'
  | 'shard'
  | 'message'
  | 'delivery-failed'
  | 'submission'
  | 'repeated-submission'
  | 'excuse'
  | 'extension'
  | 'chase'
  | 'rejected'
  | 'pause'
  | 'resume'
  | 'amend'
  | 'coordinator'
  | 'summary'
  | 'continue-as-new'
  | 'cancel'
  | 'completed'
  | 'failed'
  | 'signal';

export interface AuditEntry {
  /** Wall-clock time of the history event (epoch ms). */
  wallMs: number;
  /** The same instant in campaign time (epoch ms). */
  campaignMs: number;
  /** Campaign local time with weekday, e.g. "2024-03-05 周二 09:00". */
  when: string;
  /** Who acted: `engine` for what the campaign does by itself, else the person/tool recorded. */
  actor: string;
  kind: AuditKind;
  what: string;
  /** True for failures: deliveries refused, activities failed, requests refused. */
  failed?: boolean;
  workflowId: string;
}

interface Names {
  dept(id: string): string;
  deadline(id: string): string;
  occurrence(key: string): string;
}

function namesOf(plan: CompiledPlan | undefined): Names {
  const depts = new Map(plan?.departments.map((d) => [d.id, d.name]) ?? []);
  const deadlines = new Map(plan?.deadlines.map((d) => [d.id, d.title]) ?? []);
  const occDeadline = new Map<string, string>();
  for (const d of plan?.deadlines ?? []) for (const o of d.occurrences) occDeadline.set(o.key, d.id);
  return {
    dept: (id) => (depts.get(id) ? `${depts.get(id)} (${id})` : id),
    deadline: (id) => (deadlines.get(id) ? `${deadlines.get(id)} (${id})` : id),
    occurrence: (key) => {
      const d = occDeadline.get(key) ?? key.split('@')[0]!;
      return deadlines.get(d) ? `${deadlines.get(d)} (${key})` : key;
    },
  };
}

function recipients(entry: Pick<DeliveryEntry, 'sent' | 'failed'> | undefined): string {
  if (!entry) return '';
  const parts: string[] = [];
  if (entry.sent.length) parts.push(`sent to ${entry.sent.join(', ')}`);
  if (entry.failed.length) parts.push(`FAILED for ${entry.failed.map((f) => `${f.address} (${f.reason})`).join(', ')}`);
  return parts.length ? parts.join('; ') : 'no recipient';
}

function describeRequest(req: ComposeRequest | undefined, entry: DeliveryEntry | undefined, n: Names): string {
  if (!req) return `${entry?.kind ?? 'message'} ${entry?.step ?? ''}`.trim();
  switch (req.kind) {
    case 'launch':
      return `launch notice to ${n.dept(req.departmentId)}`;
    case 'reminder':
      return `reminder (${req.before} before due) to ${n.dept(req.departmentId)} for ${n.occurrence(req.occurrenceKey)}`;
    case 'overdue':
      return `overdue notice (rung ${req.step}) to ${n.dept(req.departmentId)} for ${n.occurrence(req.occurrenceKey)}`;
    case 'escalation':
      return `escalation (rung ${req.step}) about ${n.dept(req.departmentId)} for ${n.occurrence(req.occurrenceKey)}`;
    case 'chase':
      return `chase by hand to ${n.dept(req.departmentId)} for ${n.occurrence(req.occurrenceKey)} [${req.chaseId}]`;
    case 'receipt':
      return `receipt to ${n.dept(req.departmentId)} for ${n.occurrence(req.occurrenceKey)}${req.revision && req.revision > 1 ? ` (version ${req.revision})` : ''}`;
    default:
      return `${req.kind} message`;
  }
}

function describeInstant(instant: CampaignInstant | undefined, n: Names, zone = 'UTC'): string {
  switch (instant?.kind) {
    case 'rollup':
      return `roll-up of ${n.occurrence(instant.occurrence)} to the office`;
    case 'coordinator-digest':
      return `digest of late departments (${instant.occurrences.map((o) => n.occurrence(o)).join(', ')}) to the office`;
    case 'weekly-digest':
      return `weekly digest (week from ${DateTime.fromISO(instant.weekStart, { setZone: true }).setZone(zone).toFormat('yyyy-MM-dd')}) to the office`;
    default:
      return 'message to the office';
  }
}

function shortRef(ref: string | undefined): string {
  return ref ? ref.replace(/^sha256:(.{12}).*$/, 'sha256:$1…') : '?';
}

function figures(values: Record<string, unknown> | undefined): string {
  if (!values) return '';
  const parts = Object.entries(values)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('、') : String(v)}`);
  const s = parts.join(', ');
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function shardLabel(workflowId: string): string {
  return /\/(shard-\d+)$/.exec(workflowId)?.[1] ?? workflowId;
}

export interface AuditOptions {
  clock: CampaignClock;
  zone: string;
  language?: Language;
  plan?: CompiledPlan;
}

/** Every entry of the audit log, oldest first, from the histories of the campaign's workflow runs. */
export function auditEntries(runs: readonly WorkflowRunHistory[], opts: AuditOptions): AuditEntry[] {
  const n = namesOf(opts.plan);
  const out: AuditEntry[] = [];
  for (const run of runs) {
    const add = (e: HistoryEventLike, actor: string, kind: AuditKind, what: string, failed = false) => {
      const wallMs = eventMs(e);
      const campaignMs = campaignNowMs(opts.clock, wallMs);
      out.push({ wallMs, campaignMs, when: campaignTime(campaignMs, opts.zone, opts.language), actor, kind, what, ...(failed ? { failed } : {}), workflowId: run.workflowId });
    };
    const scheduled = new Map<string, { type: string; input: unknown; event: HistoryEventLike }>();
    const completions = new Map<string, HistoryEventLike>();
    for (const e of run.events) {
      const c = e.workflowExecutionUpdateCompletedEventAttributes;
      if (c) {
        completions.set(idOf(c.acceptedEventId), e);
        // Temporal's time-skipping test server leaves acceptedEventId at 0: the update id tells too.
        if (c.meta?.updateId) completions.set(`update:${c.meta.updateId}`, e);
      }
    }
    const campaign = run.role === 'campaign';
    for (const e of run.events) {
      const eventId = idOf(e.eventId);
      const started = e.workflowExecutionStartedEventAttributes;
      if (started) {
        if (started.continuedExecutionRunId) continue; // announced by the previous run's continue-as-new
        const input = decodePayloads(started.input)[0] as { plan?: CompiledPlan; clock?: ClockRequest | CampaignClock } | undefined;
        if (campaign) {
          const clock = input?.clock as ClockRequest | undefined;
          const mode = clock && 'mode' in clock && clock.mode === 'rehearsal' ? `rehearsal (1 campaign day = ${Math.round(86_400 * clock.scale * 10) / 10} s)` : 'real time';
          const p = input?.plan;
          add(e, started.identity || 'client', 'started', `campaign started: ${p ? `${p.campaign.title}, ${p.departments.length} departments, ${p.deadlines.length} deadlines` : ''}; ${mode}`);
        } else {
          const depts = input?.plan?.departments.map((d) => d.id) ?? [];
          add(e, 'engine', 'shard', `${shardLabel(run.workflowId)} started for ${depts.length ? depts.join(', ') : 'no departments'}`);
        }
        continue;
      }
      const sched = e.activityTaskScheduledEventAttributes;
      if (sched) {
        scheduled.set(eventId, { type: sched.activityType?.name ?? '', input: decodePayloads(sched.input)[0], event: e });
        continue;
      }
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const s = scheduled.get(idOf(done.scheduledEventId));
        const result = decodePayloads(done.result)[0];
        // Dated when the workflow sent them off (the instant they were due): in a fast rehearsal
        // the SMTP round trips would otherwise shift them by campaign hours.
        const at = s?.event ?? e;
        if (s?.type === 'deliverMessages') {
          const requests = ((s.input as { requests?: ComposeRequest[] })?.requests ?? []) as ComposeRequest[];
          const entries = (Array.isArray(result) ? result : []) as DeliveryEntry[];
          entries.forEach((entry, i) => {
            const what = describeRequest(requests[i], entry, n);
            add(at, 'engine', 'message', `${what}: ${recipients(entry)}`);
            if (entry.failed.length) {
              add(at, 'engine', 'delivery-failed', `delivery FAILED: ${what}: ${entry.failed.map((f) => `${f.address}: ${f.reason}`).join('; ')}`, true);
            }
          });
        } else if (s?.type === 'sendCampaignMessage') {
          const instant = (s.input as { instant?: CampaignInstant })?.instant;
          const outcome = result as { sent: string[]; failed: DeliveryEntry['failed'] } | undefined;
          if (!outcome) add(at, 'engine', 'coordinator', `${describeInstant(instant, n, opts.zone)}: nothing to report, not sent`);
          else {
            add(at, 'engine', 'coordinator', `${describeInstant(instant, n, opts.zone)}: ${recipients(outcome)}`);
            if (outcome.failed.length) add(at, 'engine', 'delivery-failed', `delivery FAILED: ${describeInstant(instant, n, opts.zone)}: ${outcome.failed.map((f) => `${f.address}: ${f.reason}`).join('; ')}`, true);
          }
        } else if (s?.type === 'writeFinalSummary') {
          const r = result as { json?: string; csv?: string; xlsx?: string } | undefined;
          add(at, 'engine', 'summary', `final summary written (csv ${shortRef(r?.csv)}, json ${shortRef(r?.json)}) and mailed to the office`);
        } else if (s?.type === 'saveShardOutcome') {
          add(at, 'engine', 'shard', `${shardLabel(run.workflowId)} finished; final state of its obligations kept (json ${shortRef(typeof result === 'string' ? result : undefined)})`);
        } else {
          add(at, 'engine', 'message', `${s?.type ?? 'activity'} done`);
        }
        continue;
      }
      const failedActivity = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      if (failedActivity) {
        const s = scheduled.get(idOf(failedActivity.scheduledEventId));
        let what = s?.type ?? 'activity';
        if (s?.type === 'deliverMessages') {
          const requests = ((s.input as { requests?: ComposeRequest[] })?.requests ?? []) as ComposeRequest[];
          what = `delivery of ${requests.map((r) => describeRequest(r, undefined, n)).join('; ')}`;
        } else if (s?.type === 'sendCampaignMessage') what = describeInstant((s.input as { instant?: CampaignInstant })?.instant, n, opts.zone);
        else if (s?.type === 'writeFinalSummary') what = 'final summary';
        add(e, 'engine', 'delivery-failed', `FAILED: ${what}: ${failureMessage(failedActivity.failure)}`, true);
        continue;
      }
      const acc = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (acc) {
        const name = acc.input?.name ?? '';
        const arg = decodePayloads(acc.input?.args)[0] as Record<string, unknown> | undefined;
        const completion = (completions.get(eventId) ?? completions.get(`update:${acc.meta?.updateId ?? ''}`))?.workflowExecutionUpdateCompletedEventAttributes;
        const outcome = completion?.outcome;
        const value = outcome?.success ? decodePayloads(outcome.success)[0] : undefined;
        const by = (typeof arg?.by === 'string' && arg.by) || acc.meta?.identity || 'unknown';
        if (outcome?.failure) {
          add(e, by, 'rejected', `${name} refused: ${failureMessage(outcome.failure)}`, true);
          continue;
        }
        switch (name) {
          case 'submit': {
            const sub = arg as unknown as SubmissionInput;
            const receipt = value as SubmissionReceipt | undefined;
            const occ = receipt?.occurrence ?? sub.occurrence ?? sub.deadline;
            const status = receipt ? (receipt.late ? 'LATE' : 'on time') : 'pending';
            const extra = [sub.nothing ? '零报告 (nothing to report this period)' : '', figures(sub.values), sub.report ? `report ${JSON.stringify(sub.report.length > 40 ? `${sub.report.slice(0, 40)}…` : sub.report)}` : '', sub.attachments?.length ? `attachments: ${sub.attachments.map((a) => a.name).join(', ')}` : '']
              .filter(Boolean)
              .join('; ');
            if (receipt?.duplicate) {
              // The same submission id again (a double click, a re-run script): answered with the first receipt, nothing changed.
              add(e, by, 'repeated-submission', `${n.dept(sub.department)} sent ${n.occurrence(occ)} again: already received as version ${receipt.version}, nothing changed [${sub.submissionId}]`);
            } else {
              add(e, by, 'submission', `${n.dept(sub.department)} submitted ${n.occurrence(occ)}: version ${receipt?.version ?? '?'}, ${status}${extra ? ` — ${extra}` : ''} [${sub.submissionId}]`);
            }
            break;
          }
          case 'excuse':
            add(e, by, 'excuse', `excused ${n.dept(String(arg?.department))} from ${n.occurrence(String((value as { occurrence?: string } | undefined)?.occurrence ?? arg?.occurrence))}: ${String(arg?.reason ?? '')}`);
            break;
          case 'extend': {
            const until = String(arg?.until ?? '');
            const view = value as { due?: string; occurrence?: string } | undefined;
            add(e, by, 'extension', `extended ${n.occurrence(String((value as { occurrence?: string } | undefined)?.occurrence ?? arg?.occurrence))} for ${n.dept(String(arg?.department))} until ${campaignTime(view?.due ?? until, opts.zone, opts.language)}`);
            break;
          }
          case 'chase': {
            const o = value as { chased?: string[]; occurrence?: string; duplicate?: boolean; chaseId?: string } | undefined;
            const what = o?.duplicate ? 'the same chase again: nothing sent' : `chased ${(o?.chased ?? []).map((d) => n.dept(d)).join(', ') || 'nobody'}`;
            add(e, by, 'chase', `${what} for ${n.occurrence(String(o?.occurrence ?? arg?.occurrence))} [${String(arg?.chaseId ?? '')}]`);
            break;
          }
          case 'amend': {
            const a = value as { added?: string[]; removed?: string[]; planRef?: string } | undefined;
            const changes = [...(a?.added ?? []).map((d) => `+${d}`), ...(a?.removed ?? []).map((d) => `-${d}`)];
            add(e, by, 'amend', `amended the plan (${shortRef(a?.planRef ?? String(arg?.planRef ?? ''))})${changes.length ? `: departments ${changes.join(' ')}` : ''}`);
            break;
          }
          default:
            add(e, by, 'signal', `update ${name}`);
        }
        continue;
      }
      const sig = e.workflowExecutionSignaledEventAttributes;
      if (sig) {
        const arg = decodePayloads(sig.input)[0] as { by?: string } | undefined;
        const by = arg?.by || sig.identity || 'unknown';
        if (campaign && sig.signalName === 'pauseCampaign') add(e, by, 'pause', 'paused the campaign: reminders and escalations are held (what falls due meanwhile is skipped)');
        else if (campaign && sig.signalName === 'resumeCampaign') add(e, by, 'resume', 'resumed the campaign');
        else if (!campaign && ['pause', 'resume', 'amendShard'].includes(sig.signalName ?? '')) {
          // Forwarded by the campaign workflow; its own entry says it.
        } else add(e, by, 'signal', `signal ${sig.signalName ?? '?'}`);
        continue;
      }
      const cancelReq = e.workflowExecutionCancelRequestedEventAttributes;
      if (cancelReq) {
        if (campaign) add(e, cancelReq.identity || 'unknown', 'cancel', `cancellation requested${cancelReq.cause ? `: ${cancelReq.cause}` : ''}`);
        continue;
      }
      if (e.workflowExecutionCanceledEventAttributes) {
        if (campaign) add(e, 'engine', 'cancel', 'campaign cancelled: no more messages');
        continue;
      }
      const completed = e.workflowExecutionCompletedEventAttributes;
      if (completed) {
        if (campaign) {
          const r = decodePayloads(completed.result)[0] as { totals?: { obligations: number; onTime: number; late: number; excused: number; missing: number } } | undefined;
          const t = r?.totals;
          add(e, 'engine', 'completed', t ? `campaign completed: ${t.obligations} obligations — ${t.onTime} on time, ${t.late} late, ${t.excused} excused, ${t.missing} missing` : 'campaign completed');
        }
        continue;
      }
      const failedWf = e.workflowExecutionFailedEventAttributes;
      if (failedWf) {
        add(e, 'engine', 'failed', `${campaign ? 'campaign' : shardLabel(run.workflowId)} FAILED: ${failureMessage(failedWf.failure)}`, true);
        continue;
      }
      const terminated = e.workflowExecutionTerminatedEventAttributes;
      if (terminated) {
        add(e, terminated.identity || 'unknown', 'failed', `${campaign ? 'campaign' : shardLabel(run.workflowId)} TERMINATED${terminated.reason ? `: ${terminated.reason}` : ''}`, true);
        continue;
      }
      if (e.workflowExecutionTimedOutEventAttributes) {
        add(e, 'engine', 'failed', `${campaign ? 'campaign' : shardLabel(run.workflowId)} TIMED OUT`, true);
        continue;
      }
      if (e.workflowExecutionContinuedAsNewEventAttributes) {
        add(e, 'engine', 'continue-as-new', `${campaign ? 'campaign' : shardLabel(run.workflowId)} continued as new after ${run.events.length} history events`);
      }
    }
  }
  // Oldest first across workflows; ties keep the order above (campaign before shards, event order).
  return out.map((x, i) => ({ x, i })).sort((a, b) => a.x.wallMs - b.x.wallMs || a.i - b.i).map(({ x }) => x);
}

/** The log for humans: one line per entry, campaign local time, actor, what happened. */
export function formatAudit(entries: readonly AuditEntry[], mark: (failedLine: string) => string = (s) => s): string[] {
  const width = Math.min(24, Math.max(6, ...entries.map((e) => e.actor.length)));
  return entries.map((e) => {
    const line = `${e.when}  ${e.actor.padEnd(width)}  ${e.what}`;
    return e.failed ? mark(line) : line;
  });
}
