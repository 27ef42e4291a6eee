/**
 * What the Temporal Web UI shows of a campaign, in the campaign's language: the summary of every
 * timer (what it waits for), of every activity call (what it does), a shard's and a campaign's
 * static summary and details (title, period, departments), and each workflow's current details
 * (the next instant and what falls due then, the obligations counted by state). Without them an
 * admin opening a campaign sees a column of anonymous timers and `deliverMessages` calls.
 *
 * Pure and deterministic: workflows import it (and the client, for the campaign's own start).
 * Temporal limits a summary's payload to 400 bytes and details to 20,000: summaries are cut to
 * SUMMARY_MAX_BYTES and details to DETAILS_MAX_BYTES here, between code points, with "…".
 *
 * Local times are read with the UTC offset of the plan instant nearest to them (the compiled plan
 * carries its zone's offset in every ISO string): right in zones without daylight saving (China),
 * at most an hour off for a wait that crosses a change elsewhere.
 */
import { describeDuration, parseDuration } from '../deadlines/durations';
import type { CompiledPlan, Language } from '../deadlines/timeline';
import type { CampaignInstant } from './campaign-instants';
import type { ComposeRequest } from './message-requests';
import { indexPlan, type LadderItem, type ObligationStatus, type ShardState } from './obligations';

/** A summary's JSON payload must stay under Temporal's 400 bytes (quotes and escapes included). */
export const SUMMARY_MAX_BYTES = 300;
/** Details may reach 20,000 bytes; a few KB is what a person reads. */
export const DETAILS_MAX_BYTES = 4_000;

export interface StaticMetadata {
  staticSummary: string;
  staticDetails: string;
}

const SEP = ' · ';

// --- words ---------------------------------------------------------------------------------

const WORDS = {
  'zh-CN': {
    reminder: '提醒',
    overdue: '催报',
    escalation: '催报',
    launch: '启动通知',
    receipt: '回执',
    chase: '人工催报',
    rollup: '汇总',
    'coordinator-digest': '逾期汇总',
    'weekly-digest': '周报',
    'final-summary': '最终汇总',
    periodEnd: '活动结束',
    periodStart: '活动开始',
    departments: (n: number) => `${n}个单位`,
    deadlines: (n: number) => `${n}项报送`,
    before: (d: string) => `${d}前`,
    more: (n: number) => `等${n}项`,
    mails: (n: number, what: string) => `发送 ${n} 封${what}邮件`,
    mixed: (n: number, parts: string) => `发送 ${n} 封邮件（${parts}）`,
    sendOne: (what: string) => `发送${what}`,
    writeFinal: '写入最终汇总',
    saveOutcome: '保存本组报送结果',
    shard: (k: number) => `第${k + 1}组`,
    shards: (n: number) => `${n}组`,
    paused: '暂停中，不发送',
    states: { submitted: '已报', late: '迟报', excused: '免报', pending: '待报' } as Record<ObligationStatus, string>,
    next: '下一时刻',
    nothing: '无',
    state: '状态',
    period: '期间',
    office: '牵头单位',
    departmentList: '单位',
    deadlineList: '报送事项',
    sent: '已发送',
    occurrences: (n: number) => `${n}次`,
    list: '、',
    campaignStates: { scheduled: '未开始', running: '进行中', paused: '已暂停', summarising: '汇总中', completed: '已完成', cancelled: '已取消' } as Record<string, string>,
  },
  en: {
    reminder: 'Reminder',
    overdue: 'Overdue',
    escalation: 'Overdue',
    launch: 'Launch notice',
    receipt: 'Receipt',
    chase: 'Chase by hand',
    rollup: 'Roll-up',
    'coordinator-digest': 'Overdue digest',
    'weekly-digest': 'Weekly digest',
    'final-summary': 'Final summary',
    periodEnd: 'Campaign ends',
    periodStart: 'Campaign starts',
    departments: (n: number) => `${n} department${n === 1 ? '' : 's'}`,
    deadlines: (n: number) => `${n} deadline${n === 1 ? '' : 's'}`,
    before: (d: string) => `${d} before`,
    more: (n: number) => `and ${n} more`,
    mails: (n: number, what: string) => `Send ${n} ${what.toLowerCase()} email${n === 1 ? '' : 's'}`,
    mixed: (n: number, parts: string) => `Send ${n} emails (${parts})`,
    sendOne: (what: string) => `Send ${what.toLowerCase()}`,
    writeFinal: 'Write the final summary',
    saveOutcome: "Save the shard's outcome",
    shard: (k: number) => `shard ${k + 1}`,
    shards: (n: number) => `${n} shard${n === 1 ? '' : 's'}`,
    paused: 'paused, nothing is sent',
    states: { submitted: 'submitted', late: 'late', excused: 'excused', pending: 'pending' } as Record<ObligationStatus, string>,
    next: 'Next',
    nothing: 'nothing',
    state: 'State',
    period: 'Period',
    office: 'Office',
    departmentList: 'Departments',
    deadlineList: 'Deadlines',
    sent: 'Sent',
    occurrences: (n: number) => `${n} occurrence${n === 1 ? '' : 's'}`,
    list: ', ',
    campaignStates: { scheduled: 'scheduled', running: 'running', paused: 'paused', summarising: 'summarising', completed: 'completed', cancelled: 'cancelled' } as Record<string, string>,
  },
} as const;

