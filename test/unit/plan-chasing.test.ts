/**
 * Chasing that ends: a repeating escalation rung (every: …) stops at its until: (a date, the next
 * occurrence, the next due of another deadline), after times: N, or — when it says nothing —
 * after the default bound of 60 chasers, with a warning; `preview` shows the most messages one
 * department can receive for one obligation, and validate warns above 60. Instants are worked
 * out by hand on the 2024 calendar (春节 02-10..17, 02-04 and 02-18 worked Sundays).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHASE_REPEATS, MESSAGES_PER_OBLIGATION_WARNING } from '../../deadlines/compile';
import { loadPlanFile } from '../../deadlines/load';
import { previewText } from '../../deadlines/preview';
import { messagesToDepartment } from '../../deadlines/timeline';
import { compileErrors, compileOk, lineOf, planYaml } from './plan-fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const at18 = (d: string) => `${d}T18:00:00.000+08:00`;
const daysOf = (steps: Array<{ at: string }>) => steps.map((s) => s.at.slice(0, 10));

/** `line:col` (1-based) of the first occurrence of `needle` in the plan text. */
function posOf(text: string, needle: string): string {
  const line = lineOf(text, needle);
  return `${line}:${text.split('\n')[line - 1].indexOf(needle) + 1}`;
}

const ONE_OFF_IN_JANUARY = '  - id: d1\n    title: 一月份情况\n    from: [taiyuan]\n    schedule: { date: 2024-01-31 }\n';

describe('the default bound (a plan that says nothing about the end of chasing)', () => {
  it('the old case: a one-off in January of a year-long plan with every: 1d, chased until submitted, gets 334 daily chasers through December', () => {
    const { plan } = compileOk({
      start: '2024-01-01',
      end: '2024-12-31',
      deadlines: `${ONE_OFF_IN_JANUARY}    escalation:
      - { after: 0h, to: [department, leaders] }
      - { after: 1wd, to: [coordinator] }
      - { every: 1d, to: [department, leaders], until: submitted }`,
    });
    const esc = plan.deadlines[0].occurrences[0].escalations;
    expect(esc.filter((e) => e.step === 3)).toHaveLength(334);
    expect(esc.at(-1)!.at).toBe(at18('2024-12-31'));
  });

  it('now bounded: the built-in ladder stops after 60 daily chasers (02-02 … 04-01), with a warning that says how to choose', () => {
    const text = planYaml({ start: '2024-01-01', end: '2024-12-31', deadlines: ONE_OFF_IN_JANUARY });
    const { plan, warnings } = compileOk(text);
    const occ = plan.deadlines[0].occurrences[0];
    expect(DEFAULT_CHASE_REPEATS).toBe(60);
    const daily = occ.escalations.filter((e) => e.step === 3);
    expect(daily).toHaveLength(60);
    expect(daily[0].at).toBe(at18('2024-02-02'));
    expect(daily.at(-1)!.at).toBe(at18('2024-04-01'));
    expect(occ.escalations.slice(0, 2).map((e) => [e.at, e.to])).toEqual([
      [at18('2024-01-31'), ['department', 'leaders']],
      [at18('2024-02-01'), ['coordinator']],
    ]);
    // 3 reminders, the step at due and 60 chasers reach the department; the coordinator's step does not.
    expect(messagesToDepartment(occ)).toBe(64);
    expect(warnings).toContain(
      `plan.yaml:${posOf(text, 'id: d1')}: warning: deadline 'd1': the repeating rung (every 1d) says nothing about when it ends, so it stops after 60 chasers, the default bound, for 1 occurrence (2024-01-31); add until: (a date, next, { next_of: … }) or times: N to the rung to choose its end`,
    );
  });

  it('a rung whose natural end comes first is not cut and not warned about (a short campaign)', () => {
    const { plan, warnings } = compileOk({ deadlines: '  - { id: d1, title: 报告, from: [taiyuan], schedule: { date: 2024-03-29 } }' });
    expect(plan.deadlines[0].occurrences[0].escalations.at(-1)!.at).toBe(at18('2024-04-08'));
    expect(warnings.join('\n')).not.toMatch(/default bound|more than 60/);
  });
});

