/**
 * How a figure may be written (obligations/form-data.ts readNumber, worded by numberNotationRule):
 * the spellings the old lenient reading took — 0x20 as 32, 1e2 as 100, +50 as 50, 1e9 — refused,
 * with the rule as the reason in the plan's language; 1,000 and 12,345,678 read with the stated
 * thousands rule; full-width digits converted; the upper bound of each type; a figure already typed
 * as a number (JSON, YAML, an Excel number cell) taken as it is; and a history recorded under the
 * old reading rebuilt with the values it recorded then.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlanText } from '../../deadlines/load';
import type { CompiledForm } from '../../deadlines/timeline';
import { AMOUNT_MAX, checkFormValues, COUNT_MAX, numberNotationRule, readNumber, valuesAsRecorded } from '../../obligations/form-data';
import { initialShardState } from '../../obligations/obligations';
import { acceptSubmission, describeRefusal, judgeSubmission } from '../../obligations/submission-rules';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
function demo(language: 'zh-CN' | 'en' = 'zh-CN') {
  const r = loadPlanText(readFileSync(PLAN_FILE, 'utf8').replace('language: zh-CN', `language: ${language}`), 'demo.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
}

/** A form with one column of each numeric type (an amount in 万元). */
const FORM: CompiledForm = {
  id: 'f',
  title: '资金表',
  columns: [
    { id: 'people', label: '服务人数', type: 'count' },
    { id: 'funds', label: '发放资金', type: 'amount', unit: '万元' },
  ],
} as CompiledForm;

const count = (raw: unknown) => readNumber(raw, 'count');
const amount = (raw: unknown) => readNumber(raw, 'amount');

describe('the number rule: plain decimal digits, strictly', () => {
  it('refuses the spellings the lenient reading took: hex, exponent, sign', () => {
    for (const s of ['0x20', '0X20', '1e2', '1E2', '1e9', '+50', '-5', '0b11', '0o17', 'Infinity', 'NaN']) {
      expect(count(s), s).toEqual({ ok: false, why: 'notation' });
      expect(amount(s), s).toEqual({ ok: false, why: 'notation' });
    }
  });

  it('takes a comma only between groups of exactly three digits after a first group of one to three', () => {
    expect(count('1,000')).toEqual({ ok: true, value: 1000 });
    expect(count('12,345,678')).toEqual({ ok: true, value: 12_345_678 });
    expect(count('999')).toEqual({ ok: true, value: 999 });
    expect(amount('1,234.5')).toEqual({ ok: true, value: 1234.5 });
    for (const s of ['1,00', ',100', '100,', '1000,000', '1,0000', '1,,000', '12,34,567', '1,000,00']) expect(count(s), s).toEqual({ ok: false, why: 'notation' });
  });

  it('refuses spaces inside, letters, other punctuation; takes spaces around', () => {
    expect(count('  42 ')).toEqual({ ok: true, value: 42 });
    expect(count('\u300042\u3000')).toEqual({ ok: true, value: 42 });
    for (const s of ['1 000', '1\u00a0000', '12人', '约100', '1_000', '1.000.000', '1’000', '١٢٣', '１２。５']) expect(count(s), s).toEqual({ ok: false, why: 'notation' });
  });

  it('converts full-width digits, comma and point (０-９ ， ．) by the same rule', () => {
    expect(count('１２３')).toEqual({ ok: true, value: 123 });
    expect(count('１，０００')).toEqual({ ok: true, value: 1000 });
    expect(count('１，００')).toEqual({ ok: false, why: 'notation' });
    expect(amount('１２．５')).toEqual({ ok: true, value: 12.5 });
  });

  it('takes a decimal point only in an amount, with at most four decimals and a digit on each side', () => {
    expect(count('1.5')).toEqual({ ok: false, why: 'notation' });
    expect(count('1.0')).toEqual({ ok: false, why: 'notation' });
    expect(amount('0.0001')).toEqual({ ok: true, value: 0.0001 });
    expect(amount('1.23456')).toEqual({ ok: false, why: 'decimals' });
    for (const s of ['.5', '5.', '1.2.3']) expect(amount(s), s).toEqual({ ok: false, why: 'notation' });
  });

  it('bounds each type: counts up to 100,000,000, amounts up to 10,000,000,000', () => {
    expect(COUNT_MAX).toBe(100_000_000);
    expect(AMOUNT_MAX).toBe(10_000_000_000);
    expect(count('100,000,000')).toEqual({ ok: true, value: COUNT_MAX });
    expect(count('100000001')).toEqual({ ok: false, why: 'too-large' });
    expect(count('1000000000')).toEqual({ ok: false, why: 'too-large' });
    expect(count('9'.repeat(400))).toEqual({ ok: false, why: 'too-large' });
    expect(amount('10,000,000,000.0000')).toEqual({ ok: true, value: AMOUNT_MAX });
    expect(amount('10000000000.0001')).toEqual({ ok: false, why: 'too-large' });
  });

  it('takes a figure already typed as a number as it is, within the same bounds', () => {
    expect(count(32)).toEqual({ ok: true, value: 32 });
    expect(count(-0)).toEqual({ ok: true, value: 0 });
    expect(count(1e9)).toEqual({ ok: false, why: 'too-large' });
    expect(count(2.5)).toEqual({ ok: false, why: 'notation' });
    expect(count(-1)).toEqual({ ok: false, why: 'notation' });
    expect(count(Number.NaN)).toEqual({ ok: false, why: 'notation' });
    expect(amount(12.3456)).toEqual({ ok: true, value: 12.3456 });
    expect(amount(0.12345)).toEqual({ ok: false, why: 'decimals' });
    for (const v of [true, [1], { n: 1 }]) expect(count(v)).toEqual({ ok: false, why: 'notation' });
  });
});

