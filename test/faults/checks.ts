/**
 * What every fault scenario checks, and how:
 *
 * - the messages: the SMTP server's messages, one row per distinct Message-ID, equal to the rows
 *   the oracle (test/support/expected-messages.ts, computed from the compiled timeline and the
 *   submissions, apart from the engine) calls for — nothing lost, nothing extra;
 * - the copies: how often the server accepted each (Message-ID, recipient), set against the
 *   delivery ledger's record of it (mail/delivery/ledger.ts: a copy beyond the first is only allowed for a
 *   send whose outcome the sender could not know, counted in `unconfirmedAttempts`);
 * - the final summary: the JSON blob the campaign's result references, its rows and totals.
 */
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { SubmissionReceipt } from '../../obligations/obligations';
import { DeliveryLedger, type DeliveryRecord } from '../../mail/delivery/ledger';
import type { Database } from '../../store/database/database';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { BlobStore } from '../../store/blob-store';
import type { OccurrenceSummary } from '../../reports/summary';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { expectedRows } from '../support/expected-messages';
import type { ReceivedMessage, SmtpSink } from '../support/smtp-sink';
import { until } from '../support/until';
import { keyOf, type Stack } from './stack';

/** One accepted submission (a version) as the test made it. */
export interface Submitted {
  occurrence: string;
  department: string;
  /** Campaign instant the workflow accepted it (the receipt's receivedAt). */
  at: number;
  /**
   * Campaign instant up to which the department's shard had sent what was due when it accepted the
   * submission, when that was earlier than `at` (the shard was held up by a fault): what fell due
   * in between is not sent to a department that has submitted by the time the shard catches up.
   */
  shardAt?: number;
  /** Not a submission: the obligation was excused at `at` (no receipt; no reminder after it). */
  excused?: boolean;
}

/** A submission as its receipt tells it (accepted at the receipt's receivedAt). */
export function submittedAs(receipt: SubmissionReceipt): Submitted {
  return { occurrence: receipt.occurrence, department: receipt.department, at: Date.parse(receipt.receivedAt) };
}

export interface ExpectedRow {
  /** Campaign instant of the row (the oracle's). */
  atMs: number;
  row: string;
}

const MINUTE_ROW = /^(\d\d)-(\d\d) (\d\d):(\d\d) (\S+) (.*)$/;

/** `label key to:… [cc:…]`, escalation rungs and coordinator digests with their instant in the campaign zone. */
function canonical(label: string, rest: string, when: string): string {
  return label.startsWith('escalation-') || label === 'coordinator-digest' ? `${label}@${when} ${rest}` : `${label} ${rest}`;
}

/**
 * The messages a campaign must send, as rows: the oracle of test/support/expected-messages.ts fed
 * with the first version of each obligation (the ladder stops at `shardAt ?? at`, the coordinator's
 * digest counts it late until `at`), plus one receipt per later version.
 */
export function expectedMessages(plan: CompiledPlan, submitted: readonly Submitted[]): ExpectedRow[] {
  const first = new Map<string, Submitted>();
  for (const s of [...submitted].sort((a, b) => a.at - b.at)) if (!first.has(`${s.occurrence}|${s.department}`)) first.set(`${s.occurrence}|${s.department}`, s);
  const ladder = new Map([...first].map(([k, s]) => [k, s.shardAt ?? s.at]));
  const real = new Map([...first].map(([k, s]) => [k, s.at]));
  const year = DateTime.fromISO(plan.campaign.periodStart, { setZone: true }).year;
  const zone = plan.campaign.timezone;
  const parse = (rows: string[]) =>
    rows.map((r) => {
      const m = MINUTE_ROW.exec(r)!;
      const atMs = DateTime.fromObject({ year, month: +m[1]!, day: +m[2]!, hour: +m[3]!, minute: +m[4]! }, { zone }).toMillis();
      return { atMs, label: m[5]!, row: canonical(m[5]!, m[6]!, `${m[1]}-${m[2]} ${m[3]}:${m[4]}`) };
    });
  const byLadder = parse(expectedRows(plan, ladder)).filter((r) => r.label !== 'coordinator-digest');
  const digests = parse(expectedRows(plan, real)).filter((r) => r.label === 'coordinator-digest');
  const out: ExpectedRow[] = [...byLadder, ...digests].map(({ atMs, row }) => ({ atMs, row }));
  const depts = new Map(plan.departments.map((d) => [d.id, d]));
  const contactsOf = (dept: string) => [...new Set(depts.get(dept)!.contacts.map((c) => c.email.toLowerCase()))].sort().join(',');
  for (const s of first.values()) {
    if (!s.excused) continue;
    const i = out.findIndex((r) => r.row === `receipt ${s.occurrence}/${s.department} to:${contactsOf(s.department)}`);
    if (i < 0) throw new Error(`oracle: no receipt row for ${s.occurrence}/${s.department}`);
    out.splice(i, 1);
  }
  for (const s of submitted) {
    if (first.get(`${s.occurrence}|${s.department}`) === s || s.excused) continue;
    out.push({ atMs: s.at, row: `receipt ${s.occurrence}/${s.department} to:${contactsOf(s.department)}` });
  }
  return out.sort((a, b) => a.row.localeCompare(b.row));
}

