import { Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadPlanText } from '../../deadlines/load';
import { compileErrors, compileOk, lineOf, planYaml, QUIET_DEFAULTS } from './plan-fixtures';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

function one(schedule: string, extra = '', defaults = QUIET_DEFAULTS) {
  const { plan, warnings } = compileOk({
    defaults,
    deadlines: `  - id: d1\n    title: 报告\n    from: [cities]\n    schedule: ${schedule}\n${extra}`,
  });
  return { deadline: plan.deadlines[0], plan, warnings };
}

const dues = (schedule: string, extra = '') => one(schedule, extra).deadline.occurrences.map((o) => o.due);

describe('one-off schedules', () => {
  it('a date alone is due at the end of the working day, in the campaign zone', () => {
    const { deadline, plan } = one('{ date: 2024-02-02 }');
    expect(deadline.kind).toBe('one-off');
    expect(deadline.occurrences).toHaveLength(1);
    const occ = deadline.occurrences[0];
    expect(occ.key).toBe('d1@2024-02-02');
    expect(occ.due).toBe('2024-02-02T18:00:00.000+08:00');
    expect(occ.opens).toBe('2024-01-25T00:00:00.000+08:00');
    expect(plan.campaign.periodStart).toBe('2024-01-25T00:00:00.000+08:00');
    expect(plan.campaign.periodEnd).toBe('2024-04-08T23:59:59.999+08:00');
    expect(plan.campaign.endOfWorkday).toBe('18:00');
    expect(plan.campaign.timezone).toBe('Asia/Shanghai');
  });

  it('takes an explicit time, and end_of_workday', () => {
    expect(dues('{ date: 2024-02-02, time: "12:00" }')).toEqual(['2024-02-02T12:00:00.000+08:00']);
    const { plan } = compileOk({
      endOfWorkday: '17:30',
      defaults: QUIET_DEFAULTS,
      deadlines: '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2024-02-02 } }',
    });
    expect(plan.deadlines[0].occurrences[0].due).toBe('2024-02-02T17:30:00.000+08:00');
  });

  it('finds lunar dates inside the period (text and mapping forms)', () => {
    expect(dues('{ lunar: 腊月十五 }')).toEqual(['2024-01-25T18:00:00.000+08:00']);
    expect(dues('{ lunar: 农历二月底 }')).toEqual(['2024-04-08T18:00:00.000+08:00']);
    expect(dues('{ lunar: { month: 1, day: 8 }, time: "09:00" }')).toEqual(['2024-02-17T09:00:00.000+08:00']);
  });

  it('counts from anchors in calendar days or working days', () => {
    expect(dues('{ relative_to: spring_festival, days: -1 }')).toEqual(['2024-02-09T18:00:00.000+08:00']);
    // 2024-02-10..17 is the Spring Festival holiday; 2024-02-09 (Friday) was a working day.
    expect(dues('{ relative_to: spring_festival, working_days: -1 }')).toEqual(['2024-02-09T18:00:00.000+08:00']);
    expect(dues('{ relative_to: spring_festival_holiday_end, days: 0 }', '    on_non_working_day: keep\n')).toEqual([
      '2024-02-17T18:00:00.000+08:00',
    ]);
    // The first working day after the holiday is Sunday 2024-02-18, an adjusted working day (调休上班).
    expect(dues('{ relative_to: spring_festival_holiday_end, working_days: 1 }')).toEqual(['2024-02-18T18:00:00.000+08:00']);
    expect(dues('{ relative_to: period_end, days: -5 }')).toEqual(['2024-04-03T18:00:00.000+08:00']);
    expect(dues('{ relative_to: period_start }')).toEqual(['2024-01-25T18:00:00.000+08:00']);
  });
});