describe('the number rule as the reason, in the plan’s language', () => {
  it('states the rule in Chinese and in English', () => {
    expect(numberNotationRule('zh-CN', 'count')).toBe('只写数字（全角数字亦可），0 至 100,000,000；可用逗号每三位分隔（如 12,345），不写正负号、小数点、空格、字母或指数');
    expect(numberNotationRule('zh-CN', 'amount')).toBe('只写数字和小数点（全角亦可），0 至 10,000,000,000，最多4位小数；可用逗号每三位分隔（如 12,345.67），不写正负号、空格、字母或指数');
    expect(numberNotationRule('en', 'count')).toBe('digits only (full-width digits too), from 0 to 100,000,000; commas may separate groups of three digits (12,345); no sign, decimal point, spaces, letters or exponent');
    expect(numberNotationRule('en', 'amount')).toBe(
      'digits and a decimal point only (full-width too), from 0 to 10,000,000,000, at most 4 decimals; commas may separate groups of three digits (12,345.67); no sign, spaces, letters or exponent',
    );
  });

  it('refuses 0x20, 1e2 and +50 in a 非负整数 field with the rule, and stores 1,000 as 1000', () => {
    for (const given of ['0x20', '1e2', '+50']) {
      const zh = checkFormValues(FORM, { people: given }, undefined, [], 'zh-CN');
      expect(zh.values.people).toBeNull();
      expect(zh.errors).toEqual([
        { field: 'people', code: 'not-a-count', params: { label: '服务人数', given }, message: `「服务人数」须为非负整数（填写了“${given}”）：${numberNotationRule('zh-CN', 'count')}` },
      ]);
      const en = checkFormValues(FORM, { people: given }, undefined, [], 'en');
      expect(en.errors[0]!.message).toBe(`「服务人数」 must be a whole number, 0 or more (given: '${given}'): ${numberNotationRule('en', 'count')}`);
    }
    expect(checkFormValues(FORM, { people: '1,000' })).toEqual({ values: { people: 1000, funds: null }, errors: [], warnings: [] });
  });

  it('says what is too large, and the bound, in the column’s unit', () => {
    const zh = checkFormValues(FORM, { people: '1000000000', funds: '20,000,000,000' }, undefined, [], 'zh-CN');
    expect(zh.errors.map((e) => e.message)).toEqual(['「服务人数」数值过大（填写了“1000000000”），不得超过 100,000,000', '「发放资金」数值过大（填写了“20,000,000,000”），不得超过 10,000,000,000万元']);
    const en = checkFormValues(FORM, { people: 1e9, funds: '1.5e3' }, undefined, [], 'en');
    expect(en.errors.map((e) => e.message)).toEqual([
      "「服务人数」 is too large (given: '1000000000'): at most 100,000,000",
      `「发放资金」 must be a number, 0 or more (in 万元) (given: '1.5e3'): ${numberNotationRule('en', 'amount')}`,
    ]);
  });

  it('quotes what was given with its invisible marks shown and at most 40 characters', () => {
    const [e] = checkFormValues(FORM, { people: '1\u202e00' }).errors;
    expect(e!.params).toEqual({ label: '服务人数', given: '1⟦U+202E⟧00' });
    const [long] = checkFormValues(FORM, { people: '😀'.repeat(50) }).errors;
    expect((long!.params as { given: string }).given).toBe(`${'😀'.repeat(40)}…`);
  });

  it('is what the submission rules refuse with, on every path (the demo plan’s weekly table)', () => {
    for (const language of ['zh-CN', 'en'] as const) {
      const plan = demo(language);
      const state = initialShardState(plan, Date.parse('2024-03-04T00:00:00+08:00') - 1);
      const now = Date.parse('2024-03-05T10:00:00+08:00');
      const verdict = judgeSubmission(plan, state, { submissionId: 's', department: 'east', deadline: 'weekly-stats', values: { fairs: '0x20', hired: '5' }, by: 'east' }, now);
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return;
      expect(describeRefusal(verdict.refusal, language)).toBe(
        language === 'zh-CN'
          ? `统计表有 1 处需要修改：「招聘会场次」须为非负整数（填写了“0x20”）：${numberNotationRule('zh-CN', 'count')}`
          : `the statistics table has 1 error(s): 「招聘会场次」 must be a whole number, 0 or more (given: '0x20'): ${numberNotationRule('en', 'count')}`,
      );
      const ok = judgeSubmission(plan, state, { submissionId: 't', department: 'east', deadline: 'weekly-stats', values: { fairs: '1,000', hired: '１２', hired_women: 3 }, by: 'east' }, now);
      expect(ok).toMatchObject({ ok: true, values: { fairs: 1000, hired: 12, hired_women: 3 } });
    }
  });
});

