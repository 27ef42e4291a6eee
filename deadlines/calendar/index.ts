/**
 * The calendar module: statutory holidays and working days (working-days.ts), the Chinese
 * lunar calendar (lunar.ts, and lunar-text.ts for its wording in notices), both on Gregorian day
 * numbers (day-numbers.ts). Pure and deterministic; safe to import from Temporal workflow code.
 */
export {
  createWorkCalendar,
  HOLIDAY_DATA_YEARS,
  type CalendarOverrides,
  type WorkCalendar,
  type DayInfo,
  type DayKind,
} from './working-days';
export {
  springFestival,
  solarToLunar,
  lunarToSolar,
  lunarDatesInRange,
  leapMonthOf,
  lunarMonthDays,
  lunarMonthsOf,
  lunarMonthName,
  lunarDayName,
  formatLunarDate,
  LUNAR_YEARS,
  LUNAR_SOLAR_RANGE,
  type LunarDate,
} from './lunar';
export { parseLunarText, type LunarMonthDay } from './lunar-text';
export { isIsoDate, isoWeekday, addCalendarDays, toDayNumber, fromDayNumber } from './day-numbers';
