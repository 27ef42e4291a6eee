/**
 * The archive (归档) of a finished campaign: ONE ZIP an office keeps — the plan and the notice's
 * words, the compiled timeline, every submission version with its attachments, the review
 * decisions, the delivery record of every message, the summaries, the audit history, a readable
 * index.html and a manifest with the SHA-256 of every file.
 *
 * Built from the database alone (the campaign run's record, store/campaign-records.ts, and the
 * stores it names), so it still works after Temporal's retention has removed the histories. A
 * campaign that finished before records were kept is recorded first from its histories, when a
 * Temporal client is given and the histories are still there (reports/archive/record.ts).
 *
 * Streamed: files go into the ZIP one after the other as they are read (attachments chunk by
 * chunk from the blob store) and the ZIP into `out` with back-pressure. The same record gives the
 * same bytes: fixed names and order, every entry dated the campaign's end.
 *
 * For a web route: `await writeCampaignArchive(stores, id, res, { temporal })` after the headers
 * (application/zip). Errors found before the first byte — no record, a missing file — are thrown
 * before anything is written to `out`.
 */
import type { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { previewJson, previewText } from '../../deadlines/preview';
import type { CompiledPlan } from '../../deadlines/timeline';
import { BlobNotFoundError } from '../../store/blob-store';
import { type CampaignRecord, CampaignRecords } from '../../store/campaign-records';
import type { Stores } from '../../store/stores';
import { campaignTime, formatAudit } from '../audit-history';
import { loadArchiveData, noticeQuotes, submissionFiles, submissionRecord, type ArchiveData } from './contents';
import { deliveriesCsv } from './deliveries';
import { indexPage, type ArchiveLinks } from './index-page';
import { recordFromTemporal } from './record';
import { ArchiveWriter, MANIFEST_JSON, MANIFEST_SHA256, type ManifestFile } from './zip-writer';

export { CampaignNotFinishedError } from './record';

/** No record of a finished run of this campaign in the database, and no way to make one. */
export class CampaignRecordMissingError extends Error {
  constructor(id: string, why: string) {
    super(`no record of a finished campaign '${id}' in the database: ${why}`);
    this.name = 'CampaignRecordMissingError';
  }
}

export interface ArchiveOptions {
  /** To record, from its histories, a campaign that finished before records were kept. */
  temporal?: Client;
  /** A particular run (`<workflow id>@<first run id>`); default the campaign's latest recorded run. */
  run?: string;
}

export interface ArchiveResult {
  record: CampaignRecord;
  /** True when the record was made now from the Temporal histories. */
  recordedNow: boolean;
  bytes: number;
  files: ManifestFile[];
}

/** The record an archive is made from: in the database, else made now from Temporal when possible. */
export async function campaignRecordFor(stores: Pick<Stores, 'db' | 'blobs' | 'plans'>, id: string, opts: ArchiveOptions = {}): Promise<{ record: CampaignRecord; recordedNow: boolean }> {
  const records = new CampaignRecords(stores.db);
  const found = opts.run ? await records.get(opts.run) : await records.latest(id);
  if (found) return { record: found, recordedNow: false };
  if (opts.run) throw new CampaignRecordMissingError(id, `no run ${opts.run} is recorded`);
  if (!opts.temporal) {
    throw new CampaignRecordMissingError(id, 'it has not finished, or it finished before campaign records were kept; for the latter, archive it where Temporal still has its histories');
  }
  const workflowId = id.startsWith('campaign/') ? id : `campaign/${id}`;
  return { record: await recordFromTemporal({ temporal: opts.temporal, blobs: stores.blobs, plans: stores.plans, records }, workflowId), recordedNow: true };
}

/** Writes the archive of campaign `id` (campaign id or workflow id) to `out`, and ends it. */
export async function writeCampaignArchive(stores: Pick<Stores, 'db' | 'blobs' | 'plans' | 'ledger'>, id: string, out: Writable, opts: ArchiveOptions = {}): Promise<ArchiveResult> {
  const { record, recordedNow } = await campaignRecordFor(stores, id, opts);
  const data = await loadArchiveData(stores, record);
  const submissions = submissionFiles(data);
  const attachments = submissions.flatMap((s) => s.versions.flatMap((v) => v.attachments));
  for (const ref of new Set([...attachments.map((a) => a.ref), record.summary.json, record.summary.csv, ...(record.summary.xlsx ? [record.summary.xlsx] : [])])) {
    if (!(await stores.blobs.has(ref))) throw new BlobNotFoundError(ref);
  }
  const { plan } = data;
  const links: ArchiveLinks = {
    plan: 'plan/plan.json',
    planVersions: data.planVersions.length > 1 ? data.planVersions.map((_, i) => `plan/versions/v${i + 1}.json`) : [],
    notice: noticeQuotes(plan) ? 'plan/notice-quotes.txt' : undefined,
    timeline: ['timeline/timeline.txt', 'timeline/timeline.json'],
    obligations: 'submissions/obligations.json',
    decisions: 'decisions/decisions.json',
    deliveries: ['messages/deliveries.csv', 'messages/deliveries.json'],
    summaries: ['summary/summary.xlsx', 'summary/summary.csv', 'summary/summary.json'].filter((f) => record.summary.xlsx || !f.endsWith('.xlsx')),
    audit: data.audit ? ['audit/history.txt', 'audit/history.json'] : [],
    manifest: [MANIFEST_JSON, MANIFEST_SHA256],
  };

  const zip = new ArchiveWriter(out, entryDate(plan));
  try {
    await zip.add('index.html', indexPage(data, submissions, links));
    await zip.add(links.plan, pretty(plan));
    for (const [i, v] of data.planVersions.entries()) if (links.planVersions[i]) await zip.add(links.planVersions[i]!, pretty(v.plan));
    if (links.notice) await zip.add(links.notice, noticeQuotes(plan)!);
    await zip.add(links.timeline[0]!, previewText(plan));
    await zip.add(links.timeline[1]!, pretty(previewJson(plan)));
    await zip.add(links.obligations, pretty(data.obligations));
    for (const s of submissions) {
      for (const v of s.versions) {
        await zip.add(v.record, submissionRecord(plan, s.obligation, v));
        if (v.report) await zip.add(v.report, v.version.report!);
        for (const a of v.attachments) await zip.add(a.path, stores.blobs.open(a.ref));
      }
    }
    await zip.add(links.decisions, pretty(decisions()));
    await zip.add(links.deliveries[0]!, deliveriesCsv(data.deliveries));
    await zip.add(links.deliveries[1]!, pretty(data.deliveries));
    if (record.summary.xlsx) await zip.add('summary/summary.xlsx', stores.blobs.open(record.summary.xlsx));
    await zip.add('summary/summary.csv', stores.blobs.open(record.summary.csv));
    await zip.add('summary/summary.json', stores.blobs.open(record.summary.json));
    if (data.audit) {
      await zip.add(links.audit[0]!, auditText(data));
      await zip.add(links.audit[1]!, pretty(data.audit));
    }
    const done = await zip.finish({ campaignId: record.campaignId, title: record.title, run: record.run, workflowId: record.workflowId, finishedAt: record.finishedAt });
    return { record, recordedNow, ...done };
  } catch (err) {
    zip.abort(err as Error);
    throw err;
  }
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every entry's date: the campaign's end, as its local wall-clock time (what unzip shows). */
function entryDate(plan: CompiledPlan): Date {
  const end = DateTime.fromISO(plan.campaign.periodEnd, { setZone: true }).setZone(plan.campaign.timezone);
  return new Date(Date.UTC(end.year, end.month - 1, end.day, end.hour, end.minute, end.second));
}

/** The place for review decisions: the engine records none yet (no return or approval of a submission). */
function decisions() {
  return {
    note: '本系统尚无审核（退回、通过）功能：没有审核意见。The engine has no review of submissions yet (return, approval): no decision was recorded.',
    decisions: [],
  };
}

function auditText(data: ArchiveData): string {
  const a = data.audit!;
  const head = [`${data.plan.campaign.title} (${data.plan.campaign.id})：审计记录，活动时间（${a.zone}）`];
  if (!a.complete) head.push(`取自最终汇总发出时（${campaignTime(a.capturedAt, a.zone)}）：其后活动结束一条不在其中。`);
  head.push('');
  return `${[...head, ...formatAudit(a.entries)].join('\n')}\n`;
}
