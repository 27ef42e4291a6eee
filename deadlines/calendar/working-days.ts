/**
 * Working days in mainland China: statutory public holidays (法定节假日) and adjusted working days
 * (调休上班), on top of the Monday–Friday week.
 *
 * Pure and deterministic (no Date, no time zone, no I/O): dates are local calendar dates
 * 'yyyy-MM-dd' and all arithmetic is on integer day numbers, so the answers do not depend on the
 * process's TZ. Safe to import from Temporal workflow code.
 *
 * Source of the tables: chinese-days (npm, vsme/chinese-days), its pre-built data file
 * `dist/chinese-days.json`, which transcribes the State Council's annual notices
 * (国务院办公厅关于部分节假日安排的通知) for 2004–2026. The data file is used rather than the
 * package's functions (isWorkday, getDayDetail, …) because those build and query their tables
 * through `Date` objects parsed as UTC and read back in local time: in any time zone west of UTC
 * every answer is shifted by one day (getDayDetail('2024-02-03') says "work: true" under
 * TZ=America/New_York). Under Asia/Shanghai the functions and the data file agree on every day of
 * 2004–2026 (test/unit/calendar.test.ts checks it).
 *
 * Precedence, highest first: CalendarOverrides.workdays; CalendarOverrides.holidays and the days
 * of CalendarOverrides.springFestivalHoliday blocks; the tabulated adjusted working days and
 * holidays; Saturday and Sunday off.
 */
import holidayData from 'chinese-days/dist/chinese-days.json';
import { fromDayNumber, isIsoDate, isoWeekday, toDayNumber } from './day-numbers';
import { LUNAR_YEARS, springFestival } from './lunar';

export interface CalendarOverrides {
  /** Extra statutory days off ('yyyy-MM-dd'), e.g. for years the tables do not cover yet. */
  holidays?: string[];
  /** Adjusted working days (调休上班), e.g. a Sunday worked to bridge a holiday. */
  workdays?: string[];
  /**
   * The statutory Spring Festival holiday block per Gregorian year, inclusive. Its days are days
   * off (unless also listed in `workdays`) and are named 春节 by holidayName.
   */
  springFestivalHoliday?: Record<number, { start: string; end: string }>;
}

export type DayKind =
  /** Monday–Friday without a holiday. */
  | 'workday'
  /** Saturday or Sunday that is not an adjusted working day. */
  | 'weekend'
  /** A statutory holiday day (or an override holiday). */
  | 'holiday'
  /** A Saturday or Sunday worked in exchange for a holiday (调休上班), or an override workday. */
  | 'adjusted_workday';

export interface DayInfo {
  date: string;
  working: boolean;
  kind: DayKind;
  /** For holidays and adjusted working days: the holiday they belong to, when known. */
  holiday?: { zh: string; en: string };
}

export interface WorkCalendar {
  /** Statutory holidays off, weekends off unless an adjusted working day (调休); overrides win. */
  isWorkingDay(date: string): boolean;
  /**
   * Chinese name of the statutory holiday on that day, as the State Council's notices write it
   * (元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节), undefined on other days (including adjusted
   * working days) and on override holidays outside a Spring Festival block (their name is unknown).
   */
  holidayName(date: string): string | undefined;
  /** True for years the tables (or the overrides) cover; false e.g. for 2027+ without overrides. */
  hasHolidayData(year: number): boolean;
  /** First working day strictly after date. */
  nextWorkingDay(date: string): string;
  /** Last working day strictly before date. */
  previousWorkingDay(date: string): string;
  /** n > 0: the n-th working day after date; n < 0: the |n|-th working day before date; n = 0: date itself (working or not). */
  addWorkingDays(date: string, n: number): string;
  /**
   * The statutory 春节 holiday block (inclusive) for the festival in that Gregorian year, from the
   * overrides or the tables; undefined if unknown.
   */
  springFestivalHoliday(year: number): { start: string; end: string } | undefined;
  /** Everything known about one day. */
  dayInfo(date: string): DayInfo;
  /** Working days in [from, to], both inclusive (0 when from > to). */
  countWorkingDays(from: string, to: string): number;
}

