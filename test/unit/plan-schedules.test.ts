/**
 * The rhythms of government statistics as plans write them — 每月5日, 每月31日 in short months,
 * 每月最后一个工作日, 季后5个工作日内, quarterly, 每两周, a list of dates — compiled to exact instants
 * on the real calendar, and the reading of "X月Y日前" per deadline (date_means).
 *
 * Expected days worked out by hand from the State Council's holiday notices:
 *   2024: 清明 04-04..06 (04-07 Sun worked), 劳动节 05-01..05, 国庆 10-01..07 (09-29 Sun, 10-12 Sat worked)
 *   2023: 中秋国庆 09-29..10-06 (10-07 Sat, 10-08 Sun worked)
 *   2025: 元旦 01-01, 春节 01-28..02-04 (01-26 Sun, 02-08 Sat worked)
 */
import { describe, expect, it } from 'vitest';
import { compileErrors, compileOk, lineOf, planYaml, QUIET_DEFAULTS } from './plan-fixtures';

function one(schedule: string, o: { start?: string; end?: string; extra?: string } = {}) {
  const text = planYaml({
    start: o.start,
    end: o.end,
    defaults: QUIET_DEFAULTS,
    deadlines: `  - id: d1\n    title: 报告\n    from: [cities]\n    schedule: ${schedule}\n${o.extra ?? ''}`,
  });
  const { plan, warnings } = compileOk(text);
  return { deadline: plan.deadlines[0], plan, warnings, text };
}

/** `line:col` (1-based) of the first occurrence of `needle` in the plan text. */
function posOf(text: string, needle: string): string {
  const line = lineOf(text, needle);
  return `${line}:${text.split('\n')[line - 1].indexOf(needle) + 1}`;
}

const dues = (schedule: string, o: { start?: string; end?: string; extra?: string } = {}) => one(schedule, o).deadline.occurrences.map((x) => x.due);
const at18 = (d: string) => `${d}T18:00:00.000+08:00`;
const YEAR_2024 = { start: '2024-01-01', end: '2024-12-31' };