describe('recurring schedules', () => {
  it('weekly on Thursday after the Spring Festival', () => {
    const { deadline, warnings } = one('{ weekly: thursday, time: "18:00", starting: { relative_to: spring_festival, days: 1 } }');
    expect(deadline.kind).toBe('recurring');
    expect(deadline.occurrences.map((o) => o.key)).toEqual([
      'd1@2024-02-15',
      'd1@2024-02-22',
      'd1@2024-02-29',
      'd1@2024-03-07',
      'd1@2024-03-14',
      'd1@2024-03-21',
      'd1@2024-03-28',
      'd1@2024-04-04',
    ]);
    // 2024-02-15 (春节) and 2024-04-04 (清明节) are holidays: kept, flagged, warned about.
    expect(deadline.occurrences.filter((o) => o.nonWorkingDay).map((o) => o.key)).toEqual(['d1@2024-02-15', 'd1@2024-04-04']);
    expect(warnings.join('\n')).toMatch(/2 of 8 occurrences fall on non-working days and are kept there: 2024-02-15 \(Thursday, 春节\)/);
    // Opens: period start for the first, the previous due afterwards.
    expect(deadline.occurrences[0].opens).toBe('2024-01-25T00:00:00.000+08:00');
    expect(deadline.occurrences[1].opens).toBe(deadline.occurrences[0].due);
  });

  it('accepts Chinese weekday names', () => {
    expect(dues('{ weekly: 周四, until: 2024-02-10 }')).toEqual([
      '2024-01-25T18:00:00.000+08:00',
      '2024-02-01T18:00:00.000+08:00',
      '2024-02-08T18:00:00.000+08:00',
    ]);
    expect(dues('{ weekly: 星期一, starting: 2024-03-20, until: 2024-04-01 }')).toEqual([
      '2024-03-25T18:00:00.000+08:00',
      '2024-04-01T18:00:00.000+08:00',
    ]);
  });

  it('half_monthly: the 15th and the last day of each month in the period', () => {
    expect(one('{ half_monthly: true }').deadline.occurrences.map((o) => o.key)).toEqual([
      'd1@2024-01-31',
      'd1@2024-02-15',
      'd1@2024-02-29',
      'd1@2024-03-15',
      'd1@2024-03-31',
    ]);
  });

  it('every_working_days counts working days across the Spring Festival holiday', () => {
    expect(
      one('{ every_working_days: 5, until: 2024-02-21 }').deadline.occurrences.map((o) => o.key),
    ).toEqual(['d1@2024-02-01', 'd1@2024-02-07', 'd1@2024-02-20']);
  });

  it('open: one occurrence at the period end, no reminders or escalations', () => {
    const { deadline } = one('{ open: true }');
    expect(deadline.kind).toBe('open');
    expect(deadline.occurrences).toEqual([
      {
        key: 'd1@2024-04-08',
        due: '2024-04-08T23:59:59.999+08:00',
        opens: '2024-01-25T00:00:00.000+08:00',
        reminders: [],
        escalations: [],
      },
    ]);
  });
});

