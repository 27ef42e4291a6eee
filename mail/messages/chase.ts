/**
 * The chase by hand (催报): a coordinator pressed "催报" for a deadline occurrence between the
 * automatic reminders (obligations/chase-rules.ts). To the department's contacts, worded apart
 * from the ladder's reminders and overdue notices: the coordinating office chases it in person,
 * names the deadline and its due time, says whether it is already overdue (and by how much) or
 * how long is left, and gives the department's link. One per click: its step is the chase id.
 */
import { formatInstant, latePhrase } from '../format';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { obligationKey, requireLink, type MessageType } from './kind';
import { toOwingDepartment } from './plan-index';

export interface ChaseContext extends MessageCommon {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  /** When the coordinator chased (ISO). */
  at: string;
  link: string;
}

export const chase: MessageType<'chase', ChaseContext> = {
  key: (req) => ({ key: obligationKey(req), step: `chase-${req.chaseId}` }),

  compose(req, P, common) {
    const { to, department, deadline } = toOwingDepartment(P, req);
    return { to, context: { ...common, department, deadline, at: req.at, link: requireLink(req.link, 'chase') } };
  },

  view: (c, h) => {
    const overdue = Date.parse(c.at) > Date.parse(c.deadline.due);
    const hoursLeft = Math.max(0, Math.ceil((Date.parse(c.deadline.due) - Date.parse(c.at)) / 3_600_000));
    return {
      ...h.department(c.department),
      ...h.deadline(c.deadline),
      link: h.link(c.link),
      overdue,
      late: overdue ? latePhrase(c.deadline.due, c.at, h.zone, h.language).text : '',
      left: overdue ? '' : h.zh ? `距截止还有约${hoursLeft}小时` : `about ${hoursLeft} hour${hoursLeft === 1 ? '' : 's'} left before it is due`,
      now: formatInstant(c.at, h.zone, h.language),
    };
  },
};