/* ------------------------------------------------------------------------------------------------
 * The tables
 * ---------------------------------------------------------------------------------------------- */

interface HolidayLabel {
  zh: string;
  en: string;
}

/**
 * The tables abbreviate three names; holidayName gives the names the State Council's notices use
 * (一、元旦 … 七、国庆节).
 */
const OFFICIAL_NAMES: Record<string, string> = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };

/** Values look like "Spring Festival,春节,3": English name, Chinese name, number of days of the statutory entitlement. */
function parseLabel(raw: string): HolidayLabel {
  const [en, zh] = raw.split(',');
  const name = zh ?? en;
  return { zh: OFFICIAL_NAMES[name] ?? name, en };
}

function toMap(table: Record<string, string>): Map<string, HolidayLabel> {
  const map = new Map<string, HolidayLabel>();
  for (const [date, raw] of Object.entries(table)) map.set(date, parseLabel(raw));
  return map;
}

const TABLE_HOLIDAYS = toMap(holidayData.holidays as Record<string, string>);
const TABLE_WORKDAYS = toMap(holidayData.workdays as Record<string, string>);

function tableYears(): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const date of TABLE_HOLIDAYS.keys()) {
    const y = Number(date.slice(0, 4));
    if (y < first) first = y;
    if (y > last) last = y;
  }
  return { first, last };
}

/** Gregorian years the tabulated holiday data covers (chinese-days 1.5.7: 2004–2026). */
export const HOLIDAY_DATA_YEARS: { first: number; last: number } = tableYears();

const SPRING_FESTIVAL = { zh: '春节', en: 'Spring Festival' } as const;

/** The tabulated 春节 block around the festival of that Gregorian year. */
function tableSpringFestivalHoliday(year: number): { start: string; end: string } | undefined {
  if (year < HOLIDAY_DATA_YEARS.first || year > HOLIDAY_DATA_YEARS.last) return undefined;
  if (year < LUNAR_YEARS.first || year > LUNAR_YEARS.last) return undefined;
  const festival = toDayNumber(springFestival(year));
  let start: number | undefined;
  let end: number | undefined;
  // The blocks run from 除夕 or a day or two before to at most 正月初九 (2020's extension), so ±20 days is ample.
  for (let n = festival - 20; n <= festival + 20; n++) {
    if (TABLE_HOLIDAYS.get(fromDayNumber(n))?.zh === SPRING_FESTIVAL.zh) {
      start ??= n;
      end = n;
    }
  }
  return start === undefined || end === undefined ? undefined : { start: fromDayNumber(start), end: fromDayNumber(end) };
}

/* ------------------------------------------------------------------------------------------------
 * The calendar
 * ---------------------------------------------------------------------------------------------- */

function checkDate(date: string, what: string): void {
  if (!isIsoDate(date)) {
    throw new RangeError(`${what}: invalid date ${JSON.stringify(date)}, expected an existing date written yyyy-MM-dd`);
  }
}

/** Longest run of consecutive days off tolerated before giving up (guards against overrides that make every day a holiday). */
const MAX_SEARCH_DAYS = 3660;

/**
 * A working-day calendar: the tabulated statutory holidays and adjusted working days of 2004–2026,
 * weekends, and the overrides on top. Throws RangeError on malformed override dates, on a date
 * listed both as holiday and workday, and on a Spring Festival block that ends before it starts.
 */
