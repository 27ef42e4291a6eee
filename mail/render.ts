/**
 * Renders a message of one kind from the template files in mail/templates/<language>/:
 * `<kind>.subject.txt`, `<kind>.text.txt` and `<kind>.html` (syntax: mail/template.ts and
 * mail/templates/README.md, which also lists the values each kind offers).
 *
 * `renderMessage` turns the typed context into a flat "view" of ready-made strings (deadlines in
 * the campaign's zone with the weekday, what to submit, the coordinator's contact…), renders the
 * three files and builds the attachments: an .ics calendar for launch (all of the department's
 * deadlines) and reminder (the one deadline), the XLSX for final-summary.
 *
 * Templates are cached by path and file modification time: a coordinator's edit takes effect on
 * the next message without restarting the worker.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { icsCalendar } from '../deadlines/ics';
import type { IcsEvent } from '../deadlines/ics';
import type { Contact, Language } from '../deadlines/timeline';
import { formatDate, formatDue, formatDueShort, formatInstant, latePhrase, reminderPhrase } from './format';
import { compileTemplate, renderTemplate, TemplateError } from './template';
import type { CompiledTemplate } from './template';
import type { OutgoingAttachment } from './transport';

export const MESSAGE_KINDS = [
  'launch',
  'reminder',
  'overdue',
  'escalation',
  'coordinator-digest',
  'receipt',
  'rollup',
  'weekly-digest',
  'final-summary',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

// ---------------------------------------------------------------- contexts

export interface CampaignInfo {
  id: string;
  title: string;
}

export interface OfficeInfo {
  name: string;
  contacts: Contact[];
}

export interface DepartmentInfo {
  id: string;
  name: string;
  contacts?: Contact[];
}

/** One deadline occurrence, as shown in messages. */
export interface DeadlineInfo {
  /** Deadline id from the plan. */
  id: string;
  /** Occurrence key `${deadlineId}@yyyy-MM-dd`. */
  occurrenceKey: string;
  title: string;
  /** Due instant, ISO with offset. */
  due: string;
  description?: string;
  /** What to submit; `form` is the form's title. */
  submit: { report: boolean; form?: string; attachments: boolean };
}

interface Common {
  language: Language;
  /** IANA zone of the campaign. */
  timezone: string;
  campaign: CampaignInfo;
  /** The coordinating office: its name and contacts are shown as "who to ask". */
  office: OfficeInfo;
}

export interface LaunchContext extends Common {
  department: DepartmentInfo;
  /** The department's own deadlines (every occurrence), in due order. */
  deadlines: DeadlineInfo[];
  /** The department's submission link. */
  link: string;
  periodStart?: string;
  periodEnd?: string;
}

export interface ReminderContext extends Common {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  /** The ladder rung: "3d", "1d", "2h"… */
  before: string;
  /** When the reminder is sent (ISO); makes "明天" exact. */
  at?: string;
  link: string;
}

export interface OverdueContext extends Common {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  /** When the message is sent (ISO). */
  at: string;
  link: string;
  /** Names of the leaders in copy, shown in the text. */
  leaders?: Contact[];
}

export interface EscalationContext extends Common {
  /** The late department (with its contacts, so the reader can call them). */
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  at: string;
  /** Who reads it. */
  audience: 'leaders' | 'coordinator';
  /** The rung's label from the plan, e.g. "1 working day late". */
  stepLabel?: string;
  /** Link to the department's submission page or the coordinator's view. */
  link?: string;
}

export interface LateItem {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  link?: string;
}

export interface DeliveryFailureItem {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  address: string;
  reason: string;
}

export interface CoordinatorDigestContext extends Common {
  at: string;
  late: LateItem[];
  /** Messages the mail server refused for good (bad addresses...): the office must fix them. */
  failures?: DeliveryFailureItem[];
  /** The coordinator's dashboard. */
  link?: string;
}

export interface ReceiptContext extends Common {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  submittedAt: string;
  submittedBy?: string;
  receiptId: string;
  /** 1 for the first submission, 2… for corrections. */
  revision?: number;
  link: string;
  /** Lines echoed back, e.g. form figures: { label: '合计运送人次', value: '1200' }. */
  summary?: Array<{ label: string; value: string | number; unit?: string }>;
}

export interface RollupContext extends Common {
  deadline: DeadlineInfo;
  /** The instant of the rollup (normally the due instant). */
  at: string;
  submitted: Array<{ department: DepartmentInfo; at: string; late?: boolean }>;
  missing: Array<{ department: DepartmentInfo }>;
  /** The form's 总计 row: one entry per column. */
  totals?: Array<{ label: string; value: string | number; unit?: string }>;
  formTitle?: string;
  link?: string;
}

