import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { wallMsFor, type CampaignClock } from '../../obligations/clock';
import { campaignKeyHeader } from '../../mail/delivery/ledger';
import { messageKeyFor } from '../../mail/compose';
import type { PreparedMessages } from '../../mail/delivery/prepared-messages';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { advanceTo, campaignKey, compiledPlan, messageRows, startEngineEnv, type EngineEnv } from '../support/engine-env';
import { uniqueId } from '../support/temporal';

const PLAN = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const ZONE = 'Asia/Shanghai';
const local = (mmddhhmm: string) => DateTime.fromFormat(`2024-${mmddhhmm}`, 'yyyy-MM-dd HH:mm', { zone: ZONE }).toISO()!;

const W1 = 'weekly-stats@2024-03-06';
const W2 = 'weekly-stats@2024-03-13';
const W3 = 'weekly-stats@2024-03-20';
const C = 'contacts@2024-03-08';

/**
 * The demo plan (definitions/demo.yaml) played from launch to final summary. East submits
 * everything on time, before any reminder; west submits twice on time after the reminders and
 * twice late; north never submits. Every message the SMTP server receives, with the campaign
 * instant it arrived at, its recipients and copies, is listed by hand below from the plan's own
 * words: reminders 1 day and 2 hours before; at due the department with its leader in copy; one
 * working day late the coordinating office (one digest); then every working day until the next
 * occurrence is due or the period ends; a roll-up to the office at each due instant; a weekly
 * digest on Mondays 09:00; the final summary at the end of the period.
 */
const EXPECTED = [
  '03-04 00:00 launch launch/east to:east@demo.example',
  '03-04 00:00 launch launch/north to:north@demo.example',
  '03-04 00:00 launch launch/west to:west@demo.example',
  `03-05 09:00 receipt ${W1}/east to:east@demo.example`,
  `03-05 12:00 reminder-1d ${W1}/north to:north@demo.example`,
  `03-05 12:00 reminder-1d ${W1}/west to:west@demo.example`,
  `03-06 10:00 reminder-2h ${W1}/north to:north@demo.example`,
  `03-06 10:00 reminder-2h ${W1}/west to:west@demo.example`,
  `03-06 11:00 receipt ${W1}/west to:west@demo.example`,
  `03-06 12:00 escalation-1 ${W1}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-06 12:00 rollup ${W1} to:office@demo.example`,
  `03-07 10:00 receipt ${C}/east to:east@demo.example`,
  '03-07 12:00 coordinator-digest coordinator-digest to:office@demo.example',
  `03-07 18:00 reminder-1d ${C}/north to:north@demo.example`,
  `03-07 18:00 reminder-1d ${C}/west to:west@demo.example`,
  `03-08 12:00 escalation-3 ${W1}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-08 16:00 reminder-2h ${C}/north to:north@demo.example`,
  `03-08 16:00 reminder-2h ${C}/west to:west@demo.example`,
  `03-08 18:00 escalation-1 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-08 18:00 escalation-1 ${C}/west to:west@demo.example cc:west-leader@demo.example`,
  `03-08 18:00 rollup ${C} to:office@demo.example`,
  '03-11 09:00 weekly-digest weekly-digest to:office@demo.example',
  `03-11 10:00 receipt ${C}/west to:west@demo.example`,
  `03-11 12:00 escalation-3 ${W1}/north to:north@demo.example cc:north-leader@demo.example`,
  '03-11 18:00 coordinator-digest coordinator-digest to:office@demo.example',
  `03-12 09:00 receipt ${W2}/east to:east@demo.example`,
  `03-12 12:00 escalation-3 ${W1}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-12 12:00 reminder-1d ${W2}/north to:north@demo.example`,
  `03-12 12:00 reminder-1d ${W2}/west to:west@demo.example`,
  `03-12 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-13 10:00 reminder-2h ${W2}/north to:north@demo.example`,
  `03-13 10:00 reminder-2h ${W2}/west to:west@demo.example`,
  `03-13 12:00 escalation-1 ${W2}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-13 12:00 escalation-1 ${W2}/west to:west@demo.example cc:west-leader@demo.example`,
  `03-13 12:00 rollup ${W2} to:office@demo.example`,
  `03-13 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-14 09:00 receipt ${W2}/west to:west@demo.example`,
  '03-14 12:00 coordinator-digest coordinator-digest to:office@demo.example',
  `03-14 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-15 12:00 escalation-3 ${W2}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-15 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  '03-18 09:00 weekly-digest weekly-digest to:office@demo.example',
  `03-18 12:00 escalation-3 ${W2}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-18 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-19 09:00 receipt ${W3}/east to:east@demo.example`,
  `03-19 12:00 escalation-3 ${W2}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-19 12:00 reminder-1d ${W3}/north to:north@demo.example`,
  `03-19 12:00 reminder-1d ${W3}/west to:west@demo.example`,
  `03-19 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-20 10:00 reminder-2h ${W3}/north to:north@demo.example`,
  `03-20 10:00 reminder-2h ${W3}/west to:west@demo.example`,
  `03-20 11:00 receipt ${W3}/west to:west@demo.example`,
  `03-20 12:00 escalation-1 ${W3}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-20 12:00 rollup ${W3} to:office@demo.example`,
  `03-20 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  '03-21 12:00 coordinator-digest coordinator-digest to:office@demo.example',
  `03-21 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-22 12:00 escalation-3 ${W3}/north to:north@demo.example cc:north-leader@demo.example`,
  `03-22 18:00 escalation-3 ${C}/north to:north@demo.example cc:north-leader@demo.example`,
  // The period ends at 03-24 23:59:59.999; the summary goes out right after it.
  '03-25 00:00 final-summary final-summary to:office@demo.example',
];