describe('non-working days (real 2024 holidays)', () => {
  it('keep: stays on 2024-02-10 (Saturday, 春节), flagged, with a warning', () => {
    const { deadline, warnings } = one('{ date: 2024-02-10 }');
    expect(deadline.occurrences[0].due).toBe('2024-02-10T18:00:00.000+08:00');
    expect(deadline.occurrences[0].nonWorkingDay).toBe(true);
    expect(deadline.occurrences[0].moved).toBeUndefined();
    expect(warnings.join('\n')).toContain("deadline 'd1' is due on 2024-02-10 (Saturday, 春节), a non-working day; it is kept there");
  });

  it('previous_working_day: 2024-02-10 → Friday 2024-02-09', () => {
    const { deadline, warnings } = one('{ date: 2024-02-10 }', '    on_non_working_day: previous_working_day\n');
    const occ = deadline.occurrences[0];
    expect(occ.due).toBe('2024-02-09T18:00:00.000+08:00');
    expect(occ.key).toBe('d1@2024-02-09');
    expect(occ.moved).toEqual({ from: '2024-02-10T18:00:00.000+08:00', rule: 'previous_working_day' });
    expect(occ.nonWorkingDay).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('next_working_day: 2024-02-10 → Sunday 2024-02-18 (调休上班), and 清明 2024-04-04 → Sunday 2024-04-07', () => {
    expect(dues('{ date: 2024-02-10 }', '    on_non_working_day: next_working_day\n')).toEqual(['2024-02-18T18:00:00.000+08:00']);
    expect(dues('{ date: 2024-04-04 }', '    on_non_working_day: next_working_day\n')).toEqual(['2024-04-07T18:00:00.000+08:00']);
    expect(dues('{ date: 2024-04-04 }', '    on_non_working_day: previous_working_day\n')).toEqual(['2024-04-03T18:00:00.000+08:00']);
  });

  it('an adjusted working day (Sunday 2024-02-04) is a working day: not moved, no warning', () => {
    const { deadline, warnings } = one('{ date: 2024-02-04 }', '    on_non_working_day: next_working_day\n');
    expect(deadline.occurrences[0].due).toBe('2024-02-04T18:00:00.000+08:00');
    expect(deadline.occurrences[0].moved).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('the defaults rule applies to recurring occurrences', () => {
    const { deadline } = one(
      '{ weekly: thursday, starting: 2024-02-12, until: 2024-02-23 }',
      '',
      `${QUIET_DEFAULTS}\n  on_non_working_day: next_working_day`,
    );
    expect(deadline.occurrences.map((o) => [o.key, o.moved?.rule])).toEqual([
      ['d1@2024-02-18', 'next_working_day'],
      ['d1@2024-02-22', undefined],
    ]);
    expect(deadline.occurrences[1].opens).toBe('2024-02-18T18:00:00.000+08:00');
  });

  it('warns about years without holiday tables, unless the plan adds its own', () => {
    const deadlines = '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2027-02-02 } }';
    const { warnings } = compileOk({ start: '2027-01-20', end: '2027-03-31', defaults: QUIET_DEFAULTS, deadlines });
    expect(warnings.join('\n')).toContain('there is no table of statutory holidays for 2027 yet');
    const withCalendar = compileOk({
      start: '2027-01-20',
      end: '2027-03-31',
      defaults: QUIET_DEFAULTS,
      calendar: '  holidays: [2027-02-06, 2027-02-07, 2027-02-08]\n  workdays: [2027-02-14]\n  spring_festival_holiday: { 2027: { start: 2027-02-06, end: 2027-02-12 } }',
      deadlines:
        '  - { id: d1, title: 报告, from: [cities], schedule: { date: 2027-02-02 } }\n' +
        '  - { id: d2, title: 节后, from: [cities], schedule: { relative_to: spring_festival_holiday_end, working_days: 1 } }',
    });
    expect(withCalendar.warnings.join('\n')).not.toContain('no table of statutory holidays');
    expect(withCalendar.plan.deadlines[1].occurrences[0].key).toBe('d2@2027-02-14');
    expect(withCalendar.plan.calendar?.workdays).toEqual(['2027-02-14']);
  });
});

describe('ladders', () => {
  it('reminders in days, hours and working days, sorted', () => {
    // Monday 2024-03-04: 1wd before is Friday 03-01; 2d before is Saturday 03-02.
    const { deadline } = one('{ date: 2024-03-04 }', '    reminders: [2d, 1wd, 2h]\n');
    expect(deadline.occurrences[0].reminders).toEqual([
      { at: '2024-03-01T18:00:00.000+08:00', before: '1wd' },
      { at: '2024-03-02T18:00:00.000+08:00', before: '2d' },
      { at: '2024-03-04T16:00:00.000+08:00', before: '2h' },
    ]);
  });

  it('reminders that land on the same instant are sent once', () => {
    const { deadline } = one('{ date: 2024-03-06 }', '    reminders: [1d, 1wd, 24h]\n');
    expect(deadline.occurrences[0].reminders).toEqual([{ at: '2024-03-05T18:00:00.000+08:00', before: '1d' }]);
  });

  it('a reminder on a fixed date for a one-off deadline', () => {
    const { deadline } = one('{ date: 2024-03-06 }', '    reminders: [{ date: 2024-03-01, time: "09:00" }, { date: 2024-03-04 }]\n');
    expect(deadline.occurrences[0].reminders.map((r) => r.at)).toEqual(['2024-03-01T09:00:00.000+08:00', '2024-03-04T18:00:00.000+08:00']);
  });

  it('the default escalation: at due, 1 working day late (across 清明), then daily until the period end', () => {
    const { deadline } = one('{ date: 2024-04-03 }', '', '  reminders: [1d]');
    const esc = deadline.occurrences[0].escalations;
    expect(esc).toEqual([
      { at: '2024-04-03T18:00:00.000+08:00', step: 1, to: ['department', 'leaders'], label: '到期' },
      { at: '2024-04-07T18:00:00.000+08:00', step: 2, to: ['coordinator'], label: '逾期1个工作日' },
      { at: '2024-04-08T18:00:00.000+08:00', step: 3, to: ['department', 'leaders'], label: '每天' },
    ]);
  });

  it('a repeating rung on a recurring deadline stops before the next occurrence is due', () => {
    const { deadline } = one('{ weekly: thursday, starting: 2024-02-20, until: 2024-03-01 }', '', `  reminders: []
  escalation:
    - { after: 0h, to: [department] }
    - { after: 1wd, to: [coordinator], label: 逾期一天 }
    - { every: 1d, to: [department, leaders] }`);
    const [first, second] = deadline.occurrences;
    expect(first.escalations.map((e) => `${e.step}@${e.at.slice(0, 10)}`)).toEqual([
      '1@2024-02-22',
      '2@2024-02-23',
      '3@2024-02-24',
      '3@2024-02-25',
      '3@2024-02-26',
      '3@2024-02-27',
      '3@2024-02-28',
    ]);
    expect(first.escalations[1].label).toBe('逾期一天');
    // The last occurrence escalates until the period end (2024-04-08).
    expect(second.escalations.at(-1)!.at).toBe('2024-04-08T18:00:00.000+08:00');
  });

  it('every: 1wd repeats on working days only', () => {
    const { deadline } = one('{ date: 2024-02-07 }', `    escalation:
      - { every: 1wd, to: [department] }
`);
    expect(deadline.occurrences[0].escalations.slice(0, 3).map((e) => e.at)).toEqual([
      '2024-02-08T18:00:00.000+08:00',
      '2024-02-09T18:00:00.000+08:00',
      '2024-02-18T18:00:00.000+08:00',
    ]);
    expect(deadline.occurrences[0].escalations[0].label).toBe('每个工作日');
  });

  it('labels follow the campaign language', () => {
    const { plan } = compileOk({
      language: 'en',
      deadlines: '  - { id: d1, title: Report, from: [cities], schedule: { date: 2024-03-06 } }',
    });
    expect(plan.deadlines[0].occurrences[0].escalations.slice(0, 3).map((e) => e.label)).toEqual(['at due', '1 working day late', 'daily']);
  });

  it('recurring reminders before the occurrence opens are left out, with a warning', () => {
    const { deadline, warnings } = one('{ weekly: thursday, until: 2024-02-10 }', '    reminders: [3d, 1d]\n');
    expect(deadline.occurrences[0].reminders.map((r) => r.before)).toEqual([]);
    expect(deadline.occurrences[1].reminders.map((r) => r.before)).toEqual(['3d', '1d']);
    expect(warnings.join('\n')).toMatch(/the 3d reminder would come before the occurrence opens .* for 1 occurrence \(2024-01-25\)/);
  });
});

describe('departments and references', () => {
  it('expands groups into departments in plan order, without duplicates', () => {
    const run = (from: string) =>
      compileOk({ defaults: QUIET_DEFAULTS, deadlines: `  - { id: d1, title: 报告, from: ${from}, schedule: { date: 2024-02-02 } }` }).plan
        .deadlines[0];
    expect(run('[north]').departments).toEqual(['datong', 'shuozhou']);
    expect(run('[north, taiyuan]').departments).toEqual(['taiyuan', 'datong', 'shuozhou']);
    expect(run('[shuozhou, cities, datong]').departments).toEqual(['taiyuan', 'datong', 'shuozhou']);
    expect(run('[north, taiyuan]').from).toEqual(['north', 'taiyuan']);
  });

  it('compiles forms with of_which columns and the submit defaults', () => {
    const { plan, deadline } = one('{ date: 2024-02-02 }', '    submit: { form: stats, attachments: true }\n');
    expect(deadline.submit).toEqual({ report: true, form: 'stats', attachments: true });
    expect(plan.forms[0].columns[1]).toEqual({
      id: 'transported',
      label: '合计运送人次',
      type: 'count',
      ofWhich: [{ id: 'women', label: '女性人数', type: 'count' }],
    });
    expect(plan.forms[0].columns[0].cumulative).toBe(true);
    expect(plan.departments[1]).toEqual({
      id: 'datong',
      name: '大同市人社局',
      contacts: [{ email: 'datong@example.org' }],
      leaders: [{ email: 'datong-leader@example.org' }],
      groups: ['cities', 'north'],
    });
  });
});

describe('all problems at once', () => {
  it('reports structural, reference and date problems together, each at its line', () => {
    const text = planYaml({
      deadlines: [
        '  - id: d1',
        '    titel: 报告',
        '    from: [taiyun]',
        '    schedule: { date: 2024-02-30 }',
        '  - id: d1',
        '    title: 报告二',
        '    from: [cities]',
        '    submit: { form: stat }',
        '    schedule: { weekly: thursdy }',
      ].join('\n'),
    });
    const errors = compileErrors(text);
    const expected = [
      [lineOf(text, 'titel'), "unknown key 'titel' — did you mean 'title'?"],
      [lineOf(text, 'taiyun]'), "unknown department or group 'taiyun' — did you mean 'taiyuan'?"],
      [lineOf(text, '2024-02-30'), "'2024-02-30' is not a date: February 2024 has 29 days"],
      [lineOf(text, '报告二') - 1, "duplicate deadline id 'd1'"],
      [lineOf(text, 'form: stat'), "unknown form 'stat' — did you mean 'stats'?"],
      [lineOf(text, 'thursdy'), "'thursdy' is not a weekday — did you mean 'thursday'?"],
    ] as const;
    for (const [line, msg] of expected) {
      expect(errors.some((e) => e.startsWith(`plan.yaml:${line}:`) && e.includes(msg)), `${line}: ${msg}\n${errors.join('\n')}`).toBe(true);
    }
    expect(errors).toHaveLength(expected.length);
  });
});

describe('determinism', () => {
  it('gives identical output for identical input, whatever the process time zone', () => {
    const text = planYaml({
      deadlines:
        '  - { id: d1, title: 报告, from: [cities], schedule: { weekly: thursday } }\n' +
        '  - { id: d2, title: 总结, from: [north], schedule: { relative_to: period_end, days: -3 } }',
    });
    const a = loadPlanText(text, 'plan.yaml');
    const saved = Settings.defaultZone;
    try {
      Settings.defaultZone = 'America/Los_Angeles';
      const b = loadPlanText(text, 'plan.yaml');
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    } finally {
      Settings.defaultZone = saved;
    }
    expect(a.ok).toBe(true);
    if (a.ok) {
      for (const d of a.plan.deadlines) {
        for (const o of d.occurrences) {
          for (const s of [o.due, o.opens, ...o.reminders.map((r) => r.at), ...o.escalations.map((e) => e.at)]) expect(s).toMatch(ISO);
        }
      }
    }
  });
});

describe('daylight saving time', () => {
  it('weekly Thursday 18:00 in America/New_York keeps 18:00 local across the March 2024 change', () => {
    const { plan } = compileOk({
      timezone: 'America/New_York',
      start: '2024-02-20',
      end: '2024-03-31',
      defaults: '  reminders: [7d, 1d]\n  escalation:\n    - { after: 0h, to: [department] }\n    - { every: 1d, to: [department] }',
      deadlines: '  - { id: weekly, title: Weekly figures, from: [cities], schedule: { weekly: thursday, time: "18:00" } }',
    });
    const occ = plan.deadlines[0].occurrences;
    expect(occ.map((o) => o.due)).toEqual([
      '2024-02-22T18:00:00.000-05:00',
      '2024-02-29T18:00:00.000-05:00',
      '2024-03-07T18:00:00.000-05:00',
      '2024-03-14T18:00:00.000-04:00',
      '2024-03-21T18:00:00.000-04:00',
      '2024-03-28T18:00:00.000-04:00',
    ]);
    // A 7-day reminder across the change is still at 18:00 local.
    expect(occ[3].reminders[0]).toEqual({ at: '2024-03-07T18:00:00.000-05:00', before: '7d' });
    // Daily escalations cross the change at 18:00 local too.
    expect(occ[2].escalations.map((e) => e.at)).toContain('2024-03-10T18:00:00.000-04:00');
    expect(occ[2].escalations.map((e) => e.at)).toContain('2024-03-09T18:00:00.000-05:00');
    expect(plan.campaign.periodStart).toBe('2024-02-20T00:00:00.000-05:00');
    expect(plan.campaign.periodEnd).toBe('2024-03-31T23:59:59.999-04:00');
  });
});