export interface WeeklyDigestContext extends Common {
  /** First and last local day of the week (ISO instants or dates). */
  weekStart: string;
  weekEnd: string;
  /** Deadlines due in the coming week, with how many departments still owe them. */
  upcoming: Array<{ deadline: DeadlineInfo; outstanding: number; total: number }>;
  late: LateItem[];
  /** Submissions received this week. */
  received: number;
  link?: string;
}

export interface FinalSummaryContext extends Common {
  totals: { obligations: number; onTime: number; late: number; missing: number };
  /** The XLSX workbook: a file path (preferred: keeps payloads small) or its bytes. */
  attachment: { filename: string; path?: string; content?: Buffer };
  link?: string;
}

export interface ContextByKind {
  launch: LaunchContext;
  reminder: ReminderContext;
  overdue: OverdueContext;
  escalation: EscalationContext;
  'coordinator-digest': CoordinatorDigestContext;
  receipt: ReceiptContext;
  rollup: RollupContext;
  'weekly-digest': WeeklyDigestContext;
  'final-summary': FinalSummaryContext;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  attachments: OutgoingAttachment[];
}

export interface RenderOptions {
  /** Directory holding `zh-CN/` and `en/` (default: mail/templates next to this file, or MAIL_TEMPLATES_DIR). */
  templatesDir?: string;
}

// ---------------------------------------------------------------- templates

export const DEFAULT_TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');

const cache = new Map<string, { mtimeMs: number; size: number; tpl: CompiledTemplate }>();

export function clearTemplateCache(): void {
  cache.clear();
}

function loadTemplate(file: string): CompiledTemplate {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new TemplateError(`template file missing: ${file}`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.tpl;
  const tpl = compileTemplate(readFileSync(file, 'utf8'), { source: file, html: file.endsWith('.html') });
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, tpl });
  return tpl;
}

export function templateFiles(kind: MessageKind, language: Language, templatesDir = resolveDir()): { subject: string; text: string; html: string } {
  const dir = path.join(templatesDir, language);
  return {
    subject: path.join(dir, `${kind}.subject.txt`),
    text: path.join(dir, `${kind}.text.txt`),
    html: path.join(dir, `${kind}.html`),
  };
}

function resolveDir(opts?: RenderOptions): string {
  return opts?.templatesDir ?? process.env.MAIL_TEMPLATES_DIR ?? DEFAULT_TEMPLATES_DIR;
}

// ---------------------------------------------------------------- rendering

export function renderMessage<K extends MessageKind>(kind: K, ctx: ContextByKind[K], opts?: RenderOptions): RenderedMessage {
  if (!MESSAGE_KINDS.includes(kind)) throw new TemplateError(`unknown message kind: ${String(kind)}`);
  if (!LANGUAGES.includes(ctx.language)) throw new TemplateError(`unsupported language: ${String(ctx.language)}`);
  const files = templateFiles(kind, ctx.language, resolveDir(opts));
  const view = buildView(kind, ctx);
  const subject = renderTemplate(loadTemplate(files.subject), view).replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const full = { ...view, subject };
  const text = tidyText(renderTemplate(loadTemplate(files.text), full));
  const html = renderTemplate(loadTemplate(files.html), full);
  return { subject, text, html, attachments: buildAttachments(kind, ctx, view) };
}