/** The rows only. */
export function rowsOf(expected: readonly ExpectedRow[]): string[] {
  return expected.map((e) => e.row).sort();
}

function stampToZone(stamp: string, zone: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return stamp;
  return DateTime.fromMillis(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!), { zone }).toFormat('MM-dd HH:mm');
}

/** The row of a received message, in the oracle's terms. */
export function receivedRow(m: ReceivedMessage, campaignId: string, zone = 'Asia/Shanghai'): string {
  const rest = keyOf(m).slice(campaignId.length + 1);
  const [, key, step] = /^(.+)\/([^/]+)$/.exec(rest) ?? [];
  let label: string;
  let when = '';
  if (step!.startsWith('receipt-')) label = 'receipt';
  else if (step!.startsWith('escalation-')) {
    const [rung, stamp] = step!.split('@');
    label = rung!;
    when = stampToZone(stamp!, zone);
  } else if (key === 'coordinator-digest') {
    label = key;
    when = stampToZone(step!, zone);
  } else if (key === 'weekly-digest') label = key;
  else label = step!;
  const to = m.to.map((a) => a.address.toLowerCase()).sort().join(',');
  const cc = m.cc.map((a) => a.address.toLowerCase()).sort().join(',');
  return canonical(label, `${key} to:${to}${cc ? ` cc:${cc}` : ''}`, when);
}

/** The campaign's messages at the SMTP server, grouped by Message-ID (in order of arrival). */
export function byMessageId(sink: SmtpSink, campaignId: string): Map<string, ReceivedMessage[]> {
  const out = new Map<string, ReceivedMessage[]>();
  for (const m of sink.messages) {
    if (!keyOf(m).startsWith(`${campaignId}/`)) continue;
    const id = m.messageId ?? `(no Message-ID) ${m.seq}`;
    out.set(id, [...(out.get(id) ?? []), m]);
  }
  return out;
}

/** One row per distinct Message-ID received. */
export function receivedRows(sink: SmtpSink, campaignId: string, zone = 'Asia/Shanghai'): string[] {
  return [...byMessageId(sink, campaignId).values()].map((copies) => receivedRow(copies[0]!, campaignId, zone)).sort();
}

/** Every row of the delivery ledger (all runs, all campaigns), read with the ledger's own query. */
export async function ledgerRecords(db: Database): Promise<DeliveryRecord[]> {
  const runs = await db.all<{ run: string; campaign_id: string }>('SELECT DISTINCT run, campaign_id FROM deliveries');
  const out: DeliveryRecord[] = [];
  for (const r of runs) out.push(...(await new DeliveryLedger(db, { scope: r.run }).list(r.campaign_id)));
  return out;
}