const words = (plan: CompiledPlan) => WORDS[plan.campaign.language === 'en' ? 'en' : 'zh-CN'];

// --- text limits -----------------------------------------------------------------------------

function utf8Bytes(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** Cut to at most `max` UTF-8 bytes, between code points, ending with "…" when cut. */
export function cutToBytes(text: string, max: number): string {
  let total = 0;
  for (const ch of text) total += utf8Bytes(ch.codePointAt(0)!);
  if (total <= max) return text;
  let bytes = 3; // the "…"
  let out = '';
  for (const ch of text) {
    bytes += utf8Bytes(ch.codePointAt(0)!);
    if (bytes > max) break;
    out += ch;
  }
  return `${out}…`;
}

/** One line: the plan's own text may carry line breaks and control characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

const summary = (parts: Array<string | undefined>) => cutToBytes(oneLine(parts.filter(Boolean).join(SEP)), SUMMARY_MAX_BYTES);

// --- local times -------------------------------------------------------------------------------

const OFFSET = /([+-])(\d\d):(\d\d)$/;

function offsetMinutes(iso: string): number {
  const m = OFFSET.exec(iso);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The UTC offset (minutes) of the plan instant nearest to `ms`. */
function offsetNear(plan: CompiledPlan, ms: number): number {
  let best = plan.campaign.periodStart;
  let distance = Math.abs(Date.parse(best) - ms);
  for (const d of plan.deadlines) {
    for (const o of d.occurrences) {
      const gap = Math.abs(Date.parse(o.due) - ms);
      if (gap < distance) (best = o.due), (distance = gap);
    }
  }
  return offsetMinutes(best);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "2024年3月8日" / "8 Mar 2024", with the time ("2024年3月8日 18:00") unless `dateOnly`. */
export function localTime(plan: CompiledPlan, ms: number, dateOnly = false): string {
  const d = new Date(ms + offsetNear(plan, ms) * 60_000);
  const [y, mo, day, h, mi] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  const time = dateOnly ? '' : ` ${pad(h)}:${pad(mi)}`;
  return plan.campaign.language === 'en' ? `${day} ${MONTHS[mo]} ${y}${time}` : `${y}年${mo + 1}月${day}日${time}`;
}

/** The period: "2024年3月4日—2024年3月24日" (the end is the last day, not the instant after it). */
export function periodText(plan: CompiledPlan): string {
  return `${localTime(plan, Date.parse(plan.campaign.periodStart), true)}—${localTime(plan, Date.parse(plan.campaign.periodEnd), true)}`;
}

// --- what a batch of messages is -----------------------------------------------------------------

type Kind = ComposeRequest['kind'];

/** The rung of a department-facing message: "1天前" for a reminder, the escalation's label. */
function rungOf(plan: CompiledPlan, r: ComposeRequest, idx: ReturnType<typeof indexPlan>): string | undefined {
  const w = words(plan);
  if (r.kind === 'reminder') {
    const d = parseDuration(r.before);
    return w.before(d ? describeDuration(d, plan.campaign.language) : r.before);
  }
  if (r.kind === 'overdue' || r.kind === 'escalation') {
    const occ = idx.occurrence(r.occurrenceKey)?.occurrence;
    return occ?.escalations.find((e) => e.step === r.step)?.label;
  }
  return undefined;
}

const occurrenceOf = (r: ComposeRequest): string | undefined => ('occurrenceKey' in r ? r.occurrenceKey : undefined);

/**
 * A shard's messages at one instant in groups of the same kind, deadline and rung, largest first:
 * "提醒 · 春节前阶段性活动进展情况 · 3天前 · 11个单位".
 */
function describeGroups(plan: CompiledPlan, requests: readonly ComposeRequest[]): string[] {
  const w = words(plan);
  const idx = indexPlan(plan);
  const groups = new Map<string, { kind: Kind; title?: string; rung?: string; departments: Set<string> }>();
  for (const r of requests) {
    const occ = occurrenceOf(r);
    const title = occ ? idx.occurrence(occ)?.deadline.title : undefined;
    const rung = rungOf(plan, r, idx);
    const key = `${r.kind === 'escalation' ? 'overdue' : r.kind}|${title ?? ''}|${rung ?? ''}`;
    const g = groups.get(key) ?? { kind: r.kind, title, rung, departments: new Set<string>() };
    if ('departmentId' in r) g.departments.add(r.departmentId);
    groups.set(key, g);
  }
  return [...groups.values()]
    .sort((a, b) => b.departments.size - a.departments.size)
    .map((g) => [w[g.kind], g.title, g.rung, g.departments.size ? w.departments(g.departments.size) : undefined].filter(Boolean).join(SEP));
}

function firstAndMore(plan: CompiledPlan, items: string[]): string {
  return items.length > 1 ? `${items[0]} ${words(plan).more(items.length)}` : (items[0] ?? '');
}

// --- the shard -----------------------------------------------------------------------------------

/** A shard's static summary and details, set when the campaign starts it. */
export function shardStartMetadata(plan: CompiledPlan, shard: number): StaticMetadata {
  const w = words(plan);
  const staticSummary = summary([plan.campaign.title, w.shard(shard), w.departments(plan.departments.length), periodText(plan)]);
  const staticDetails = cutToBytes(
    [
      `**${oneLine(plan.campaign.title)}** ${w.shard(shard)}`,
      `${w.period}: ${periodText(plan)}`,
      `${w.departmentList} (${plan.departments.length}): ${plan.departments.map((d) => oneLine(d.name)).join(w.list)}`,
      `${w.deadlineList}: ${plan.deadlines.filter((d) => d.departments.length).map((d) => oneLine(d.title)).join(w.list)}`,
    ].join('\n\n'),
    DETAILS_MAX_BYTES,
  );
  return { staticSummary, staticDetails };
}

/** What the shard's timer waits for: the messages of the instant `atMs` (its ladder items there). */
export function shardWaitSummary(plan: CompiledPlan, atMs: number, itemsAt: readonly LadderItem[], opts: { launch: number; paused: boolean }): string {
  const w = words(plan);
  const what = opts.launch > 0 ? [`${w.launch}${SEP}${w.departments(opts.launch)}`] : describeGroups(plan, itemsAt.map((i) => i.request));
  const head = what.length ? firstAndMore(plan, what) : atMs >= Date.parse(plan.campaign.periodEnd) ? w.periodEnd : w.nothing;
  return summary([opts.paused && what.length ? `(${w.paused}) ${head}` : head, localTime(plan, atMs)]);
}

/** What one deliverMessages call does: "发送 11 封提醒邮件 · 春节前阶段性活动进展情况". */
export function deliverySummary(plan: CompiledPlan, requests: readonly ComposeRequest[]): string {
  const w = words(plan);
  const byKind = new Map<string, number>();
  for (const r of requests) byKind.set(w[r.kind], (byKind.get(w[r.kind]) ?? 0) + 1);
  if (byKind.size === 1) {
    const idx = indexPlan(plan);
    const titles = [...new Set(requests.map((r) => occurrenceOf(r)).filter((k): k is string => !!k).map((k) => idx.occurrence(k)?.deadline.title ?? k))];
    const rungs = [...new Set(requests.map((r) => rungOf(plan, r, idx)).filter(Boolean))];
    return summary([w.mails(requests.length, [...byKind.keys()][0]!), titles.length === 1 ? titles[0] : titles.length ? w.deadlines(titles.length) : undefined, rungs.length === 1 ? rungs[0] : undefined]);
  }
  return summary([w.mixed(requests.length, [...byKind].map(([k, n]) => `${k} ${n}`).join(w.list))]);
}

/** What the saveShardOutcome call does: "保存本组报送结果 · 已报 2 · 迟报 0 · 免报 1 · 待报 20". */
export function shardOutcomeSummary(plan: CompiledPlan, counts: StateCounts): string {
  return summary([words(plan).saveOutcome, countsText(plan, counts)]);
}

export type StateCounts = Record<ObligationStatus, number>;

/** The shard's obligations by state (any-time deadlines, which are channels, left out). */
export function countByState(plan: CompiledPlan, state: ShardState): StateCounts {
  const idx = indexPlan(plan);
  const counts: StateCounts = { submitted: 0, late: 0, excused: 0, pending: 0 };
  for (const r of Object.values(state.obligations)) {
    const d = idx.deadline(r.deadline);
    if (!d || d.kind === 'open' || !d.departments.includes(r.department) || !idx.occurrence(r.occurrence)) continue;
    counts[r.status]++;
  }
  return counts;
}

function countsText(plan: CompiledPlan, c: StateCounts): string {
  const w = words(plan);
  return (['submitted', 'late', 'excused', 'pending'] as const).map((s) => `${w.states[s]} ${c[s]}`).join(SEP);
}

/** The shard's current details: the next instant and what falls due then, the counts by state. */
export function shardCurrentDetails(plan: CompiledPlan, shard: number, next: { atMs: number; summary: string } | undefined, counts: StateCounts, paused: boolean): string {
  const w = words(plan);
  return cutToBytes(
    [
      `**${oneLine(plan.campaign.title)}** ${w.shard(shard)}${SEP}${w.departments(plan.departments.length)}${paused ? ` (${w.paused})` : ''}`,
      `**${w.next}**: ${next ? next.summary : w.nothing}`,
      `**${w.state}**: ${countsText(plan, counts)}`,
    ].join('\n\n'),
    DETAILS_MAX_BYTES,
  );
}

// --- the campaign --------------------------------------------------------------------------------

/** The campaign workflow's own summary and details: the client passes them when it starts it. */
export function campaignStartMetadata(plan: CompiledPlan): StaticMetadata {
  const w = words(plan);
  const deadlines = plan.deadlines.filter((d) => d.departments.length);
  const staticSummary = summary([plan.campaign.title, periodText(plan), w.departments(plan.departments.length), w.deadlines(deadlines.length)]);
  const staticDetails = cutToBytes(
    [
      `**${oneLine(plan.campaign.title)}**`,
      `${w.period}: ${periodText(plan)}`,
      `${w.office}: ${oneLine(plan.campaign.office.name)}`,
      `${w.deadlineList}:\n${deadlines.map((d) => `- ${oneLine(d.title)}${SEP}${w.occurrences(d.occurrences.length)}${SEP}${w.departments(d.departments.length)}`).join('\n')}`,
      `${w.departmentList} (${plan.departments.length}): ${plan.departments.map((d) => oneLine(d.name)).join(w.list)}`,
    ].join('\n\n'),
    DETAILS_MAX_BYTES,
  );
  return { staticSummary, staticDetails };
}

function instantText(plan: CompiledPlan, i: CampaignInstant): string {
  const w = words(plan);
  if (i.kind === 'rollup') return [w.rollup, indexPlan(plan).occurrence(i.occurrence)?.deadline.title ?? i.occurrence].join(SEP);
  if (i.kind === 'coordinator-digest') return w['coordinator-digest'];
  return w['weekly-digest'];
}

/** What the campaign's timer waits for: its instants at `atMs`, or the end of the period. */
export function campaignWaitSummary(plan: CompiledPlan, atMs: number, instantsAt: readonly CampaignInstant[]): string {
  const w = words(plan);
  const what = instantsAt.map((i) => instantText(plan, i));
  if (!what.length) return summary([w.periodEnd, localTime(plan, atMs, true)]);
  return summary([firstAndMore(plan, what), localTime(plan, atMs)]);
}

/** What one sendCampaignMessage call does: "发送汇总 · <deadline title>". */
export function campaignMessageSummary(plan: CompiledPlan, i: CampaignInstant): string {
  const w = words(plan);
  if (i.kind === 'rollup') return summary([w.sendOne(w.rollup), indexPlan(plan).occurrence(i.occurrence)?.deadline.title ?? i.occurrence]);
  if (i.kind === 'coordinator-digest') return summary([w.sendOne(w['coordinator-digest']), w.deadlines(i.occurrences.length), localTime(plan, i.atMs)]);
  return summary([w.sendOne(w['weekly-digest']), `${localTime(plan, Date.parse(i.weekStart), true)}—${localTime(plan, Date.parse(i.weekEnd) - 1, true)}`]);
}

/** What the writeFinalSummary call does. */
export function finalSummarySummary(plan: CompiledPlan): string {
  return summary([words(plan).writeFinal, plan.campaign.title]);
}

/** The campaign's current details: its state, the next instant and what falls due then, what was sent, the totals once known. */
export function campaignCurrentDetails(
  plan: CompiledPlan,
  opts: { state: string; shards: number; next?: string; sent: number; totals?: StateCounts },
): string {
  const w = words(plan);
  return cutToBytes(
    [
      `**${oneLine(plan.campaign.title)}**${SEP}${w.campaignStates[opts.state] ?? opts.state}${SEP}${w.departments(plan.departments.length)}${SEP}${w.shards(opts.shards)}`,
      `**${w.next}**: ${opts.next ?? w.nothing}`,
      `**${w.sent}**: ${opts.sent}`,
      ...(opts.totals ? [`**${w.state}**: ${countsText(plan, opts.totals)}`] : []),
    ].join('\n\n'),
    DETAILS_MAX_BYTES,
  );
}
