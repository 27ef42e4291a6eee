/**
 * The lunar calendar against an independent source, for every lunar year 1901–2099.
 *
 * deadlines/calendar/lunar.ts computes from a tabulated month-length table (Hong Kong Observatory data,
 * corrected). The reference here is lunar-javascript (6tail), which does not use such a table: it
 * computes new moons and solar terms astronomically (寿星天文历 algorithms) in Beijing time. For
 * every lunar year we compare the Spring Festival, the leap month, and for every month (leap months
 * included) its length and the Gregorian dates of its 1st, 15th and last day.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  LUNAR_SOLAR_RANGE,
  LUNAR_YEARS,
  leapMonthOf,
  lunarDatesInRange,
  lunarMonthDays,
  lunarMonthsOf,
  formatLunarDate,
  lunarToSolar,
  parseLunarText,
  solarToLunar,
  springFestival,
} from '../../deadlines/calendar';

// lunar-javascript ships without type declarations: describe the little we use.
interface LjSolar {
  toYmd(): string;
}
interface LjLunar {
  getSolar(): LjSolar;
  getYear(): number;
  getMonth(): number;
  getDay(): number;
}
interface LjLunarMonth {
  getYear(): number;
  /** Negative for a leap month. */
  getMonth(): number;
  isLeap(): boolean;
  getDayCount(): number;
  getFirstJulianDay(): number;
}
interface LjLunarYear {
  getLeapMonth(): number;
  getMonthsInYear(): LjLunarMonth[];
}
interface LunarJavascript {
  Lunar: { fromYmd(year: number, month: number, day: number): LjLunar };
  LunarYear: { fromYear(year: number): LjLunarYear };
  Solar: { fromYmd(year: number, month: number, day: number): { getLunar(): LjLunar }; fromJulianDay(jd: number): LjSolar };
}
const lj = createRequire(import.meta.url)('lunar-javascript') as LunarJavascript;

const YEARS: number[] = [];
for (let y = 1901; y <= 2099; y++) YEARS.push(y);

interface RefMonth {
  month: number;
  leap: boolean;
  days: number;
  firstDay: string;
}

function referenceMonths(year: number): RefMonth[] {
  return lj.LunarYear.fromYear(year)
    .getMonthsInYear()
    .map((m) => ({
      month: Math.abs(m.getMonth()),
      leap: m.isLeap(),
      days: m.getDayCount(),
      firstDay: lj.Solar.fromJulianDay(m.getFirstJulianDay()).toYmd(),
    }));
}

/** lunar-javascript's Gregorian date of a lunar date (leap months are negative months there). */
function reference(year: number, month: number, day: number, leap: boolean): string {
  return lj.Lunar.fromYmd(year, leap ? -month : month, day).getSolar().toYmd();
}

/**
 * The same through the month's first Julian day, which is what Lunar.fromYmd does internally
 * (Solar.fromJulianDay(month.getFirstJulianDay() + day - 1)) without building a full Lunar
 * object (eight characters, solar terms, …) — ten times faster.
 */
function referenceFast(m: LjLunarMonth, day: number): string {
  return lj.Solar.fromJulianDay(m.getFirstJulianDay() + day - 1).toYmd();
}

describe('supported range', () => {
  it('covers lunar years 1901–2099', () => {
    expect(LUNAR_YEARS).toEqual({ first: 1901, last: 2099 });
    expect(LUNAR_SOLAR_RANGE.first).toBe(reference(1901, 1, 1, false));
    expect(LUNAR_SOLAR_RANGE.first).toBe('1901-02-19');
    // The day before lunar 2100's 正月初一 (2100-02-09).
    expect(LUNAR_SOLAR_RANGE.last).toBe('2100-02-08');
    expect(reference(2100, 1, 1, false)).toBe('2100-02-09');
  });

  it('throws RangeError outside it', () => {
    expect(() => springFestival(1900)).toThrow(RangeError);
    expect(() => springFestival(2100)).toThrow(RangeError);
    expect(() => springFestival(2024.5)).toThrow(RangeError);
    expect(() => solarToLunar('1901-02-18')).toThrow(RangeError);
    expect(() => solarToLunar('2100-02-09')).toThrow(RangeError);
    expect(() => lunarToSolar({ year: 1900, month: 12, day: 1, leap: false })).toThrow(RangeError);
    expect(() => lunarToSolar({ year: 2100, month: 1, day: 1, leap: false })).toThrow(RangeError);
  });
});

