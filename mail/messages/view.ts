/**
 * The flat "view" a message's templates read: ready-made strings, deadlines written in the
 * campaign's zone with the weekday, what to submit, who to ask. The values every message has are
 * built here ({@link baseView}); each kind adds its own (mail/messages/<kind>.ts) with the
 * helpers below, so a deadline or a department reads the same in every message. The names are
 * listed for template editors in mail/templates/README.md.
 */
import type { Language } from '../../deadlines/timeline';
import { formatDue, formatDueShort, formatInstant } from '../format';
import { TemplateError } from '../template';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';

export type View = Record<string, unknown>;

/** Shared wording for a kind's view: the campaign's zone and language, a deadline, a department, a link. */
export interface ViewHelpers {
  zone: string;
  language: Language;
  zh: boolean;
  /** A deadline occurrence's values (deadlineTitle, due, what…). */
  deadline(d: DeadlineInfo): View;
  /** A department's values (departmentName, departmentId, departmentContact). */
  department(d: DepartmentInfo): View;
  /** A link for an href: checked http(s), or '' when there is none. */
  link(l: string | undefined): string;
}

export function viewHelpers(ctx: MessageCommon): ViewHelpers {
  const language = ctx.language;
  const zone = ctx.timezone;
  const zh = language === 'zh-CN';
  return {
    zone,
    language,
    zh,
    deadline: (d) => deadlineView(d, zone, language),
    department: (d) => ({
      departmentName: d.name,
      departmentId: d.id,
      departmentContact: (d.contacts ?? []).map((c) => (c.name ? `${c.name} ${c.email}` : c.email)).join(zh ? '，' : ', '),
    }),
    link: (l) => (l === undefined ? '' : checkLink(l)),
  };
}

/** The values every message has: the campaign and the coordinating office. */
export function baseView(ctx: MessageCommon): View {
  const zh = ctx.language === 'zh-CN';
  const contacts = ctx.office.contacts.map((c) => ({ name: c.name ?? '', email: c.email }));
  const coordinator = [ctx.office.name, ...contacts.map((c) => (c.name ? `${c.name} ${c.email}` : c.email))].join(zh ? '，' : ', ');
  return {
    campaignTitle: ctx.campaign.title,
    campaignId: ctx.campaign.id,
    officeName: ctx.office.name,
    coordinator,
    coordinatorEmail: contacts[0]?.email ?? '',
    coordinatorContacts: contacts,
    timezone: ctx.timezone,
  };
}

export function deadlineView(d: DeadlineInfo, zone: string, L: Language): View {
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

/** Figures as shown: integers as they are, fractions to two places, text untouched. */
export function formatNumber(v: string | number): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100)) : v;
}

/** Links go into href attributes: only http(s). */
function checkLink(l: string): string {
  if (!/^https?:\/\/[^\s<>"]+$/i.test(l)) throw new TemplateError(`link must be an http(s) URL without spaces, got ${JSON.stringify(l)}`);
  return l;
}
