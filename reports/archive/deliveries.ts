/**
 * The archive's record of every message: one row per recipient of each message the campaign run's
 * delivery ledger holds (the `deliveries` table), as CSV for a spreadsheet (UTF-8 with BOM, Chinese
 * headings, cells that would run as formulas neutralised) and as JSON with every column. The times
 * are the ledger's (the sending machine's clock); with the campaign clock known, each row also
 * gives the campaign time it was sent at (a rehearsal plays campaign days in wall-clock seconds).
 */
import { campaignNowMs, type CampaignClock } from '../../obligations/clock';
import type { DeliveryRecord } from '../../mail/delivery/ledger';
import { campaignTime } from '../audit-history';
import { neutraliseCell } from '../summary';

export interface ArchivedDelivery extends DeliveryRecord {
  /** Campaign time the message was sent (or last tried), in the campaign's zone, when the clock is known. */
  campaignTime?: string;
}

/** Oldest first (by when sent, else last tried), then by message and recipient: the same rows always in the same order. */
export function archivedDeliveries(records: readonly DeliveryRecord[], clock: CampaignClock | undefined, zone: string): ArchivedDelivery[] {
  const at = (r: DeliveryRecord) => r.sentAt ?? r.updatedAt;
  return [...records]
    .sort((a, b) => at(a).localeCompare(at(b)) || a.key.localeCompare(b.key) || a.step.localeCompare(b.step) || a.recipient.localeCompare(b.recipient))
    .map((r) => (clock ? { ...r, campaignTime: campaignTime(campaignNowMs(clock, Date.parse(at(r))), zone) } : { ...r }));
}

/** How many messages (one Message-ID each, however many recipients) and how they went. */
export function messageCounts(records: readonly DeliveryRecord[]): { messages: number; recipients: number; sent: number; failed: number; unfinished: number } {
  return {
    messages: new Set(records.map((r) => r.messageId)).size,
    recipients: records.length,
    sent: records.filter((r) => r.state === 'sent').length,
    failed: records.filter((r) => r.state === 'failed-permanent').length,
    unfinished: records.filter((r) => r.state === 'pending' || r.state === 'sending').length,
  };
}

const STATE_WORDS: Record<DeliveryRecord['state'], string> = { sent: '已发送', 'failed-permanent': '发送失败', pending: '待重试', sending: '发送中（结果未确认）' };

function cell(v: string | number | undefined): string {
  const s = neutraliseCell(v === undefined ? '' : String(v));
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function deliveriesCsv(rows: readonly ArchivedDelivery[]): string {
  const header = ['收件人', '收件方式', 'Message-ID', '主题', '状态', '事由', '邮件', '发送时间（服务器）', '活动时间（按服务器时间换算）', '尝试次数', '服务器答复', '错误'];
  const lines = [header.map(cell).join(',')];
  for (const r of rows) {
    lines.push(
      [r.recipient, r.role === 'cc' ? '抄送' : '收件', r.messageId, r.subject, STATE_WORDS[r.state], r.key, r.step, r.sentAt ?? r.updatedAt, r.campaignTime, r.attempts, r.response, r.lastError]
        .map(cell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
