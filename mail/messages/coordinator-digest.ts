/**
 * The coordinator's digest: one message to the coordinating office listing every department late
 * at a campaign instant (with its contacts), and the addresses the mail server refused for good
 * so the office can correct them.
 */
import { formatDate, formatInstant, latePhrase } from '../format';
import type { DeadlineInfo, DepartmentInfo, LateItem, MessageCommon } from './context';
import { utcStamp, type MessageType } from './kind';
import { deptInfo } from './plan-index';

export interface DeliveryFailureItem {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  address: string;
  reason: string;
}

export interface CoordinatorDigestContext extends MessageCommon {
  at: string;
  late: LateItem[];
  /** Messages the mail server refused for good (bad addresses...): the office must fix them. */
  failures?: DeliveryFailureItem[];
  /** The coordinator's dashboard. */
  link?: string;
}

export const coordinatorDigest: MessageType<'coordinator-digest', CoordinatorDigestContext> = {
  key: (req) => ({ key: 'coordinator-digest', step: utcStamp(req.at) }),

  compose(req, P, common) {
    return {
      to: common.office.contacts,
      context: {
        ...common,
        at: req.at,
        late: req.late.map((l) => {
          const { deadline, occurrence } = P.occurrence(l.occurrenceKey);
          const dept = P.department(l.departmentId);
          return { department: { ...deptInfo(dept), contacts: dept.contacts }, deadline: P.info(deadline, occurrence), link: l.link };
        }),
        failures: (req.failures ?? []).map((f) => {
          const { deadline, occurrence } = P.occurrence(f.occurrenceKey);
          return { department: deptInfo(P.department(f.departmentId)), deadline: P.info(deadline, occurrence), address: f.address, reason: f.reason };
        }),
        link: req.link,
      },
    };
  },

  view(c, h) {
    const items = c.late.map((it, i) => ({
      n: i + 1,
      ...h.department(it.department),
      ...h.deadline(it.deadline),
      late: latePhrase(it.deadline.due, c.at, h.zone, h.language).text,
      link: h.link(it.link),
    }));
    return {
      now: formatInstant(c.at, h.zone, h.language),
      date: formatDate(c.at, h.zone, h.language),
      items,
      count: items.length,
      departmentCount: new Set(c.late.map((l) => l.department.id)).size,
      failures: (c.failures ?? []).map((f, i) => ({ n: i + 1, ...h.department(f.department), ...h.deadline(f.deadline), address: f.address, reason: f.reason })),
      link: h.link(c.link),
    };
  },
};
