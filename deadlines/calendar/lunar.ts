/**
 * The Chinese lunisolar calendar (农历) for lunar years 1901–2099.
 *
 * Pure and deterministic: no Date, no time zone, no I/O. Every date is a local calendar date
 * 'yyyy-MM-dd' and all arithmetic is done on integer day numbers (day-numbers.ts), so the results
 * do not depend on the process's TZ. The month-length table itself is some twenty lines; the rest
 * is conversion, names and search. Reading a lunar date as a notice writes it is lunar-text.ts.
 *
 * Lunar year numbering: the lunar year N is the one whose 正月初一 (Spring Festival) falls in the
 * Gregorian year N. So 腊月十五 of lunar year 2023 is 2024-01-25.
 *
 * Why not chinese-days' own lunar functions: (1) they parse 'yyyy-MM-dd' as UTC midnight and read
 * it back with local getters, so in any time zone west of UTC they answer for the previous day
 * (getSolarDateFromLunar('2023-12-15') gives 2024-01-24 instead of 2024-01-25 under
 * TZ=America/Los_Angeles); (2) its table carries three known errors (1933, 1996, 2060, see
 * below). The table is therefore embedded here, corrected, and verified month by month against
 * an independent astronomical computation (lunar-javascript) in test/unit/lunar-1901-2099.test.ts.
 */
import { fromDayNumber, toDayNumber } from './day-numbers';

/** Lunar years this module supports (and that the test suite verifies). */
export const LUNAR_YEARS = { first: 1901, last: 2099 } as const;

/**
 * A date in the lunar calendar. `year` is the Gregorian year in which that lunar year's 正月初一
 * falls; `month` is 1–12 (正月 = 1 … 冬月 = 11, 腊月 = 12); `leap` marks the intercalary month
 * (闰月) that follows the ordinary month of the same number.
 */
