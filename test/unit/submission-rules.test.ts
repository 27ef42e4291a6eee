import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { applySubmission, initialShardState, type SubmissionInput } from '../../obligations/obligations';
import {
  acceptSubmission,
  ATTACHMENT_EXTENSIONS,
  checkAttachments,
  checkSubmission,
  describeRefusal,
  fieldErrorsOf,
  judgeSubmission,
  obligationRefusal,
  REPORT_MAX_CHARS,
  stateOfRecords,
} from '../../obligations/submission-rules';
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

/**
 * The one home of the rules (obligations/submission-rules.ts): each refusal a stable code with its
 * parameters, worded by describeRefusal in the plan's language — Chinese for a zh-CN plan, English
 * for an en one — the same words whichever path (portal, CLI, workflow) asked.
 */
describe('the submission rules: codes, parameters, and the reason in the plan’s language', () => {
  const english = () => demo((y) => y.replace('language: zh-CN', 'language: en'));
  const now = at('03-05 10:00');
  const judge = (plan: ReturnType<typeof demo>, sub: Omit<SubmissionInput, 'submissionId' | 'by' | 'department'> & { department?: string }, limits?: { maxFiles: number; maxFileBytes: number }) =>
    judgeSubmission(plan, initialShardState(plan, at('03-04 00:00') - 1), { submissionId: 's', by: 'east', department: 'east', ...sub }, now, limits);
  const refusalOf = (v: ReturnType<typeof judgeSubmission>) => {
    if (v.ok) throw new Error('accepted');
    return v.refusal;
  };
  /** A shard of the demo plan where east's first weekly table (`figures`) was accepted. */
  const afterFirstWeekly = (submissionId: string, figures: SubmissionInput['values']) => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const first: SubmissionInput = { submissionId, department: 'east', deadline: 'weekly-stats', values: figures, by: 'east' };
    const ok = judgeSubmission(plan, state, first, now);
    if (!ok.ok) throw new Error(describeRefusal(ok.refusal, 'en'));
    applySubmission(plan, state, first, ok, now);
    return { plan, state, first };
  };

  it('refuses a report over 20,000 characters with its length, counted in characters, in either language', () => {
    const zh = demo();
    expect(REPORT_MAX_CHARS).toBe(20_000);
    const long = '联'.repeat(20_001);
    const r = refusalOf(judge(zh, { deadline: 'contacts', report: long }));
    expect(r).toEqual({ code: 'report-too-long', params: { length: 20_001, max: 20_000 } });
    expect(describeRefusal(r, 'zh-CN')).toBe('报送内容不超过20000字（本次20001字）');
    expect(describeRefusal(r, 'en')).toBe('the report is 20001 characters long; at most 20000 are accepted');
    // Exactly 20,000 characters (astral ones count once) are accepted.
    expect(judge(zh, { deadline: 'contacts', report: '𠀀'.repeat(20_000) }).ok).toBe(true);
  });

  it('words the same refusal in Chinese for a zh-CN plan and in English for an en plan (the workflow and the CLI render it so)', () => {
    for (const [plan, text] of [
      [demo(), '「报送联系人及联系方式」不接受附件，请去掉附件后提交报送内容'],
      [english(), "'报送联系人及联系方式' takes no attachments (its plan says submit.attachments: false); send the report without files"],
    ] as const) {
      const r = refusalOf(judge(plan, { deadline: 'contacts', report: '联系人：张三', attachments: pdf }));
      expect(r.code).toBe('attachments-not-allowed');
      expect(describeRefusal(r, plan.campaign.language)).toBe(text);
    }
  });

  it('judges the attachments by kind always, by number and size under the deployment’s limits', () => {
    const plan = demo();
    const figures = { fairs: 1, hired: 5, hired_women: 2 };
    const exe = [{ ref: pdf[0]!.ref, name: 'setup.exe', size: 10, type: 'application/octet-stream' }];
    const kind = refusalOf(judge(plan, { deadline: 'weekly-stats', values: figures, attachments: exe }));
    expect(kind).toMatchObject({ code: 'attachment-kind', params: { name: 'setup.exe' } });
    expect(describeRefusal(kind, 'zh-CN')).toContain('类型不允许');
    expect(ATTACHMENT_EXTENSIONS).toContain('.pdf');
    expect(ATTACHMENT_EXTENSIONS).not.toContain('.exe');
    const three = [0, 1, 2].map((i) => ({ ...pdf[0]!, name: `${i}.pdf` }));
    expect(judge(plan, { deadline: 'weekly-stats', values: figures, attachments: three }).ok).toBe(true);
    const many = refusalOf(judge(plan, { deadline: 'weekly-stats', values: figures, attachments: three }, { maxFiles: 2, maxFileBytes: 10_000 }));
    expect(many).toEqual({ code: 'too-many-attachments', params: { count: 3, max: 2 } });
    expect(describeRefusal(many, 'zh-CN')).toBe('附件过多：每次最多 2 个文件');
    const big = refusalOf(judge(plan, { deadline: 'weekly-stats', values: figures, attachments: pdf }, { maxFiles: 2, maxFileBytes: 1000 }));
    expect(big).toMatchObject({ code: 'attachment-too-large', params: { name: '说明.pdf', size: 1200, max: 1000 } });
    expect(describeRefusal(big, 'en')).toBe("file '说明.pdf' is too large (1.2 KiB): at most 1000 bytes per file");
    expect(checkAttachments([{ name: 'a.PDF', size: 5 }], { maxFiles: 1, maxFileBytes: 5 })).toBeUndefined();
  });

  it('delegates the figures to the form: 其中 above its parent and unconfirmed decreases, with field messages in the plan’s language', () => {
    const zh = refusalOf(judge(demo(), { deadline: 'weekly-stats', values: { fairs: 1, hired: 5, hired_women: 9 } }));
    expect(zh.code).toBe('figures-invalid');
    expect(fieldErrorsOf(zh)).toEqual([expect.objectContaining({ field: 'hired_women', code: 'of-which-above-parent', message: '「其中：女性人数」（9）不能大于「签订就业协议人数」（5）' })]);
    expect(describeRefusal(zh, 'zh-CN')).toBe('统计表有 1 处需要修改：「其中：女性人数」（9）不能大于「签订就业协议人数」（5）');
    const en = refusalOf(judge(english(), { deadline: 'weekly-stats', values: { fairs: 1, hired: 5, hired_women: 9 } }));
    expect(describeRefusal(en, 'en')).toBe('the statistics table has 1 error(s): 「of which: 女性人数」 (9) cannot be more than 「签订就业协议人数」 (5)');

    const { plan, state, first } = afterFirstWeekly('a', { fairs: 3, hired: 5 });
    const lower = judgeSubmission(plan, state, { ...first, submissionId: 'b', values: { fairs: 2, hired: 5 } }, now);
    expect(lower.ok ? undefined : lower.refusal).toMatchObject({ code: 'decreases-unconfirmed', params: { fieldWarnings: [expect.objectContaining({ field: 'fairs', code: 'cumulative-decreased' })] } });
    expect(judgeSubmission(plan, state, { ...first, submissionId: 'b', values: { fairs: 2, hired: 5 }, confirmDecreases: ['fairs'] }, now).ok).toBe(true);
    // The same submission id again is a repeat, whatever it holds now.
    expect(judgeSubmission(plan, state, { ...first, values: { fairs: 0 } }, now)).toEqual({ ok: true, key: 'weekly-stats@2024-03-06|east', duplicateOf: 'weekly-stats@2024-03-06|east' });
  });

  it('asks for the figures when a form deadline gets none (an untouched web form), and for the report text', () => {
    const plan = demo();
    const empty = refusalOf(judge(plan, { deadline: 'weekly-stats', values: { fairs: '', hired: '', hired_women: '', remark: '' } }));
    expect(empty).toEqual({ code: 'figures-missing', params: { title: '每周招聘活动情况', formTitle: '每周招聘活动情况表' } });
    expect(describeRefusal(empty, 'zh-CN')).toBe('请填写《每周招聘活动情况表》后再提交');
    expect(describeRefusal(refusalOf(judge(plan, { deadline: 'contacts', report: '  ' })), 'zh-CN')).toBe('「报送联系人及联系方式」需要报送内容：请填写报送内容');
  });

  it('says why an obligation takes no submission now: unknown department or deadline, not open yet, excused, campaign over', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const base: SubmissionInput = { submissionId: 'x', department: 'east', deadline: 'weekly-stats', values: { fairs: 1 }, by: 'x' };
    const why = (input: SubmissionInput, nowMs = now) => obligationRefusal(plan, state, input, nowMs);
    expect(describeRefusal(why({ ...base, department: 'south' })!, 'zh-CN')).toBe('本活动没有单位“south”');
    expect(describeRefusal(why({ ...base, deadline: 'monthly' })!, 'en')).toBe("department 'east' (东区人社局) has no deadline 'monthly' in this campaign");
    const early = why({ ...base, occurrence: 'weekly-stats@2024-03-13' })!;
    expect(early).toMatchObject({ code: 'not-open-yet', params: { occurrence: 'weekly-stats@2024-03-13' } });
    expect(describeRefusal(early, 'zh-CN')).toBe('「每周招聘活动情况」（2024-03-13）尚未开始报送，2024年3月6日 12:00起接受报送');
    state.obligations['weekly-stats@2024-03-06|east']!.status = 'excused';
    state.obligations['weekly-stats@2024-03-06|east']!.excused = { reason: '已电话报送', at: '', by: 'c' };
    expect(describeRefusal(why(base)!, 'zh-CN')).toBe('东区人社局已免报「每周招聘活动情况」（2024-03-06）：已电话报送');
    expect(why(base, at('03-25 10:00'))).toEqual({ code: 'campaign-ended', params: {} });
    expect(describeRefusal({ code: 'campaign-ended', params: {} }, 'zh-CN')).toBe('活动已结束，不再接受报送');
  });

  it('the update handler takes what its validator accepted without refusing content again (replayed histories keep their path)', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00') - 1);
    const old: SubmissionInput = { submissionId: 'h', department: 'east', deadline: 'contacts', report: 'x'.repeat(30_000), by: 'cli' };
    expect(judgeSubmission(plan, state, old, now).ok).toBe(false);
    expect(acceptSubmission(plan, state, old, now)).toEqual({ ok: true, key: 'contacts@2024-03-08|east', values: undefined });
  });

  it('judges from the obligation records a portal or the CLI reads (stateOfRecords): repeats and earlier figures count', () => {
    const { plan, state: shard, first } = afterFirstWeekly('r1', { fairs: 4, hired: 5 });
    const state = stateOfRecords(Object.values(shard.obligations).filter((r) => r.department === 'east'));
    expect(state.submissionIds).toEqual({ r1: 'weekly-stats@2024-03-06|east' });
    expect(judgeSubmission(plan, state, { ...first, submissionId: 'r2', values: { fairs: 1, hired: 5 } }, now)).toMatchObject({ ok: false, refusal: { code: 'decreases-unconfirmed' } });
  });
});
