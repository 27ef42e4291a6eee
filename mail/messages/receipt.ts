/**
 * The receipt: sent to the department when a submission is accepted, echoing its figures, its
 * receipt number and revision, and whether it came in on time.
 */
import type { Figures } from '../../obligations/message-requests';
import { formatInstant, latePhrase } from '../format';
import type { DeadlineInfo, DepartmentInfo, MessageCommon } from './context';
import { obligationKey, type MessageType } from './kind';
import { deptInfo } from './plan-index';
import { formatNumber } from './view';

export interface ReceiptContext extends MessageCommon {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  submittedAt: string;
  submittedBy?: string;
  receiptId: string;
  /** 1 for the first submission, 2… for corrections. */
  revision?: number;
  link: string;
  /** Lines echoed back, e.g. form figures: { label: '合计运送人次', value: '1200' }. */
  summary?: Figures;
}

export const receipt: MessageType<'receipt', ReceiptContext> = {
  key: (req) => ({ key: obligationKey(req), step: `receipt-${req.submissionId}` }),

  compose(req, P, common) {
    const { deadline, occurrence, department: dept } = P.obligation(req.occurrenceKey, req.departmentId);
    return {
      to: dept.contacts,
      context: {
        ...common,
        department: deptInfo(dept),
        deadline: P.info(deadline, occurrence),
        submittedAt: req.submittedAt,
        submittedBy: req.submittedBy,
        receiptId: req.submissionId,
        revision: req.revision,
        link: req.link,
        summary: req.summary,
      },
    };
  },

  view(c, h) {
    const lateMs = Date.parse(c.submittedAt) - Date.parse(c.deadline.due);
    return {
      ...h.department(c.department),
      ...h.deadline(c.deadline),
      link: h.link(c.link),
      submittedAt: formatInstant(c.submittedAt, h.zone, h.language),
      submittedBy: c.submittedBy ?? '',
      receiptId: c.receiptId,
      revision: c.revision ?? 1,
      isCorrection: (c.revision ?? 1) > 1,
      onTime: lateMs <= 0,
      late: lateMs > 0 ? latePhrase(c.deadline.due, c.submittedAt, h.zone, h.language).text : '',
      summary: (c.summary ?? []).map((s) => ({ label: s.label, value: formatNumber(s.value), unit: s.unit ?? '' })),
    };
  },
};
