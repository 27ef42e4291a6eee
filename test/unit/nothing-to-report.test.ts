/**
 * 零报告 ("nothing to report this period") as an answer of its own: the rules that accept or refuse
 * it (obligations/submission-rules.ts), how it is recorded (a version marked nothing, counted as
 * submitted, on time or late), and how the summaries show it — marked 零报告, not missing, its
 * figures empty rather than zeros, its cumulative (累计) running totals carried into 总计 — in the
 * table, the CSV and the XLSX a coordinator downloads.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadPlanText } from '../../deadlines/load';
import { applySubmission, initialShardState, type ShardState, type SubmissionInput } from '../../obligations/obligations';
import { acceptSubmission, describeRefusal, judgeSubmission } from '../../obligations/submission-rules';
import { summarise, summaryCsv } from '../../reports/summary';
import { summaryXlsx } from '../../reports/xlsx/summary-workbook';
import type { ObligationView } from '../../workflows/department-shard.messages';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const at = (s: string) => DateTime.fromFormat(`2024-${s}`, 'yyyy-MM-dd HH:mm', { zone: 'Asia/Shanghai' }).toMillis();

function demo() {
  const r = loadPlanText(readFileSync(PLAN_FILE, 'utf8'), 'demo.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

const W1 = 'weekly-stats@2024-03-06';
const W2 = 'weekly-stats@2024-03-13';
const pdf = [{ ref: 'sha256:' + 'a'.repeat(64), name: '说明.pdf', size: 1200, type: 'application/pdf' }];

/** Judges and, when accepted, records a submission as the shard does (validator, then handler). */
function submit(plan: ReturnType<typeof demo>, state: ShardState, input: SubmissionInput, nowMs: number) {
  const verdict = judgeSubmission(plan, state, input, nowMs);
  if (!verdict.ok) return { refused: describeRefusal(verdict.refusal, plan.campaign.language), code: verdict.refusal.code };
  const accepted = acceptSubmission(plan, state, input, nowMs);
  if (!accepted.ok) throw new Error('the handler refused what the validator accepted');
  return { receipt: applySubmission(plan, state, input, accepted, nowMs) };
}

describe('零报告: the rules', () => {
  it('accepts a 零报告 for a deadline with a statistics table, recorded as submitted (on time), marked nothing, without figures', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const out = submit(plan, state, { submissionId: 'n1', department: 'east', deadline: 'weekly-stats', occurrence: W1, nothing: true, by: 'east' }, at('03-05 10:00'));
    expect(out.receipt).toMatchObject({ occurrence: W1, version: 1, status: 'submitted', late: false, duplicate: false });
    const v = state.obligations[`${W1}|east`]!.versions[0]!;
    expect(v.nothing).toBe(true);
    expect(v.values).toBeUndefined();
  });

  it('refuses a 零报告 that carries figures, a report or a file, with the reason in the plan’s language; nothing is recorded', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const base = { department: 'east', deadline: 'weekly-stats', occurrence: W1, nothing: true, by: 'east' };
    const withFigures = submit(plan, state, { ...base, submissionId: 'n1', values: { fairs: '0', hired: '3' } }, at('03-05 10:00'));
    expect(withFigures).toMatchObject({ code: 'nothing-with-content' });
    expect(withFigures.refused).toBe('零报告表示「每周招聘活动情况」本期无相关数据，不能同时填写数字、报送内容或附件；如有数据，请按正常方式提交');
    expect(submit(plan, state, { ...base, submissionId: 'n2', report: '本周无活动' }, at('03-05 10:00'))).toMatchObject({ code: 'nothing-with-content' });
    expect(submit(plan, state, { ...base, submissionId: 'n3', attachments: pdf }, at('03-05 10:00'))).toMatchObject({ code: 'nothing-with-content' });
    // Empty fields (an untouched web form posted with the 零报告) are not figures.
    expect(submit(plan, state, { ...base, submissionId: 'n4', values: { fairs: '', hired: ' ' } }, at('03-05 10:00')).receipt).toMatchObject({ version: 1 });
    expect(state.obligations[`${W1}|east`]!.versions).toHaveLength(1);
  });

  it('refuses a 零报告 where the deadline asks for a report and has no statistics table', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const out = submit(plan, state, { submissionId: 'c1', department: 'east', deadline: 'contacts', nothing: true, by: 'east' }, at('03-05 10:00'));
    expect(out).toMatchObject({ code: 'nothing-not-allowed', refused: '「报送联系人及联系方式」没有统计表，不能提交零报告，请填写报送内容' });
    expect(Object.values(state.obligations).filter((r) => r.deadline === 'contacts').flatMap((r) => r.versions)).toHaveLength(0);
  });

  it('counts a late 零报告 as late, and takes a correction with figures as a new version that is no longer a 零报告', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const late = submit(plan, state, { submissionId: 'n1', department: 'west', deadline: 'weekly-stats', occurrence: W1, nothing: true, by: 'west' }, at('03-06 15:00'));
    expect(late.receipt).toMatchObject({ status: 'late', late: true, version: 1 });
    const fixed = submit(plan, state, { submissionId: 'f1', department: 'west', deadline: 'weekly-stats', occurrence: W1, values: { fairs: '1', hired: '4', hired_women: '1' }, by: 'west' }, at('03-06 16:00'));
    expect(fixed.receipt).toMatchObject({ status: 'late', version: 2 });
    const versions = state.obligations[`${W1}|west`]!.versions;
    expect(versions.map((v) => v.nothing ?? false)).toEqual([true, false]);
    expect(versions[1]!.values).toMatchObject({ fairs: 1, hired: 4, hired_women: 1 });
  });
});