export function createWorkCalendar(overrides: CalendarOverrides = {}): WorkCalendar {
  const extraHolidays = new Map<string, HolidayLabel | undefined>();
  const extraWorkdays = new Set<string>();
  const overrideYears = new Set<number>();
  const sfBlocks = new Map<number, { start: string; end: string }>();

  for (const d of overrides.workdays ?? []) {
    checkDate(d, 'calendar workdays');
    extraWorkdays.add(d);
    overrideYears.add(Number(d.slice(0, 4)));
  }
  for (const d of overrides.holidays ?? []) {
    checkDate(d, 'calendar holidays');
    if (extraWorkdays.has(d)) throw new RangeError(`calendar: ${d} is listed both as a holiday and as a working day`);
    extraHolidays.set(d, undefined);
    overrideYears.add(Number(d.slice(0, 4)));
  }
  for (const [key, block] of Object.entries(overrides.springFestivalHoliday ?? {})) {
    const year = Number(key);
    if (!Number.isInteger(year)) throw new RangeError(`calendar spring_festival_holiday: ${JSON.stringify(key)} is not a year`);
    checkDate(block.start, `calendar spring_festival_holiday ${year} start`);
    checkDate(block.end, `calendar spring_festival_holiday ${year} end`);
    const a = toDayNumber(block.start);
    const b = toDayNumber(block.end);
    if (b < a) throw new RangeError(`calendar spring_festival_holiday ${year}: end ${block.end} is before start ${block.start}`);
    if (b - a > 31) throw new RangeError(`calendar spring_festival_holiday ${year}: ${block.start}…${block.end} is longer than a month`);
    sfBlocks.set(year, { start: block.start, end: block.end });
    overrideYears.add(year);
    for (let n = a; n <= b; n++) {
      const d = fromDayNumber(n);
      overrideYears.add(Number(d.slice(0, 4)));
      if (!extraWorkdays.has(d)) extraHolidays.set(d, SPRING_FESTIVAL);
    }
  }

  function dayInfo(date: string): DayInfo {
    checkDate(date, 'dayInfo');
    const tableHoliday = TABLE_HOLIDAYS.get(date);
    const tableWorkday = TABLE_WORKDAYS.get(date);
    if (extraWorkdays.has(date)) {
      const label = tableWorkday ?? tableHoliday;
      return { date, working: true, kind: 'adjusted_workday', ...(label ? { holiday: { ...label } } : {}) };
    }
    if (extraHolidays.has(date)) {
      const label = extraHolidays.get(date) ?? tableHoliday;
      return { date, working: false, kind: 'holiday', ...(label ? { holiday: { ...label } } : {}) };
    }
    if (tableWorkday) return { date, working: true, kind: 'adjusted_workday', holiday: { ...tableWorkday } };
    if (tableHoliday) return { date, working: false, kind: 'holiday', holiday: { ...tableHoliday } };
    return isoWeekday(date) >= 6 ? { date, working: false, kind: 'weekend' } : { date, working: true, kind: 'workday' };
  }

  const isWorkingDay = (date: string): boolean => dayInfo(date).working;

  function step(date: string, direction: 1 | -1): string {
    let n = toDayNumber(date);
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      n += direction;
      const d = fromDayNumber(n);
      if (isWorkingDay(d)) return d;
    }
    throw new RangeError(`no working day within ${MAX_SEARCH_DAYS} days ${direction > 0 ? 'after' : 'before'} ${date}`);
  }

  return {
    isWorkingDay,
    dayInfo,
    holidayName(date) {
      const info = dayInfo(date);
      return info.kind === 'holiday' ? info.holiday?.zh : undefined;
    },
    hasHolidayData(year) {
      return (year >= HOLIDAY_DATA_YEARS.first && year <= HOLIDAY_DATA_YEARS.last) || overrideYears.has(year);
    },
    nextWorkingDay: (date) => step(date, 1),
    previousWorkingDay: (date) => step(date, -1),
    addWorkingDays(date, n) {
      if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: ${n} is not a whole number of working days`);
      checkDate(date, 'addWorkingDays');
      let d = date;
      for (let i = 0; i < Math.abs(n); i++) d = step(d, n > 0 ? 1 : -1);
      return d;
    },
    springFestivalHoliday(year) {
      const block = sfBlocks.get(year) ?? tableSpringFestivalHoliday(year);
      return block ? { ...block } : undefined;
    },
    countWorkingDays(from, to) {
      const a = toDayNumber(from);
      const b = toDayNumber(to);
      let count = 0;
      for (let n = a; n <= b; n++) if (isWorkingDay(fromDayNumber(n))) count++;
      return count;
    },
  };
}
