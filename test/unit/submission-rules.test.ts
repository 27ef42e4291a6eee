import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { applySubmission, checkSubmission, initialShardState, type SubmissionInput } from '../../obligations/obligations';
import { loadPlanText } from '../../deadlines/load';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const at = (s: string) => DateTime.fromFormat(`2024-${s}`, 'yyyy-MM-dd HH:mm', { zone: 'Asia/Shanghai' }).toMillis();

function demo(edit: (yaml: string) => string = (y) => y) {
  const r = loadPlanText(edit(readFileSync(PLAN_FILE, 'utf8')), 'demo.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

const pdf = [{ ref: 'sha256:' + 'a'.repeat(64), name: '说明.pdf', size: 1200, type: 'application/pdf' }];

/**
 * What the shard's submit validator accepts, straight from the plan: `submit.attachments: false`
 * refuses files with a reason the department understands; `true` takes them. (The portal and the
 * CLI show the same reason: it is the update's rejection.)
 */
describe('submission rules from the plan', () => {
  it('refuses attachments where the plan says submit.attachments: false, and accepts the same report without them', () => {
    const plan = demo();
    expect(plan.deadlines.find((d) => d.id === 'contacts')!.submit.attachments).toBe(false);
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const sub: SubmissionInput = { submissionId: 'c1', department: 'east', deadline: 'contacts', report: '联系人：张三 13800000000', attachments: pdf, by: 'east' };
    const refused = checkSubmission(plan, state, sub, at('03-05 10:00'));
    expect(refused).toEqual({ ok: false, reason: "'报送联系人及联系方式' takes no attachments (its plan says submit.attachments: false); send the report without files" });
    const { attachments: _, ...withoutFiles } = sub;
    const ok = checkSubmission(plan, state, withoutFiles, at('03-05 10:00'));
    expect(ok.ok).toBe(true);
    // A report-only deadline without attachments asks for the text only.
    expect(checkSubmission(plan, state, { ...withoutFiles, submissionId: 'c2', report: ' ' }, at('03-05 10:00'))).toMatchObject({ ok: false, reason: "'报送联系人及联系方式' asks for a report: give its text" });
  });

  it('accepts attachments where the plan allows them, and keeps them with the version', () => {
    const plan = demo();
    expect(plan.deadlines.find((d) => d.id === 'weekly-stats')!.submit.attachments).toBe(true);
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const sub: SubmissionInput = { submissionId: 'w1', department: 'east', deadline: 'weekly-stats', values: { fairs: 1, hired: 5, hired_women: 2 }, attachments: pdf, by: 'east' };
    const check = checkSubmission(plan, state, sub, at('03-05 10:00'));
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    const receipt = applySubmission(plan, state, sub, check, at('03-05 10:00'));
    expect(receipt).toMatchObject({ occurrence: 'weekly-stats@2024-03-06', status: 'submitted', late: false });
    expect(state.obligations['weekly-stats@2024-03-06|east']!.versions[0]!.attachments).toEqual(pdf);
  });

  it('says which field to change when a form deadline forbids files', () => {
    const plan = demo((y) => y.replace('submit: { report: false, attachments: true, form: weekly }', 'submit: { report: false, attachments: false, form: weekly }'));
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const sub: SubmissionInput = { submissionId: 'w1', department: 'east', deadline: 'weekly-stats', values: { fairs: 1, hired: 5, hired_women: 2 }, attachments: pdf, by: 'east' };
    expect(checkSubmission(plan, state, sub, at('03-05 10:00'))).toEqual({ ok: false, reason: "'每周招聘活动情况' takes no attachments (its plan says submit.attachments: false); send the figures without files" });
  });
});