describe('dates pinned from the seeds (published notices)', () => {
  it.each([
    [2014, '2014-01-31'],
    [2022, '2022-02-01'],
    [2023, '2023-01-22'],
    [2024, '2024-02-10'],
  ])('Spring Festival %i is %s', (year, date) => {
    expect(springFestival(year)).toBe(date);
  });

  it('山西 2024: 2024年1月25日（农历腊月十五）至4月8日（农历二月底）', () => {
    // 腊月十五 of lunar year 2023 falls in January 2024.
    expect(lunarToSolar({ year: 2023, month: 12, day: 15, leap: false })).toBe('2024-01-25');
    expect(solarToLunar('2024-01-25')).toEqual({ year: 2023, month: 12, day: 15, leap: false });
    // 二月 of lunar 2024 is a 30-day month: 二月底 = 二月三十 = 2024-04-08.
    expect(lunarMonthDays(2024, 2)).toBe(30);
    expect(lunarToSolar({ year: 2024, month: 2, day: 30, leap: false })).toBe('2024-04-08');
    expect(solarToLunar('2024-04-08')).toEqual({ year: 2024, month: 2, day: 30, leap: false });
    expect(lunarDatesInRange(12, 15, false, '2024-01-25', '2024-04-08')).toEqual(['2024-01-25']);
    expect(lunarDatesInRange(2, 'last', false, '2024-01-25', '2024-04-08')).toEqual(['2024-04-08']);
  });
});

describe('parseLunarText', () => {
  it.each([
    ['腊月十五', { month: 12, day: 15, leap: false }],
    ['农历腊月十五', { month: 12, day: 15, leap: false }],
    ['正月初一', { month: 1, day: 1, leap: false }],
    ['二月底', { month: 2, day: 'last', leap: false }],
    ['农历二月底', { month: 2, day: 'last', leap: false }],
    ['腊月末', { month: 12, day: 'last', leap: false }],
    ['除夕', { month: 12, day: 'last', leap: false }],
    ['闰二月初三', { month: 2, day: 3, leap: true }],
    ['十一月廿三', { month: 11, day: 23, leap: false }],
    ['冬月初八', { month: 11, day: 8, leap: false }],
    ['十二月十五', { month: 12, day: 15, leap: false }],
    ['一月初一', { month: 1, day: 1, leap: false }],
    ['正月初十', { month: 1, day: 10, leap: false }],
    ['八月二十', { month: 8, day: 20, leap: false }],
    ['腊月三十', { month: 12, day: 30, leap: false }],
    ['十月十五日', { month: 10, day: 15, leap: false }],
    [' 农历 正月 十五 ', { month: 1, day: 15, leap: false }],
    ['农历12月15日', { month: 12, day: 15, leap: false }],
  ] as const)('%s', (text, expected) => {
    expect(parseLunarText(text)).toEqual(expected);
  });

  it.each(['', '2月15日', '12月15', '十三月初一', '正月初十一', '正月十', '正月廿', '二月三十一', '正月', '腊月十五号码', '2024-01-25', '闰月初一'])(
    'rejects %j',
    (text) => {
      expect(parseLunarText(text)).toBeUndefined();
    },
  );

  it('formats back', () => {
    expect(formatLunarDate({ month: 12, day: 15, leap: false })).toBe('腊月十五');
    expect(formatLunarDate({ month: 2, day: 'last', leap: false })).toBe('二月底');
    expect(formatLunarDate({ year: 2023, month: 2, day: 3, leap: true })).toBe('2023年闰二月初三');
    expect(formatLunarDate({ month: 11, day: 23 })).toBe('冬月廿三');
  });
});

describe('lunarDatesInRange', () => {
  it('finds every occurrence, in order, inclusive at both ends', () => {
    expect(lunarDatesInRange(1, 1, false, '2022-01-01', '2024-12-31')).toEqual(['2022-02-01', '2023-01-22', '2024-02-10']);
    expect(lunarDatesInRange(1, 1, false, '2023-01-22', '2023-01-22')).toEqual(['2023-01-22']);
    expect(lunarDatesInRange(1, 1, false, '2023-01-23', '2024-02-09')).toEqual([]);
  });

  it("'last' is the 29th or the 30th; a day 30 that does not exist has no match", () => {
    // 腊月 of lunar 2024 has 29 days (no 年三十 before Spring Festival 2025-01-29).
    expect(lunarDatesInRange(12, 'last', false, '2025-01-01', '2025-02-28')).toEqual(['2025-01-28']);
    expect(lunarDatesInRange(12, 30, false, '2025-01-01', '2025-02-28')).toEqual([]);
    expect(lunarDatesInRange(12, 30, false, '2024-01-01', '2024-02-28')).toEqual(['2024-02-09']);
  });

  it('leap months: 闰二月 exists in 2023 only within 2022–2024', () => {
    expect(lunarDatesInRange(2, 3, true, '2022-01-01', '2024-12-31')).toEqual([lunarToSolar({ year: 2023, month: 2, day: 3, leap: true })]);
    expect(lunarDatesInRange(2, 3, true, '2022-01-01', '2024-12-31')).toEqual([reference(2023, 2, 3, true)]);
  });

  it('rejects an inverted or unsupported range', () => {
    expect(() => lunarDatesInRange(1, 1, false, '2024-02-10', '2024-02-09')).toThrow(RangeError);
    expect(() => lunarDatesInRange(1, 1, false, '1900-01-01', '1902-12-31')).toThrow(RangeError);
    expect(() => lunarDatesInRange(13, 1, false, '2024-01-01', '2024-12-31')).toThrow(RangeError);
  });
});