describe('until: and times: on a repeating rung', () => {
  const oneOff = (date: string, rungs: string) =>
    compileOk({ deadlines: `  - id: d1\n    title: 报告\n    from: [taiyuan]\n    schedule: { date: ${date} }\n    reminders: []\n    escalation:\n${rungs}` });

  it('until: a date — the last day a chaser goes out', () => {
    const { plan } = oneOff('2024-02-02', '      - { after: 0h, to: [department] }\n      - { every: 1d, to: [department], until: 2024-02-06 }');
    expect(daysOf(plan.deadlines[0].occurrences[0].escalations)).toEqual(['2024-02-02', '2024-02-03', '2024-02-04', '2024-02-05', '2024-02-06']);
  });

  it('times: 3 with every: 1wd — Thursday, Friday, then Sunday 02-18 (调休) after 春节', () => {
    const { plan } = oneOff('2024-02-07', '      - { every: 1wd, to: [department, leaders], times: 3 }');
    expect(plan.deadlines[0].occurrences[0].escalations.map((e) => e.at)).toEqual([at18('2024-02-08'), at18('2024-02-09'), at18('2024-02-18')]);
  });

  it('until: { next_of } — 节前 weekly reports stop chasing when the 节后 phase is first due (Thursday 02-22 18:00)', () => {
    const { plan } = compileOk({
      deadlines: `  - id: pre
    title: 节前周报
    from: [taiyuan]
    schedule: { weekly: thursday, until: 2024-02-08 }
    reminders: []
    escalation:
      - { after: 0h, to: [department] }
      - { every: 1wd, to: [department], until: { next_of: post } }
  - id: post
    title: 节后周报
    from: [taiyuan]
    schedule: { weekly: thursday, starting: 2024-02-22 }
    reminders: []`,
    });
    const last = plan.deadlines[0].occurrences.at(-1)!;
    expect(last.key).toBe('pre@2024-02-08');
    expect(daysOf(last.escalations)).toEqual(['2024-02-08', '2024-02-09', '2024-02-18', '2024-02-19', '2024-02-20', '2024-02-21']);
  });

  it('until: next — each occurrence until the next one; the last one has none, so the default bound applies', () => {
    const { plan, warnings } = compileOk({
      deadlines: `  - id: weekly
    title: 周报
    from: [taiyuan]
    schedule: { weekly: thursday, until: 2024-02-01 }
    reminders: []
    escalation:
      - { every: 1d, to: [department], until: next }`,
    });
    const [first, last] = plan.deadlines[0].occurrences;
    expect(daysOf(first.escalations)).toEqual(['2024-01-26', '2024-01-27', '2024-01-28', '2024-01-29', '2024-01-30', '2024-01-31']);
    expect(last.escalations).toHaveLength(60);
    expect(last.escalations.at(-1)!.at).toBe(at18('2024-04-01'));
    expect(warnings.join('\n')).toContain("stops after 60 chasers, the default bound, for 1 occurrence (2024-02-01)");
  });

  it('until: next on a one-off deadline is an error (it has no next occurrence)', () => {
    const text = planYaml({
      deadlines: '  - id: d1\n    title: 报告\n    from: [taiyuan]\n    schedule: { date: 2024-02-02 }\n    escalation:\n      - { every: 1d, to: [department], until: next }',
    });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'next }')}: error: deadline 'd1' is due once, so until: next (the next occurrence) never comes; give a date, times: N, or until: { next_of: <the deadline that follows> }`,
    ]);
  });

  it('until: on an after: rung, a misspelt end, and next_of an unknown deadline are errors', () => {
    const text = planYaml({
      deadlines: `  - id: d1
    title: 报告
    from: [taiyuan]
    schedule: { date: 2024-02-02 }
    escalation:
      - { after: 0h, to: [department], times: 2 }
      - { every: 1d, to: [department], until: submited }
  - id: d2
    title: 报告
    from: [taiyuan]
    schedule: { date: 2024-02-09 }
    escalation:
      - { every: 1d, to: [department], until: { next_of: d3 } }`,
    });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'times')}: error: deadline 'd1' escalation rung #1 times: only a repeating rung (every: …) has an end; an after: rung happens once — remove times:`,
      `plan.yaml:${posOf(text, 'submited')}: error: deadline 'd1' escalation rung #2 until: 'submited': expected how the chasing ends: submitted, next (the next occurrence), period_end, a date like 2024-03-01, or { next_of: deadline-id } (the next occurrence of another deadline, e.g. the next phase) — did you mean 'submitted'?`,
      `plan.yaml:${posOf(text, 'd3')}: error: until: { next_of } names the deadline 'd3', which the plan does not have — did you mean 'd1'? (deadline ids are under deadlines:)`,
    ]);
  });
});

