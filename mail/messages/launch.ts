/**
 * The launch notice: sent to each department when the campaign starts, listing every deadline
 * it owes (all occurrences, in due order) with its submission link, and an .ics holding them all.
 */
import { formatDate } from '../format';
import { calendarAttachment, deadlineEvent } from './calendar';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import type { MessageType } from './kind';
import { deptInfo } from './plan-index';

export interface LaunchContext extends MessageCommon {
  department: DepartmentInfo;
  /** The department's own deadlines (every occurrence), in due order. */
  deadlines: DeadlineInfo[];
  /** The department's submission link. */
  link: string;
  periodStart?: string;
  periodEnd?: string;
}

export const launch: MessageType<'launch', LaunchContext> = {
  key: (req) => ({ key: `launch/${req.departmentId}`, step: 'launch' }),

  compose(req, P, common) {
    const dept = P.department(req.departmentId);
    const deadlines: DeadlineInfo[] = [];
    for (const d of P.plan.deadlines) {
      if (!d.departments.includes(dept.id)) continue;
      for (const occ of d.occurrences) deadlines.push(P.info(d, occ));
    }
    const c = P.plan.campaign;
    return {
      to: dept.contacts,
      context: { ...common, department: deptInfo(dept), deadlines, link: req.link, periodStart: c.periodStart, periodEnd: c.periodEnd },
    };
  },

  view(c, h) {
    const { zone, language: L, zh } = h;
    const deadlines = [...c.deadlines].sort((a, b) => Date.parse(a.due) - Date.parse(b.due)).map((d, i) => ({ n: i + 1, ...h.deadline(d) }));
    return {
      ...h.department(c.department),
      link: h.link(c.link),
      deadlines,
      deadlineCount: deadlines.length,
      period: c.periodStart && c.periodEnd ? `${formatDate(c.periodStart, zone, L)}${zh ? '至' : ' to '}${formatDate(c.periodEnd, zone, L)}` : '',
    };
  },

  attachments(c, view) {
    const events = c.deadlines.map((d) => deadlineEvent(c, d, c.department, view.link as string));
    return [calendarAttachment(c, events, `${c.campaign.title} · ${c.department.name}`, `${c.campaign.id}-${c.department.id}.ics`)];
  },
};
