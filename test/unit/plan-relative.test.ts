/**
 * Deadlines relative to another deadline ("总结报告在最后一次周报后3个工作日内"), to the period's end
 * and to the notice's date (campaign.issued: nothing is sent before it, reminders that would be
 * are dropped with a warning, a due before it is an error), and the errors for a deadline
 * relative to itself or in a circle. Instants worked out by hand on the 2024 calendar (春节
 * 02-10..17 with 02-04 and 02-18 worked; 清明 04-04..06 with Sunday 04-07 worked).
 */
import { describe, expect, it } from 'vitest';
import { compileErrors, compileOk, lineOf, type PlanOptions, planYaml, QUIET_DEFAULTS } from './plan-fixtures';

const at18 = (d: string) => `${d}T18:00:00.000+08:00`;

/** `line:col` (1-based) of the first occurrence of `needle` in the plan text. */
function posOf(text: string, needle: string): string {
  const line = lineOf(text, needle);
  return `${line}:${text.split('\n')[line - 1].indexOf(needle) + 1}`;
}

/** A plan whose campaign states its notice date. */
function issuedPlan(issued: string, o: PlanOptions): string {
  return planYaml(o).replace('  office:\n', `  issued: ${issued}\n  office:\n`);
}

const WEEKLY = (schedule: string) => `  - { id: weekly, title: 周报, from: [cities], schedule: ${schedule} }`;

