/**
 * The chase rules (obligations/chase-rules.ts) on the demo plan, at the edges the dev-server test
 * (test/devserver/chase.test.ts) does not reach in real time: a chase before the occurrence opens,
 * the hour's edge, a chosen department that already submitted, an excused one, and a chase over
 * several shards merged into one answer or one refusal.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CHASE_INTERVAL_MS, combineChase, describeChaseRefusal, judgeChase, recordChase } from '../../obligations/chase-rules';
import { initialShardState, obligationKey } from '../../obligations/obligations';
import { composeMessage } from '../../mail/compose';
import { SAMPLE_FROM, samplePlan } from '../../mail/sample';
import { compileOk } from './plan-fixtures';

const PLAN_FILE = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));
const at = (s: string) => DateTime.fromFormat(`2024-${s}`, 'yyyy-MM-dd HH:mm', { zone: 'Asia/Shanghai' }).toMillis();
const CONTACTS = 'contacts@2024-03-08';

const demo = () => compileOk(readFileSync(PLAN_FILE, 'utf8')).plan;

describe('chase rules', () => {
  it('chases the departments still owing, then none of them again until the hour is over', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00'));
    state.obligations[obligationKey(CONTACTS, 'east')]!.status = 'submitted';
    const t = at('03-06 10:00');
    const v = judgeChase(plan, state, { chaseId: 'first-chase', occurrence: CONTACTS, by: 't' }, t);
    expect(v).toMatchObject({ ok: true, outcome: { chased: ['west', 'north'], skipped: [], duplicate: false } });
    if (!v.ok) return;
    recordChase(state, v.outcome, 'portal:wang (王芳)');
    expect(state.obligations[obligationKey(CONTACTS, 'west')]!.chases).toEqual([{ chaseId: 'first-chase', at: new Date(t).toISOString(), by: 'portal:wang (王芳)' }]);
    // the same id: its first answer, marked duplicate, even after the hour
    expect(judgeChase(plan, state, { chaseId: 'first-chase', occurrence: CONTACTS, by: 't' }, t + 2 * CHASE_INTERVAL_MS)).toMatchObject({ ok: true, outcome: { chased: ['west', 'north'], duplicate: true } });
    const nextAt = new Date(t + CHASE_INTERVAL_MS).toISOString();
    const soon = judgeChase(plan, state, { chaseId: 'second-chase', occurrence: CONTACTS, by: 't' }, t + CHASE_INTERVAL_MS - 1);
    expect(soon).toEqual({ ok: false, refusal: { code: 'too-soon', occurrence: CONTACTS, nextAt, departments: ['west', 'north'] } });
    if (!soon.ok) expect(describeChaseRefusal(soon.refusal, 'zh-CN', () => '3月6日 11:00', (d) => ({ west: '西区', north: '北区' })[d] ?? d)).toBe('一小时内已催报过（西区、北区），下次可催报时间：3月6日 11:00。');
    expect(judgeChase(plan, state, { chaseId: 'second-chase', occurrence: CONTACTS, by: 't' }, t + CHASE_INTERVAL_MS)).toMatchObject({ ok: true, outcome: { chased: ['west', 'north'] } });
  });

  it('names a chosen department that submitted or was excused, refuses when nobody owes, and before the occurrence opens', () => {
    const plan = demo();
    const state = initialShardState(plan, at('03-04 00:00'));
    state.obligations[obligationKey(CONTACTS, 'east')]!.status = 'submitted';
    state.obligations[obligationKey(CONTACTS, 'west')]!.status = 'excused';
    const t = at('03-06 10:00');
    expect(judgeChase(plan, state, { chaseId: 'chosen-chase', occurrence: CONTACTS, departments: ['east', 'north'], by: 't' }, t)).toMatchObject({
      ok: true,
      outcome: { chased: ['north'], skipped: [{ department: 'east', reason: 'not-owing' }] },
    });
    expect(judgeChase(plan, state, { chaseId: 'chosen-chase', occurrence: CONTACTS, departments: ['east', 'west'], by: 't' }, t)).toEqual({ ok: false, refusal: { code: 'nothing-owed', occurrence: CONTACTS } });
    const later = plan.deadlines.find((d) => d.id === 'weekly-stats')!.occurrences.at(-1)!;
    expect(judgeChase(plan, state, { chaseId: 'early-chase', occurrence: later.key, by: 't' }, t)).toEqual({ ok: false, refusal: { code: 'not-open', occurrence: later.key, opens: later.opens } });
    expect(judgeChase(plan, state, { chaseId: 'x', occurrence: CONTACTS, by: 't' }, t)).toEqual({ ok: false, refusal: { code: 'bad-chase-id' } });
    expect(judgeChase(plan, state, { chaseId: 'no-such-chase', occurrence: 'nope@2024-01-01', by: 't' }, t)).toEqual({ ok: false, refusal: { code: 'unknown-occurrence', occurrence: 'nope@2024-01-01' } });
  });

  it('merges the shards’ answers: what any shard sent, else the earliest time a chase is possible again', () => {
    const o = { chaseId: 'c-000001', occurrence: CONTACTS, at: '2024-03-06T02:00:00.000Z', chased: ['a'], skipped: [], duplicate: false };
    const soon = { code: 'too-soon' as const, occurrence: CONTACTS, nextAt: '2024-03-06T02:30:00.000Z', departments: ['b'] };
    expect(combineChase([{ outcome: o }, { refusal: soon }, { refusal: { code: 'nothing-owed', occurrence: CONTACTS } }])).toEqual({
      ok: true,
      outcome: { ...o, skipped: [{ department: 'b', reason: 'too-soon', nextAt: soon.nextAt }] },
    });
    expect(combineChase([{ refusal: { code: 'nothing-owed', occurrence: CONTACTS } }, { refusal: soon }, { refusal: { ...soon, nextAt: '2024-03-06T02:10:00.000Z', departments: ['c'] } }])).toEqual({
      ok: false,
      refusal: { code: 'too-soon', occurrence: CONTACTS, nextAt: '2024-03-06T02:10:00.000Z', departments: ['b', 'c'] },
    });
  });

  it('the chase email says it is by hand, names the deadline and due time, and whether it is overdue', () => {
    const req = { kind: 'chase' as const, occurrenceKey: 'pre-festival-report@2024-02-02', departmentId: 'taiyuan', chaseId: 'c0ffee00-chase', link: 'https://portal.shanxi.example/d/taiyuan-7f3a' };
    const late = composeMessage(samplePlan('zh-CN'), { ...req, at: '2024-02-05T18:30:00.000+08:00' }, { from: SAMPLE_FROM });
    expect(late.key).toMatchObject({ key: 'pre-festival-report@2024-02-02/taiyuan', step: 'chase-c0ffee00-chase' });
    expect(late.message.subject).toBe('【催报】山西省人力资源和社会保障厅催报：请太原市人力资源和社会保障局尽快报送“春节前阶段性活动进展情况”');
    expect(late.message.text).toContain('现就“春节前阶段性活动进展情况”向贵单位人工催报（此为协调人手动发出的催报，并非系统定时提醒）');
    expect(late.message.text).toContain('截止时间：2024年2月2日（星期五）18:00');
    expect(late.message.text).toContain('贵单位尚未报送，已逾期3天。请立即报送。');
    expect(late.message.text).toContain('报送链接：https://portal.shanxi.example/d/taiyuan-7f3a');
    const early = composeMessage(samplePlan('en'), { ...req, at: '2024-02-02T13:00:00.000+08:00' }, { from: SAMPLE_FROM });
    expect(early.message.text).toContain('is chasing your department by hand');
    expect(early.message.text).toContain('about 5 hours left before it is due');
    expect(early.message.text).not.toContain('overdue');
  });
});