describe('the three corrected years of the classic table agree with the astronomical computation', () => {
  // The classic lunarInfo table (as shipped in chinese-days 1.5.7) is off by one day in these months.
  it.each([
    [1933, 6, false, '1933-07-23'],
    [1996, 6, false, '1996-07-16'],
    [1996, 8, false, '1996-09-13'],
    [2060, 4, false, '2060-04-30'],
  ])('%i %i月 (leap: %s) begins on %s', (year, month, leap, date) => {
    expect(lunarToSolar({ year, month, day: 1, leap })).toBe(date);
    expect(reference(year, month, 1, leap)).toBe(date);
  });

  it('1996 中秋 (八月十五) was 1996-09-27', () => {
    expect(lunarToSolar({ year: 1996, month: 8, day: 15, leap: false })).toBe('1996-09-27');
  });
});

describe.each(YEARS)('lunar year %i', (year) => {
  it('Spring Festival, leap month and every month (1st, 15th, last day) agree with lunar-javascript', () => {
    expect(springFestival(year)).toBe(lj.Lunar.fromYmd(year, 1, 1).getSolar().toYmd());
    expect(leapMonthOf(year)).toBe(lj.LunarYear.fromYear(year).getLeapMonth());

    const ref = referenceMonths(year);
    const mine = lunarMonthsOf(year);
    expect(mine).toEqual(ref);
    expect(ref.length).toBe(leapMonthOf(year) ? 13 : 12);

    for (const m of lj.LunarYear.fromYear(year).getMonthsInYear()) {
      const month = Math.abs(m.getMonth());
      const leap = m.isLeap();
      const days = m.getDayCount();
      for (const day of [1, 15, days]) {
        // The 15th through the public Lunar.fromYmd, the 1st and the last day through the month's Julian day.
        const expected = day === 15 ? reference(year, month, day, leap) : referenceFast(m, day);
        expect(lunarToSolar({ year, month, day, leap }), `${year} ${leap ? '闰' : ''}${month}月${day}`).toBe(expected);
        expect(solarToLunar(expected)).toEqual({ year, month, day, leap });
      }
      if (days === 29) {
        expect(() => lunarToSolar({ year, month, day: 30, leap })).toThrow(RangeError);
      }
    }
    // A leap month the year does not have.
    const missingLeap = leapMonthOf(year) === 6 ? 7 : 6;
    expect(() => lunarToSolar({ year, month: missingLeap, day: 1, leap: true })).toThrow(RangeError);
  });
});

describe('day by day', () => {
  it('solarToLunar agrees with lunar-javascript on the 1st of every quarter (Jan, Apr, Jul, Oct), 1901–2099', () => {
    for (let y = 1901; y <= 2099; y++) {
      for (const m of [1, 4, 7, 10]) {
        if (y === 1901 && m < 3) continue; // before lunar 1901
        const ref = lj.Solar.fromYmd(y, m, 1).getLunar();
        const date = `${y}-${String(m).padStart(2, '0')}-01`;
        const mine = solarToLunar(date);
        expect({ year: mine.year, month: mine.leap ? -mine.month : mine.month, day: mine.day }, date).toEqual({
          year: ref.getYear(),
          month: ref.getMonth(),
          day: ref.getDay(),
        });
      }
    }
  });

  it('solarToLunar and lunarToSolar are inverse over the whole range, and consecutive days advance by one lunar day', () => {
    const problems: string[] = [];
    let previous = solarToLunar(LUNAR_SOLAR_RANGE.first);
    expect(previous).toEqual({ year: 1901, month: 1, day: 1, leap: false });
    let count = 1;
    const [y0, m0, d0] = LUNAR_SOLAR_RANGE.first.split('-').map(Number);
    for (let t = Date.UTC(y0, m0 - 1, d0) + 86_400_000; ; t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      if (date > LUNAR_SOLAR_RANGE.last) break;
      const l = solarToLunar(date);
      if (lunarToSolar(l) !== date) problems.push(`${date}: round trip gives ${lunarToSolar(l)}`);
      const continues = l.year === previous.year && l.month === previous.month && l.leap === previous.leap && l.day === previous.day + 1;
      const newMonth = l.day === 1 && (previous.day === 29 || previous.day === 30);
      if (!continues && !newMonth) problems.push(`${date}: ${JSON.stringify(l)} after ${JSON.stringify(previous)}`);
      previous = l;
      count++;
    }
    expect(problems).toEqual([]);
    expect(previous).toEqual({ year: 2099, month: 12, day: lunarMonthDays(2099, 12), leap: false });
    expect(count).toBe((Date.UTC(2100, 1, 8) - Date.UTC(1901, 1, 19)) / 86_400_000 + 1);
  });
});
