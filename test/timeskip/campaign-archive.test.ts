/**
 * The archive (归档) of a finished campaign: the demo plan played from launch to final summary on the
 * time-skipping server with real SMTP, departments submitting figures, reports and attachments
 * (one of three chunks, two with the same name), correcting one, sending one twice; then the
 * archive unpacked and counted against what the SMTP server received and what was submitted, its
 * manifest checked file by file, and built again after the Temporal server is gone — from a copy of
 * the database alone, by the function and by `campaign archive` — to the same bytes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionReceipt } from '../../obligations/obligations';
import type { CampaignClock } from '../../obligations/clock';
import { CampaignRecordMissingError, writeCampaignArchive } from '../../reports/archive/index';
import type { AuditCapture } from '../../reports/archive/record';
import { CampaignRecords } from '../../store/campaign-records';
import { openStores, type Stores } from '../../store/stores';
import { SQLITE_FILE } from '../../store/database/open';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { advanceTo, campaignKey, compiledPlan, startEngineEnv, type EngineEnv } from '../support/engine-env';
import { childEnv, runCli } from '../support/run-cli';
import { uniqueId } from '../support/temporal';

const PLAN = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const ZONE = 'Asia/Shanghai';
const local = (mmddhhmm: string) => DateTime.fromFormat(`2024-${mmddhhmm}`, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toISO()!;
const W2 = 'weekly-stats@2024-03-13';

/** Bytes that do not compress away: a 600 KB "scan" spans three of the blob store's 256 KiB chunks. */
function scan(size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < size; i++) parts.push(createHash('sha256').update(`scan-${i}`).digest());
  return Buffer.concat(parts).subarray(0, size);
}

class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.chunks.push(chunk);
    done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function archiveBytes(stores: Stores, id: string, opts = {}): Promise<Buffer> {
  const out = new Collect();
  await writeCampaignArchive(stores, id, out, opts);
  return out.bytes;
}

async function unpack(zip: Buffer): Promise<Map<string, Buffer>> {
  const dir = await unzipper.Open.buffer(zip);
  const files = new Map<string, Buffer>();
  for (const f of dir.files) files.set(f.path, await f.buffer());
  return files;
}

/** A copy of the engine's SQLite database, consistent while the engine runs, in a data folder of its own. */
async function copyDatabase(e: EngineEnv): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'campaign-archive-copy-'));
  await e.stores.db.run(`VACUUM INTO '${path.join(dir, SQLITE_FILE).replace(/'/g, "''")}'`);
  return dir;
}

interface Made {
  receipt: SubmissionReceipt;
  report?: string;
  attachments: Array<{ name: string; bytes: Buffer }>;
}