function demoRun(title: string, startOptions: { shardHistoryLimit?: number }, extra?: (ctx: () => { e: EngineEnv; workflowId: string }) => void) {
describe(title, () => {
  let e: EngineEnv;
  let clock: CampaignClock;
  let result: CampaignResult;
  let workflowId: string;
  let named: MockInstance<PreparedMessages['schedule']>;

  beforeAll(async () => {
    e = await startEngineEnv();
    named = vi.spyOn(e.deps.prepared!, 'schedule');
    const plan = compiledPlan(PLAN);
    workflowId = uniqueId('campaign/demo');
    const started = await e.client.start(plan, { workflowId, clock: { mode: 'rehearsal', scale: 1, startAt: local('03-03 23:00') }, ...startOptions });
    clock = (await e.client.info(workflowId)).clock;
    const submit = async (at: string, department: string, deadline: string, extra: Record<string, unknown>) => {
      await advanceTo(e, clock, local(at));
      return e.client.submit(workflowId, { submissionId: `${department}-${deadline}-${at}`, department, deadline, by: department, ...extra });
    };
    const figures = (fairs: number, hired: number, women: number) => ({ values: { fairs, hired, hired_women: women } });

    await submit('03-05 09:00', 'east', 'weekly-stats', figures(2, 10, 4));
    await submit('03-06 11:00', 'west', 'weekly-stats', figures(1, 5, 2));
    await submit('03-07 10:00', 'east', 'contacts', { report: '联络员：张三，电话 000-0000' });
    await submit('03-11 10:00', 'west', 'contacts', { report: '联络员：李四' });
    await submit('03-12 09:00', 'east', 'weekly-stats', figures(3, 16, 7));
    await submit('03-14 09:00', 'west', 'weekly-stats', { occurrence: W2, ...figures(2, 9, 3) });
    await submit('03-19 09:00', 'east', 'weekly-stats', figures(5, 30, 12));
    await submit('03-20 11:00', 'west', 'weekly-stats', figures(4, 20, 9));
    result = await started.handle.result();
  });
  afterAll(async () => {
    await e?.teardown();
  });

  it('sends every launch notice, reminder, escalation, roll-up, digest, receipt and the summary at its instant, to the right people', () => {
    expect(messageRows(e, clock, 'demo')).toEqual([...EXPECTED].sort());
  });

  it('names every reminder and escalation to the worker before it is due, with the wall-clock instant it falls due', () => {
    const plan = compiledPlan(PLAN);
    const namedAt = new Map<string, number>();
    for (const [job] of named.mock.calls) {
      for (const req of job.requests) {
        namedAt.set(campaignKeyHeader(messageKeyFor(plan, req)), job.dueWallMs);
        expect(job.dueWallMs).toBe(wallMsFor(clock, Date.parse((req as { at: string }).at)));
      }
    }
    const ladderMessages = e.sink.messages.map(campaignKey).filter((k) => /\/(reminder|escalation)-[^/]+$/.test(k));
    expect(ladderMessages.length).toBeGreaterThan(30);
    expect(ladderMessages.filter((k) => !namedAt.has(k))).toEqual([]);
  });

  it('delivers each message exactly once (distinct Message-IDs)', () => {
    const ids = e.sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('completes with on-time, late and missing obligations counted', () => {
    expect(result.totals).toEqual({ obligations: 12, onTime: 6, late: 2, excused: 0, missing: 4 });
  });

  it('writes a final summary whose totals are the sums of the accepted figures', async () => {
    const summary = JSON.parse((await e.deps.blobs.get(result.summary.json)).toString('utf8'));
    const table = (occ: string) => summary.tables.find((t: { occurrence: string }) => t.occurrence === occ);
    expect(table(W1).totals).toMatchObject({ fairs: 3, hired: 15, hired_women: 6 });
    expect(table(W2).totals).toMatchObject({ fairs: 5, hired: 25, hired_women: 10 });
    expect(table(W3).totals).toMatchObject({ fairs: 9, hired: 50, hired_women: 21 });
    expect(table(W3).missing).toEqual(['north']);
    expect(table(C).missing).toEqual(['north']);
  });

  it('mails the coordinator the summary workbook, whose 总计 rows are the same sums', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const mail = e.sink.messages.find((m) => (m.headers['x-campaign-key'] ?? '').endsWith('/final-summary/final-summary'))!;
    const attachment = mail.attachments.find((a) => a.filename?.endsWith('.xlsx'))!;
    expect(attachment.content).toEqual(await e.deps.blobs.get(result.summary.xlsx!));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(attachment.content as never);
    const sheet = wb.worksheets.find((w) => w.name.includes('03-20'))!;
    const totalRow = sheet.getRows(1, sheet.rowCount)!.find((r) => r.getCell(1).value === '总计')!;
    expect(totalRow.values).toEqual(expect.arrayContaining([9, 50, 21]));
  });
  extra?.(() => ({ e, workflowId }));
});
}

demoRun('the demo campaign from launch to final summary (time-skipping server, real SMTP)', {});

demoRun('the same campaign with its shard continuing as new every ~60 history events', { shardHistoryLimit: 60 }, (ctx) => {
  it('did continue as new, several times, carrying the obligations across runs', async () => {
    const { e, workflowId } = ctx();
    const info = await e.client.info(workflowId);
    const shard = e.env.client.workflow.getHandle(info.shards[0]!.workflowId);
    const history = await shard.fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    expect(started.continuedExecutionRunId).toBeTruthy();
    expect(history.events!.length).toBeLessThan(200);
  });
});