describe('the most messages per obligation', () => {
  it('validate warns above 60 messages to one department for one obligation', () => {
    const text = planYaml({
      deadlines: '  - id: d1\n    title: 报告\n    from: [taiyuan]\n    schedule: { date: 2024-02-02 }\n    escalation:\n      - { after: 0h, to: [department, leaders] }\n      - { every: 1d, to: [department], until: period_end }',
    });
    const { plan, warnings } = compileOk(text);
    // 3 reminders, at due, then daily 02-03 … 04-08 (66).
    expect(messagesToDepartment(plan.deadlines[0].occurrences[0])).toBe(70);
    expect(warnings).toContain(
      `plan.yaml:${posOf(text, 'escalation:')}: warning: deadline 'd1': one department can receive up to 70 messages (reminders and escalations) for one obligation (d1@2024-02-02), more than 60; end the chasing sooner with until: or times: on the every: rung, or use a longer interval`,
    );
  });

  it('no shipped plan lets one department receive more than the threshold for one obligation', () => {
    const files = readdirSync(join(ROOT, 'definitions')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const r = loadPlanFile(join(ROOT, 'definitions', f));
      expect(r.ok, f).toBe(true);
      if (!r.ok) continue;
      const most = Math.max(...r.plan.deadlines.flatMap((d) => d.occurrences.map(messagesToDepartment)));
      expect(most, f).toBeLessThanOrEqual(MESSAGES_PER_OBLIGATION_WARNING);
      expect(r.warnings.map((w) => w.message).join('\n'), f).not.toMatch(/default bound|messages \(reminders and escalations\)/);
    }
  });

  const DEADLINES = [
    '  - id: pre-festival',
    '    title: 春节前阶段性活动进展情况',
    '    quote: 请于2月2日前报送',
    '    from: [cities]',
    '    schedule: { date: 2024-02-02 }',
    '    reminders: [1d]',
    '    escalation: [{ after: 0h, to: [department, leaders] }, { after: 1wd, to: [coordinator] }]',
    '  - id: contacts',
    '    title: 联系人',
    '    quote: 请于3月5日前报送联系人',
    '    from: [north]',
    '    schedule: { date: 2024-03-05, date_means: start_of_day }',
    '    reminders: [1d, 2h]',
    '    escalation: [{ after: 0h, to: [department] }, { every: 1wd, to: [department], times: 2 }]',
    '  - { id: weekly, title: 统计表, from: [north], schedule: { weekly: thursday, starting: 2024-02-22, until: 2024-03-07 }, reminders: [2h], escalation: [{ after: 0h, to: [department] }] }',
  ].join('\n');

  it('preview lists, per deadline, the most messages and the notice\'s words with the due they were read as (zh-CN)', () => {
    const text = previewText(compileOk({ deadlines: DEADLINES }).plan);
    expect(text).toContain(
      [
        '单个单位每项报送最多收到的消息（提醒＋催办）：',
        '  春节前阶段性活动进展情况：最多2条（提醒1条，催办1条）',
        '    通知原文：“请于2月2日前报送” → 截止 2024-02-02 18:00（当日下班前）',
        '  联系人：最多5条（提醒2条，催办3条）',
        '    通知原文：“请于3月5日前报送联系人” → 截止 2024-03-05 00:00（当日零时前，即前一天内）',
        '  统计表：最多2条（提醒1条，催办1条）',
        '',
      ].join('\n'),
    );
  });

  it('preview in English for English campaigns', () => {
    const text = previewText(compileOk({ language: 'en', deadlines: DEADLINES }).plan);
    expect(text).toContain(
      [
        'Most messages one department can receive for one obligation (reminders + escalations):',
        '  春节前阶段性活动进展情况: at most 2 (1 reminder, 1 escalation)',
        '    Notice: "请于2月2日前报送" → due 2024-02-02 18:00 (by the end of that working day)',
        '  联系人: at most 5 (2 reminders, 3 escalations)',
        '    Notice: "请于3月5日前报送联系人" → due 2024-03-05 00:00 (before that day begins)',
        '  统计表: at most 2 (1 reminder, 1 escalation)',
        '',
      ].join('\n'),
    );
  });
});