function tidyText(s: string): string {
  return s.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

type View = Record<string, unknown>;

function buildView(kind: MessageKind, ctx: ContextByKind[MessageKind]): View {
  const L = ctx.language;
  const zone = ctx.timezone;
  const zh = L === 'zh-CN';
  const contacts = ctx.office.contacts.map((c) => ({ name: c.name ?? '', email: c.email }));
  const coordinator = [ctx.office.name, ...contacts.map((c) => (c.name ? `${c.name} ${c.email}` : c.email))].join(zh ? '，' : ', ');
  const base: View = {
    campaignTitle: ctx.campaign.title,
    campaignId: ctx.campaign.id,
    officeName: ctx.office.name,
    coordinator,
    coordinatorEmail: contacts[0]?.email ?? '',
    coordinatorContacts: contacts,
    timezone: zone,
  };
  const dl = (d: DeadlineInfo) => deadlineView(d, zone, L);
  const dept = (d: DepartmentInfo) => ({
    departmentName: d.name,
    departmentId: d.id,
    departmentContact: (d.contacts ?? []).map((c) => (c.name ? `${c.name} ${c.email}` : c.email)).join(zh ? '，' : ', '),
  });
  const link = (l: string | undefined) => (l === undefined ? '' : checkLink(l));

  switch (kind) {
    case 'launch': {
      const c = ctx as LaunchContext;
      const deadlines = [...c.deadlines].sort((a, b) => Date.parse(a.due) - Date.parse(b.due)).map((d, i) => ({ n: i + 1, ...dl(d) }));
      return {
        ...base,
        ...dept(c.department),
        link: link(c.link),
        deadlines,
        deadlineCount: deadlines.length,
        period: c.periodStart && c.periodEnd ? `${formatDate(c.periodStart, zone, L)}${zh ? '至' : ' to '}${formatDate(c.periodEnd, zone, L)}` : '',
      };
    }
    case 'reminder': {
      const c = ctx as ReminderContext;
      return {
        ...base,
        ...dept(c.department),
        ...dl(c.deadline),
        link: link(c.link),
        phrase: reminderPhrase(c.before, c.deadline.due, c.at, zone, L),
        before: c.before,
      };
    }
    case 'overdue': {
      const c = ctx as OverdueContext;
      const late = latePhrase(c.deadline.due, c.at, zone, L);
      return {
        ...base,
        ...dept(c.department),
        ...dl(c.deadline),
        link: link(c.link),
        late: late.text,
        daysLate: late.days,
        now: formatInstant(c.at, zone, L),
        leaders: (c.leaders ?? []).map((l) => l.name ?? l.email).join(zh ? '、' : ', '),
      };
    }
    case 'escalation': {
      const c = ctx as EscalationContext;
      const late = latePhrase(c.deadline.due, c.at, zone, L);
      return {
        ...base,
        ...dept(c.department),
        ...dl(c.deadline),
        link: link(c.link),
        late: late.text,
        daysLate: late.days,
        now: formatInstant(c.at, zone, L),
        stepLabel: c.stepLabel ?? '',
        toLeaders: c.audience === 'leaders',
        toCoordinator: c.audience === 'coordinator',
      };
    }
    case 'coordinator-digest': {
      const c = ctx as CoordinatorDigestContext;
      const items = c.late.map((it, i) => ({
        n: i + 1,
        ...dept(it.department),
        ...dl(it.deadline),
        late: latePhrase(it.deadline.due, c.at, zone, L).text,
        link: link(it.link),
      }));
      return {
        ...base,
        now: formatInstant(c.at, zone, L),
        date: formatDate(c.at, zone, L),
        items,
        count: items.length,
        departmentCount: new Set(c.late.map((l) => l.department.id)).size,
        failures: (c.failures ?? []).map((f, i) => ({ n: i + 1, ...dept(f.department), ...dl(f.deadline), address: f.address, reason: f.reason })),
        link: link(c.link),
      };
    }
    case 'receipt': {
      const c = ctx as ReceiptContext;
      const lateMs = Date.parse(c.submittedAt) - Date.parse(c.deadline.due);
      return {
        ...base,
        ...dept(c.department),
        ...dl(c.deadline),
        link: link(c.link),
        submittedAt: formatInstant(c.submittedAt, zone, L),
        submittedBy: c.submittedBy ?? '',
        receiptId: c.receiptId,
        revision: c.revision ?? 1,
        isCorrection: (c.revision ?? 1) > 1,
        onTime: lateMs <= 0,
        late: lateMs > 0 ? latePhrase(c.deadline.due, c.submittedAt, zone, L).text : '',
        summary: (c.summary ?? []).map((s) => ({ label: s.label, value: formatNumber(s.value), unit: s.unit ?? '' })),
      };
    }
    case 'rollup': {
      const c = ctx as RollupContext;
      const submitted = c.submitted.map((s, i) => ({
        n: i + 1,
        ...dept(s.department),
        submittedAt: formatInstant(s.at, zone, L),
        lateSubmission: s.late ?? Date.parse(s.at) > Date.parse(c.deadline.due),
      }));
      const missing = c.missing.map((m, i) => ({ n: i + 1, ...dept(m.department) }));
      const total = submitted.length + missing.length;
      return {
        ...base,
        ...dl(c.deadline),
        now: formatInstant(c.at, zone, L),
        submitted,
        missing,
        submittedCount: submitted.length,
        missingCount: missing.length,
        totalCount: total,
        totals: (c.totals ?? []).map((t) => ({ label: t.label, value: formatNumber(t.value), unit: t.unit ?? '' })),
        formTitle: c.formTitle ?? c.deadline.submit.form ?? '',
        link: link(c.link),
      };
    }
    case 'weekly-digest': {
      const c = ctx as WeeklyDigestContext;
      return {
        ...base,
        weekStart: formatDate(c.weekStart, zone, L),
        weekEnd: formatDate(c.weekEnd, zone, L),
        upcoming: c.upcoming.map((u, i) => ({ n: i + 1, ...dl(u.deadline), outstanding: u.outstanding, total: u.total })),
        late: c.late.map((it, i) => ({
          n: i + 1,
          ...dept(it.department),
          ...dl(it.deadline),
          late: latePhrase(it.deadline.due, c.weekEnd, zone, L).text,
        })),
        lateCount: c.late.length,
        received: c.received,
        link: link(c.link),
      };
    }
    case 'final-summary': {
      const c = ctx as FinalSummaryContext;
      const t = c.totals;
      const pct = (n: number) => (t.obligations > 0 ? `${Math.round((n / t.obligations) * 1000) / 10}%` : '—');
      return {
        ...base,
        obligations: t.obligations,
        onTime: t.onTime,
        lateCount: t.late,
        missingCount: t.missing,
        onTimeRate: pct(t.onTime),
        attachmentName: c.attachment.filename,
        link: link(c.link),
      };
    }
  }
}

function deadlineView(d: DeadlineInfo, zone: string, L: Language): View {
  const zh = L === 'zh-CN';
  const parts: string[] = [];
  if (d.submit.report) parts.push(zh ? '书面报告' : 'a written report');
  if (d.submit.form) parts.push(zh ? `《${d.submit.form}》` : `the form "${d.submit.form}"`);
  if (d.submit.attachments) parts.push(zh ? '相关附件材料' : 'supporting files');
  return {
    deadlineId: d.id,
    occurrenceKey: d.occurrenceKey,
    deadlineTitle: d.title,
    due: formatDue(d.due, zone, L),
    dueShort: formatDueShort(d.due, zone, L),
    dueAt: formatInstant(d.due, zone, L),
    what: parts.length > 0 ? parts.join(zh ? '、' : ', ') : zh ? '报送材料' : 'your submission',
    description: d.description ?? '',
    formTitle: d.submit.form ?? '',
  };
}

function formatNumber(v: string | number): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100)) : v;
}