describe('a history recorded under the lenient reading replays with the values it recorded', () => {
  it('the submit handler records 0x20 as 32, 1e2 as 100, +50 as 50, 1e9 as 1e9 — what the validator now refuses', () => {
    expect(valuesAsRecorded(FORM, { people: '0x20', funds: '1e2' })).toEqual({ people: 32, funds: 100 });
    expect(valuesAsRecorded(FORM, { people: '+50', funds: ' 1,5 ' })).toEqual({ people: 50, funds: 15 });
    expect(valuesAsRecorded(FORM, { people: '1e9' })).toEqual({ people: 1e9, funds: null });
    // What the rule reads is recorded the same way; what no release took stays empty.
    expect(valuesAsRecorded(FORM, { people: '１，０００', funds: 'abc' })).toEqual({ people: 1000, funds: null });

    const plan = demo();
    const state = initialShardState(plan, Date.parse('2024-03-04T00:00:00+08:00') - 1);
    const now = Date.parse('2024-03-05T10:00:00+08:00');
    const old = { submissionId: 'h', department: 'east', deadline: 'weekly-stats', values: { fairs: '0x20', hired: '1e2' }, by: 'cli' };
    expect(judgeSubmission(plan, state, old, now).ok).toBe(false);
    expect(acceptSubmission(plan, state, old, now)).toMatchObject({ ok: true, values: { fairs: 32, hired: 100 } });
  });
});