export interface LunarDate {
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

/* ------------------------------------------------------------------------------------------------
 * The lunar table
 * ---------------------------------------------------------------------------------------------- */

/**
 * Month lengths and leap months of lunar years 1900–2100, one entry per year (index = year − 1900).
 *
 * This is the standard, widely circulated "lunarInfo" table derived from the Hong Kong Observatory's
 * published Gregorian–lunar conversion tables (香港天文台《公历与农历日期对照表》, 1901–2100), as
 * used by jjonline/calendar.js and by chinese-days 1.5.7 (src/solar_lunar/constants.ts), with the
 * three known transcription errors of that table corrected to the Hong Kong Observatory data and
 * to the astronomical computation (both agree on these):
 *   1933: 0x06e95 → 0x16a95  (闰五月 has 30 days; 六月初一 is 1933-07-23, not 07-22)
 *   1996: 0x055c0 → 0x05ac0  (五月 30, 六月 29, 七月 30, 八月 29 days; 六月初一 1996-07-16, 八月初一 1996-09-13, 中秋 1996-09-27)
 *   2060: 0x0a2e0 → 0x092e0  (三月 29, 四月 30 days; 四月初一 is 2060-04-30)
 * (see e.g. github.com/yize/solarlunar issue #6, jjonline/calendar.js issue #11). Two future months
 * whose new moon falls within minutes of midnight Beijing time are genuinely uncertain (the Hong Kong
 * Observatory itself warns that such dates may shift by a day): 九月初一 2057-09-29 and 七月初一
 * 2097-08-07. Here they follow this table, which agrees with the astronomical computation of
 * lunar-javascript; some other published tables put them one day off (2057-09-28, 2097-08-08).
 *
 * Bit layout of each entry (20 bits):
 *   bits 0–3   the leap month (1–12), 0 when the year has none
 *   bits 4–15  months 12 … 1 (bit 15 = 正月, bit 4 = 腊月): 1 = 30 days (大月), 0 = 29 days (小月)
 *   bit 16     the leap month's length: 1 = 30 days, 0 = 29 days
 * Lunar 1900 正月初一 = 1900-01-31.
 */
const LUNAR_INFO: readonly number[] = [
  0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260, 0x0d950, 0x16554, 0x056a0, 0x09ad0, 0x055d2, // 1900–1909
  0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255, 0x0b540, 0x0d6a0, 0x0ada2, 0x095b0, 0x14977, // 1910–1919
  0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40, 0x1ab54, 0x02b60, 0x09570, 0x052f2, 0x04970, // 1920–1929
  0x06566, 0x0d4a0, 0x0ea50, 0x16a95, 0x05ad0, 0x02b60, 0x186e3, 0x092e0, 0x1c8d7, 0x0c950, // 1930–1939
  0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4, 0x025d0, 0x092d0, 0x0d2b2, 0x0a950, 0x0b557, // 1940–1949
  0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5b0, 0x14573, 0x052b0, 0x0a9a8, 0x0e950, 0x06aa0, // 1950–1959
  0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570, 0x05260, 0x0f263, 0x0d950, 0x05b57, 0x056a0, // 1960–1969
  0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4, 0x0d250, 0x0d558, 0x0b540, 0x0b6a0, 0x195a6, // 1970–1979
  0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a, 0x06a50, 0x06d40, 0x0af46, 0x0ab60, 0x09570, // 1980–1989
  0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50, 0x06b58, 0x05ac0, 0x0ab60, 0x096d5, 0x092e0, // 1990–1999
  0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5, // 2000–2009
  0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930, // 2010–2019
  0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530, // 2020–2029
  0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45, // 2030–2039
  0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0, // 2040–2049
  0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0, 0x168a6, 0x0ea50, 0x06b20, 0x1a6c4, 0x0aae0, // 2050–2059
  0x092e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0, 0x0da50, 0x05d55, 0x056a0, 0x0a6d0, 0x055d4, // 2060–2069
  0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6, 0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0, 0x052b0, // 2070–2079
  0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50, 0x14b55, 0x04b60, 0x0a570, 0x054e4, 0x0d160, // 2080–2089
  0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0, 0x04ae0, 0x0a9d4, 0x0a2d0, 0x0d150, 0x0f252, // 2090–2099
  0x0d520, // 2100
];

const TABLE_FIRST_YEAR = 1900;
const TABLE_BASE_DAY = toDayNumber('1900-01-31'); // lunar 1900 正月初一

interface LunarMonthSpan {
  month: number;
  leap: boolean;
  days: 29 | 30;
  /** Day number of the 1st of the month. */
  start: number;
}

interface LunarYearSpan {
  year: number;
  /** Day number of 正月初一. */
  start: number;
  /** Day number of the day after the year's last day (= next year's 正月初一). */
  end: number;
  leapMonth: number;
  /** In calendar order; a leap month follows the ordinary month of the same number. */
  months: LunarMonthSpan[];
}

function buildYears(): LunarYearSpan[] {
  const years: LunarYearSpan[] = [];
  let day = TABLE_BASE_DAY;
  for (let i = 0; i < LUNAR_INFO.length; i++) {
    const info = LUNAR_INFO[i];
    const leapMonth = info & 0xf;
    const start = day;
    const months: LunarMonthSpan[] = [];
    for (let m = 1; m <= 12; m++) {
      const days = info & (0x10000 >> m) ? 30 : 29;
      months.push({ month: m, leap: false, days, start: day });
      day += days;
      if (m === leapMonth) {
        const leapDays = info & 0x10000 ? 30 : 29;
        months.push({ month: m, leap: true, days: leapDays, start: day });
        day += leapDays;
      }
    }
    years.push({ year: TABLE_FIRST_YEAR + i, start, end: day, leapMonth, months });
  }
  return years;
}

const YEARS: readonly LunarYearSpan[] = buildYears();

const SUPPORTED_FIRST_DAY = YEARS[LUNAR_YEARS.first - TABLE_FIRST_YEAR].start;
const SUPPORTED_END_DAY = YEARS[LUNAR_YEARS.last - TABLE_FIRST_YEAR].end; // exclusive

/** First and last Gregorian date solarToLunar accepts (lunar 1901 正月初一 … lunar 2099 除夕). */
export const LUNAR_SOLAR_RANGE = {
  first: fromDayNumber(SUPPORTED_FIRST_DAY),
  last: fromDayNumber(SUPPORTED_END_DAY - 1),
} as const;

function lunarYear(year: number): LunarYearSpan {
  if (!Number.isInteger(year) || year < LUNAR_YEARS.first || year > LUNAR_YEARS.last) {
    throw new RangeError(
      `lunar year ${year} is outside the supported range ${LUNAR_YEARS.first}–${LUNAR_YEARS.last} (农历年份超出支持范围)`,
    );
  }
  return YEARS[year - TABLE_FIRST_YEAR];
}

/* ------------------------------------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------------------------------- */

const MONTH_NAMES = ['正', '二', '三', '四', '五', '六', '七', '八', '九', '十', '冬', '腊'];
const DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** Chinese name of a lunar month: 1 → '正月', 11 → '冬月', 12 → '腊月', leap → '闰二月'. */
export function lunarMonthName(month: number, leap = false): string {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`invalid lunar month ${month}`);
  return `${leap ? '闰' : ''}${MONTH_NAMES[month - 1]}月`;
}

