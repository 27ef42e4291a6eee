/**
 * Working days: statutory holidays and 调休 from the tables, weekends, overrides.
 *
 * The expected values are the State Council's notices (国务院办公厅关于部分节假日安排的通知):
 *   2023 (国办发明电〔2022〕16号): 春节 1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
 *   2024 (国办发明电〔2023〕7号):  春节 2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。
 *                                 清明节 4月4日至6日放假调休，共3天。4月7日（星期日）上班。
 *                                 国庆节 10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。
 *   2025 (国办发明电〔2024〕12号): 春节 1月28日至2月4日放假调休，共8天。1月26日（星期日）、2月8日（星期六）上班。
 *   2026: 春节 2月15日至23日放假调休，共9天。2月14日（星期六）、2月28日（星期六）上班。
 *   2020: 春节 1月24日至30日, extended to 2月2日 (国办发明电〔2020〕1号).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkCalendar, HOLIDAY_DATA_YEARS, isoWeekday, springFestival } from '../../deadlines/calendar';

const cal = createWorkCalendar();

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe('tabulated data', () => {
  it('covers 2004–2026', () => {
    expect(HOLIDAY_DATA_YEARS).toEqual({ first: 2004, last: 2026 });
    expect(cal.hasHolidayData(2004)).toBe(true);
    expect(cal.hasHolidayData(2024)).toBe(true);
    expect(cal.hasHolidayData(2026)).toBe(true);
    expect(cal.hasHolidayData(2027)).toBe(false);
    expect(cal.hasHolidayData(2003)).toBe(false);
  });
});

describe('2024 Spring Festival (春节 2月10日至17日; 2月4日、2月18日上班)', () => {
  it.each(days('2024-02-10', '2024-02-17'))('%s is a day off named 春节', (d) => {
    expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.holidayName(d)).toBe('春节');
  });

  it('the two Sundays 2024-02-04 and 2024-02-18 are working days', () => {
    expect(isoWeekday('2024-02-04')).toBe(7);
    expect(isoWeekday('2024-02-18')).toBe(7);
    expect(cal.isWorkingDay('2024-02-04')).toBe(true);
    expect(cal.isWorkingDay('2024-02-18')).toBe(true);
    expect(cal.holidayName('2024-02-04')).toBeUndefined();
    expect(cal.dayInfo('2024-02-04')).toEqual({
      date: '2024-02-04',
      working: true,
      kind: 'adjusted_workday',
      holiday: { zh: '春节', en: 'Spring Festival' },
    });
  });

  it('除夕 2024-02-09 (a Friday) is an ordinary working day; the days around are ordinary', () => {
    expect(springFestival(2024)).toBe('2024-02-10');
    expect(cal.isWorkingDay('2024-02-09')).toBe(true);
    expect(cal.holidayName('2024-02-09')).toBeUndefined();
    expect(cal.isWorkingDay('2024-02-03')).toBe(false); // Saturday
    expect(cal.dayInfo('2024-02-03').kind).toBe('weekend');
    expect(cal.isWorkingDay('2024-02-19')).toBe(true); // Monday
    expect(cal.isWorkingDay('2024-02-24')).toBe(false); // Saturday
  });

  it('springFestivalHoliday(2024) is the block 2024-02-10…2024-02-17', () => {
    expect(cal.springFestivalHoliday(2024)).toEqual({ start: '2024-02-10', end: '2024-02-17' });
  });

  it('February 2024 has 18 working days (21 weekdays − 5 holiday weekdays 12–16 + 2 worked Sundays)', () => {
    expect(cal.countWorkingDays('2024-02-01', '2024-02-29')).toBe(18);
  });
});

describe('2023 Spring Festival (1月21日至27日; 1月28日、29日上班)', () => {
  it('21–27 January are off, the Saturday 28th and Sunday 29th are working days', () => {
    for (const d of days('2023-01-21', '2023-01-27')) {
      expect(cal.isWorkingDay(d), d).toBe(false);
      expect(cal.holidayName(d), d).toBe('春节');
    }
    expect(cal.isWorkingDay('2023-01-28')).toBe(true);
    expect(cal.isWorkingDay('2023-01-29')).toBe(true);
    expect(cal.isWorkingDay('2023-01-20')).toBe(true);
    expect(cal.springFestivalHoliday(2023)).toEqual({ start: '2023-01-21', end: '2023-01-27' });
    expect(springFestival(2023)).toBe('2023-01-22');
  });
});

describe('other holidays', () => {
  it('清明节 2024: 4–6 April off, Sunday 7 April worked', () => {
    for (const d of ['2024-04-04', '2024-04-05', '2024-04-06']) {
      expect(cal.isWorkingDay(d), d).toBe(false);
      expect(cal.holidayName(d), d).toBe('清明节');
    }
    expect(isoWeekday('2024-04-07')).toBe(7);
    expect(cal.isWorkingDay('2024-04-07')).toBe(true);
    expect(cal.isWorkingDay('2024-04-03')).toBe(true);
  });

  it('国庆节 2024: 1–7 October off, Sunday 29 September and Saturday 12 October worked', () => {
    for (const d of days('2024-10-01', '2024-10-07')) expect(cal.holidayName(d), d).toBe('国庆节');
    expect(cal.isWorkingDay('2024-09-29')).toBe(true);
    expect(cal.isWorkingDay('2024-10-12')).toBe(true);
    expect(cal.isWorkingDay('2024-10-08')).toBe(true);
  });

  it('names as the notices write them', () => {
    expect(cal.holidayName('2024-01-01')).toBe('元旦');
    expect(cal.holidayName('2024-05-01')).toBe('劳动节');
    expect(cal.holidayName('2024-06-10')).toBe('端午节');
    expect(cal.holidayName('2024-09-15')).toBe('中秋节');
    expect(cal.holidayName('2015-09-03')).toBe('中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日');
    expect(cal.holidayName('2024-03-05')).toBeUndefined(); // Tuesday
    expect(cal.holidayName('2024-03-09')).toBeUndefined(); // Saturday
  });

  it('2024 has 251 working days (262 weekdays − 19 holiday weekdays + 8 worked weekend days)', () => {
    expect(cal.countWorkingDays('2024-01-01', '2024-12-31')).toBe(251);
  });
});

describe('Spring Festival blocks of other years', () => {
  it.each([
    [2014, '2014-01-31', '2014-02-06'],
    [2020, '2020-01-24', '2020-02-02'], // extended by three days in 2020
    [2025, '2025-01-28', '2025-02-04'],
    [2026, '2026-02-15', '2026-02-23'],
  ])('%i: %s…%s', (year, start, end) => {
    expect(cal.springFestivalHoliday(year)).toEqual({ start, end });
  });

  it('2025 and 2026 adjusted working days', () => {
    expect(cal.isWorkingDay('2025-01-26')).toBe(true); // Sunday
    expect(cal.isWorkingDay('2025-02-08')).toBe(true); // Saturday
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // Saturday
    expect(cal.isWorkingDay('2026-02-28')).toBe(true); // Saturday
    expect(cal.isWorkingDay('2026-02-23')).toBe(false); // Monday, last day of the block
  });

  it('unknown outside the tables', () => {
    expect(cal.springFestivalHoliday(2027)).toBeUndefined();
    expect(cal.springFestivalHoliday(2003)).toBeUndefined();
    expect(cal.springFestivalHoliday(1800)).toBeUndefined();
  });
});

describe('next / previous / add working days', () => {
  it('across the 2024 festival', () => {
    expect(cal.nextWorkingDay('2024-02-09')).toBe('2024-02-18');
    expect(cal.nextWorkingDay('2024-02-12')).toBe('2024-02-18');
    expect(cal.previousWorkingDay('2024-02-18')).toBe('2024-02-09');
    expect(cal.previousWorkingDay('2024-02-17')).toBe('2024-02-09');
    expect(cal.nextWorkingDay('2024-02-03')).toBe('2024-02-04'); // Saturday → the worked Sunday
    expect(cal.previousWorkingDay('2024-02-05')).toBe('2024-02-04');
    expect(cal.nextWorkingDay('2024-02-18')).toBe('2024-02-19');

    expect(cal.addWorkingDays('2024-02-08', 1)).toBe('2024-02-09');
    expect(cal.addWorkingDays('2024-02-08', 2)).toBe('2024-02-18');
    expect(cal.addWorkingDays('2024-02-08', 3)).toBe('2024-02-19');
    expect(cal.addWorkingDays('2024-02-19', -1)).toBe('2024-02-18');
    expect(cal.addWorkingDays('2024-02-19', -2)).toBe('2024-02-09');
    expect(cal.addWorkingDays('2024-02-19', -3)).toBe('2024-02-08');
    // From a holiday: the first working day after it counts as 1.
    expect(cal.addWorkingDays('2024-02-12', 1)).toBe('2024-02-18');
    expect(cal.addWorkingDays('2024-02-12', -1)).toBe('2024-02-09');
  });

  it('n = 0 returns the date itself, working or not', () => {
    expect(cal.addWorkingDays('2024-02-12', 0)).toBe('2024-02-12');
    expect(cal.addWorkingDays('2024-02-19', 0)).toBe('2024-02-19');
  });

  it('across the 2023 festival and an ordinary weekend', () => {
    expect(cal.nextWorkingDay('2023-01-20')).toBe('2023-01-28');
    expect(cal.addWorkingDays('2023-01-20', 3)).toBe('2023-01-30');
    expect(cal.previousWorkingDay('2023-01-28')).toBe('2023-01-20');
    expect(cal.nextWorkingDay('2024-03-08')).toBe('2024-03-11'); // Friday → Monday
    expect(cal.addWorkingDays('2024-03-08', 5)).toBe('2024-03-15');
    expect(cal.addWorkingDays('2024-03-11', -1)).toBe('2024-03-08');
  });

  it('across a year boundary and into years without data (weekends only)', () => {
    // 2026-12-31 is a Thursday; 2027 has no data, so 2027-01-01 (Friday, 元旦) counts as working.
    expect(cal.nextWorkingDay('2026-12-31')).toBe('2027-01-01');
    expect(cal.isWorkingDay('2027-01-01')).toBe(true);
    expect(cal.isWorkingDay('2027-01-02')).toBe(false); // Saturday
    expect(cal.nextWorkingDay('2027-01-01')).toBe('2027-01-04');
  });

  it('rejects malformed input', () => {
    expect(() => cal.isWorkingDay('2024-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2024-2-3')).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2024-02-01', 1.5)).toThrow(RangeError);
  });
});

describe('overrides', () => {
  // The example of docs/plan-format.md. 2027-02-05 is a Friday, 02-06 Saturday (正月初一), 02-14 Sunday.
  const plan2027 = createWorkCalendar({
    holidays: ['2027-02-06', '2027-02-07'],
    workdays: ['2027-02-14'],
    springFestivalHoliday: { 2027: { start: '2027-02-05', end: '2027-02-13' } },
  });

  it('cover the year', () => {
    expect(plan2027.hasHolidayData(2027)).toBe(true);
    expect(plan2027.hasHolidayData(2028)).toBe(false);
    expect(createWorkCalendar({ holidays: ['2028-01-03'] }).hasHolidayData(2028)).toBe(true);
  });

  it('the Spring Festival block is off, the listed Sunday is worked', () => {
    expect(springFestival(2027)).toBe('2027-02-06');
    expect(plan2027.springFestivalHoliday(2027)).toEqual({ start: '2027-02-05', end: '2027-02-13' });
    for (const d of days('2027-02-05', '2027-02-13')) {
      expect(plan2027.isWorkingDay(d), d).toBe(false);
      expect(plan2027.holidayName(d), d).toBe('春节');
    }
    expect(isoWeekday('2027-02-14')).toBe(7);
    expect(plan2027.isWorkingDay('2027-02-14')).toBe(true);
    expect(plan2027.isWorkingDay('2027-02-04')).toBe(true);
    expect(plan2027.nextWorkingDay('2027-02-04')).toBe('2027-02-14');
    expect(plan2027.addWorkingDays('2027-02-04', 2)).toBe('2027-02-15');
    expect(plan2027.previousWorkingDay('2027-02-14')).toBe('2027-02-04');
    // The same dates without overrides: weekends only.
    expect(cal.isWorkingDay('2027-02-08')).toBe(true);
    expect(cal.isWorkingDay('2027-02-14')).toBe(false);
  });

  it('a holiday and an adjusted workday take effect on their own', () => {
    const c = createWorkCalendar({ holidays: ['2027-10-01'], workdays: ['2027-09-26'] });
    expect(isoWeekday('2027-10-01')).toBe(5);
    expect(isoWeekday('2027-09-26')).toBe(7);
    expect(c.isWorkingDay('2027-10-01')).toBe(false);
    expect(c.holidayName('2027-10-01')).toBeUndefined(); // name not given
    expect(c.isWorkingDay('2027-09-26')).toBe(true);
    expect(c.dayInfo('2027-09-26').kind).toBe('adjusted_workday');
    expect(c.nextWorkingDay('2027-09-30')).toBe('2027-10-04');
    expect(c.previousWorkingDay('2027-09-27')).toBe('2027-09-26');
  });

  it('win over the tables', () => {
    const c = createWorkCalendar({ holidays: ['2024-02-18'], workdays: ['2024-02-16'] });
    expect(c.isWorkingDay('2024-02-18')).toBe(false); // tabulated 调休 Sunday, overridden
    expect(c.isWorkingDay('2024-02-16')).toBe(true); // tabulated 春节 Friday, overridden
    expect(c.holidayName('2024-02-16')).toBeUndefined();
    const d = createWorkCalendar({ springFestivalHoliday: { 2024: { start: '2024-02-09', end: '2024-02-17' } } });
    expect(d.springFestivalHoliday(2024)).toEqual({ start: '2024-02-09', end: '2024-02-17' });
    expect(d.isWorkingDay('2024-02-09')).toBe(false);
    expect(d.isWorkingDay('2024-02-18')).toBe(true);
  });

  it('are validated', () => {
    expect(() => createWorkCalendar({ holidays: ['2027-02-30'] })).toThrow(RangeError);
    expect(() => createWorkCalendar({ workdays: ['27-02-14'] })).toThrow(RangeError);
    expect(() => createWorkCalendar({ holidays: ['2027-02-14'], workdays: ['2027-02-14'] })).toThrow(/both/);
    expect(() => createWorkCalendar({ springFestivalHoliday: { 2027: { start: '2027-02-13', end: '2027-02-05' } } })).toThrow(RangeError);
  });

  it('do not leak between calendars', () => {
    expect(cal.hasHolidayData(2027)).toBe(false);
    expect(cal.isWorkingDay('2024-02-18')).toBe(true);
  });
});

describe('time-zone independence and agreement with chinese-days', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('gives the same answers whatever the process time zone', () => {
    for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
      process.env.TZ = tz;
      const c = createWorkCalendar();
      expect(c.isWorkingDay('2024-02-03'), tz).toBe(false);
      expect(c.isWorkingDay('2024-02-04'), tz).toBe(true);
      expect(c.isWorkingDay('2024-02-10'), tz).toBe(false);
      expect(c.isWorkingDay('2024-02-09'), tz).toBe(true);
      expect(c.springFestivalHoliday(2024), tz).toEqual({ start: '2024-02-10', end: '2024-02-17' });
    }
  });

  it("agrees with chinese-days' own isWorkday on every day of 2004–2026 (run under Asia/Shanghai, where that function is correct)", async () => {
    // chinese-days builds its tables through Date objects at import time, so import it under the zone it expects.
    process.env.TZ = 'Asia/Shanghai';
    const { default: chineseDays } = await import('chinese-days');
    const mismatches: string[] = [];
    const all = days('2004-01-01', '2026-12-31');
    for (const d of all) {
      if (chineseDays.isWorkday(d) !== cal.isWorkingDay(d)) mismatches.push(d);
    }
    expect(all.length).toBe(8401);
    expect(mismatches).toEqual([]);
  });
});
