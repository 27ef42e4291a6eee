/**
 * What arrives in the demo inbox, message by message: the inbox keeps every message it receives
 * as `<received ms>-<seq>.eml` under its folder; this reads the new ones, keeps those of one
 * campaign run (by the X-Campaign-Key header and the time received), and says what each one is
 * (launch notice, reminder, overdue notice, roll-up…) and, for a department's message, the
 * department's own portal link as the email gives it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import PostalMime from 'postal-mime';

export type MessageKind = 'launch' | 'reminder' | 'overdue' | 'digest' | 'rollup' | 'weekly' | 'receipt' | 'summary' | 'other';

export const KIND_LABELS: Record<MessageKind, string> = {
  launch: 'launch',
  reminder: 'reminders',
  overdue: 'overdue',
  digest: 'digests',
  rollup: 'roll-ups',
  weekly: 'weekly',
  receipt: 'receipts',
  summary: 'summary',
  other: 'other',
};

export interface InboxMessage {
  file: string;
  receivedMs: number;
  campaignId: string;
  /** What the message is about, e.g. `weekly-stats@2024-02-22/taiyuan`, `launch/taiyuan`, `coordinator-digest`. */
  key: string;
  /** Which message of it, e.g. `reminder-1d`, `escalation-3@20240226T100000Z`, `rollup`. */
  step: string;
  kind: MessageKind;
  occurrence?: string;
  department?: string;
  subject: string;
  to: string[];
  cc: string[];
  /** The department's link token (`/d/<token>`) found in the message. */
  token?: string;
}

/** Splits an X-Campaign-Key (`<campaign>/<key…>/<step>`) and classifies the message. */
export function classify(header: string): Pick<InboxMessage, 'campaignId' | 'key' | 'step' | 'kind' | 'occurrence' | 'department'> | undefined {
  const parts = header.trim().split('/');
  if (parts.length < 3) return undefined;
  const campaignId = parts[0]!;
  const step = parts[parts.length - 1]!;
  const key = parts.slice(1, -1).join('/');
  const [first, second] = [parts[1]!, parts[2]];
  let kind: MessageKind = 'other';
  let occurrence: string | undefined;
  let department: string | undefined;
  if (first === 'launch' && step === 'launch') {
    kind = 'launch';
    department = parts.length === 4 ? second : undefined;
  } else if (key === 'coordinator-digest') kind = 'digest';
  else if (key === 'weekly-digest') kind = 'weekly';
  else if (key === 'final-summary') kind = 'summary';
  else if (step === 'rollup') {
    kind = 'rollup';
    occurrence = key;
  } else if (parts.length === 4) {
    occurrence = first;
    department = second;
    if (step.startsWith('reminder-')) kind = 'reminder';
    else if (step.startsWith('escalation-')) kind = 'overdue';
    else if (step.startsWith('receipt-')) kind = 'receipt';
  }
  return { campaignId, key, step, kind, occurrence, department };
}

const TOKEN = /\/d\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;

export class InboxFeed {
  private readonly seen = new Set<string>();

  /**
   * @param campaignId only this campaign's messages
   * @param sinceMs only messages received from this wall instant (the run's start)
   */
  constructor(
    readonly dir: string,
    readonly campaignId: string,
    readonly sinceMs: number,
  ) {}

  /** The messages received since the last call, oldest first. */
  async poll(): Promise<InboxMessage[]> {
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.eml') && !this.seen.has(f));
    } catch {
      return [];
    }
    files.sort();
    const out: InboxMessage[] = [];
    for (const file of files) {
      this.seen.add(file);
      const receivedMs = Number(file.split('-')[0]);
      if (!Number.isFinite(receivedMs) || receivedMs < this.sinceMs) continue;
      let raw: Buffer;
      try {
        raw = readFileSync(path.join(this.dir, file));
      } catch {
        continue;
      }
      // Cheap pre-filter before parsing: the header names the campaign.
      if (!raw.subarray(0, 8192).toString('latin1').includes(`${this.campaignId}/`)) continue;
      const email = await PostalMime.parse(raw);
      const header = email.headers.find((h) => h.key === 'x-campaign-key')?.value;
      const what = header ? classify(header) : undefined;
      if (!what || what.campaignId !== this.campaignId) continue;
      const list = (xs?: Array<{ address?: string }>) => (xs ?? []).map((x) => x.address ?? '').filter(Boolean);
      const token = what.department ? TOKEN.exec(email.text ?? email.html ?? '')?.[1] : undefined;
      out.push({ file, receivedMs, ...what, subject: email.subject ?? '', to: list(email.to), cc: list(email.cc), ...(token ? { token } : {}) });
    }
    return out;
  }
}