/** Chinese name of a lunar day: 1 → '初一', 10 → '初十', 15 → '十五', 20 → '二十', 23 → '廿三', 30 → '三十'. */
export function lunarDayName(day: number): string {
  if (!Number.isInteger(day) || day < 1 || day > 30) throw new RangeError(`invalid lunar day ${day}`);
  if (day <= 10) return `初${DIGITS[day]}`;
  if (day < 20) return `十${DIGITS[day - 10]}`;
  if (day === 20) return '二十';
  if (day < 30) return `廿${DIGITS[day - 20]}`;
  return '三十';
}

/** '腊月十五', '闰二月初三', '二月底' (day 'last'); with a year: '2023年腊月十五' (lunar year number). */
export function formatLunarDate(d: { year?: number; month: number; day: number | 'last'; leap?: boolean }): string {
  const day = d.day === 'last' ? '底' : lunarDayName(d.day);
  return `${d.year === undefined ? '' : `${d.year}年`}${lunarMonthName(d.month, d.leap ?? false)}${day}`;
}

/* ------------------------------------------------------------------------------------------------
 * Conversions
 * ---------------------------------------------------------------------------------------------- */

/** 'yyyy-MM-dd' of 正月初一 (the Spring Festival) of the given Gregorian year; valid 1901–2099, RangeError outside. */
export function springFestival(gregorianYear: number): string {
  return fromDayNumber(lunarYear(gregorianYear).start);
}

/** The leap month (1–12) of a lunar year, or 0 when it has none. */
export function leapMonthOf(year: number): number {
  return lunarYear(year).leapMonth;
}

/** The months of a lunar year in calendar order, with their lengths and first days. */
export function lunarMonthsOf(year: number): { month: number; leap: boolean; days: 29 | 30; firstDay: string }[] {
  return lunarYear(year).months.map((m) => ({ month: m.month, leap: m.leap, days: m.days, firstDay: fromDayNumber(m.start) }));
}

function findMonth(year: number, month: number, leap: boolean): LunarMonthSpan | undefined {
  return lunarYear(year).months.find((m) => m.month === month && m.leap === leap);
}

/** Number of days (29 or 30) of a lunar month; RangeError when that leap month does not exist. */
export function lunarMonthDays(year: number, month: number, leap = false): 29 | 30 {
  checkMonth(month);
  const span = findMonth(year, month, leap);
  if (!span) throw noSuchLeapMonth(year, month);
  return span.days;
}

function checkMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`invalid lunar month ${month}: expected 1–12 (农历月份应为正月至腊月)`);
  }
}

function noSuchLeapMonth(year: number, month: number): RangeError {
  const leap = lunarYear(year).leapMonth;
  const has = leap ? `its leap month is ${lunarMonthName(leap, true)}` : 'it has no leap month';
  return new RangeError(
    `lunar year ${year} has no leap month ${month} (${lunarMonthName(month, true)}): ${has} ` +
      `(农历${year}年无${lunarMonthName(month, true)}${leap ? `，该年闰月为${lunarMonthName(leap, true)}` : '，该年无闰月'})`,
  );
}