describe('monthly by day of the month (每月5日前报送上月情况)', () => {
  it('monthly: 5 is due on the 5th of every month, 18:00; 2024-10-05 (国庆节) is kept there with a warning', () => {
    const { deadline, warnings } = one('{ monthly: 5 }', YEAR_2024);
    expect(deadline.kind).toBe('recurring');
    expect(deadline.occurrences.map((o) => o.due)).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => at18(`2024-${m}-05`)),
    );
    const oct = deadline.occurrences[9];
    expect(oct.nonWorkingDay).toBe(true);
    expect(warnings.join('\n')).toContain('2024-10-05 (Saturday, 国庆节)');
  });

  it('next_working_day: 清明 04-05 → Sunday 04-07 (调休), 劳动节 05-05 → 05-06, 国庆 10-05 → 10-08', () => {
    expect(dues('{ monthly: 5 }', { ...YEAR_2024, extra: '    on_non_working_day: next_working_day\n' })).toEqual(
      ['2024-01-05', '2024-02-05', '2024-03-05', '2024-04-07', '2024-05-06', '2024-06-05', '2024-07-05', '2024-08-05', '2024-09-05', '2024-10-08', '2024-11-05', '2024-12-05'].map(at18),
    );
  });

  it('previous_working_day: 国庆 2024-10-05 → Monday 2024-09-30, the last working day before the holiday', () => {
    const { deadline } = one('{ monthly: 5, starting: 2024-10-01, until: 2024-10-31 }', { ...YEAR_2024, extra: '    on_non_working_day: previous_working_day\n' });
    expect(deadline.occurrences.map((o) => [o.key, o.due, o.moved])).toEqual([
      ['d1@2024-09-30', at18('2024-09-30'), { from: at18('2024-10-05'), rule: 'previous_working_day' }],
    ]);
  });

  it('monthly: 31 in February 2024 (leap year) and 2025: due on the month\'s last day, warned', () => {
    const y2024 = one('{ monthly: 31 }', { start: '2024-01-01', end: '2024-03-31' });
    expect(y2024.deadline.occurrences.map((o) => o.due)).toEqual([at18('2024-01-31'), at18('2024-02-29'), at18('2024-03-31')]);
    expect(y2024.warnings).toContain(
      `plan.yaml:${posOf(y2024.text, 'monthly: 31')}: warning: ` +
        "deadline 'd1': monthly on day 31: 1 month has no such day, so the report is due on the month's last day there: 2024-02 → 2024-02-29 (short_month: last_day, the default; write short_month: last_day to confirm it, or short_month: skip for no report in those months)",
    );
    const y2025 = one('{ monthly: 31, short_month: last_day }', { start: '2025-01-01', end: '2025-03-31' });
    // 2025-01-31 is in the 春节 holiday (kept), 2025-02-28 a Friday.
    expect(y2025.deadline.occurrences.map((o) => o.due)).toEqual([at18('2025-01-31'), at18('2025-02-28'), at18('2025-03-31')]);
    // Stated in the plan (short_month: last_day): warned without the advice to state it.
    expect(y2025.warnings.join('\n')).toMatch(/month's last day there: 2025-02 → 2025-02-28$/m);
  });

  it('short_month: skip leaves out the months without day 31, warned', () => {
    const { deadline, warnings } = one('{ monthly: 31, short_month: skip }', { start: '2024-01-01', end: '2024-07-31' });
    expect(deadline.occurrences.map((o) => o.key)).toEqual(['d1@2024-01-31', 'd1@2024-03-31', 'd1@2024-05-31', 'd1@2024-07-31']);
    expect(warnings.join('\n')).toContain("deadline 'd1': monthly on day 31: no report in 2024-02, 2024-04, 2024-06, which have no such day (short_month: skip)");
  });

  it('monthly: last is the last calendar day (月底)', () => {
    expect(dues('{ monthly: last, time: "12:00" }', { start: '2024-01-01', end: '2024-04-30' })).toEqual([
      '2024-01-31T12:00:00.000+08:00',
      '2024-02-29T12:00:00.000+08:00',
      '2024-03-31T12:00:00.000+08:00',
      '2024-04-30T12:00:00.000+08:00',
    ]);
  });
});

describe('monthly by working day (每月最后一个工作日, 每月第1个工作日)', () => {
  it('the last working day: 2023-09-28, before 中秋国庆 (09-29..10-06); 12-29, before the weekend and 元旦', () => {
    expect(dues('{ monthly: { working_day: last } }', { start: '2023-07-01', end: '2023-12-31' })).toEqual(
      ['2023-07-31', '2023-08-31', '2023-09-28', '2023-10-31', '2023-11-30', '2023-12-29'].map(at18),
    );
  });

  it('the last working day of January 2025 is Monday 01-27: 春节 runs from 01-28', () => {
    expect(dues('{ monthly: { working_day: -1 } }', { start: '2025-01-01', end: '2025-02-28' })).toEqual([at18('2025-01-27'), at18('2025-02-28')]);
  });

  it('the second-to-last working day: September 2024 ends Friday 27 … Monday 30, so 09-29 (Sunday, 调休) counts', () => {
    // 09-28 Saturday off, 09-29 Sunday worked (国庆调休), 09-30 Monday: the last two are 09-29 and 09-30.
    expect(dues('{ monthly: { working_day: -2 } }', { start: '2024-09-01', end: '2024-09-30' })).toEqual([at18('2024-09-29')]);
  });

  it('the first working day: 2024-09-02 (09-01 is a Sunday), 2024-10-08 (after 国庆), 2024-11-01', () => {
    expect(dues('{ monthly: { working_day: 1 } }', { start: '2024-09-01', end: '2024-11-30' })).toEqual(['2024-09-02', '2024-10-08', '2024-11-01'].map(at18));
  });
});

