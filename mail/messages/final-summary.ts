/**
 * The final summary: when the campaign's period is over, the totals (on time, late, missing) to
 * the coordinating office (and anyone the request puts in Cc), with the XLSX workbook attached.
 */
import { TemplateError } from '../template';
import type { MessageCommon } from './context';
import type { MessageType } from './kind';

export interface FinalSummaryContext extends MessageCommon {
  totals: { obligations: number; onTime: number; late: number; missing: number };
  /** The XLSX workbook: its bytes (what the final-summary activity gives), or a file path read when sent (never prepared ahead). */
  attachment: { filename: string; path?: string; content?: Buffer };
  link?: string;
}

export const finalSummary: MessageType<'final-summary', FinalSummaryContext> = {
  key: () => ({ key: 'final-summary', step: 'final-summary' }),

  compose: (req, _P, common) => ({
    to: common.office.contacts,
    cc: req.cc,
    context: { ...common, totals: req.totals, attachment: req.attachment, link: req.link },
  }),

  view(c, h) {
    const t = c.totals;
    const pct = (n: number) => (t.obligations > 0 ? `${Math.round((n / t.obligations) * 1000) / 10}%` : '—');
    return {
      obligations: t.obligations,
      onTime: t.onTime,
      lateCount: t.late,
      missingCount: t.missing,
      onTimeRate: pct(t.onTime),
      attachmentName: c.attachment.filename,
      link: h.link(c.link),
    };
  },

  attachments(c) {
    const a = c.attachment;
    if (!a.path && !a.content) throw new TemplateError('final-summary: the attachment needs a path or content');
    return [
      {
        filename: a.filename,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        ...(a.path ? { path: a.path } : { content: a.content }),
      },
    ];
  },
};