describe('零报告 in the summaries', () => {
  /** Week 1: east and west report; week 2: east says 零报告, west reports, north never does. */
  function twoWeeks() {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const go = (input: SubmissionInput, when: string) => expect(submit(plan, state, input, at(when)).receipt).toBeDefined();
    go({ submissionId: 'e1', department: 'east', deadline: 'weekly-stats', occurrence: W1, values: { fairs: '2', hired: '10', hired_women: '3' }, by: 'east' }, '03-05 10:00');
    go({ submissionId: 'w1', department: 'west', deadline: 'weekly-stats', occurrence: W1, values: { fairs: '1', hired: '4', hired_women: '1' }, by: 'west' }, '03-05 11:00');
    go({ submissionId: 'e2', department: 'east', deadline: 'weekly-stats', occurrence: W2, nothing: true, by: 'east' }, '03-12 10:00');
    go({ submissionId: 'w2', department: 'west', deadline: 'weekly-stats', occurrence: W2, values: { fairs: '2', hired: '9', hired_women: '2' }, by: 'west' }, '03-12 11:00');
    const due = new Map(plan.deadlines.flatMap((d) => d.occurrences.map((o) => [o.key, o.due] as const)));
    const views: ObligationView[] = Object.values(state.obligations).map((r) => ({ ...r, due: due.get(r.occurrence)!, inPlan: true }));
    return { plan, week2: summarise(plan, views).find((s) => s.occurrence === W2)! };
  }

  it('marks the row 零报告, not missing; its non-cumulative figures empty, its cumulative totals carried into 总计', () => {
    const { week2 } = twoWeeks();
    const east = week2.rows.find((r) => r.department === 'east')!;
    expect(east).toMatchObject({ status: 'submitted', nothing: true });
    // Nothing happened this week: the running totals stand where east left them; 女性人数 (not cumulative) is empty, not 0.
    expect(east.values).toEqual({ fairs: 2, hired: 10 });
    expect(week2.rows.find((r) => r.department === 'west')!.nothing).toBe(false);
    expect(week2.missing).toEqual(['north']);
    expect(week2.totals).toMatchObject({ fairs: 4, hired: 19, hired_women: 2 });
  });

  it('says 零报告 in the CSV status column, with the figures as in the table', () => {
    const { week2 } = twoWeeks();
    const lines = summaryCsv(week2).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines.find((l) => l.startsWith('东区人社局'))).toMatch(/^东区人社局,零报告,[^,]+,2,10,,$/);
    expect(lines.find((l) => l.startsWith('西区人社局'))).toMatch(/^西区人社局,submitted,[^,]+,2,9,2,$/);
    expect(lines.at(-1)).toBe('总计,,,4,19,2,');
  });

  it('names the 零报告 row and lists it under the table in the XLSX, its 女性人数 cell empty', async () => {
    const { plan, week2 } = twoWeeks();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await summaryXlsx(plan, [week2])) as unknown as ArrayBuffer);
    const ws = wb.worksheets[1]!;
    const texts: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => texts.push(String(c.value))));
    expect(texts).toContain('东区人社局（零报告）');
    expect(texts).toContain('零报告：东区人社局');
    let eastRow = 0;
    ws.eachRow((row, n) => {
      if (row.getCell(1).value === '东区人社局（零报告）') eastRow = n;
    });
    const cells = [2, 3, 4].map((c) => ws.getCell(eastRow, c).value);
    expect(cells).toEqual([2, 10, null]);
  });
});