/** Links go into href attributes: only http(s). */
function checkLink(l: string): string {
  if (!/^https?:\/\/[^\s<>"]+$/i.test(l)) throw new TemplateError(`link must be an http(s) URL without spaces, got ${JSON.stringify(l)}`);
  return l;
}

// ---------------------------------------------------------------- attachments

/** UID of a deadline event for one department; stable across messages so calendars update in place. */
export function icsUid(campaignId: string, occurrenceKey: string, departmentId: string): string {
  return `${occurrenceKey}/${departmentId}@${campaignId}`;
}

function deadlineEvent(ctx: Common, d: DeadlineInfo, department: DepartmentInfo, link: string | undefined): IcsEvent {
  const zh = ctx.language === 'zh-CN';
  const v = deadlineView(d, ctx.timezone, ctx.language);
  const colon = zh ? '：' : ': ';
  const lines = [
    `${zh ? '报送内容' : 'What to submit'}${colon}${v.what as string}`,
    ...(d.description ? [d.description] : []),
    ...(link ? [`${zh ? '报送链接' : 'Submission link'}${colon}${link}`] : []),
    `${zh ? '联系' : 'Contact'}${colon}${[ctx.office.name, ...ctx.office.contacts.map((c) => c.email)].join(' ')}`,
  ];
  return {
    uid: icsUid(ctx.campaign.id, d.occurrenceKey, department.id),
    start: d.due,
    summary: zh ? `【截止】${d.title}` : `Due: ${d.title}`,
    description: lines.join('\n'),
    url: link,
  };
}

function buildAttachments(kind: MessageKind, ctx: ContextByKind[MessageKind], view: View): OutgoingAttachment[] {
  const calendar = (events: IcsEvent[], name: string, filename: string): OutgoingAttachment => ({
    filename,
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: icsCalendar(events, { name, timezone: ctx.timezone }),
  });
  if (kind === 'launch') {
    const c = ctx as LaunchContext;
    const events = c.deadlines.map((d) => deadlineEvent(c, d, c.department, view.link as string));
    return [calendar(events, `${c.campaign.title} · ${c.department.name}`, `${c.campaign.id}-${c.department.id}.ics`)];
  }
  if (kind === 'reminder') {
    const c = ctx as ReminderContext;
    return [calendar([deadlineEvent(c, c.deadline, c.department, view.link as string)], c.campaign.title, `${c.deadline.occurrenceKey.replace(/[^A-Za-z0-9._-]/g, '_')}.ics`)];
  }
  if (kind === 'final-summary') {
    const a = (ctx as FinalSummaryContext).attachment;
    if (!a.path && !a.content) throw new TemplateError('final-summary: the attachment needs a path or content');
    return [
      {
        filename: a.filename,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        ...(a.path ? { path: a.path } : { content: a.content }),
      },
    ];
  }
  return [];
}