describe('the archive of the finished demo campaign (time-skipping server, real SMTP)', () => {
  let e: EngineEnv;
  let engineUp = true;
  let workflowId: string;
  let result: CampaignResult;
  const made: Made[] = [];
  const dirs: string[] = [];
  let zip: Buffer;
  let files: Map<string, Buffer>;
  let buildMs: number;

  beforeAll(async () => {
    e = await startEngineEnv();
    const plan = compiledPlan(PLAN);
    workflowId = uniqueId('campaign/demo');
    const started = await e.client.start(plan, { workflowId, clock: { mode: 'rehearsal', scale: 1, startAt: local('03-03 23:00') } });
    const clock: CampaignClock = (await e.client.info(workflowId)).clock;
    const submit = async (at: string, department: string, deadline: string, extra: { values?: Record<string, unknown>; report?: string; occurrence?: string; files?: Array<{ name: string; bytes: Buffer }> } = {}, id = `${department}-${deadline}-${at}`) => {
      await advanceTo(e, clock, local(at));
      const attachments = [];
      for (const f of extra.files ?? []) attachments.push({ ref: await e.stores.blobs.put(f.bytes), name: f.name, size: f.bytes.length, type: 'application/octet-stream' });
      const receipt = await e.client.submit(workflowId, { submissionId: id, department, deadline, by: department, values: extra.values, report: extra.report, occurrence: extra.occurrence, attachments });
      if (!receipt.duplicate) made.push({ receipt, report: extra.report, attachments: extra.files ?? [] });
    };
    const figures = (fairs: number, hired: number, women: number) => ({ fairs, hired, hired_women: women });

    await submit('03-05 09:00', 'east', 'weekly-stats', { values: figures(2, 10, 4), files: [{ name: '东区第一周招聘会.pdf', bytes: scan(600_000) }] });
    await submit('03-06 11:00', 'west', 'weekly-stats', { values: figures(1, 5, 2) });
    await submit('03-07 10:00', 'east', 'contacts', { report: '联络员：张三，电话 000-0000' });
    await submit('03-07 15:00', 'east', 'contacts', { report: '联络员：张三，电话 000-0001（更正）' });
    await submit('03-11 10:00', 'west', 'contacts', { report: '联络员：李四' });
    await submit('03-12 09:00', 'east', 'weekly-stats', {
      values: figures(3, 16, 7),
      files: [
        { name: '周报.txt', bytes: Buffer.from('第二周：招聘会3场\n') },
        { name: '周报.txt', bytes: Buffer.from('第二周（补充）：签约16人\n') },
      ],
    });
    await submit('03-14 09:00', 'west', 'weekly-stats', { occurrence: W2, values: figures(2, 9, 3) });
    await submit('03-19 09:00', 'east', 'weekly-stats', { values: figures(5, 30, 12) });
    await submit('03-20 11:00', 'west', 'weekly-stats', { values: figures(4, 20, 9) });
    // Pressed again: the same submission id is one submission, not a version.
    await submit('03-20 11:00', 'west', 'weekly-stats', { values: figures(4, 20, 9) }, 'west-weekly-stats-03-20 11:00');
    result = await started.handle.result();
    const t0 = performance.now();
    zip = await archiveBytes(e.stores, workflowId);
    buildMs = performance.now() - t0;
    files = await unpack(zip);
  });

  afterAll(async () => {
    if (engineUp) await e?.teardown();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const json = <T>(name: string): T => JSON.parse(files.get(name)!.toString('utf8')) as T;

  it('records the finished run in the database when the final summary goes out, with the audit history read from Temporal then', async () => {
    const record = await new CampaignRecords(e.stores.db).latest(workflowId);
    expect(record).toMatchObject({ campaignId: 'demo', workflowId, source: 'final-summary', summary: result.summary });
    expect(record!.auditRef).toMatch(/^sha256:/);
    const audit = JSON.parse((await e.stores.blobs.get(record!.auditRef!)).toString('utf8')) as AuditCapture;
    expect(audit.entries.filter((x) => x.kind === 'submission')).toHaveLength(made.length);
    expect(audit.entries.filter((x) => x.kind === 'repeated-submission')).toHaveLength(1);
    expect(audit.entries.at(-1)).toMatchObject({ kind: 'summary', actor: 'engine' });
    console.log(`archive of the demo: ${zip.length} bytes, ${files.size} files, built in ${Math.round(buildMs)} ms`);
  });

  it('holds every submission version made, with its figures, report and attachments byte for byte', () => {
    const versions = [...files.keys()].filter((f) => /^submissions\/[^/]+\/[^/]+\/v\d+\/submission\.json$/.test(f));
    expect(versions).toHaveLength(made.length);
    for (const m of made) {
      const dir = `submissions/${m.receipt.occurrence}/${m.receipt.department}/v${m.receipt.version}`;
      const sub = json<{ submissionId: string; version: number; late: boolean; attachments: Array<{ name: string; file: string }> }>(`${dir}/submission.json`);
      expect(sub).toMatchObject({ submissionId: m.receipt.submissionId, version: m.receipt.version, late: m.receipt.late });
      if (m.report) expect(files.get(`${dir}/report.txt`)!.toString('utf8')).toBe(m.report);
      expect(sub.attachments.map((a) => a.name)).toEqual(m.attachments.map((a) => a.name));
      sub.attachments.forEach((a, i) => expect(files.get(`${dir}/${a.file}`)!.equals(m.attachments[i]!.bytes)).toBe(true));
    }
    expect(files.has('submissions/contacts@2024-03-08/east/v2/submission.json')).toBe(true);
    expect([...files.keys()].filter((f) => f.startsWith('submissions/weekly-stats@2024-03-13/east/v1/attachments/')).sort()).toEqual([
      'submissions/weekly-stats@2024-03-13/east/v1/attachments/2-周报.txt',
      'submissions/weekly-stats@2024-03-13/east/v1/attachments/周报.txt',
    ]);
  });

  it('holds the delivery record of every message the SMTP server received: recipient, Message-ID, state, time', () => {
    const received = e.sink.messages.filter((m) => campaignKey(m).startsWith('demo/'));
    const rows = json<Array<{ recipient: string; role: string; messageId: string; state: string; sentAt?: string; key: string; step: string }>>('messages/deliveries.json');
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set(received.map((m) => m.messageId)));
    expect(new Set(rows.map((r) => r.messageId)).size).toBe(received.length);
    const addressed = received.flatMap((m) => [...m.to, ...m.cc].map((a) => `${m.messageId} ${a.address.toLowerCase()}`)).sort();
    expect(rows.map((r) => `${r.messageId} ${r.recipient}`).sort()).toEqual(addressed);
    expect(rows.every((r) => r.state === 'sent' && r.sentAt)).toBe(true);
    const csv = files.get('messages/deliveries.csv')!.toString('utf8');
    expect(csv.trim().split('\r\n')).toHaveLength(rows.length + 1);
    for (const m of received) expect(csv).toContain(m.messageId!);
  });

  it("has a manifest whose SHA-256 matches every file, and lists every file but its own two", () => {
    const manifest = json<{ files: Array<{ path: string; size: number; sha256: string }> }>('manifest.json');
    expect(manifest.files.map((f) => f.path).sort()).toEqual([...files.keys()].filter((f) => f !== 'manifest.json' && f !== 'MANIFEST.sha256').sort());
    for (const f of manifest.files) {
      expect(createHash('sha256').update(files.get(f.path)!).digest('hex'), f.path).toBe(f.sha256);
      expect(files.get(f.path)!.length).toBe(f.size);
    }
    expect(files.get('MANIFEST.sha256')!.toString('utf8')).toBe(manifest.files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  });

  it('has an index page naming the campaign, its period and every department, linking every version to a file in the archive', () => {
    const html = files.get('index.html')!.toString('utf8');
    const plan = compiledPlan(PLAN);
    expect(html).toContain(plan.campaign.title);
    expect(html).toContain('2024年3月4日 至 2024年3月24日');
    for (const d of plan.departments) expect(html).toContain(d.name);
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))));
    for (const h of hrefs) expect(files.has(h), h).toBe(true);
    for (const m of made) expect(hrefs).toContain(`submissions/${m.receipt.occurrence}/${m.receipt.department}/v${m.receipt.version}/submission.json`);
    const received = e.sink.messages.filter((m) => campaignKey(m).startsWith('demo/')).length;
    expect(html).toContain(`${received} 封`);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('holds the plan, its timeline, the summaries as written (the workbook mailed to the office), the audit history and the empty place for review decisions', async () => {
    expect(json<{ campaign: { id: string } }>('plan/plan.json').campaign.id).toBe('demo');
    expect(files.get('plan/notice-quotes.txt')!.toString('utf8')).toContain('每周三12时前报送一次');
    expect(files.get('timeline/timeline.txt')!.toString('utf8')).toContain('每周招聘活动情况');
    expect(files.get('summary/summary.xlsx')!.equals(await e.stores.blobs.get(result.summary.xlsx!))).toBe(true);
    const mailed = e.sink.messages.find((m) => campaignKey(m).endsWith('/final-summary/final-summary'))!;
    expect(files.get('summary/summary.xlsx')!.equals(mailed.attachments.find((a) => a.filename?.endsWith('.xlsx'))!.content as Buffer)).toBe(true);
    expect(files.get('summary/summary.csv')!.equals(await e.stores.blobs.get(result.summary.csv))).toBe(true);
    expect(files.get('audit/history.txt')!.toString('utf8')).toContain('submitted');
    expect(json<{ decisions: unknown[] }>('decisions/decisions.json').decisions).toEqual([]);
  });

  it('is the same bytes when built again', async () => {
    expect((await archiveBytes(e.stores, 'demo')).equals(zip)).toBe(true);
  });

  it('for a campaign finished before records were kept, records it from the Temporal histories (complete audit) and archives the same submissions and messages', async () => {
    const dir = await copyDatabase(e);
    dirs.push(dir);
    const stores = await openStores({ CAMPAIGN_DATA_DIR: dir });
    try {
      await stores.db.run(`DELETE FROM campaign_records`);
      await expect(archiveBytes(stores, workflowId)).rejects.toThrow(CampaignRecordMissingError);
      const again = await unpack(await archiveBytes(stores, workflowId, { temporal: e.env.client }));
      const record = await new CampaignRecords(stores.db).latest(workflowId);
      expect(record).toMatchObject({ source: 'temporal', summary: result.summary });
      for (const name of files.keys()) if (/^(submissions|messages|summary)\//.test(name)) expect(again.get(name)?.equals(files.get(name)!), name).toBe(true);
      const audit = JSON.parse(again.get('audit/history.json')!.toString('utf8')) as AuditCapture;
      expect(audit.complete).toBe(true);
      expect(audit.entries.at(-1)).toMatchObject({ kind: 'completed' });
    } finally {
      await stores.close();
    }
  });

  it('builds to the same bytes after the Temporal server is gone, from a copy of the database alone — and so does `campaign archive`', async () => {
    const dir = await copyDatabase(e);
    dirs.push(dir);
    engineUp = false;
    await e.teardown(); // the worker, the time-skipping server with every history, the original data folder
    const stores = await openStores({ CAMPAIGN_DATA_DIR: dir });
    try {
      expect((await archiveBytes(stores, 'demo')).equals(zip)).toBe(true);
    } finally {
      await stores.close();
    }
    const out = path.join(dir, 'demo-archive.zip');
    // A Temporal address nobody listens on: the verb must not need it.
    const run = await runCli(['archive', 'demo', '--out', out, '--json'], childEnv({ CAMPAIGN_DATA_DIR: dir, TEMPORAL_ADDRESS: '127.0.0.1:9' }));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ file: out, bytes: zip.length, campaignId: 'demo', recordedNow: false, audit: 'kept' });
    expect(readFileSync(out).equals(zip)).toBe(true);
  });
});