/** The lunar date of a Gregorian date; RangeError outside LUNAR_SOLAR_RANGE. */
export function solarToLunar(date: string): LunarDate {
  const n = toDayNumber(date);
  if (n < SUPPORTED_FIRST_DAY || n >= SUPPORTED_END_DAY) {
    throw new RangeError(
      `date ${date} is outside the supported lunar range ${LUNAR_SOLAR_RANGE.first}…${LUNAR_SOLAR_RANGE.last} ` +
        `(lunar years ${LUNAR_YEARS.first}–${LUNAR_YEARS.last}; 超出农历换算支持范围)`,
    );
  }
  // Binary search the year, then walk its ≤ 13 months.
  let lo = LUNAR_YEARS.first - TABLE_FIRST_YEAR;
  let hi = LUNAR_YEARS.last - TABLE_FIRST_YEAR;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (YEARS[mid].start <= n) lo = mid;
    else hi = mid - 1;
  }
  const y = YEARS[lo];
  for (const m of y.months) {
    if (n < m.start + m.days) return { year: y.year, month: m.month, day: n - m.start + 1, leap: m.leap };
  }
  /* c8 ignore next */
  throw new Error(`internal error: ${date} not found in lunar year ${y.year}`);
}

/**
 * The Gregorian date of a lunar date. RangeError (with the reason in English and Chinese) when the
 * date does not exist: day 30 of a 29-day month (小月无三十), a leap month the year does not have,
 * a month outside 1–12, a day outside 1–30, or a year outside 1901–2099.
 */
export function lunarToSolar(d: LunarDate): string {
  const { year, month, day } = d;
  const leap = d.leap ?? false;
  lunarYear(year);
  checkMonth(month);
  if (!Number.isInteger(day) || day < 1 || day > 30) {
    throw new RangeError(`invalid lunar day ${day}: expected 1–30 (农历日期应为初一至三十)`);
  }
  const span = findMonth(year, month, leap);
  if (!span) throw noSuchLeapMonth(year, month);
  if (day > span.days) {
    throw new RangeError(
      `lunar date ${year} ${lunarMonthName(month, leap)}${lunarDayName(day)} does not exist: that month has only ${span.days} days ` +
        `(农历${year}年${lunarMonthName(month, leap)}为小月，只有${span.days}天，无${lunarDayName(day)})`,
    );
  }
  return fromDayNumber(span.start + day - 1);
}

/* ------------------------------------------------------------------------------------------------
 * Search
 * ---------------------------------------------------------------------------------------------- */

/**
 * Every Gregorian date in [from, to] (inclusive, 'yyyy-MM-dd') that is the given lunar month/day,
 * in ascending order. `day: 'last'` matches the last day of the month (29th or 30th). A day 30 in a
 * year where that month has 29 days, or a leap month in a year without it, simply has no match in
 * that year (no error). Throws RangeError when from > to, or when the range leaves the supported
 * span LUNAR_SOLAR_RANGE (lunar years 1901–2099).
 */
export function lunarDatesInRange(month: number, day: number | 'last', leap: boolean, from: string, to: string): string[] {
  checkMonth(month);
  if (day !== 'last' && (!Number.isInteger(day) || day < 1 || day > 30)) {
    throw new RangeError(`invalid lunar day ${day}: expected 1–30 or 'last' (农历日期应为初一至三十或月底)`);
  }
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  if (a > b) throw new RangeError(`empty range: ${from} is after ${to}`);
  if (a < SUPPORTED_FIRST_DAY || b >= SUPPORTED_END_DAY) {
    throw new RangeError(
      `range ${from}…${to} leaves the supported lunar range ${LUNAR_SOLAR_RANGE.first}…${LUNAR_SOLAR_RANGE.last} (超出农历换算支持范围)`,
    );
  }
  const result: string[] = [];
  for (let y = solarToLunar(from).year; y <= solarToLunar(to).year; y++) {
    const span = findMonth(y, month, leap);
    if (!span) continue;
    const d = day === 'last' ? span.days : day;
    if (d > span.days) continue;
    const n = span.start + d - 1;
    if (n >= a && n <= b) result.push(fromDayNumber(n));
  }
  return result;
}
