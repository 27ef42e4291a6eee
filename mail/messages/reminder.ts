/**
 * A reminder before a deadline, at each rung of the plan's ladder ("3d", "1d", "2h"…): to the
 * department's contacts, worded for the distance ("明天截止"), with an .ics of the deadline. An
 * extended obligation is reminded of its new due instant.
 */
import { reminderPhrase } from '../format';
import { calendarAttachment, deadlineEvent } from './calendar';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { obligationKey, type MessageType } from './kind';
import { deptInfo } from './plan-index';

export interface ReminderContext extends MessageCommon {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  /** The ladder rung: "3d", "1d", "2h"… */
  before: string;
  /** When the reminder is sent (ISO); makes "明天" exact. */
  at?: string;
  link: string;
}

export const reminder: MessageType<'reminder', ReminderContext> = {
  key: (req) => ({ key: obligationKey(req), step: `reminder-${req.before}` }),

  compose(req, P, common) {
    const { deadline, occurrence, department: dept } = P.obligation(req.occurrenceKey, req.departmentId);
    return {
      to: dept.contacts,
      context: {
        ...common,
        department: deptInfo(dept),
        deadline: { ...P.info(deadline, occurrence), due: req.due ?? occurrence.due },
        before: req.before,
        at: req.at ?? occurrence.reminders.find((r) => r.before === req.before)?.at,
        link: req.link,
      },
    };
  },

  view: (c, h) => ({
    ...h.department(c.department),
    ...h.deadline(c.deadline),
    link: h.link(c.link),
    phrase: reminderPhrase(c.before, c.deadline.due, c.at, h.zone, h.language),
    before: c.before,
  }),

  attachments(c, view) {
    const file = `${c.deadline.occurrenceKey.replace(/[^A-Za-z0-9._-]/g, '_')}.ics`;
    return [calendarAttachment(c, [deadlineEvent(c, c.deadline, c.department, view.link as string)], c.campaign.title, file)];
  },
};
