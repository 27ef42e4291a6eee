/**
 * The escalation: a rung after due addressed to the department's leaders or to the coordinating
 * office, naming the late department with its contacts so the reader can call them. A rung with
 * nobody to address (e.g. no leaders listed) still reaches the coordinating office.
 */
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { escalationKey, escalationRung, lateView } from './escalation-rung';
import type { MessageType } from './kind';
import { deptInfo } from './plan-index';

export interface EscalationContext extends MessageCommon {
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

export const escalation: MessageType<'escalation', EscalationContext> = {
  key: escalationKey,

  compose(req, P, common) {
    const r = escalationRung(req, P, common, ['coordinator']);
    return {
      to: r.to.length > 0 ? r.to : common.office.contacts,
      cc: r.cc,
      context: {
        ...common,
        department: { ...deptInfo(r.department), contacts: r.department.contacts },
        deadline: r.deadline,
        at: req.at,
        audience: r.lead === 'leaders' ? 'leaders' : 'coordinator',
        stepLabel: r.label,
        link: req.link,
      },
    };
  },

  view: (c, h) => ({
    ...lateView(c, h),
    stepLabel: c.stepLabel ?? '',
    toLeaders: c.audience === 'leaders',
    toCoordinator: c.audience === 'coordinator',
  }),
};
