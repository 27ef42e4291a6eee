/**
 * The roll-up: at a deadline's due instant, one message to the coordinating office saying who
 * submitted (and when, late or not), who has not (with their contacts), and the form's 总计.
 */
import type { Figures } from '../../obligations/message-requests';
import { formatInstant } from '../format';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import type { MessageType } from './kind';
import { deptInfo } from './plan-index';
import { formatNumber } from './view';

export interface RollupContext extends MessageCommon {
  deadline: DeadlineInfo;
  /** The instant of the rollup (normally the due instant). */
  at: string;
  submitted: Array<{ department: DepartmentInfo; at: string; late?: boolean }>;
  missing: Array<{ department: DepartmentInfo }>;
  /** The form's 总计 row: one entry per column. */
  totals?: Figures;
  formTitle?: string;
  link?: string;
}

export const rollup: MessageType<'rollup', RollupContext> = {
  key: (req) => ({ key: req.occurrenceKey, step: 'rollup' }),

  compose(req, P, common) {
    const { deadline, occurrence } = P.occurrence(req.occurrenceKey);
    const done = new Map(req.submitted.map((s) => [s.departmentId, s]));
    return {
      to: common.office.contacts,
      context: {
        ...common,
        deadline: P.info(deadline, occurrence),
        at: req.at,
        submitted: deadline.departments
          .filter((id) => done.has(id))
          .map((id) => {
            const s = done.get(id)!;
            return { department: deptInfo(P.department(id)), at: s.at, late: s.late };
          }),
        missing: deadline.departments
          .filter((id) => !done.has(id))
          .map((id) => {
            const dept = P.department(id);
            return { department: { ...deptInfo(dept), contacts: dept.contacts } };
          }),
        totals: req.totals,
        formTitle: deadline.submit.form ? P.formTitle(deadline.submit.form) : undefined,
        link: req.link,
      },
    };
  },

  view(c, h) {
    const submitted = c.submitted.map((s, i) => ({
      n: i + 1,
      ...h.department(s.department),
      submittedAt: formatInstant(s.at, h.zone, h.language),
      lateSubmission: s.late ?? Date.parse(s.at) > Date.parse(c.deadline.due),
    }));
    const missing = c.missing.map((m, i) => ({ n: i + 1, ...h.department(m.department) }));
    const total = submitted.length + missing.length;
    return {
      ...h.deadline(c.deadline),
      now: formatInstant(c.at, h.zone, h.language),
      submitted,
      missing,
      submittedCount: submitted.length,
      missingCount: missing.length,
      totalCount: total,
      totals: (c.totals ?? []).map((t) => ({ label: t.label, value: formatNumber(t.value), unit: t.unit ?? '' })),
      formTitle: c.formTitle ?? c.deadline.submit.form ?? '',
      link: h.link(c.link),
    };
  },
};
