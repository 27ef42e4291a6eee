/**
 * The overdue notice: a rung after due addressed to the department (its contacts in To, its
 * leaders in Cc when the rung names them), saying how late it is and where to submit. The engine's
 * ladder asks for it at every rung it sends to a department (obligations/obligations.ts).
 */
import type { Contact } from '../../deadlines/timeline';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { escalationKey, escalationRung, lateView } from './escalation-rung';
import { requireLink, type MessageType } from './kind';
import { deptInfo } from './plan-index';

export interface OverdueContext extends MessageCommon {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  /** When the message is sent (ISO). */
  at: string;
  link: string;
  /** Names of the leaders in copy, shown in the text. */
  leaders?: Contact[];
}

export const overdue: MessageType<'overdue', OverdueContext> = {
  key: escalationKey,

  compose(req, P, common) {
    const r = escalationRung(req, P, common, ['department', 'leaders']);
    return {
      to: r.to,
      cc: r.cc,
      context: {
        ...common,
        department: deptInfo(r.department),
        deadline: r.deadline,
        at: req.at,
        link: requireLink(req.link, 'overdue'),
        leaders: r.audiences.includes('leaders') ? r.department.leaders : [],
      },
    };
  },

  view: (c, h) => ({
    ...lateView(c, h),
    leaders: (c.leaders ?? []).map((l) => l.name ?? l.email).join(h.zh ? '、' : ', '),
  }),
};