describe('after the month or quarter ends (季后5个工作日内, 月后10日)', () => {
  it('quarterly, 5 working days after each quarter: Q3 2024 → Saturday 2024-10-12 (调休) after 国庆; Q4 → 2025-01-08', () => {
    const { deadline, warnings } = one('{ quarterly: { working_days_after: 5 } }', { start: '2024-07-01', end: '2025-01-31' });
    expect(deadline.occurrences.map((o) => o.due)).toEqual([at18('2024-07-05'), at18('2024-10-12'), at18('2025-01-08')]);
    expect(deadline.occurrences[1].nonWorkingDay).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('monthly, 10 days after each month ends: the 10th of the next month', () => {
    expect(dues('{ monthly: { days_after: 10 } }', { start: '2024-01-01', end: '2024-03-31' })).toEqual(['2024-01-10', '2024-02-10', '2024-03-10'].map(at18));
  });

  it('monthly, 3 working days after the month ends: January 2024 → Sunday 02-04 (调休); February → 03-05', () => {
    expect(dues('{ monthly: { working_days_after: 3 } }', { start: '2024-02-01', end: '2024-03-31' })).toEqual([at18('2024-02-04'), at18('2024-03-05')]);
  });
});

describe('quarterly by a day of one month of the quarter', () => {
  it('quarterly: { month: 3, day: 25 } — the 25th of March, June, September, December', () => {
    expect(dues('{ quarterly: { month: 3, day: 25 } }', YEAR_2024)).toEqual(['2024-03-25', '2024-06-25', '2024-09-25', '2024-12-25'].map(at18));
  });

  it('quarterly: { month: 1, working_day: 1 } — 2024-01-02 (after 元旦), 04-01, 07-01, 10-08 (after 国庆)', () => {
    expect(dues('{ quarterly: { month: 1, working_day: 1 } }', YEAR_2024)).toEqual(['2024-01-02', '2024-04-01', '2024-07-01', '2024-10-08'].map(at18));
  });

  it('a quarterly day without the month of the quarter is an error saying which months', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 季报, from: [cities], schedule: { quarterly: { day: 5 } } }' });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'quarterly:')}: error: ` +
        "deadline 'd1' schedule.quarterly: say which month of the quarter: month: 1 (its first month: Jan, Apr, Jul, Oct), 2 or 3 (its last month: Mar, Jun, Sep, Dec)",
    ]);
  });
});