/** Waits until no send is in progress: no message claimed by an attempt. */
export async function ledgerIdle(db: Database, timeoutMs = 30_000): Promise<void> {
  const idle = async () => (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM delivery_claims WHERE owner IS NOT NULL'))!.n == 0;
  await until('the delivery ledger to be idle', async () => ((await idle()) ? true : undefined), timeoutMs, 50);
}

export interface CopyCount {
  messageId: string;
  key: string;
  recipient: string;
  /** Times the SMTP server accepted this message for this recipient. */
  copies: number;
  record?: DeliveryRecord;
}

/**
 * For every (Message-ID, recipient) the SMTP server accepted: how many times, with the ledger's
 * record of it; and the ledger records the server never saw.
 */
export async function copyCounts(sink: SmtpSink, campaignId: string, db: Database): Promise<{ counts: CopyCount[]; unseen: DeliveryRecord[] }> {
  const records = (await ledgerRecords(db)).filter((r) => r.campaignId === campaignId);
  const byPair = new Map(records.map((r) => [`${r.messageId}|${r.recipient}`, r]));
  const counts = new Map<string, CopyCount>();
  for (const [messageId, copies] of byMessageId(sink, campaignId)) {
    for (const m of copies) {
      for (const rcpt of m.envelope.rcptTo) {
        const recipient = rcpt.toLowerCase();
        const pair = `${messageId}|${recipient}`;
        const c = counts.get(pair) ?? { messageId, key: keyOf(m), recipient, copies: 0, record: byPair.get(pair) };
        c.copies += 1;
        counts.set(pair, c);
      }
    }
  }
  const unseen = records.filter((r) => !counts.has(`${r.messageId}|${r.recipient}`));
  return { counts: [...counts.values()].sort((a, b) => a.key.localeCompare(b.key) || a.recipient.localeCompare(b.recipient)), unseen };
}

/**
 * Every message once: the campaign's messages at the SMTP server are exactly `expected` (one row per
 * distinct Message-ID), the server accepted each (Message-ID, recipient) exactly once, and the
 * ledger has no record of the campaign the server never saw. Returns the copy counts (with the
 * ledger's records), for a scenario's own checks of them.
 */
export async function expectEachMessageOnce(stack: Stack, campaignId: string, expected: readonly string[]): Promise<CopyCount[]> {
  expect(receivedRows(stack.sink, campaignId)).toEqual(expected);
  const { counts, unseen } = await copyCounts(stack.sink, campaignId, stack.stores.db);
  expect(counts.filter((c) => c.copies !== 1)).toEqual([]);
  expect(unseen).toEqual([]);
  return counts;
}

interface SummaryBlob {
  campaign: { id: string };
  generatedAt: string;
  tables: OccurrenceSummary[];
}

async function readSummary(blobs: BlobStore, result: CampaignResult): Promise<SummaryBlob> {
  return JSON.parse((await blobs.get(result.summary.json)).toString('utf8')) as SummaryBlob;
}

/** `occurrence -> department -> status` of every row of the summary. */
function summaryStates(summary: SummaryBlob): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const t of summary.tables) for (const r of t.rows) (out[t.occurrence] ??= {})[r.department] = r.status;
  return out;
}

/**
 * The final result adds up: the campaign's totals are exactly `totals`, and its summary (the JSON
 * blob the result references) has exactly the rows of `states` (`occurrence -> department ->
 * status`). Returns the summary's table of an occurrence, for a scenario's checks of the figures.
 */
export async function expectFinalSummary(
  blobs: BlobStore,
  result: CampaignResult,
  totals: CampaignResult['totals'],
  states: Record<string, Record<string, string>>,
): Promise<(occurrence: string) => OccurrenceSummary> {
  expect(result.totals).toEqual(totals);
  const summary = await readSummary(blobs, result);
  expect(summaryStates(summary)).toEqual(states);
  return (occurrence) => {
    const table = summary.tables.find((t) => t.occurrence === occurrence);
    if (!table) throw new Error(`the summary has no table for ${occurrence}`);
    return table;
  };
}

/** A week's figures (the weekly-stats form's numeric fields). */
export interface WeekFigures {
  fairs: number;
  hired: number;
  hired_women: number;
}

/**
 * The weekly table's totals for the figures given: each column summed (the test's own arithmetic,
 * not the engine's), no remark.
 */
export function weekTotals(...figures: readonly WeekFigures[]): WeekFigures & { remark: null } {
  const sum = (column: keyof WeekFigures) => figures.reduce((n, f) => n + f[column], 0);
  return { fairs: sum('fairs'), hired: sum('hired'), hired_women: sum('hired_women'), remark: null };
}

/**
 * Every activity a workflow ran, from its history, with the attempt that completed it (Temporal
 * records an activity's started event once, for its last attempt).
 */
export async function activityAttempts(temporal: Client, workflowId: string): Promise<Array<{ type: string; attempt: number }>> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const out: Array<{ type: string; attempt: number }> = [];
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    const started = e.activityTaskStartedEventAttributes;
    if (started) out.push({ type: scheduled.get(String(started.scheduledEventId)) ?? '', attempt: started.attempt ?? 1 });
  }
  return out;
}