describe('relative to another deadline', () => {
  it('3 working days after the last weekly report: Wednesday 04-03, then 清明 04-04..06 → Sunday 04-07 (调休), 04-08, 04-09', () => {
    const { plan } = compileOk({
      end: '2024-04-30',
      defaults: QUIET_DEFAULTS,
      deadlines: [
        // Listed before the deadline it counts from: the order in the plan does not matter.
        '  - { id: summary, title: 总结报告, from: [cities], schedule: { relative_to: { deadline: weekly, occurrence: last }, working_days: 3 } }',
        WEEKLY('{ weekly: wednesday, until: 2024-04-03 }'),
      ].join('\n'),
    });
    expect(plan.deadlines.map((d) => d.id)).toEqual(['summary', 'weekly']);
    expect(plan.deadlines[1].occurrences.at(-1)!.due).toBe(at18('2024-04-03'));
    const summary = plan.deadlines[0];
    expect(summary.kind).toBe('one-off');
    expect(summary.occurrences.map((o) => [o.key, o.due])).toEqual([['summary@2024-04-09', at18('2024-04-09')]]);
  });

  it('the same occurrence, 2 hours before: one due per weekly report, at 16:00', () => {
    const { plan } = compileOk({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        WEEKLY('{ weekly: thursday, starting: 2024-02-22, until: 2024-03-07 }'),
        '  - { id: figures, title: 数据, from: [north], schedule: { relative_to: { deadline: weekly }, hours: -2 } }',
      ].join('\n'),
    });
    const figures = plan.deadlines[1];
    expect(figures.kind).toBe('recurring');
    expect(figures.occurrences.map((o) => o.due)).toEqual(['2024-02-22T16:00:00.000+08:00', '2024-02-29T16:00:00.000+08:00', '2024-03-07T16:00:00.000+08:00']);
    expect(figures.occurrences[1].opens).toBe('2024-02-22T16:00:00.000+08:00');
  });

  it('报送1月份情况时一并报送联系人: the first occurrence of a monthly report, same instant', () => {
    const { plan } = compileOk({
      start: '2024-02-01',
      end: '2024-06-30',
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - { id: monthly, title: 月报, from: [cities], schedule: { monthly: 5 } }',
        '  - { id: contacts, title: 联系人, from: [cities], schedule: { relative_to: { deadline: monthly, occurrence: first } } }',
      ].join('\n'),
    });
    expect(plan.deadlines[1].occurrences.map((o) => o.due)).toEqual([at18('2024-02-05')]);
  });

  it('a number of the other deadline\'s occurrence that it does not have is an error', () => {
    const text = planYaml({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        WEEKLY('{ weekly: thursday, starting: 2024-02-22, until: 2024-03-07 }'),
        '  - { id: x, title: 报告, from: [cities], schedule: { relative_to: { deadline: weekly, occurrence: 5 }, days: 1 } }',
      ].join('\n'),
    });
    expect(compileErrors(text)).toEqual([`plan.yaml:${posOf(text, '5 }')}: error: deadline 'x' counts from occurrence 5 of 'weekly', which has only 3 occurrences`]);
  });

  it('a deadline relative to an open one is an error', () => {
    const text = planYaml({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - { id: news, title: 随时报送, from: [cities], schedule: { open: true } }',
        '  - { id: x, title: 报告, from: [cities], schedule: { relative_to: { deadline: news }, days: 1 } }',
      ].join('\n'),
    });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'news }')}: error: deadline 'x' counts from 'news', which is open (accepted any time) and has no due time; count from period_end or a date instead`,
    ]);
  });
});

describe('deadlines that cannot be computed', () => {
  it('relative to itself', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: a, title: 甲, from: [cities], schedule: { relative_to: { deadline: a }, days: 1 } }' });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'a }')}: error: deadline 'a' is due relative to itself; count from another deadline, from an anchor (period_start, period_end, issued, spring_festival) or give a date`,
    ]);
  });

  it('two deadlines relative to each other: the error names the circle', () => {
    const text = planYaml({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - { id: a, title: 甲, from: [cities], schedule: { relative_to: { deadline: b }, days: 1 } }',
        '  - { id: b, title: 乙, from: [cities], schedule: { relative_to: { deadline: a }, days: 1 } }',
      ].join('\n'),
    });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'b }')}: error: deadlines due relative to each other in a circle: 'a' → 'b' → 'a'; none of them can be computed — count one of them from a date or an anchor instead`,
    ]);
  });

  it('a circle of three, and a deadline counting from it: one error, at the first of the circle', () => {
    const text = planYaml({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - { id: d, title: 丁, from: [cities], schedule: { relative_to: { deadline: b } } }',
        '  - { id: c, title: 丙, from: [cities], schedule: { relative_to: { deadline: a } } }',
        '  - { id: a, title: 甲, from: [cities], schedule: { relative_to: { deadline: b } } }',
        '  - { id: b, title: 乙, from: [cities], schedule: { relative_to: { deadline: c } } }',
      ].join('\n'),
    });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'a } } }')}: error: deadlines due relative to each other in a circle: 'c' → 'a' → 'b' → 'c'; none of them can be computed — count one of them from a date or an anchor instead`,
    ]);
  });

  it('an unknown deadline, with the closest id suggested', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: [WEEKLY('{ weekly: monday }'), '  - { id: x, title: 报告, from: [cities], schedule: { relative_to: { deadline: weeky } } }'].join('\n') });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'weeky')}: error: relative_to names the deadline 'weeky', which the plan does not have — did you mean 'weekly'? (deadline ids are under deadlines:)`,
    ]);
  });
});

describe('relative to the period and the notice date', () => {
  it('6 hours before the period ends: 18:00 on its last day', () => {
    const { plan } = compileOk({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: x, title: 总结, from: [cities], schedule: { relative_to: period_end, hours: -6 } }' });
    expect(plan.deadlines[0].occurrences[0].due).toBe(at18('2024-04-08'));
  });

  it('5 working days after the notice (issued Monday 01-29): 01-30, 01-31, 02-01, 02-02, Sunday 02-04 (调休); 48 hours: 01-31 00:00', () => {
    const text = issuedPlan('2024-01-29', {
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - { id: x, title: 联络员, from: [cities], schedule: { relative_to: issued, working_days: 5 } }',
        '  - { id: y, title: 回执, from: [cities], schedule: { relative_to: issued, hours: 48 } }',
      ].join('\n'),
    });
    const { plan } = compileOk(text);
    expect(plan.campaign.issued).toBe('2024-01-29T00:00:00.000+08:00');
    expect(plan.deadlines.map((d) => d.occurrences[0].due)).toEqual([at18('2024-02-04'), '2024-01-31T00:00:00.000+08:00']);
  });

  it('reminders before the notice is issued are left out, with a warning; those after it are kept', () => {
    const text = issuedPlan('2024-01-29', {
      defaults: '  reminders: [3d, 1d, 2h]\n  escalation:\n    - { after: 0h, to: [department] }',
      deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-01-30 } }',
    });
    const { plan, warnings } = compileOk(text);
    expect(plan.deadlines[0].occurrences[0].reminders).toEqual([
      { at: at18('2024-01-29'), before: '1d' },
      { at: '2024-01-30T16:00:00.000+08:00', before: '2h' },
    ]);
    expect(warnings).toEqual([
      `plan.yaml:${posOf(text, '2024-01-30')}: warning: deadline 'd1': the 3d reminder would be sent before the notice is issued (campaign.issued: 2024-01-29) for 1 occurrence (2024-01-30); it is left out there — nothing is sent before the notice exists`,
    ]);
  });

  it('a notice date after a due date is an error', () => {
    const text = issuedPlan('2024-01-29', { defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-01-26 } }' });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, '2024-01-26')}: error: deadline 'd1' is due on 2024-01-26 18:00, before the notice is issued (campaign.issued: 2024-01-29); nobody can meet a deadline set by a notice they have not received — check the date, the schedule's starting:, or campaign.issued`,
    ]);
  });

  it('a weekly deadline whose first Friday comes before the notice is an error too (start it with starting:)', () => {
    const text = issuedPlan('2024-01-29', { defaults: QUIET_DEFAULTS, deadlines: WEEKLY('{ weekly: friday }') });
    expect(compileErrors(text)[0]).toBe(
      `plan.yaml:${posOf(text, 'schedule')}: error: deadline 'weekly' is due on 2024-01-26 18:00, before the notice is issued (campaign.issued: 2024-01-29); nobody can meet a deadline set by a notice they have not received — check the date, the schedule's starting:, or campaign.issued`,
    );
    const fixed = issuedPlan('2024-01-29', { defaults: QUIET_DEFAULTS, deadlines: WEEKLY('{ weekly: friday, starting: { relative_to: issued } }') });
    expect(compileOk(fixed).plan.deadlines[0].occurrences[0].due).toBe(at18('2024-02-02'));
  });

  it('a notice date after the period, and relative_to: issued without one, are errors', () => {
    const late = issuedPlan('2024-05-01', { defaults: QUIET_DEFAULTS, deadlines: WEEKLY('{ weekly: friday }') });
    expect(compileErrors(late)).toEqual([
      `plan.yaml:${posOf(late, '2024-05-01')}: error: campaign.issued (2024-05-01) is after the period ends (2024-04-08); the notice must be issued before its campaign is over — check both dates`,
    ]);
    const missing = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: x, title: 回执, from: [cities], schedule: { relative_to: issued, days: 3 } }' });
    expect(compileErrors(missing)).toEqual([
      `plan.yaml:${posOf(missing, 'issued,')}: error: relative_to: issued counts from the notice's date: add issued: yyyy-MM-dd (成文日期 or 印发日期) under campaign:`,
    ]);
  });
});
