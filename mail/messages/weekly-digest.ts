/**
 * The weekly digest to the coordinating office: submissions received in the week, deadlines due
 * in the coming week with how many departments still owe them, and who is late.
 */
import { formatDate, latePhrase } from '../format';
import type { DeadlineInfo, LateItem, MessageCommon } from './context';
import { localDate, type MessageType } from './kind';
import { deptInfo } from './plan-index';

export interface WeeklyDigestContext extends MessageCommon {
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

export const weeklyDigest: MessageType<'weekly-digest', WeeklyDigestContext> = {
  key: (req, plan) => ({ key: 'weekly-digest', step: localDate(req.weekStart, plan.campaign.timezone) }),

  compose(req, P, common) {
    return {
      to: common.office.contacts,
      context: {
        ...common,
        weekStart: req.weekStart,
        weekEnd: req.weekEnd,
        received: req.received,
        upcoming: req.upcoming.map((u) => {
          const { deadline, occurrence } = P.occurrence(u.occurrenceKey);
          return { deadline: P.info(deadline, occurrence), outstanding: u.outstanding, total: deadline.departments.length };
        }),
        late: req.late.map((l) => {
          const { deadline, occurrence } = P.occurrence(l.occurrenceKey);
          return { department: deptInfo(P.department(l.departmentId)), deadline: P.info(deadline, occurrence) };
        }),
        link: req.link,
      },
    };
  },

  view: (c, h) => ({
    weekStart: formatDate(c.weekStart, h.zone, h.language),
    weekEnd: formatDate(c.weekEnd, h.zone, h.language),
    upcoming: c.upcoming.map((u, i) => ({ n: i + 1, ...h.deadline(u.deadline), outstanding: u.outstanding, total: u.total })),
    late: c.late.map((it, i) => ({
      n: i + 1,
      ...h.department(it.department),
      ...h.deadline(it.deadline),
      late: latePhrase(it.deadline.due, c.weekEnd, h.zone, h.language).text,
    })),
    lateCount: c.late.length,
    received: c.received,
    link: h.link(c.link),
  }),
};