describe('every N weeks and lists of dates', () => {
  it('every_weeks: 2 — every other Friday from the first Friday on or after starting', () => {
    expect(dues('{ weekly: friday, every_weeks: 2, starting: 2024-03-01 }', { start: '2024-02-20', end: '2024-04-30' })).toEqual(
      ['2024-03-01', '2024-03-15', '2024-03-29', '2024-04-12', '2024-04-26'].map(at18),
    );
  });

  it('every_weeks: 2 without starting counts from the period start', () => {
    expect(dues('{ weekly: wednesday, every_weeks: 2 }', { start: '2024-03-01', end: '2024-03-31' })).toEqual(['2024-03-06', '2024-03-20'].map(at18));
  });

  it('dates: each listed day in order, each on the non-working-day rule; 2024-04-07 is a working Sunday', () => {
    const { deadline } = one('{ dates: [2024-03-05, 2024-02-02, 2024-04-07, 2024-04-05], time: "17:00" }', { extra: '    on_non_working_day: previous_working_day\n' });
    expect(deadline.kind).toBe('recurring');
    expect(deadline.occurrences.map((o) => o.due)).toEqual([
      '2024-02-02T17:00:00.000+08:00',
      '2024-03-05T17:00:00.000+08:00',
      '2024-04-03T17:00:00.000+08:00', // 04-05 清明 → Wednesday 04-03
      '2024-04-07T17:00:00.000+08:00',
    ]);
  });

  it('a listed date outside the period or listed twice is an error at that date', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - id: d1\n    title: 报告\n    from: [cities]\n    schedule:\n      dates:\n        - 2024-02-02\n        - 2024-05-01\n        - 2024-02-02' });
    const line = lineOf(text, '2024-05-01');
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${line}:11: error: deadline 'd1': 2024-05-01 is after the period ends (2024-04-08); correct the date or widen campaign.period`,
      `plan.yaml:${line + 1}:11: error: deadline 'd1': 2024-02-02 is listed twice in dates:; remove one`,
    ]);
  });
});

describe('malformed monthly schedules', () => {
  const textOf = (schedule: string) => planYaml({ defaults: QUIET_DEFAULTS, deadlines: `  - { id: d1, title: 月报, from: [cities], schedule: ${schedule} }` });
  const errorsOf = (schedule: string) => compileErrors(textOf(schedule));

  it('two rules at once', () => {
    const text = textOf('{ monthly: { day: 5, working_day: 1 } }');
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'working_day')}: error: deadline 'd1' schedule.monthly.working_day: give one of day, working_day, days_after, working_days_after, not 'day' and 'working_day'`,
    ]);
  });

  it('a day that no month has', () => {
    const text = textOf('{ monthly: 32 }');
    expect(compileErrors(text)).toEqual([`plan.yaml:${posOf(text, '32')}: error: deadline 'd1' schedule.monthly: must be at most 31, found the number 32`]);
  });

  it('a word that is not a rule', () => {
    expect(errorsOf('{ monthly: first }')[0]).toContain(
      "schedule.monthly: expected a day of the month like 5, last (月底), or { working_day: 3 }, { working_day: last }, { working_days_after: 5 }, { days_after: 10 }; found the text 'first'",
    );
  });

  it('short_month on a weekly schedule', () => {
    expect(errorsOf('{ weekly: monday, short_month: skip }')[0]).toContain("'short_month' does not apply to a 'weekly' schedule (it goes with monthly, quarterly)");
  });
});

describe('the reading of "X月Y日前" per deadline (date_means)', () => {
  it('end_of_workday (the default): due at 18:00 on that day', () => {
    expect(dues('{ date: 2024-03-05, date_means: end_of_workday }')).toEqual([at18('2024-03-05')]);
  });

  it('start_of_day: due as that day begins, and the compiled deadline says how it was read', () => {
    const { deadline } = one('{ date: 2024-03-05, date_means: start_of_day }', { extra: '    reminders: [1d]\n' });
    expect(deadline.dateMeans).toBe('start_of_day');
    expect(deadline.occurrences[0].due).toBe('2024-03-05T00:00:00.000+08:00');
    expect(deadline.occurrences[0].reminders).toEqual([{ at: '2024-03-04T00:00:00.000+08:00', before: '1d' }]);
  });

  it('per deadline: one deadline read one way, the next the other', () => {
    const { plan } = compileOk({
      defaults: QUIET_DEFAULTS,
      deadlines: [
        '  - { id: a, title: 甲, from: [cities], schedule: { date: 2024-03-05 } }',
        '  - { id: b, title: 乙, from: [cities], schedule: { monthly: 5, starting: 2024-03-01, date_means: start_of_day } }',
      ].join('\n'),
    });
    expect(plan.deadlines[0].occurrences[0].due).toBe(at18('2024-03-05'));
    expect(plan.deadlines[0].dateMeans).toBeUndefined();
    expect(plan.deadlines[1].occurrences.map((o) => o.due)).toEqual(['2024-03-05T00:00:00.000+08:00', '2024-04-05T00:00:00.000+08:00']);
  });

  it('date_means with a time of day is an error', () => {
    const text = planYaml({ defaults: QUIET_DEFAULTS, deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-03-05, time: "12:00", date_means: start_of_day } }' });
    expect(compileErrors(text)).toEqual([
      `plan.yaml:${posOf(text, 'date_means')}: error: ` +
        "deadline 'd1' schedule.date_means: date_means reads a day without a time, but the schedule gives time:, which already says when it is due; remove one of them",
    ]);
  });
});
