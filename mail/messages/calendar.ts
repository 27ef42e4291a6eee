/**
 * The .ics calendar a launch notice (every deadline of the department) and a reminder (the one
 * deadline) carry, so the deadline lands in the department's calendar. Event UIDs are stable per
 * occurrence and department: a later message updates the event instead of adding another.
 */
import { icsCalendar } from '../../deadlines/ics';
import type { IcsEvent } from '../../deadlines/ics';
import type { OutgoingAttachment } from '../transport';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { deadlineView } from './view';

/** UID of a deadline event for one department; stable across messages so calendars update in place. */
function icsUid(campaignId: string, occurrenceKey: string, departmentId: string): string {
  return `${occurrenceKey}/${departmentId}@${campaignId}`;
}

/** The event of one deadline occurrence for one department. */
export function deadlineEvent(ctx: MessageCommon, d: DeadlineInfo, department: DepartmentInfo, link: string | undefined): IcsEvent {
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

/** The calendar file attached to a message. */
export function calendarAttachment(ctx: MessageCommon, events: IcsEvent[], name: string, filename: string): OutgoingAttachment {
  return {
    filename,
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: icsCalendar(events, { name, timezone: ctx.timezone }),
  };
}
